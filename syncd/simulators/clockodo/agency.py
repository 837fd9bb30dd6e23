"""A small, realistic, deterministic agency account for demos and tests.

"Agentur Nordlicht": an owner who books for everyone (API user
`lena@nordlicht.example` / key `owner-key`), workers in Berlin, Lisbon and
Kolkata (`jonas@nordlicht.example` / `jonas-key` is a worker API user), one
inactive worker; four customers (one inactive, one internal and not
billable), projects (one completed and inactive), services (one inactive), a
lump-sum service, two stopped entries per active co-worker on each of the
five weekdays before `now` (09:00-12:30 and 13:30-17:00 local time), one of
them billed, a lump-sum value, a lump-sum service entry, multi-line and
non-ASCII descriptions, and a running clock (Jonas, since `now` - 90 min).
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from syncd.simulators.kit import utc_iso

DEFAULT_NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)  # a Friday

USERS = [
    {"id": 1, "name": "Lena Brandt", "role": "owner", "timezone": "Europe/Berlin"},
    {"id": 2, "name": "Jonas Weber", "role": "worker", "timezone": "Europe/Berlin"},
    {"id": 3, "name": "Sofia Marques", "role": "worker", "timezone": "Europe/Lisbon"},
    {"id": 4, "name": "Arjun Mehta", "role": "worker", "timezone": "Asia/Kolkata"},
    {"id": 5, "name": "Tom Alt", "role": "worker", "timezone": "Europe/Berlin", "active": False},
]
CUSTOMERS = [
    {"id": 1, "name": "Hotel Bergblick", "number": "K-1001", "color": 3},
    {"id": 2, "name": "Stadtwerke Kiel", "number": "K-1002", "color": 5},
    {"id": 3, "name": "Bäckerei Sonnenschein", "number": "K-1003", "color": 2},
    {"id": 4, "name": "Altkunde GmbH", "number": "K-0999", "active": False},
    {"id": 5, "name": "Agentur Nordlicht (intern)", "billable_default": False, "color": 7},
]
PROJECTS = [
    {"id": 11, "customers_id": 1, "name": "Website-Relaunch", "number": "P-2026-01"},
    {"id": 12, "customers_id": 1, "name": "SEO-Retainer", "number": "P-2026-02"},
    {"id": 13, "customers_id": 2, "name": "Kundenportal", "number": "P-2026-03"},
    {"id": 14, "customers_id": 3, "name": "Social Media Herbst", "number": "P-2026-04"},
    {
        "id": 15,
        "customers_id": 2,
        "name": "Stromrechner (abgeschlossen)",
        "active": False,
        "completed": True,
        "completed_at": "2026-06-30T16:00:00Z",
    },
    {"id": 16, "customers_id": 5, "name": "Interne Organisation", "billable_default": False},
]
SERVICES = [
    {"id": 21, "name": "Konzeption", "number": "S-01"},
    {"id": 22, "name": "Design", "number": "S-02"},
    {"id": 23, "name": "Entwicklung", "number": "S-03"},
    {"id": 24, "name": "Projektmanagement", "number": "S-04"},
    {"id": 25, "name": "Altleistung", "active": False},
]
LUMPSUM_SERVICES = [{"id": 31, "name": "Anfahrt", "price": 0.5, "unit": "km"}]
# (customer, project, service, hourly rate, description) per booking slot.
WORK = [
    (1, 11, 21, 95.0, "Wireframes Startseite"),
    (1, 11, 23, 110.0, "Buchungsstrecke umsetzen"),
    (2, 13, 23, 110.0, "Login mit Kundennummer\nTests ergänzt"),
    (1, 12, 21, 95.0, "Keyword-Recherche Q4"),
    (3, 14, 22, 85.0, "Motive für Instagram – Entwürfe"),
    (5, 16, 24, 0.0, "Teammeeting"),
]
SLOTS = [(time(9, 0), time(12, 30)), (time(13, 30), time(17, 0))]


def agency_seed(now: datetime = DEFAULT_NOW) -> dict[str, Any]:
    """The account as a seed (see `account` for the format); same `now`, same data."""
    entries = _work_entries(now)
    entries[0]["billable"] = 2  # invoiced already
    entries += _extras(now)
    return {
        "api_users": [
            {"email": "lena@nordlicht.example", "key": "owner-key", "users_id": 1},
            {"email": "jonas@nordlicht.example", "key": "jonas-key", "users_id": 2},
        ],
        "users": [
            {**user, "email": f"{str(user['name']).split()[0].lower()}@nordlicht.example"}
            for user in USERS
        ],
        "customers": CUSTOMERS,
        "projects": PROJECTS,
        "services": SERVICES,
        "lumpsum_services": LUMPSUM_SERVICES,
        "entries": entries,
        "edit_locks": {},
    }


def _weekdays_before(now: datetime, count: int) -> list[datetime]:
    days: list[datetime] = []
    day = now - timedelta(days=1)
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day -= timedelta(days=1)
    return sorted(days)


def _work_entries(now: datetime) -> list[dict[str, Any]]:
    entries = []
    for day_index, day in enumerate(_weekdays_before(now, 5)):
        for user in USERS:
            if user.get("active", True) is False:
                continue
            zone = ZoneInfo(str(user["timezone"]))
            local_day = day.astimezone(zone).date()
            for slot_index, (start, end) in enumerate(SLOTS):
                pick = (day_index * 2 + slot_index + int(str(user["id"]))) % len(WORK)
                customer, project, service, rate, text = WORK[pick]
                since = datetime.combine(local_day, start, zone)
                until = datetime.combine(local_day, end, zone)
                entries.append(
                    {
                        "users_id": user["id"],
                        "customers_id": customer,
                        "projects_id": project,
                        "services_id": service,
                        "billable": 0 if customer == 5 else 1,
                        "hourly_rate": rate,
                        "text": text,
                        "time_since": utc_iso(since),
                        "time_until": utc_iso(until),
                    }
                )
    return entries


def _extras(now: datetime) -> list[dict[str, Any]]:
    yesterday = _weekdays_before(now, 1)[0].replace(hour=15, minute=0, second=0)
    return [
        {
            "type": 2,
            "users_id": 1,
            "customers_id": 1,
            "projects_id": 11,
            "services_id": 22,
            "billable": 1,
            "lumpsum": 250.0,
            "text": "Bildlizenzen",
            "time_since": utc_iso(yesterday),
        },
        {
            "type": 3,
            "users_id": 3,
            "customers_id": 2,
            "projects_id": 13,
            "lumpsum_services_id": 31,
            "lumpsum_services_amount": 84.0,
            "billable": 1,
            "text": "Fahrt zum Kick-off",
            "time_since": utc_iso(yesterday),
        },
        {
            "users_id": 2,
            "customers_id": 2,
            "projects_id": 13,
            "services_id": 23,
            "billable": 1,
            "hourly_rate": 110.0,
            "text": "Deployment vorbereiten",
            "time_since": utc_iso(now - timedelta(minutes=90)),
            "time_until": None,
        },
    ]
