"""HTTP handlers for the session and master data (moco.md §1, §6).

Lists are ordered by id. Choices where MOCO is silent:
- `GET /session` names the key's own user, even while impersonating;
  `GET /profile` names the impersonated user (documented).
- `GET /projects` shows every project to every caller (no per-user project
  permissions are simulated); archived ones only with `include_archived=true`.
- `GET /projects/assigned` lists the projects where the effective user has an
  active contract; `active=true|false` filters on the project's `active`.
- `GET /projects/{id}/tasks` answers 404 for an unknown project.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from syncd.simulators.moco.access import authenticate
from syncd.simulators.moco.render import (
    assigned_project_json,
    company_json,
    profile_json,
    project_json,
    task_json,
    user_json,
)
from syncd.simulators.moco.state import MocoAccount, not_found
from syncd.simulators.moco.web import Query, guarded, json_response, paginate, path_id

if TYPE_CHECKING:
    from syncd.simulators.moco.simulator import MocoSimulator


class Record(Protocol):
    id: int
    updated_at: datetime


def _common_filters(query: Query) -> Callable[[Record], bool]:
    """`ids` and `updated_after`, which MOCO offers on every list."""
    ids = query.integers("ids")
    updated_after = query.moment("updated_after")
    return lambda r: (
        (ids is None or r.id in ids) and (updated_after is None or r.updated_at > updated_after)
    )


def _page(request: Request, records: list[Any], render: Callable[[Any], Any]) -> Response:
    page, headers = paginate(request, sorted(records, key=lambda r: r.id))
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
            route("/projects", guarded(self.projects), ["GET"]),
            route("/projects/assigned", guarded(self.assigned), ["GET"]),
            route("/projects/{project_id}/tasks", guarded(self.tasks), ["GET"]),
            route("/companies", guarded(self.companies), ["GET"]),
        ]

    def _account(self, request: Request) -> MocoAccount:
        account = self.sim.account
        authenticate(account, request.headers)
        return account

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
            common = _common_filters(query)
            archived = query.boolean("include_archived") is True
            email = query.text("email")
            found = [
                u
                for u in account.users.values()
                if (u.active or archived) and (email is None or u.email == email) and common(u)
            ]
            return _page(request, found, user_json)

    async def projects(self, request: Request) -> Response:
        with self.sim.lock:
            account = self._account(request)
            query = Query(request)
            common = _common_filters(query)
            archived = query.boolean("include_archived") is True
            companies, leaders = query.integers("company_id"), query.integers("leader_id")
            identifiers = query.strings("identifier")
            found = [
                p
                for p in account.projects.values()
                if (p.archived_on is None or archived)
                and (companies is None or p.customer_id in companies)
                and (leaders is None or p.leader_id in leaders)
                and (identifiers is None or p.identifier in identifiers)
                and common(p)
            ]
            return _page(request, found, lambda p: project_json(account, p))

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
            account = self._account(request)
            project = account.projects.get(path_id(request, "project_id"))
            if project is None:
                raise not_found()
            updated_after = Query(request).moment("updated_after")
            found = [
                t for t in project.tasks if updated_after is None or t.updated_at > updated_after
            ]
            return _page(request, found, task_json)

    async def companies(self, request: Request) -> Response:
        with self.sim.lock:
            account = self._account(request)
            query = Query(request)
            common = _common_filters(query)
            archived = query.boolean("include_archived") is True
            kind, term = query.text("type"), query.text("term")
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
            return _page(request, found, lambda c: company_json(account, c))
