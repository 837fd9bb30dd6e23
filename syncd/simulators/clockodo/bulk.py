"""`PUT`/`DELETE /v2/entrygroups`: bulk edit and delete with a confirm key.

PUT/DELETE handshake: the first request (no `confirm_key`) validates, changes
nothing and answers `{confirm_key, affected_entries}` (the number of selected
entries). The identical request plus `confirm_key` applies and answers
`{success: true, edited_entries}`: for PUT the number of entries whose values
actually changed, for DELETE the number deleted (the spec reuses
`edited_entries`; the JS SDK types it `deleted_entries`). A key belongs to one
caller and one exact request (method, window, filter, new values), is
single-use and does not expire; an unknown, used or mismatching key is a 400
naming `confirm_key`. The selection is computed again when confirming. Edit
locks and billed entries make the whole request fail (403), nothing applied.

DELETE reads its parameters from the query (as the spec declares them) and
from a JSON body (as clients send them); a body value wins over the query's.
The key binds to the parameters, not to where they were sent.
"""

from __future__ import annotations

import json
from typing import Any

from syncd.simulators.clockodo.account import PendingConfirm
from syncd.simulators.clockodo.entrygroups import DISTINCT_BILLABLE
from syncd.simulators.clockodo.errors import bad_request
from syncd.simulators.clockodo.model import LUMPSUM_SERVICE, TIME_ENTRY, Entry
from syncd.simulators.clockodo.params import integer, number, one_of, query_filters, text, window
from syncd.simulators.clockodo.rules import (
    REFERENCE_FIELDS,
    Call,
    changed_fields,
    check_change_allowed,
    check_delete_allowed,
    check_references,
)
from syncd.simulators.clockodo.selection import EntryFilter, select_entries


def edit_groups(call: Call) -> dict[str, Any]:
    body = call.body
    since, until = window(body)
    raw_filter = body.get("filter") or {}
    if not isinstance(raw_filter, dict):
        raise bad_request("filter must be an object", "filter")
    flt = EntryFilter.parse(raw_filter, DISTINCT_BILLABLE, min_id=1)
    updates = _bulk_updates(body)
    request = {key: value for key, value in body.items() if key != "confirm_key"}
    confirmed = _redeem(call, "PUT", request, body.get("confirm_key"))
    plans = []
    for old in select_entries(call, since, until, flt):
        new = old.model_copy(update=_applicable(updates, old))
        new.texts_id = call.account.text_id(new.text)
        changed = changed_fields(old, new)
        if "users_id" in changed:
            call.booking_user(new.users_id)
        check_references(call.account, new, changed)
        check_change_allowed(call, old, new, changed)
        plans.append((new, changed))
    if not confirmed:
        return _handshake(call, "PUT", request, len(plans))
    for new, changed in plans:
        if changed:
            new.time_last_change = call.now
            call.account.store_entry(new)
            call.emit("entry.updated", new.id)
    return {"success": True, "edited_entries": sum(1 for _, changed in plans if changed)}


def delete_groups(call: Call) -> dict[str, Any]:
    params = _delete_parameters(call)
    since, until = window(params)
    raw_filter = params.get("filter") or {}
    flt = EntryFilter.parse(raw_filter, DISTINCT_BILLABLE, min_id=1)
    request = {
        "time_since": since.isoformat(),
        "time_until": until.isoformat(),
        "filter": {key: str(value) for key, value in raw_filter.items() if value is not None},
    }
    confirmed = _redeem(call, "DELETE", request, params.get("confirm_key"))
    chosen = select_entries(call, since, until, flt)
    for entry in chosen:
        check_delete_allowed(call, entry)
    if not confirmed:
        return _handshake(call, "DELETE", request, len(chosen))
    for entry in chosen:
        del call.account.entries[entry.id]
        call.emit("entry.deleted", entry.id)
    return {"success": True, "edited_entries": len(chosen)}


def _delete_parameters(call: Call) -> dict[str, Any]:
    """Query and JSON body merged (the body wins); `filter` becomes one object."""
    params: dict[str, Any] = {
        key: call.query[key]
        for key in ("time_since", "time_until", "confirm_key")
        if key in call.query
    }
    params["filter"] = dict(query_filters(call.query))
    for key, value in call.body.items():
        if key == "filter":
            if not isinstance(value, dict):
                raise bad_request("filter must be an object", "filter")
            params["filter"].update(value)
        else:
            params[key] = value
    return params


def _bulk_updates(body: Any) -> dict[str, Any]:
    """New values (null = unchanged); at least one is required."""
    updates: dict[str, Any] = {}
    for field in REFERENCE_FIELDS:
        if body.get(field) is not None:
            updates[field] = integer(body[field], field, minimum=1)
    if body.get("billable") is not None:
        updates["billable"] = one_of(body["billable"], "billable", DISTINCT_BILLABLE)
    if body.get("text") is not None:
        updates["text"] = text(body["text"], "text") or None
    if body.get("hourly_rate") is not None:
        updates["hourly_rate"] = number(body["hourly_rate"], "hourly_rate")
    if not updates:
        raise bad_request("Nothing to change: give at least one new value", "billable", "text")
    return updates


def _applicable(updates: dict[str, Any], entry: Entry) -> dict[str, Any]:
    """Drop new values that an entry of this type does not have."""
    if entry.type == LUMPSUM_SERVICE:
        skip = {"services_id", "hourly_rate"}
    elif entry.type == TIME_ENTRY:
        skip = {"lumpsum_services_id"}
    else:
        skip = {"lumpsum_services_id", "hourly_rate"}
    return {key: value for key, value in updates.items() if key not in skip}


def _fingerprint(call: Call, method: str, request: object) -> PendingConfirm:
    canonical = json.dumps([method, request], sort_keys=True, default=str)
    return PendingConfirm(users_id=call.user.id, fingerprint=canonical)


def _redeem(call: Call, method: str, request: object, key: object) -> bool:
    """False without a key; True after consuming a matching one; else 400."""
    if key is None or key == "":
        return False
    pending = call.account.confirm_keys.get(str(key))
    if pending is None:
        raise bad_request("confirm_key is unknown or was already used", "confirm_key")
    if pending != _fingerprint(call, method, request):
        raise bad_request("confirm_key was issued for a different request", "confirm_key")
    del call.account.confirm_keys[str(key)]
    return True


def _handshake(call: Call, method: str, request: object, affected: int) -> dict[str, Any]:
    key = call.account.new_confirm_key(_fingerprint(call, method, request))
    return {"confirm_key": key, "affected_entries": affected}
