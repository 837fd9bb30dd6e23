"""Which entries a list, report or bulk request covers.

Window [assumption; clockodo.md §9.1 says it is undocumented]: an entry is in
`[time_since, time_until)` when its own `time_since` lies in that half-open
interval. `GET /v2/entries` also returns a user's running entry whenever the
window covers "now" (observed live), even if the clock started earlier.
Order: `time_since`, then `id` (stable across pages).

Filters (`filter[...]`): ids match exactly, and `0` matches "none" for the
nullable ones (`projects_id`, `subprojects_id`, `lumpsum_services_id`,
`texts_id`); the spec allows 0 on `/v2/entries` but sets a minimum of 1 on
`/v2/entrygroups`. `billable` 0/1/2 match exactly and 12 means
billable-or-billed; `text` matches a case-insensitive substring of the
description [assumption]; `teams_id` selects the team's co-workers;
`budget_type` must be one of the spec's values but selects nothing (projects
carry no budget logic here); other keys are ignored.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from syncd.simulators.clockodo.errors import bad_request
from syncd.simulators.clockodo.model import BILLABLE, BILLED, Entry
from syncd.simulators.clockodo.params import integer, one_of
from syncd.simulators.clockodo.rules import REFERENCE_FIELDS, Call
from syncd.simulators.sorted_keys import SortedKeys

ID_FILTERS = (*REFERENCE_FIELDS, "texts_id")
BILLABLE_OR_BILLED = 12
BUDGET_TYPES = tuple(
    f"rep_filter_budget_{kind}"
    for kind in (
        "strict",
        "strict_completed",
        "strict_incomplete",
        "soft",
        "soft_completed",
        "soft_incomplete",
        "without",
        "without_strict",
    )
)


@dataclass(frozen=True)
class EntryFilter:
    ids: dict[str, int] = field(default_factory=dict)
    billable: int | None = None
    text: str | None = None
    teams_id: int | None = None

    @classmethod
    def parse(
        cls, raw: Mapping[str, object], billable_values: tuple[int, ...], min_id: int = 0
    ) -> EntryFilter:
        present = {key: value for key, value in raw.items() if value is not None}
        ids = {
            key: integer(present[key], f"filter[{key}]", minimum=min_id)
            for key in ID_FILTERS
            if key in present
        }
        budget = present.get("budget_type")
        if budget is not None and budget not in BUDGET_TYPES:
            raise bad_request(
                "filter[budget_type] is not a known budget type", "filter[budget_type]"
            )
        billable = present.get("billable")
        text = present.get("text")
        if text is not None and not isinstance(text, str):
            raise bad_request("filter[text] must be a string", "filter[text]")
        teams = present.get("teams_id")
        return cls(
            ids=ids,
            billable=None
            if billable is None
            else one_of(billable, "filter[billable]", billable_values),
            text=text or None,
            teams_id=None if teams is None else integer(teams, "filter[teams_id]", minimum=min_id),
        )

    def is_plain(self) -> bool:
        """No filter beyond ids."""
        return self.billable is None and self.text is None and self.teams_id is None

    def matches(self, entry: Entry, team_members: set[int] | None) -> bool:
        for key, wanted in self.ids.items():
            if (getattr(entry, key) or 0) != wanted:
                return False
        if self.billable is not None and not _billable_matches(entry.billable, self.billable):
            return False
        if self.text is not None and self.text.casefold() not in (entry.text or "").casefold():
            return False
        return team_members is None or entry.users_id in team_members


def _billable_matches(actual: int, wanted: int) -> bool:
    if wanted == BILLABLE_OR_BILLED:
        return actual in (BILLABLE, BILLED)
    return actual == wanted


def select_entries(
    call: Call,
    since: datetime,
    until: datetime,
    flt: EntryFilter,
    *,
    with_running_now: bool = False,
) -> list[Entry]:
    """Visible entries starting in [since, until) that pass the filter, in order."""
    selected = select_page(call, since, until, flt, with_running_now=with_running_now)
    return selected.fetch(0, selected.total)


@dataclass(frozen=True)
class Selection:
    """The entries a request selects: how many, and any slice of them in order."""

    total: int
    fetch: Callable[[int, int], list[Entry]]  # (start, end) positions


def select_page(
    call: Call,
    since: datetime,
    until: datetime,
    flt: EntryFilter,
    *,
    with_running_now: bool = False,
) -> Selection:
    """`select_entries`, counted and sliced without reading every entry when it can be.

    A window (optionally one co-worker's) that the caller sees whole is
    counted and sliced on the sorted start keys. Other filters test each
    entry of the window (of the named or the caller's own co-worker, where
    that applies).
    """
    index = call.account.entries
    users_id = flt.ids.get("users_id")
    if users_id is None and not call.user.is_owner:
        users_id = call.user.id  # a worker sees only their own entries
    keys = index.by_start if users_id is None else index.by_user.get(users_id, SortedKeys())
    first, last = keys.span((since,), (until,))
    covers_now = with_running_now and since <= call.now < until
    outside = [
        e
        for e in (index.running(users_id) if covers_now else [])
        if e.is_running and not since <= e.time_since < until
    ]
    in_window = (index[key[-1]] for key in keys.slice(first, last))
    if flt.ids.keys() <= {"users_id"} and flt.is_plain() and call.sees_all(users_id):
        before = sorted((e for e in outside if e.time_since < since), key=_order)
        after = sorted((e for e in outside if e.time_since >= until), key=_order)
        middle = Selection(
            last - first,
            lambda a, b: [index[key[-1]] for key in keys.slice(first + a, first + b)],
        )
        return _joined(before, middle, after)
    team_members = None
    if flt.teams_id is not None:
        team_members = {u.id for u in call.account.users.values() if u.teams_id == flt.teams_id}
    chosen = [
        entry
        for entry in [*outside, *in_window]
        if call.sees(entry) and flt.matches(entry, team_members)
    ]
    chosen.sort(key=_order)
    return Selection(len(chosen), lambda a, b: chosen[a:b])


def _order(entry: Entry) -> tuple[datetime, int]:
    return entry.time_since, entry.id


def _joined(before: list[Entry], middle: Selection, after: list[Entry]) -> Selection:
    """`before`, then `middle`, then `after`, as one sequence."""
    skip = len(before)

    def fetch(start: int, end: int) -> list[Entry]:
        head = before[start:end]
        low, high = max(start - skip, 0), min(max(end - skip, 0), middle.total)
        body = middle.fetch(low, high) if low < high else []
        tail = after[max(start - skip - middle.total, 0) : max(end - skip - middle.total, 0)]
        return [*head, *body, *tail]

    return Selection(skip + middle.total + len(after), fetch)
