"""A large agency for the benchmarks: P people booking in both tools.

Deterministic for given sizes. Every person is mapped (MOCO user 1000+n is clockodo
user n+1, all in Europe/Berlin); two projects with two tasks each, mapped to two
clockodo projects and two services. Bookings are spread over the workdays before
``today``, a few per person and day, each with its own text, so that equal pairs
are found by content and nothing is ambiguous.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

MOCO_KEY = "bench-moco-key"
CLOCKODO_USER = "bench@agency.example"
CLOCKODO_KEY = "bench-clockodo-key"
BERLIN = ZoneInfo("Europe/Berlin")
# (MOCO project, MOCO task, clockodo customer, clockodo project, clockodo service)
WORK = ((10, 101, 1, 11, 21), (10, 102, 1, 11, 22), (20, 201, 2, 12, 21), (20, 202, 2, 12, 22))
MOCO_CUSTOMERS = {10: 501, 20: 502}


@dataclass(frozen=True)
class Booking:
    person: int
    day: date
    slot: int
    seconds: int
    text: str
    work: tuple[int, int, int, int, int]

    def activity(self) -> dict[str, Any]:
        return {
            "date": self.day.isoformat(),
            "user_id": 1000 + self.person,
            "project_id": self.work[0],
            "task_id": self.work[1],
            "seconds": self.seconds,
            "description": self.text,
        }

    def entry(self) -> dict[str, Any]:
        start = datetime.combine(self.day, time(8), BERLIN) + timedelta(hours=self.slot)
        return {
            "users_id": self.person + 1,
            "customers_id": self.work[2],
            "projects_id": self.work[3],
            "services_id": self.work[4],
            "billable": 1,
            "text": self.text,
            "time_since": _z(start),
            "time_until": _z(start + timedelta(seconds=self.seconds)),
        }


def _z(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def workdays(today: date, count: int) -> list[date]:
    days: list[date] = []
    day = today
    while len(days) < count:
        day -= timedelta(days=1)
        if day.weekday() < 5:
            days.append(day)
    return days[::-1]


def bookings(today: date, people: int, days: int, per_day: int) -> list[Booking]:
    """``people`` x ``days`` workdays before ``today`` x ``per_day``, deterministic."""
    found = []
    for d, day in enumerate(workdays(today, days)):
        for person in range(people):
            for slot in range(per_day):
                n = (d * people + person) * per_day + slot
                seconds = 900 * (1 + n % 8)
                work = WORK[n % len(WORK)]
                found.append(Booking(person, day, slot, seconds, f"Aufgabe {n}", work))
    return found


def moco_seed(people: int, activities: list[dict[str, Any]]) -> dict[str, Any]:
    users = [
        {"id": 1000 + n, "firstname": f"Person{n}", "lastname": "Bench", "staff": n == 0}
        for n in range(people)
    ]
    projects: dict[int, dict[str, Any]] = {}
    for work in WORK:
        project = projects.setdefault(
            work[0],
            {
                "id": work[0],
                "name": f"Projekt {work[0]}",
                "customer_id": MOCO_CUSTOMERS[work[0]],
                "tasks": [],
                "contracts": [
                    {"id": work[0] * 1000 + n, "user_id": 1000 + n} for n in range(people)
                ],
            },
        )
        project["tasks"].append({"id": work[1], "name": f"Aufgabe {work[1]}"})
    return {
        "users": users,
        "api_keys": [{"key": MOCO_KEY, "user_id": 1000, "impersonate": True}],
        "companies": [{"id": c, "name": f"Kunde {c}"} for c in sorted(MOCO_CUSTOMERS.values())],
        "projects": list(projects.values()),
        "activities": activities,
    }


def clockodo_seed(people: int, entries: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "api_users": [{"email": CLOCKODO_USER, "key": CLOCKODO_KEY, "users_id": 1}],
        "users": [
            {
                "id": n + 1,
                "name": f"Person{n} Bench",
                "role": "owner" if n == 0 else "worker",
                "timezone": "Europe/Berlin",
            }
            for n in range(people)
        ],
        "customers": [{"id": c, "name": f"Kunde {c}"} for c in sorted({w[2] for w in WORK})],
        "projects": [
            {"id": p, "customers_id": c, "name": f"Projekt {p}"}
            for p, c in sorted({(w[3], w[2]) for w in WORK})
        ],
        "services": [{"id": s, "name": f"Leistung {s}"} for s in sorted({w[4] for w in WORK})],
        "entries": entries,
    }


def mappings(people: int) -> dict[str, list[dict[str, int]]]:
    return {
        "users": [{"moco": 1000 + n, "clockodo": n + 1} for n in range(people)],
        "projects": [
            {"moco": m, "clockodo_customer": c, "clockodo_project": p}
            for m, c, p in sorted({(w[0], w[2], w[3]) for w in WORK})
        ],
        "tasks": [{"moco": w[1], "clockodo_service": w[4]} for w in WORK],
    }
