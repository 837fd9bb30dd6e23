"""HTTP handlers for the session and master data (moco.md §1, §6): reads only.

Lists are ordered by id unless `sort_by` says otherwise. Choices where MOCO
is silent:
- `GET /session` names the key's own user, even while impersonating;
  `GET /profile` names the impersonated user (documented).
- `GET /projects` shows every project to every caller (no per-user project
  permissions are simulated); archived ones only with `include_archived=true`.
  `GET /projects/{id}` shows archived ones too. `include_company=true` embeds
  the full company as `customer`.
- `GET /projects/assigned` lists the projects where the effective user has an
  active contract; `active=true|false` filters on the project's `active`.
- Unknown projects, tasks, contracts, users and companies answer 404.
- Filters: `ids`, `updated_after` and `custom_properties[Name]=Value` on every
  list (an unknown property name matches nothing, as documented); `tags` is a
  comma list, and a record matches when it carries any of them; projects also
  `company_id`, `leader_id`, `identifier`, `project_group_id` and `deal_id`
  (comma lists; projects have no group or deal here, so those match nothing),
  `created_from`/`created_to`/`updated_from`/`updated_to` (inclusive days),
  `retainer` and `term` (name, identifier or customer name).
- `sort_by` on users and projects: `id`, `name` (projects), `firstname`,
  `lastname` (users), `created_at` or `updated_at`, then ` asc|desc`; other
  fields answer 400.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from syncd.simulators.moco.access import authenticate
from syncd.simulators.moco.model import Project
from syncd.simulators.moco.record_filters import (
    ProjectFilter,
    common_filter,
    sort_records,
)
from syncd.simulators.moco.render import (
    assigned_project_json,
    company_json,
    profile_json,
    project_json,
    standalone_contract_json,
    task_json,
    user_json,
)
from syncd.simulators.moco.state import ApiError, MocoAccount, not_found
from syncd.simulators.moco.web import Query, guarded, json_response, paginate, path_id

if TYPE_CHECKING:
    from syncd.simulators.moco.simulator import MocoSimulator

COMPANY_TYPES = ("customer", "supplier", "organization")
USER_SORTS = ("id", "firstname", "lastname", "created_at", "updated_at")
PROJECT_SORTS = ("id", "name", "identifier", "created_at", "updated_at")


def _page(request: Request, records: list[Any], render: Callable[[Any], Any]) -> Response:
    page, headers = paginate(request, records)
    return json_response([render(r) for r in page], headers=headers)


class MasterDataHandlers:
    def __init__(self, sim: MocoSimulator) -> None:
        self.sim = sim

    def routes(self) -> list[BaseRoute]:
        route = self.sim.route
        return [
            route("/session", guarded(self.session), ["GET"]),
            route("/profile", guarded(self.profile), ["GET"]),
            route("/users", guarded(self.users), ["GET"]),
            route("/users/{id:int}", guarded(self.user), ["GET"]),
            route("/projects", guarded(self.projects), ["GET"]),
            route("/projects/assigned", guarded(self.assigned), ["GET"]),
            route("/projects/{id:int}", guarded(self.project), ["GET"]),
            route("/projects/{project_id:int}/tasks", guarded(self.tasks), ["GET"]),
            route("/projects/{project_id:int}/tasks/{id:int}", guarded(self.task), ["GET"]),
            route("/projects/{project_id:int}/contracts", guarded(self.contracts), ["GET"]),
            route("/projects/{project_id:int}/contracts/{id:int}", guarded(self.contract), ["GET"]),
            route("/companies", guarded(self.companies), ["GET"]),
            route("/companies/{id:int}", guarded(self.company), ["GET"]),
        ]

    def _account(self, request: Request) -> MocoAccount:
        account = self.sim.account
        authenticate(account, request.headers)
        return account

    def _project(self, request: Request, name: str = "project_id") -> Project:
        project = self._account(request).projects.get(path_id(request, name))
        if project is None:
            raise not_found()
        return project

    async def session(self, request: Request) -> Response:
        with self.sim.lock:
            caller = authenticate(self.sim.account, request.headers)
            return json_response({"id": caller.key_user.id, "uuid": caller.key_user.uuid})

    async def profile(self, request: Request) -> Response:
        with self.sim.lock:
            caller = authenticate(self.sim.account, request.headers)
            return json_response(profile_json(caller.user))

    async def users(self, request: Request) -> Response:
        with self.sim.lock:
            account = self._account(request)
            query = Query(request)
            common = common_filter(query)
            archived = query.boolean("include_archived") is True
            email = query.text("email")
            found = [
                u
                for u in account.users.values()
                if (u.active or archived) and (email is None or u.email == email) and common(u)
            ]
            found = sort_records(found, query.text("sort_by"), USER_SORTS)
            return _page(request, found, user_json)

    async def user(self, request: Request) -> Response:
        with self.sim.lock:
            user = self._account(request).users.get(path_id(request))
            if user is None:
                raise not_found()
            return json_response(user_json(user))

    async def projects(self, request: Request) -> Response:
        with self.sim.lock:
            account = self._account(request)
            query = Query(request)
            wanted = ProjectFilter.from_query(query)
            full = query.boolean("include_company") is True
            found = [p for p in account.projects.values() if wanted.matches(account, p)]
            found = sort_records(found, query.text("sort_by"), PROJECT_SORTS)
            return _page(request, found, lambda p: project_json(account, p, full_company=full))

    async def project(self, request: Request) -> Response:
        with self.sim.lock:
            project = self._project(request, "id")
            full = Query(request).boolean("include_company") is True
            return json_response(project_json(self.sim.account, project, full_company=full))

    async def assigned(self, request: Request) -> Response:
        with self.sim.lock:
            account = self.sim.account
            caller = authenticate(account, request.headers)
            active = Query(request).boolean("active")
            body = []
            for project in sorted(account.projects.values(), key=lambda p: p.id):
                contract = project.contract_of(caller.user.id)
                if contract is None or not contract.active:
                    continue
                if active is None or project.active == active:
                    body.append(assigned_project_json(account, project, contract))
            return json_response(body)

    async def tasks(self, request: Request) -> Response:
        with self.sim.lock:
            project = self._project(request)
            updated_after = Query(request).moment("updated_after")
            found = [
                t for t in project.tasks if updated_after is None or t.updated_at > updated_after
            ]
            return _page(request, sorted(found, key=lambda t: t.id), task_json)

    async def task(self, request: Request) -> Response:
        with self.sim.lock:
            task = self._project(request).task(path_id(request))
            if task is None:
                raise not_found()
            return json_response(task_json(task))

    async def contracts(self, request: Request) -> Response:
        with self.sim.lock:
            project = self._project(request)
            updated_after = Query(request).moment("updated_after")
            found = [
                c
                for c in project.contracts
                if updated_after is None or c.updated_at > updated_after
            ]
            account = self.sim.account
            return _page(
                request,
                sorted(found, key=lambda c: c.id),
                lambda c: standalone_contract_json(account, project, c),
            )

    async def contract(self, request: Request) -> Response:
        with self.sim.lock:
            project = self._project(request)
            wanted = path_id(request)
            contract = next((c for c in project.contracts if c.id == wanted), None)
            if contract is None:
                raise not_found()
            return json_response(standalone_contract_json(self.sim.account, project, contract))

    async def companies(self, request: Request) -> Response:
        with self.sim.lock:
            account = self._account(request)
            query = Query(request)
            common = common_filter(query)
            archived = query.boolean("include_archived") is True
            kind, term = query.text("type"), query.text("term")
            if kind not in (None, *COMPANY_TYPES):
                raise ApiError(400, {"message": f"Invalid value for parameter 'type': {kind}"})
            identifiers = query.strings("identifier")
            found = [
                c
                for c in account.companies.values()
                if (c.archived_on is None or archived)
                and (kind is None or c.type == kind)
                and (identifiers is None or c.identifier in identifiers)
                and (term is None or term.lower() in c.name.lower())
                and common(c)
            ]
            found = sorted(found, key=lambda c: c.id)
            return _page(request, found, lambda c: company_json(account, c))

    async def company(self, request: Request) -> Response:
        with self.sim.lock:
            account = self._account(request)
            company = account.companies.get(path_id(request))
            if company is None:
                raise not_found()
            return json_response(company_json(account, company))
