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

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from syncd.simulators.clockodo.errors import bad_request
from syncd.simulators.clockodo.model import BILLABLE, BILLED, Entry
from syncd.simulators.clockodo.params import integer, one_of
from syncd.simulators.clockodo.rules import REFERENCE_FIELDS, Call

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
    covers_now = with_running_now and since <= call.now < until
    team_members = None
    if flt.teams_id is not None:
        team_members = {u.id for u in call.account.users.values() if u.teams_id == flt.teams_id}
    chosen = [
        entry
        for entry in call.account.entries.values()
        if call.sees(entry)
        and (since <= entry.time_since < until or (covers_now and entry.is_running))
        and flt.matches(entry, team_members)
    ]
    return sorted(chosen, key=lambda e: (e.time_since, e.id))
