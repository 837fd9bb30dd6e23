"""`/v2/clock`: the running stopwatch entry of a co-worker.

- One running clock per user: starting one stops the user's previous clock
  (at the new clock's start, never before the old one's) and answers it in
  `stopped`.
- A running entry has `time_until` and `duration` null, `clocked` true and
  `time_clocked_since` set; it stays `clocked` after it stops.
- Stopping caps the entry at 23:59:59 (86,399 s) and says so in
  `stopped_has_been_truncated`. `DELETE /v2/clock/{id}` on an entry that is
  not running is 404 (there is no running clock with that id)
  [assumption]; the optional `time_until` query sets the end.
- `billable` defaults to the project's, else the customer's
  `billable_default`; a backdated `time_since` must not lie in the future.
- `GET` answers `stopped: null` [assumption]; `away`, `start_new` and
  `duration_transfer` are accepted and ignored.
- `PUT /v2/clock/{id}` changes a running clock: `duration` moves its start
  to `now - duration`, `time_since` sets the start (not in the future). The
  `*_before` values (the client's view before the change) are accepted and
  not compared [assumption: the docs do not say what a mismatch does]. The
  simulated company allows overlapping entries, so `overlapping_correction`
  is always null. A stopped entry is 404, like stopping it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from syncd.simulators.clockodo.errors import bad_request, not_found
from syncd.simulators.clockodo.model import TIME_ENTRY, Entry, span_seconds
from syncd.simulators.clockodo.params import (
    instant,
    integer,
    one_of,
    optional_id,
    required,
    text,
)
from syncd.simulators.clockodo.render import entry_json
from syncd.simulators.clockodo.rules import (
    REFERENCE_FIELDS,
    Call,
    check_references,
    check_times,
    check_unlocked,
)
from syncd.simulators.kit import utc_iso

MAX_CLOCK_SECONDS = 24 * 3600 - 1


def clock_status(call: Call) -> dict[str, Any]:
    raw_user = call.query.get("users_id")
    user = call.booking_user(None if raw_user is None else integer(raw_user, "users_id", 1))
    return _answer(call, call.account.running_entry(user.id), None)


def start_clock(call: Call) -> dict[str, Any]:
    body = call.body
    required(body, "customers_id", "services_id")
    owner = call.booking_user(optional_id(body, "users_id"))
    now = call.now
    start = instant(body["time_since"], "time_since") if body.get("time_since") else now
    if start > now:
        raise bad_request("time_since must not lie in the future", "time_since")
    description = body.get("text")
    entry = Entry(
        type=TIME_ENTRY,
        users_id=owner.id,
        customers_id=integer(body["customers_id"], "customers_id", 1),
        projects_id=optional_id(body, "projects_id"),
        subprojects_id=optional_id(body, "subprojects_id"),
        services_id=integer(body["services_id"], "services_id", 1),
        text=None if description is None else text(description, "text", 1000) or None,
        time_since=start,
        time_insert=now,
        time_last_change=now,
        time_last_change_work_time=now,
        time_clocked_since=start,
        clocked=True,
    )
    check_references(call.account, entry, set(REFERENCE_FIELDS))
    check_unlocked(call.account, entry)
    entry.billable = _billable(call, entry, body.get("billable"))
    previous = call.account.running_entry(owner.id)
    truncated = False
    if previous is not None:
        truncated = _stop(call, previous, max(start, previous.time_since))
        call.emit("entry.stopped", previous.id)
    entry.id = call.account.new_entry_id()
    call.account.store_entry(entry)
    call.emit("entry.created", entry.id)
    call.emit("entry.started", entry.id)
    return _answer(call, entry, previous, truncated)


def stop_clock(call: Call) -> dict[str, Any]:
    entry = call.entry(call.path["id"])
    if not entry.is_running:
        raise not_found(what="running entry")
    raw_until = call.query.get("time_until")
    end = call.now if not raw_until else instant(raw_until, "time_until")
    check_times(entry.model_copy(update={"time_until": end}))
    truncated = _stop(call, entry, end)
    call.emit("entry.stopped", entry.id)
    return _answer(call, None, entry, truncated)


def change_duration(call: Call) -> dict[str, Any]:
    entry = call.entry(call.path["id"])
    if not entry.is_running:
        raise not_found(what="running entry")
    body = call.body
    for field in ("time_since_before", "time_until_before"):
        if body.get(field) is not None:
            instant(body[field], field)
    if body.get("duration_before") is not None:
        integer(body["duration_before"], "duration_before")
    if body.get("duration") is not None:
        start = call.now - timedelta(seconds=integer(body["duration"], "duration"))
    elif body.get("time_since") is not None:
        start = instant(body["time_since"], "time_since")
    else:
        raise bad_request("Missing required parameters: duration or time_since", "duration")
    if start > call.now:
        raise bad_request("time_since must not lie in the future", "time_since")
    moved = entry.model_copy(update={"time_since": start, "time_clocked_since": start})
    check_unlocked(call.account, entry)
    check_unlocked(call.account, moved)
    if start != entry.time_since:
        entry.time_since = entry.time_clocked_since = start
        entry.time_last_change = entry.time_last_change_work_time = call.now
        call.account.entries.reindex(entry)
        call.emit("entry.updated", entry.id)
    rendered = entry_json(call.account, call.user, entry)
    return {
        "updated": rendered,
        "running": rendered,
        "overlapping_correction": None,
        "current_time": utc_iso(call.now),
    }


def _stop(call: Call, entry: Entry, end: datetime) -> bool:
    """Stop a running entry at `end`, capped at 23:59:59; True when capped."""
    truncated = span_seconds(entry.time_since, end) > MAX_CLOCK_SECONDS
    if truncated:
        end = entry.time_since + timedelta(seconds=MAX_CLOCK_SECONDS)
    entry.time_until = end
    entry.duration = span_seconds(entry.time_since, end)
    entry.time_last_change = entry.time_last_change_work_time = call.now
    call.account.entries.reindex(entry)  # no longer running
    return truncated


def _billable(call: Call, entry: Entry, raw: object) -> int:
    if raw is not None:
        return one_of(raw, "billable", (0, 1))
    project = call.account.projects.get(entry.projects_id or 0)
    default = project.billable_default if project else None
    if default is None:
        default = call.account.customers[entry.customers_id].billable_default
    return int(default)


def _answer(
    call: Call, running: Entry | None, stopped: Entry | None, truncated: bool | None = None
) -> dict[str, Any]:
    def render(entry: Entry | None) -> dict[str, Any] | None:
        return None if entry is None else entry_json(call.account, call.user, entry)

    answer: dict[str, Any] = {
        "running": render(running),
        "stopped": render(stopped),
        "current_time": utc_iso(call.now),
    }
    if truncated is not None:
        answer["stopped_has_been_truncated"] = truncated
    return answer
