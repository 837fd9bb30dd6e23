"""Config problems of the mappings, one line each (the check that needs no API)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

from syncd.core.model import Mappings

K = TypeVar("K")
V = TypeVar("V")


def _clashes(items: Iterable[V], key: Callable[[V], K]) -> dict[K, list[V]]:
    """Keys shared by more than one distinct item."""
    groups: dict[K, list[V]] = {}
    for item in items:
        group = groups.setdefault(key(item), [])
        if item not in group:
            group.append(item)
    return {k: group for k, group in groups.items() if len(group) > 1}


def _user_problems(mappings: Mappings) -> list[str]:
    problems = [
        f"MOCO user {moco} is mapped to several clockodo users: "
        + ", ".join(str(u.clockodo) for u in group)
        for moco, group in _clashes(mappings.users, lambda u: u.moco).items()
    ]
    problems += [
        f"clockodo user {clockodo} is mapped to several MOCO users: "
        + ", ".join(str(u.moco) for u in group)
        for clockodo, group in _clashes(mappings.users, lambda u: u.clockodo).items()
    ]
    return problems


def _project_problems(mappings: Mappings) -> list[str]:
    problems = [
        f"MOCO project {moco} is mapped more than once: "
        + ", ".join(f"clockodo project {p.clockodo_project}" for p in group)
        for moco, group in _clashes(mappings.projects, lambda p: p.moco).items()
    ]
    problems += [
        f"clockodo project {clockodo} is mapped to several MOCO projects: "
        + ", ".join(str(p.moco) for p in group)
        for clockodo, group in _clashes(mappings.projects, lambda p: p.clockodo_project).items()
    ]
    return problems


def _task_problems(mappings: Mappings) -> list[str]:
    problems = [
        f"MOCO task {moco} is mapped more than once: "
        + ", ".join(f"service {t.clockodo_service} (project {t.moco_project})" for t in group)
        for moco, group in _clashes(mappings.tasks, lambda t: t.moco).items()
    ]
    problems += [
        f"MOCO tasks {', '.join(str(t.moco) for t in group)} of MOCO project {project} all map "
        f"to clockodo service {service}; clockodo entries on it cannot be assigned a task"
        for (project, service), group in _clashes(
            mappings.tasks, lambda t: (t.moco_project, t.clockodo_service)
        ).items()
    ]
    mapped_projects = {project.moco for project in mappings.projects}
    problems += [
        f"MOCO task {task.moco} belongs to MOCO project {task.moco_project}, "
        "which has no project mapping"
        for task in sorted(set(mappings.tasks), key=lambda t: t.moco)
        if task.moco_project not in mapped_projects
    ]
    return problems


def mapping_problems(mappings: Mappings) -> list[str]:
    """Every problem of the mapping config that the core can see, one line each.

    Ambiguous ids are treated as unmapped by :class:`Mappings` lookups (the bookings on
    them are skipped), so none of these problems is fatal for a run.
    """
    return _user_problems(mappings) + _project_problems(mappings) + _task_problems(mappings)
