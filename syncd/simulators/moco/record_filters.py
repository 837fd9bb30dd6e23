"""List filters and sorting for MOCO's master data (see `master_data` for the choices)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol, TypeVar

from syncd.simulators.moco.model import Project
from syncd.simulators.moco.state import ApiError, MocoAccount
from syncd.simulators.moco.web import Query


class Record(Protocol):
    id: int
    created_at: datetime
    updated_at: datetime


R = TypeVar("R", bound=Record)


def _custom_properties(query: Query) -> dict[str, list[str]]:
    """`custom_properties[Name]=V` and `custom_properties[Name][]=A&...[]=B`."""
    wanted: dict[str, list[str]] = {}
    for key, value in query.params.multi_items():
        if key.startswith("custom_properties[") and key.endswith("]"):
            name = key[len("custom_properties[") :].split("]")[0]
            wanted.setdefault(name, []).append(value)
    return wanted


def _has_properties(record: Any, wanted: dict[str, list[str]]) -> bool:
    properties = getattr(record, "custom_properties", {}) or {}
    for name, values in wanted.items():
        if name not in properties:
            return False
        actual = properties[name]
        present = {str(v) for v in actual} if isinstance(actual, list) else {str(actual)}
        if not set(values) <= present:
            return False
    return True


def common_filter(query: Query) -> Callable[[Any], bool]:
    """`ids`, `updated_after`, `tags` and `custom_properties`, which MOCO offers on every list."""
    ids = query.integers("ids")
    updated_after = query.moment("updated_after")
    tags = query.strings("tags")
    properties = _custom_properties(query)

    def matches(record: Any) -> bool:
        return (
            (ids is None or record.id in ids)
            and (updated_after is None or record.updated_at > updated_after)
            and (tags is None or bool(set(tags) & set(record.tags)))
            and _has_properties(record, properties)
        )

    return matches


def _within(moment: datetime, start: date | None, end: date | None) -> bool:
    day = moment.date()
    return (start is None or day >= start) and (end is None or day <= end)


@dataclass(frozen=True)
class ProjectFilter:
    common: Callable[[Any], bool]
    archived: bool
    companies: set[int] | None
    leaders: set[int] | None
    identifiers: list[str] | None
    unmatchable: bool  # project_group_id or deal_id given: no project has either here
    created: tuple[date | None, date | None]
    updated: tuple[date | None, date | None]
    retainer: bool | None
    term: str | None

    @classmethod
    def from_query(cls, query: Query) -> ProjectFilter:
        return cls(
            common=common_filter(query),
            archived=query.boolean("include_archived") is True,
            companies=query.integers("company_id"),
            leaders=query.integers("leader_id"),
            identifiers=query.strings("identifier"),
            unmatchable=bool(query.integers("project_group_id") or query.integers("deal_id")),
            created=(query.day("created_from"), query.day("created_to")),
            updated=(query.day("updated_from"), query.day("updated_to")),
            retainer=query.boolean("retainer"),
            term=query.text("term"),
        )

    def matches(self, account: MocoAccount, project: Project) -> bool:
        customer = account.companies[project.customer_id]
        return (
            not self.unmatchable
            and (project.archived_on is None or self.archived)
            and (self.companies is None or project.customer_id in self.companies)
            and (self.leaders is None or project.leader_id in self.leaders)
            and (self.identifiers is None or project.identifier in self.identifiers)
            and _within(project.created_at, *self.created)
            and _within(project.updated_at, *self.updated)
            and self.retainer in (None, False)  # no project is a retainer here
            and (self.term is None or _term_in(self.term, project, customer.name))
            and self.common(project)
        )


def _term_in(term: str, project: Project, customer_name: str) -> bool:
    needle = term.lower()
    return any(
        needle in (v or "").lower() for v in (project.name, project.identifier, customer_name)
    )


def sort_records(records: list[R], sort_by: str | None, fields: Sequence[str]) -> list[R]:
    """By id, or by `sort_by` (`field[ asc|desc]`), ties broken by id."""
    if sort_by is None:
        return sorted(records, key=lambda r: r.id)
    parts = sort_by.split()
    field = parts[0] if parts else ""
    direction = parts[1].lower() if len(parts) > 1 else "asc"
    if field not in fields or direction not in ("asc", "desc") or len(parts) > 2:
        raise ApiError(400, {"message": f"Invalid sort_by: {sort_by!r}"})

    def key(record: R) -> tuple[Any, int]:
        value = getattr(record, field)
        return ("" if value is None else value), record.id

    return sorted(records, key=key, reverse=direction == "desc")
