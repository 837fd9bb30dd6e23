"""One agency, seen from both tools: matching MOCO and clockodo seeds plus mappings.

"Agentur Nordlicht" keeps its hours in MOCO and in clockodo. Four people are
mapped (their clockodo time zones differ: Berlin, Lisbon, Kolkata), four
projects and their tasks/services are mapped; one clockodo project and one
clockodo co-worker are not. The bookings are deterministic for a given
(`today`, `seed`) and cover what a real account holds: bookings made in only
one of the tools, bookings made in both (a first sync must not duplicate
them), a billed booking, a lump sum, a running clock, an unmapped booking.

Used by `syncd demo`, the end-to-end tests, the crash harness and the
benchmarks, so every one of them syncs the same kind of account.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

MOCO_KEY = "moco-demo-admin-key"
CLOCKODO_USER = "anna@nordlicht.example"
CLOCKODO_KEY = "clockodo-demo-owner-key"


@dataclass(frozen=True)
class Person:
    moco: int
    clockodo: int
    first: str
    last: str
    timezone: str


PEOPLE = (
    Person(933_590_002, 1, "Anna", "Admin", "Europe/Berlin"),
    Person(933_590_003, 2, "Ben", "Berger", "Europe/Berlin"),
    Person(933_590_004, 3, "Clara", "Chen", "Europe/Lisbon"),
    Person(933_590_006, 4, "Emma", "Extern", "Asia/Kolkata"),
)
UNMAPPED_PERSON = 5  # a clockodo co-worker without a MOCO account


@dataclass(frozen=True)
class Work:
    """A mapped (project, task) pair on both sides."""

    moco_customer: int
    moco_project: int
    moco_task: int
    clockodo_customer: int
    clockodo_project: int
    clockodo_service: int
    label: str


WORK = (
    Work(760_896_001, 945_371_001, 7_281_001, 1, 11, 21, "Website Relaunch / Konzeption"),
    Work(760_896_001, 945_371_001, 7_281_002, 1, 11, 22, "Website Relaunch / Design"),
    Work(760_896_001, 945_371_001, 7_281_003, 1, 11, 23, "Website Relaunch / Entwicklung"),
    Work(760_896_002, 945_371_002, 7_281_005, 2, 12, 24, "Support 2026 / Support"),
    Work(760_896_003, 945_371_003, 7_281_007, 3, 13, 23, "App MVP / Entwicklung"),
    Work(760_896_003, 945_371_003, 7_281_008, 3, 13, 25, "App MVP / Testing"),
    Work(760_896_004, 945_371_004, 7_281_009, 4, 14, 26, "Intern / Meetings"),
)
UNMAPPED_CLOCKODO_PROJECT = 15  # "Pitch" at customer 1: not in the mappings

DESCRIPTIONS = (
    "Abstimmung mit Kunde",
    "Wireframes überarbeitet",
    "Bugfixing Formular",
    "Code Review",
    "Sprint Planning\nNotizen im Wiki",
    "Deployment vorbereitet",
    "Texte eingepflegt",
    "Ticket-Triage",
)


@dataclass
class Scenario:
    moco_seed: dict[str, Any]
    clockodo_seed: dict[str, Any]
    mappings: dict[str, list[dict[str, int]]] = field(default_factory=dict)
    first_day: date = date(2026, 1, 1)
    last_day: date = date(2026, 1, 1)


def _moco_master() -> dict[str, Any]:
    projects: dict[int, dict[str, Any]] = {}
    for work in WORK:
        project = projects.setdefault(
            work.moco_project,
            {
                "id": work.moco_project,
                "name": work.label.split(" / ")[0],
                "customer_id": work.moco_customer,
                "tasks": [],
                "contracts": [
                    {"id": work.moco_project * 10 + n, "user_id": person.moco}
                    for n, person in enumerate(PEOPLE)
                ],
            },
        )
        project["tasks"].append({"id": work.moco_task, "name": work.label.split(" / ")[1]})
    customers = {w.moco_customer for w in WORK}
    return {
        "users": [
            {"id": 933_590_001, "firstname": "Olivia", "lastname": "Owner", "owner": True},
            *(
                {
                    "id": p.moco,
                    "firstname": p.first,
                    "lastname": p.last,
                    "staff": p.moco == 933_590_002,
                }
                for p in PEOPLE
            ),
        ],
        "api_keys": [{"key": MOCO_KEY, "user_id": PEOPLE[0].moco, "impersonate": True}],
        "companies": [{"id": c, "name": f"Kunde {c % 1000}"} for c in sorted(customers)],
        "projects": list(projects.values()),
    }


def _clockodo_master() -> dict[str, Any]:
    customers = sorted({w.clockodo_customer for w in WORK})
    projects = {w.clockodo_project: (w.clockodo_customer, w.label.split(" / ")[0]) for w in WORK}
    services = {w.clockodo_service: w.label.split(" / ")[1] for w in WORK}
    return {
        "api_users": [{"email": CLOCKODO_USER, "key": CLOCKODO_KEY, "users_id": 1}],
        "users": [
            *(
                {
                    "id": p.clockodo,
                    "name": f"{p.first} {p.last}",
                    "role": "owner" if p.clockodo == 1 else "worker",
                    "timezone": p.timezone,
                    "email": f"{p.first.lower()}@nordlicht.example",
                }
                for p in PEOPLE
            ),
            {
                "id": UNMAPPED_PERSON,
                "name": "Tom Alt",
                "role": "worker",
                "timezone": "Europe/Berlin",
            },
        ],
        "customers": [{"id": c, "name": f"Kunde {c}"} for c in customers],
        "projects": [
            *(
                {"id": pid, "customers_id": cid, "name": name}
                for pid, (cid, name) in sorted(projects.items())
            ),
            {"id": UNMAPPED_CLOCKODO_PROJECT, "customers_id": 1, "name": "Pitch"},
        ],
        "services": [{"id": sid, "name": name} for sid, name in sorted(services.items())],
    }


def mappings() -> dict[str, list[dict[str, int]]]:
    return {
        "users": [{"moco": p.moco, "clockodo": p.clockodo} for p in PEOPLE],
        "projects": [
            {
                "moco": w.moco_project,
                "clockodo_customer": w.clockodo_customer,
                "clockodo_project": w.clockodo_project,
            }
            for w in {w.moco_project: w for w in WORK}.values()
        ],
        "tasks": [{"moco": w.moco_task, "clockodo_service": w.clockodo_service} for w in WORK],
    }


def _activity(person: Person, work: Work, day: date, seconds: int, text: str) -> dict[str, Any]:
    return {
        "date": day.isoformat(),
        "user_id": person.moco,
        "project_id": work.moco_project,
        "task_id": work.moco_task,
        "seconds": seconds,
        "description": text,
    }


def _entry(person: Person, work: Work, start: datetime, seconds: int, text: str) -> dict[str, Any]:
    return {
        "users_id": person.clockodo,
        "customers_id": work.clockodo_customer,
        "projects_id": work.clockodo_project,
        "services_id": work.clockodo_service,
        "billable": 1,
        "text": text,
        "time_since": _z(start),
        "time_until": _z(start + timedelta(seconds=seconds)),
    }


def _z(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _workdays(today: date, days: int) -> list[date]:
    """The `days` workdays (Monday to Friday) before `today`, oldest first.

    Counting workdays, not calendar days, keeps the agency the same size whatever
    weekday `today` is: the bookings and every count derived from them depend only
    on (`days`, `per_day`, `seed`), never on the date a test or the demo runs.
    """
    found: list[date] = []
    day = today
    while len(found) < days:
        day -= timedelta(days=1)
        if day.weekday() < 5:
            found.append(day)
    return found[::-1]


def build(today: date, *, seed: int = 7, days: int = 8, per_day: int = 2) -> Scenario:
    """The agency with `per_day` bookings per person on each of the `days` workdays
    before `today`.

    Of every person-day's bookings the first is booked in MOCO only, the
    second in clockodo only, every fifth in both (equal: adopted, not copied).
    """
    rng = random.Random(seed)
    activities: list[dict[str, Any]] = []
    entries: list[dict[str, Any]] = []
    workdays = _workdays(today, days)
    for day in workdays:
        for person in PEOPLE:
            clock = datetime.combine(day, time(8, 30), ZoneInfo(person.timezone))
            for slot in range(per_day):
                work = rng.choice(WORK)
                seconds = 900 * rng.randint(1, 12)
                text = rng.choice(DESCRIPTIONS)
                both = rng.random() < 0.2
                if slot % 2 == 0 or both:
                    activities.append(_activity(person, work, day, seconds, text))
                if slot % 2 == 1 or both:
                    entries.append(_entry(person, work, clock, seconds, text))
                clock += timedelta(seconds=seconds + 1800)
    _extras(today, activities, entries)
    moco = _moco_master() | {"activities": activities}
    clockodo = _clockodo_master() | {"entries": entries}
    return Scenario(moco, clockodo, mappings(), workdays[0], workdays[-1])


def _extras(today: date, activities: list[dict[str, Any]], entries: list[dict[str, Any]]) -> None:
    """What a real account also holds: billed, lump-sum, running and unmapped bookings."""
    yesterday = today - timedelta(days=1)
    anna, ben = PEOPLE[0], PEOPLE[1]
    if activities:
        activities[0]["billed"] = True  # invoiced in MOCO already
    berlin = ZoneInfo(anna.timezone)
    evening = datetime.combine(yesterday, time(19, 0), berlin)
    entries.append(_entry(ben, WORK[0], evening, 3600, "Abrechnung November") | {"billable": 2})
    entries.append(
        {
            "type": 2,
            "users_id": anna.clockodo,
            "customers_id": 1,
            "projects_id": 11,
            "services_id": 21,
            "billable": 1,
            "lumpsum": 150.0,
            "text": "Pauschale Hosting",
            "time_since": _z(evening),
        }
    )
    pitch = _entry(ben, WORK[0], evening + timedelta(hours=2), 1800, "Pitch-Deck")
    entries.append(pitch | {"projects_id": UNMAPPED_CLOCKODO_PROJECT})
    tom = Person(0, UNMAPPED_PERSON, "Tom", "Alt", "Europe/Berlin")
    entries.append(_entry(tom, WORK[3], evening, 2700, "Altsystem geprüft"))
    running = _entry(PEOPLE[2], WORK[4], evening - timedelta(hours=1), 0, "Läuft noch")
    entries.append(running | {"time_until": None})
