"""A small, realistic agency account for the demo and tests (deterministic)."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

ADMIN_KEY = "moco-admin-key"  # Anna Admin: Staff, may impersonate
BEN_KEY = "moco-key-ben"  # Ben Berger: plain user, leads "Website Relaunch"
CLARA_KEY = "moco-key-clara"  # Clara Chen: plain user

OWNER_ID, ADMIN_ID, BEN_ID, CLARA_ID, DAVID_ID, EMMA_ID = range(933_590_001, 933_590_007)

_DESCRIPTIONS = [
    "Abstimmung mit Kunde",
    "Wireframes überarbeitet",
    "Bugfixing Formular",
    "Code Review",
    "Sprint Planning",
    "Deployment vorbereitet",
    "Texte eingepflegt",
    "Ticket-Triage",
]


def _users() -> list[dict[str, Any]]:
    return [
        {"id": OWNER_ID, "firstname": "Olivia", "lastname": "Owner", "owner": True, "staff": True},
        {"id": ADMIN_ID, "firstname": "Anna", "lastname": "Admin", "staff": True},
        {"id": BEN_ID, "firstname": "Ben", "lastname": "Berger"},
        {"id": CLARA_ID, "firstname": "Clara", "lastname": "Chen"},
        {"id": DAVID_ID, "firstname": "David", "lastname": "Dorn", "active": False},
        {"id": EMMA_ID, "firstname": "Emma", "lastname": "Extern", "extern": True},
    ]


def _companies() -> list[dict[str, Any]]:
    return [
        {"id": 760_896_001, "name": "Beispiel AG", "identifier": "K-001"},
        {"id": 760_896_002, "name": "Nordlicht GmbH", "identifier": "K-002"},
        {"id": 760_896_003, "name": "Stadtwerke Süd", "identifier": "K-003"},
        {"id": 760_896_004, "name": "Agentur Intern", "identifier": "K-000"},
        {
            "id": 760_896_005,
            "name": "Altkunde KG",
            "identifier": "K-900",
            "archived_on": "2025-12-31T00:00:00Z",
        },
    ]


def _task(task_id: int, name: str, **extra: Any) -> dict[str, Any]:
    return {"id": task_id, "name": name, **extra}


def _contracts(first_id: int, *user_ids: int) -> list[dict[str, Any]]:
    return [{"id": first_id + n, "user_id": uid} for n, uid in enumerate(user_ids)]


def _projects() -> list[dict[str, Any]]:
    team = (ADMIN_ID, BEN_ID, CLARA_ID, EMMA_ID)
    return [
        {
            "id": 945_371_001,
            "identifier": "P-101",
            "name": "Website Relaunch",
            "customer_id": 760_896_001,
            "leader_id": BEN_ID,
            "hourly_rate": 120.0,
            "tasks": [
                _task(7_281_001, "Konzeption"),
                _task(7_281_002, "Design"),
                _task(7_281_003, "Entwicklung"),
                _task(7_281_004, "Altlasten", active=False),
            ],
            "contracts": _contracts(3_301_001, *team, DAVID_ID),
        },
        {
            "id": 945_371_002,
            "identifier": "P-102",
            "name": "Support 2026",
            "customer_id": 760_896_002,
            "leader_id": ADMIN_ID,
            "hourly_rate": 95.0,
            "tasks": [_task(7_281_005, "Support"), _task(7_281_006, "Wartung")],
            "contracts": _contracts(3_301_011, ADMIN_ID, BEN_ID, CLARA_ID),
        },
        {
            "id": 945_371_003,
            "identifier": "P-103",
            "name": "App MVP",
            "customer_id": 760_896_003,
            "leader_id": CLARA_ID,
            "co_leader_id": ADMIN_ID,
            "billing_variant": "task",
            "tasks": [
                _task(7_281_007, "Entwicklung", hourly_rate=110.0),
                _task(7_281_008, "Testing", hourly_rate=90.0),
            ],
            "contracts": _contracts(3_301_021, CLARA_ID, EMMA_ID),
        },
        {
            "id": 945_371_004,
            "identifier": "P-000",
            "name": "Intern",
            "customer_id": 760_896_004,
            "billable": False,
            "tasks": [_task(7_281_009, "Meetings", billable=False)],
            "contracts": _contracts(3_301_031, *team),
        },
        {
            "id": 945_371_005,
            "identifier": "P-050",
            "name": "Altprojekt",
            "customer_id": 760_896_005,
            "archived_on": "2025-12-31T00:00:00Z",
            "tasks": [_task(7_281_010, "Umsetzung")],
            "contracts": _contracts(3_301_041, ADMIN_ID),
        },
    ]


def _activities(
    rng: random.Random, projects: list[dict[str, Any]], start: date, days: int
) -> list[dict[str, Any]]:
    activities = []
    for offset in range(days):
        day = start + timedelta(days=offset)
        if day.weekday() >= 5:
            continue
        for user_id in (ADMIN_ID, BEN_ID, CLARA_ID, EMMA_ID):
            bookable = [
                (p, t)
                for p in projects
                if "archived_on" not in p and any(c["user_id"] == user_id for c in p["contracts"])
                for t in p["tasks"]
                if t.get("active", True)
            ]
            for _ in range(rng.randint(1, 3)):
                project, task = rng.choice(bookable)
                activities.append(
                    {
                        "date": day.isoformat(),
                        "user_id": user_id,
                        "project_id": project["id"],
                        "task_id": task["id"],
                        "seconds": 900 * rng.randint(1, 16),
                        "description": rng.choice(_DESCRIPTIONS),
                        "tag": rng.choice(["", "", "meeting", "remote"]),
                        "created_at": f"{day.isoformat()}T17:00:00Z",
                        "updated_at": f"{day.isoformat()}T17:00:00Z",
                    }
                )
    return activities


def agency_seed(seed: int = 7, start: date = date(2026, 11, 2), days: int = 10) -> dict[str, Any]:
    """Six users (owner, Staff admin with key `ADMIN_KEY`, two plain users with
    keys, one deactivated, one external), five customers (one archived), five
    projects (one archived, one non-billable, one billed per task) with tasks
    and contracts, and 1-3 activities per active user and weekday from `start`.
    """
    projects = _projects()
    return {
        "users": _users(),
        "api_keys": [
            {"key": ADMIN_KEY, "user_id": ADMIN_ID, "impersonate": True},
            {"key": BEN_KEY, "user_id": BEN_ID},
            {"key": CLARA_KEY, "user_id": CLARA_ID},
        ],
        "companies": _companies(),
        "projects": projects,
        "activities": _activities(random.Random(seed), projects, start, days),
        "period_lock": None,
    }
