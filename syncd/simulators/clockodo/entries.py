"""`/v2/entries`: list, read, create, update, delete.

Decisions beyond the docs (see also `selection`, `rules`, `params`):
- `items_per_page` defaults to 1000 (the documented maximum; a 2022 capture
  showed 2500, from before the maximum was documented); above 1000 is a 400.
- Entry type on create follows the body: `lumpsum` → lump-sum value (2),
  `lumpsum_services_id` → lump-sum service (3), else a time entry (1). Each
  type has the documented required fields (400 naming the missing ones);
  `billable` must be 0 or 1 on create (the spec's BillableWithoutBilled):
  2 is a 400 [assumption `create_accepts_billed`, switchable; whether the
  server enforces the enum is not documented].
- The simulated company links entry times (`force_linked_entry_times`):
  `duration` always equals `time_until - time_since`. A create or update that
  sends both and disagrees is 422 InvalidCombination. A PUT with only
  `duration` moves `time_until` (start + duration); one with only
  `time_until` or only `time_since` keeps the other end and recomputes
  `duration`. `time_until: null` is only accepted on a running entry;
  setting `time_until` on a running entry stops it.
- `hourly_rate` is stored as sent and defaults to 0 (clockodo's rate tables
  are not simulated).
- `text` is stored verbatim; "" or null clears it (`text` null, `texts_id`
  null). `time_last_change` moves only when something changed, and
  `time_last_change_work_time` only when users_id or the times changed.
- `PUT` answers `{"entry", "running"}`, `running` being the booking user's
  running entry after the change (or null). `DELETE` is a hard delete; ids
  are never reused.
- `POST` never stops a running clock, so the spec's optional `stopped` key
  is never sent; `clocked_offline` is stored as given.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from syncd.simulators.clockodo.errors import bad_request, invalid_combination
from syncd.simulators.clockodo.model import (
    LUMPSUM_SERVICE,
    LUMPSUM_VALUE,
    TIME_ENTRY,
    Entry,
    span_seconds,
)
from syncd.simulators.clockodo.params import (
    boolean,
    instant,
    integer,
    number,
    one_of,
    optional_id,
    page_request,
    paginate_selection,
    query_filters,
    required,
    text,
    window,
)
from syncd.simulators.clockodo.render import entry_json
from syncd.simulators.clockodo.rules import (
    REFERENCE_FIELDS,
    Call,
    changed_fields,
    check_change_allowed,
    check_delete_allowed,
    check_references,
    check_times,
    check_unlocked,
)
from syncd.simulators.clockodo.selection import EntryFilter, select_page

MAX_PER_PAGE = DEFAULT_PER_PAGE = 1000
CREATE_REQUIRED = {
    TIME_ENTRY: ("customers_id", "services_id", "billable", "time_since", "time_until"),
    LUMPSUM_VALUE: ("customers_id", "services_id", "billable", "time_since", "lumpsum"),
    LUMPSUM_SERVICE: (
        "customers_id",
        "lumpsum_services_id",
        "lumpsum_services_amount",
        "billable",
        "time_since",
    ),
}
WORK_TIME_FIELDS = frozenset({"users_id", "time_since", "time_until", "duration"})
COMMON_UPDATABLE = frozenset(
    {"customers_id", "projects_id", "subprojects_id", "users_id", "billable", "text"}
    | {"hourly_rate", "time_since"}
)
TYPE_UPDATABLE = {
    TIME_ENTRY: frozenset({"services_id", "time_until", "duration"}),
    LUMPSUM_VALUE: frozenset({"services_id", "lumpsum"}),
    LUMPSUM_SERVICE: frozenset({"lumpsum_services_id", "lumpsum_services_amount"}),
}
ALL_UPDATABLE = COMMON_UPDATABLE.union(*TYPE_UPDATABLE.values())


def list_entries(call: Call) -> dict[str, Any]:
    since, until = window(call.query)
    flt = EntryFilter.parse(query_filters(call.query), billable_values=(0, 1, 2, 12))
    page = page_request(call.query, MAX_PER_PAGE, DEFAULT_PER_PAGE)
    enhanced = boolean(call.query.get("enhanced_list", "false"), "enhanced_list")
    chosen = select_page(call, since, until, flt, with_running_now=True)
    shown, paging = paginate_selection(chosen.total, chosen.fetch, page)
    rendered = [entry_json(call.account, call.user, e, enhanced=enhanced) for e in shown]
    return {"paging": paging, "entries": rendered}


def get_entry(call: Call) -> dict[str, Any]:
    return {"entry": entry_json(call.account, call.user, call.entry(call.path["id"]))}


def create_entry(call: Call) -> dict[str, Any]:
    body = call.body
    kind = _type_of(body)
    required(body, *CREATE_REQUIRED[kind])
    owner = call.booking_user(optional_id(body, "users_id"))
    since = instant(body["time_since"], "time_since")
    until = instant(body["time_until"], "time_until") if kind == TIME_ENTRY else since
    now = call.now
    clocked_since = body.get("time_clocked_since")
    entry = Entry(
        type=kind,
        users_id=owner.id,
        customers_id=integer(body["customers_id"], "customers_id"),
        projects_id=optional_id(body, "projects_id"),
        subprojects_id=optional_id(body, "subprojects_id"),
        services_id=optional_id(body, "services_id") if kind != LUMPSUM_SERVICE else None,
        lumpsum_services_id=optional_id(body, "lumpsum_services_id"),
        billable=one_of(body["billable"], "billable", _create_billability(call)),
        text=_text(body.get("text")),
        time_since=since,
        time_until=until,
        duration=_create_duration(body, kind, since, until),
        time_insert=now,
        time_last_change=now,
        time_last_change_work_time=now,
        time_clocked_since=instant(clocked_since, "time_clocked_since") if clocked_since else None,
        clocked=bool(clocked_since),
        clocked_offline=boolean(body.get("clocked_offline", False), "clocked_offline"),
        hourly_rate=number(body.get("hourly_rate", 0.0), "hourly_rate"),
        lumpsum=number(body["lumpsum"], "lumpsum") if kind == LUMPSUM_VALUE else None,
        lumpsum_services_amount=(
            number(body["lumpsum_services_amount"], "lumpsum_services_amount")
            if kind == LUMPSUM_SERVICE
            else None
        ),
    )
    check_references(call.account, entry, set(REFERENCE_FIELDS))
    check_times(entry)
    check_unlocked(call.account, entry)
    entry.id = call.account.new_entry_id()
    call.account.store_entry(entry)
    call.emit("entry.created", entry.id)
    return {"entry": entry_json(call.account, call.user, entry)}


def update_entry(call: Call) -> dict[str, Any]:
    old = call.entry(call.path["id"])
    new = old.model_copy(update=_updates(call.body, old))
    new.texts_id = call.account.text_id(new.text)
    changed = changed_fields(old, new)
    if "users_id" in changed:
        call.booking_user(new.users_id)
    check_references(call.account, new, changed)
    check_times(new)
    check_change_allowed(call, old, new, changed)
    if changed:
        new.time_last_change = call.now
        if changed & WORK_TIME_FIELDS:
            new.time_last_change_work_time = call.now
        call.account.store_entry(new)
        call.emit("entry.updated", new.id)
        if old.is_running and not new.is_running:
            call.emit("entry.stopped", new.id)
    running = call.account.running_entry(new.users_id)
    return {
        "entry": entry_json(call.account, call.user, new),
        "running": entry_json(call.account, call.user, running) if running else None,
    }


def delete_entry(call: Call) -> dict[str, Any]:
    entry = call.entry(call.path["id"])
    check_delete_allowed(call, entry)
    del call.account.entries[entry.id]
    call.emit("entry.deleted", entry.id)
    return {"success": True}


def _create_billability(call: Call) -> tuple[int, ...]:
    return (0, 1, 2) if call.assumed["create_accepts_billed"] else (0, 1)


def _type_of(body: Any) -> int:
    if body.get("lumpsum") is not None:
        return LUMPSUM_VALUE
    if body.get("lumpsum_services_id") is not None:
        return LUMPSUM_SERVICE
    return TIME_ENTRY


def _text(value: object) -> str | None:
    return None if value is None else text(value, "text") or None


def _create_duration(body: Any, kind: int, since: Any, until: Any) -> int | None:
    if kind != TIME_ENTRY:
        return None
    span = span_seconds(since, until)
    if body.get("duration") is not None and integer(body["duration"], "duration") != span:
        raise invalid_combination("duration", "time_until")
    return span


def _updates(body: Any, old: Entry) -> dict[str, Any]:
    """The fields a partial PUT body changes, parsed and checked for the type."""
    # Read-only fields (id, time_insert, ...) are ignored, as a GET-edit-PUT
    # client sends them back; writable fields of another entry type are a 400.
    allowed = COMMON_UPDATABLE | TYPE_UPDATABLE[old.type]
    foreign = sorted(key for key in body if key in ALL_UPDATABLE - allowed)
    if foreign:
        raise bad_request(f"Not applicable to an entry of type {old.type}", *foreign)
    updates: dict[str, Any] = {}
    for field in ("customers_id", "users_id", "services_id", "lumpsum_services_id"):
        if field in body:
            updates[field] = integer(body[field], field, minimum=1)
    for field in ("projects_id", "subprojects_id"):
        if field in body:
            updates[field] = optional_id(body, field)
    if "billable" in body:
        updates["billable"] = one_of(body["billable"], "billable", (0, 1, 2))
    if "text" in body:
        updates["text"] = _text(body["text"])
    for field in ("hourly_rate", "lumpsum", "lumpsum_services_amount"):
        if field in body:
            updates[field] = number(body[field], field)
    if old.type == TIME_ENTRY:
        updates.update(_time_updates(body, old))
    elif "time_since" in body:
        since = instant(body["time_since"], "time_since")
        updates.update(time_since=since, time_until=since)
    return updates


def _time_updates(body: Any, old: Entry) -> dict[str, Any]:
    since = instant(body["time_since"], "time_since") if "time_since" in body else old.time_since
    until = old.time_until
    if "time_until" in body:
        if body["time_until"] is None and not old.is_running:
            raise bad_request("time_until may only be null on a running entry", "time_until")
        until = None if body["time_until"] is None else instant(body["time_until"], "time_until")
    if body.get("duration") is not None:
        duration = integer(body["duration"], "duration")
        if "time_until" not in body:
            if old.is_running:
                raise bad_request("duration cannot be set on a running entry", "duration")
            until = since + timedelta(seconds=duration)
        elif until is None or span_seconds(since, until) != duration:
            raise invalid_combination("duration", "time_until")
    duration_now = None if until is None else span_seconds(since, until)
    return {"time_since": since, "time_until": until, "duration": duration_now}
