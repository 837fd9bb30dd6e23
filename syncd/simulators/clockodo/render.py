"""Entries as the v2 API writes them (EntryV2Time / LumpsumValue / LumpsumService).

`text` and `texts_id` are always present (captures without `enhanced_list`
still carried them, and syncd relies on the text). `hourly_rate` needs rights:
owners see it on every entry, workers never [assumption]. `enhanced_list=true`
adds the names, `revenue` (owners) and, for lump-sum services, the unit price.
"""

from __future__ import annotations

from typing import Any

from syncd.simulators.clockodo.account import Account
from syncd.simulators.clockodo.model import (
    LUMPSUM_SERVICE,
    LUMPSUM_VALUE,
    NOT_BILLABLE,
    TIME_ENTRY,
    Entry,
    User,
)
from syncd.simulators.kit import utc_iso


def entry_json(
    account: Account, viewer: User, entry: Entry, *, enhanced: bool = False
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": entry.id,
        "customers_id": entry.customers_id,
        "projects_id": entry.projects_id,
        "subprojects_id": entry.subprojects_id,
        "users_id": entry.users_id,
        "billable": entry.billable,
        "texts_id": entry.texts_id,
        "text": entry.text,
        "time_since": utc_iso(entry.time_since),
        "time_until": utc_iso(entry.time_until) if entry.time_until else None,
        "time_insert": utc_iso(entry.time_insert),
        "time_last_change": utc_iso(entry.time_last_change),
        "test_data": entry.test_data,
        "type": entry.type,
    }
    if entry.type == TIME_ENTRY:
        data.update(
            services_id=entry.services_id,
            duration=entry.duration,
            time_last_change_work_time=utc_iso(entry.time_last_change_work_time),
            time_clocked_since=(
                utc_iso(entry.time_clocked_since) if entry.time_clocked_since else None
            ),
            clocked=entry.clocked,
            clocked_offline=entry.clocked_offline,
        )
        if viewer.is_owner:
            data["hourly_rate"] = entry.hourly_rate
    elif entry.type == LUMPSUM_VALUE:
        data.update(services_id=entry.services_id, lumpsum=entry.lumpsum)
    else:
        data.update(
            lumpsum_services_id=entry.lumpsum_services_id,
            lumpsum_services_amount=entry.lumpsum_services_amount,
        )
    if enhanced:
        data.update(_names(account, entry))
        if viewer.is_owner:
            data["revenue"] = revenue(account, entry)
    return data


def _names(account: Account, entry: Entry) -> dict[str, Any]:
    project = account.projects.get(entry.projects_id or 0)
    subproject = account.subprojects.get(entry.subprojects_id or 0)
    names: dict[str, Any] = {
        "customers_name": account.customers[entry.customers_id].name,
        "projects_name": project.name if project else None,
        "subprojects_name": subproject.name if subproject else None,
        "users_name": account.users[entry.users_id].name,
    }
    if entry.services_id is not None:
        names["services_name"] = account.services[entry.services_id].name
    if entry.type == LUMPSUM_SERVICE and entry.lumpsum_services_id is not None:
        names["lumpsum_services_price"] = account.lumpsum_services[entry.lumpsum_services_id].price
    return names


def revenue(account: Account, entry: Entry) -> float:
    """Money earned by a billable (or billed) entry; running clocks earn nothing yet."""
    if entry.billable == NOT_BILLABLE:
        return 0.0
    if entry.type == TIME_ENTRY:
        return round(entry.hourly_rate * entry.worked_seconds() / 3600, 2)
    if entry.type == LUMPSUM_VALUE:
        return entry.lumpsum or 0.0
    price = account.lumpsum_services[entry.lumpsum_services_id or 0].price
    return round((entry.lumpsum_services_amount or 0.0) * price, 2)
