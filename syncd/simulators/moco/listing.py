"""Filtering and sorting for `GET /activities` (moco.md §4, §5.2).

Choices where MOCO is silent:
- `from` and `to` are inclusive calendar days.
- `updated_after` is strict: an activity updated in that very second is not
  returned (timestamps have whole seconds; clients should overlap a little).
- `term` matches case-insensitively within tag, description and remote_id.
- `remote_id`, `tag`, `ids` and `deal_id` take one value or a comma list and
  match exactly; activities carry no deals here, so `deal_id` finds nothing.
- Default order: `date`, then `id`, ascending. `sort_by` accepts `date`,
  `id`, `created_at`, `updated_at`, `seconds`, `worked_seconds` and `hours`,
  each with ` asc` (default) or ` desc`; ties are broken by `id` in the same
  direction. Any other field answers 400 (loud beats silently ignoring).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta
from typing import Any

from syncd.simulators.moco.access import Caller, can_see
from syncd.simulators.moco.model import Activity
from syncd.simulators.moco.state import ApiError, MocoAccount
from syncd.simulators.moco.web import Query
from syncd.simulators.sorted_keys import SortedKeys

WINDOW_FIELDS = frozenset({"start", "end", "user_id"})

SORT_KEYS: dict[str, Callable[[Activity], Any]] = {
    "date": lambda a: a.date,
    "id": lambda a: a.id,
    "created_at": lambda a: a.created_at,
    "updated_at": lambda a: a.updated_at,
    "seconds": lambda a: a.seconds,
    "worked_seconds": lambda a: a.worked_seconds,
    "hours": lambda a: a.seconds,
}


@dataclass(frozen=True)
class ActivityFilter:
    start: date | None = None
    end: date | None = None
    user_id: int | None = None
    project_id: int | None = None
    task_id: int | None = None
    company_id: int | None = None
    billable: bool | None = None
    billed: bool | None = None
    term: str | None = None
    remote_ids: frozenset[str] | None = None
    tags: frozenset[str] | None = None
    ids: frozenset[int] | None = None
    deal_ids: frozenset[int] | None = None
    updated_after: datetime | None = None

    @classmethod
    def from_query(cls, query: Query) -> ActivityFilter:
        remote_ids, tags = query.strings("remote_id"), query.strings("tag")
        ids, deal_ids = query.integers("ids"), query.integers("deal_id")
        return cls(
            start=query.day("from"),
            end=query.day("to"),
            user_id=query.integer("user_id"),
            project_id=query.integer("project_id"),
            task_id=query.integer("task_id"),
            company_id=query.integer("company_id"),
            billable=query.boolean("billable"),
            billed=query.boolean("billed"),
            term=query.text("term"),
            remote_ids=frozenset(remote_ids) if remote_ids is not None else None,
            tags=frozenset(tags) if tags is not None else None,
            ids=frozenset(ids) if ids is not None else None,
            deal_ids=frozenset(deal_ids) if deal_ids is not None else None,
            updated_after=query.moment("updated_after"),
        )

    def window_only(self) -> bool:
        """Whether nothing but `from`, `to` and `user_id` is asked for."""
        return all(
            getattr(self, f.name) is None for f in fields(self) if f.name not in WINDOW_FIELDS
        )

    def matches(self, account: MocoAccount, a: Activity) -> bool:
        customer_id = account.projects[a.project_id].customer_id
        return all(
            (
                self.start is None or a.date >= self.start,
                self.end is None or a.date <= self.end,
                self.user_id is None or a.user_id == self.user_id,
                self.project_id is None or a.project_id == self.project_id,
                self.task_id is None or a.task_id == self.task_id,
                self.company_id is None or customer_id == self.company_id,
                self.billable is None or a.billable == self.billable,
                self.billed is None or a.billed == self.billed,
                self.term is None or _term_matches(self.term, a),
                self.remote_ids is None or a.remote_id in self.remote_ids,
                self.tags is None or a.tag in self.tags,
                self.ids is None or a.id in self.ids,
                self.deal_ids is None,  # no activity has a deal here
                self.updated_after is None or a.updated_at > self.updated_after,
            )
        )


def _term_matches(term: str, activity: Activity) -> bool:
    needle = term.lower()
    haystack = (activity.tag, activity.description, activity.remote_id)
    return any(needle in value.lower() for value in haystack if value)


def sort_activities(activities: list[Activity], sort_by: str | None) -> list[Activity]:
    if sort_by is None:
        return sorted(activities, key=lambda a: (a.date, a.id))
    parts = sort_by.split()
    field = parts[0] if parts else ""
    direction = parts[1].lower() if len(parts) > 1 else "asc"
    if field not in SORT_KEYS or direction not in ("asc", "desc") or len(parts) > 2:
        raise ApiError(400, {"message": f"Invalid sort_by: {sort_by!r}"})
    key = SORT_KEYS[field]
    return sorted(activities, key=lambda a: (key(a), a.id), reverse=direction == "desc")


@dataclass(frozen=True)
class Selection:
    """The activities a list request selects: how many, and any slice of them in order."""

    total: int
    fetch: Callable[[int, int], list[Activity]]  # (start, end) positions


def select_activities(
    account: MocoAccount, caller: Caller, wanted: ActivityFilter, sort_by: str | None
) -> Selection:
    index = account.activities
    sees_all = caller.user.staff or wanted.user_id == caller.user.id
    if sort_by is None and sees_all and wanted.window_only():
        keys, first, last = _window(account, wanted)
        return Selection(
            last - first,
            lambda a, b: [index[key[-1]] for key in keys.slice(first + a, min(first + b, last))],
        )
    found = [
        a
        for a in _candidates(account, wanted)
        if can_see(account, caller, a) and wanted.matches(account, a)
    ]
    ordered = sort_activities(found, sort_by)
    return Selection(len(ordered), lambda a, b: ordered[a:b])


def _window(account: MocoAccount, wanted: ActivityFilter) -> tuple[SortedKeys, int, int]:
    index = account.activities
    keys = index.by_day if wanted.user_id is None else index.by_user.get(wanted.user_id)
    keys = keys if keys is not None else SortedKeys()
    low = None if wanted.start is None else (wanted.start,)
    high = None if wanted.end is None else (wanted.end + timedelta(days=1),)
    first, last = keys.span(low, high)
    return keys, first, last


def _candidates(account: MocoAccount, wanted: ActivityFilter) -> Iterable[Activity]:
    """A superset of the matches, as small as the indexes allow."""
    index = account.activities
    if wanted.ids is not None:
        return [index[i] for i in wanted.ids if i in index]
    if wanted.remote_ids is not None:
        return [index[i] for i in index.with_remote_ids(wanted.remote_ids)]
    keys, first, last = _window(account, wanted)
    if wanted.updated_after is not None:
        later = (wanted.updated_after, math.inf)  # strictly after: past every id of that second
        start, end = index.by_update.span(later, None)
        if end - start < last - first:
            keys, first, last = index.by_update, start, end
    return (index[key[-1]] for key in keys.slice(first, last))
