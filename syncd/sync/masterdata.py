"""Master data of both accounts, and the configured mappings checked against it.

A mapping that names an id which does not exist, is archived or inactive, or
contradicts the account (a clockodo project of another customer, a MOCO task
of another project) is reported in one line and left out: bookings on it are
then skipped as unmapped, never written with a guessed partner.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from syncd.adapters.clockodo import models as ck
from syncd.adapters.clockodo.client import ClockodoClient
from syncd.adapters.listing import ListResult
from syncd.adapters.moco import models as mc
from syncd.adapters.moco.client import MocoClient
from syncd.config import MappingSettings
from syncd.core import model as core
from syncd.core.mappings import mapping_problems
from syncd.core.names import Names


class MasterDataUnavailable(Exception):
    """A master-data list could not be read completely; the run cannot map safely."""


@dataclass(frozen=True)
class Accounts:
    """What both accounts hold that the mappings refer to (archived included)."""

    moco_users: dict[int, mc.User]
    moco_projects: dict[int, mc.Project]
    clockodo_users: dict[int, ck.User]
    clockodo_customers: dict[int, ck.Customer]
    clockodo_projects: dict[int, ck.Project]
    clockodo_services: dict[int, ck.Service]

    def moco_task(self, task_id: int) -> tuple[mc.Project, mc.Task] | None:
        for project in self.moco_projects.values():
            for task in project.tasks:
                if task.id == task_id:
                    return project, task
        return None


def names_of(accounts: Accounts) -> Names:
    """What a person reads instead of MOCO ids (plan lines, conflicts, verify)."""
    projects = accounts.moco_projects.values()
    clockodo = (
        ("user", accounts.clockodo_users),
        ("project", accounts.clockodo_projects),
        ("service", accounts.clockodo_services),
    )
    return Names(
        users={u.id: f"{u.firstname} {u.lastname}" for u in accounts.moco_users.values()},
        projects={pr.id: pr.name for pr in projects},
        tasks={task.id: task.name for pr in projects for task in pr.tasks},
        clockodo={(kind, i): item.name for kind, items in clockodo for i, item in items.items()},
    )


Item = TypeVar("Item", mc.User, mc.Project, ck.User, ck.Customer, ck.Project, ck.Service)


def _by_id(what: str, result: ListResult[Item]) -> dict[int, Item]:
    if not result.complete:
        raise MasterDataUnavailable(f"cannot read {what}: {result.problem}") from result.error
    return {item.id: item for item in result.items}


def read_accounts(moco: MocoClient, clockodo: ClockodoClient) -> Accounts:
    """Seven list reads (each usually one request)."""
    return Accounts(
        moco_users=_by_id("MOCO users", moco.users(include_archived=True)),
        moco_projects=_by_id("MOCO projects", moco.projects(include_archived=True)),
        clockodo_users=_by_id("clockodo users", clockodo.users()),
        clockodo_customers=_by_id("clockodo customers", clockodo.customers()),
        clockodo_projects=_by_id("clockodo projects", clockodo.projects()),
        clockodo_services=_by_id("clockodo services", clockodo.services()),
    )


def _zone_or_fallback(zone: str | None, fallback: str) -> str:
    if not zone:
        return fallback
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        return fallback
    return zone


def _user_problem(moco_id: int, clockodo_id: int, accounts: Accounts) -> str | None:
    moco_user = accounts.moco_users.get(moco_id)
    clockodo_user = accounts.clockodo_users.get(clockodo_id)
    if moco_user is None:
        return f"MOCO user {moco_id} does not exist"
    if not moco_user.active:
        return f"MOCO user {moco_id} is deactivated"
    if clockodo_user is None:
        return f"clockodo user {clockodo_id} does not exist"
    if not clockodo_user.active:
        return f"clockodo user {clockodo_id} is inactive"
    return None


def _project_problem(
    moco_id: int, customer_id: int, project_id: int, accounts: Accounts
) -> str | None:
    moco_project = accounts.moco_projects.get(moco_id)
    if moco_project is None:
        return f"MOCO project {moco_id} does not exist"
    if moco_project.archived_on or not moco_project.active:
        return f"MOCO project {moco_id} is archived or inactive"
    return _clockodo_project_problem(customer_id, project_id, accounts)


def _clockodo_project_problem(customer_id: int, project_id: int, accounts: Accounts) -> str | None:
    customer = accounts.clockodo_customers.get(customer_id)
    project = accounts.clockodo_projects.get(project_id)
    if customer is None or not customer.active:
        state = "does not exist" if customer is None else "is inactive"
        return f"clockodo customer {customer_id} {state}"
    if project is None or not project.active or project.completed:
        state = "does not exist" if project is None else "is inactive or completed"
        return f"clockodo project {project_id} {state}"
    if project.customers_id != customer_id:
        return (
            f"clockodo project {project_id} belongs to customer {project.customers_id}, "
            f"not {customer_id}"
        )
    return None


def _task_problem(moco_id: int, service_id: int, accounts: Accounts) -> str | None:
    found = accounts.moco_task(moco_id)
    service = accounts.clockodo_services.get(service_id)
    if found is None:
        return f"MOCO task {moco_id} does not exist in any project"
    if not found[1].active:
        return f"MOCO task {moco_id} is inactive"
    if service is None:
        return f"clockodo service {service_id} does not exist"
    if not service.active:
        return f"clockodo service {service_id} is inactive"
    return None


def build_mappings(
    configured: MappingSettings, accounts: Accounts, fallback_zone: str
) -> tuple[core.Mappings, list[str]]:
    """The usable mappings and one line per problem (config position first)."""
    problems: list[str] = []
    users: list[core.UserMapping] = []
    for index, user in enumerate(configured.users):
        problem = _user_problem(user.moco, user.clockodo, accounts)
        if problem:
            problems.append(f"mappings.users[{index}]: {problem}")
            continue
        zone = accounts.clockodo_users[user.clockodo].timezone
        users.append(
            core.UserMapping(user.moco, user.clockodo, _zone_or_fallback(zone, fallback_zone))
        )
    projects: list[core.ProjectMapping] = []
    for index, project in enumerate(configured.projects):
        args = (project.moco, project.clockodo_customer, project.clockodo_project)
        problem = _project_problem(*args, accounts)
        if problem:
            problems.append(f"mappings.projects[{index}]: {problem}")
            continue
        customer = accounts.moco_projects[project.moco].customer.id
        projects.append(core.ProjectMapping(project.moco, customer, *args[1:]))
    tasks: list[core.TaskMapping] = []
    for index, task in enumerate(configured.tasks):
        problem = _task_problem(task.moco, task.clockodo_service, accounts)
        if problem:
            problems.append(f"mappings.tasks[{index}]: {problem}")
            continue
        owner = accounts.moco_task(task.moco)
        assert owner is not None  # _task_problem checked it
        tasks.append(core.TaskMapping(task.moco, owner[0].id, task.clockodo_service))
    mappings = core.Mappings(tuple(users), tuple(projects), tuple(tasks))
    return mappings, problems + mapping_problems(mappings)
