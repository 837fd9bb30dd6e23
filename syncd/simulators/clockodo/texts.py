"""`GET /v3/entriesTexts`: the description texts of visible entries, for autocompletion.

Decisions where the docs are silent:
- Every `mode` (`add`, `edit`, `reports`, required) lists the same texts:
  those of entries the caller may see (an owner all, a worker their own).
- `term` matches a case-insensitive substring; `items` (1-800) caps the
  answer and defaults to 800. `label` and `value` are both the text itself.
- Filters narrow to texts used by entries with those properties:
  `customers_id`, `projects_id`, `services_id`, `users_id` (single ids,
  lists or comma-separated), `billable`, and the dates `time_since`,
  `time_until` (inclusive) and `day`, on the entry's start in its owner's
  time zone. Texts are ordered alphabetically, then by id.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from syncd.simulators.clockodo.errors import general_error
from syncd.simulators.clockodo.master_data import filters_of, general_errors
from syncd.simulators.clockodo.model import Entry
from syncd.simulators.clockodo.params import integer, one_of, text
from syncd.simulators.clockodo.rules import Call

MODES = ("add", "edit", "reports")
MAX_ITEMS = 800
ID_FILTERS = ("customers_id", "projects_id", "services_id", "users_id")


def entries_texts(call: Call) -> dict[str, Any]:
    with general_errors():
        mode = call.query.get("mode")
        if mode not in MODES:
            raise general_error(400, "UnexpectedValue", f"mode must be one of {MODES}", path="mode")
        term = text(call.query.get("term", ""), "term", max_length=1000).casefold()
        items = integer(call.query.get("items", str(MAX_ITEMS)), "items", minimum=1)
        if items > MAX_ITEMS:
            raise general_error(400, "UnexpectedValue", "items must be at most 800", path="items")
        wanted = _entry_filter(call)
    found: dict[int, str] = {}
    for entry in call.account.entries.values():
        if entry.texts_id is not None and call.sees(entry) and wanted(entry):
            found[entry.texts_id] = call.account.texts[entry.texts_id]
    chosen = sorted((t, i) for i, t in found.items() if term in t.casefold())[:items]
    return {"data": [{"id": i, "label": t, "value": t} for t, i in chosen]}


def _entry_filter(call: Call) -> Any:
    filters = filters_of(call)
    ids = {
        key: {integer(v, f"filter[{key}]", minimum=1) for v in filters[key]}
        for key in ID_FILTERS
        if key in filters
    }
    billable = filters.get("billable")
    bill = None if billable is None else one_of(billable[0], "filter[billable]", (0, 1, 2, 12))
    days = {
        key: _day(filters[key][0], key)
        for key in ("time_since", "time_until", "day")
        if key in filters
    }
    since = days.get("day", days.get("time_since"))
    until = days.get("day", days.get("time_until"))

    def matches(entry: Entry) -> bool:
        if any(getattr(entry, key) not in wanted for key, wanted in ids.items()):
            return False
        if bill is not None and entry.billable not in ((1, 2) if bill == 12 else (bill,)):
            return False
        local = entry.time_since.astimezone(call.account.users[entry.users_id].zone).date()
        return (since is None or local >= since) and (until is None or local <= until)

    return matches


def _day(raw: str, key: str) -> date:
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise general_error(
            400, "UnexpectedValue", f"filter[{key}] must be a date", path=f"filter[{key}]"
        ) from None
