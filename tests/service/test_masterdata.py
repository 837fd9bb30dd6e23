"""Mappings checked against both accounts: one line per problem, problems left out."""

from __future__ import annotations

from typing import Any

import pytest

from syncd.adapters.clockodo import models as ck
from syncd.adapters.moco import models as mc
from syncd.config import MappingSettings
from syncd.sync.masterdata import Accounts, build_mappings


def accounts(**changes: Any) -> Accounts:
    moco_project = {
        "id": 100,
        "name": "Relaunch",
        "active": True,
        "billable": True,
        "customer": {"id": 7, "name": "Beispiel AG"},
        "tasks": [
            {"id": 1000, "name": "Design", "active": True, "billable": True},
            {"id": 1001, "name": "Code", "active": True, "billable": True},
            {"id": 1002, "name": "Old", "active": False, "billable": True},
        ],
    }
    data: dict[str, Any] = {
        "moco_users": {1: mc.User(id=1, firstname="A", lastname="B", active=True)},
        "moco_projects": {100: mc.Project.model_validate(moco_project)},
        "clockodo_users": {
            11: ck.User(id=11, name="A B", active=True, timezone="Asia/Kolkata"),
            12: ck.User(id=12, name="No Zone", active=True, timezone=None),
        },
        "clockodo_customers": {70: ck.Customer(id=70, name="Beispiel", active=True)},
        "clockodo_projects": {
            700: ck.Project(id=700, customers_id=70, name="Relaunch", active=True),
            701: ck.Project(id=701, customers_id=71, name="Other", active=True),
        },
        "clockodo_services": {
            5: ck.Service(id=5, name="Design", active=True),
            6: ck.Service(id=6, name="Old", active=False),
        },
    }
    data.update(changes)
    return Accounts(**data)


def configured(**lists: list[dict[str, int]]) -> MappingSettings:
    base = {
        "users": [{"moco": 1, "clockodo": 11}],
        "projects": [{"moco": 100, "clockodo_customer": 70, "clockodo_project": 700}],
        "tasks": [{"moco": 1000, "clockodo_service": 5}],
    }
    return MappingSettings.model_validate(base | lists)


def test_sound_mappings_are_enriched_from_the_accounts() -> None:
    mappings, problems = build_mappings(configured(), accounts(), "Europe/Berlin")
    assert problems == []
    (user,) = mappings.users
    assert user.timezone == "Asia/Kolkata"  # the clockodo user's own zone
    (project,) = mappings.projects
    assert project.moco_customer == 7
    (task,) = mappings.tasks
    assert task.moco_project == 100


def test_a_user_without_zone_gets_the_fallback() -> None:
    mappings, _ = build_mappings(
        configured(users=[{"moco": 1, "clockodo": 12}]), accounts(), "Europe/Berlin"
    )
    assert mappings.users[0].timezone == "Europe/Berlin"


@pytest.mark.parametrize(
    ("lists", "expected"),
    [
        ({"users": [{"moco": 2, "clockodo": 11}]}, "mappings.users[0]: MOCO user 2 does not exist"),
        ({"users": [{"moco": 1, "clockodo": 99}]}, "clockodo user 99 does not exist"),
        (
            {"projects": [{"moco": 101, "clockodo_customer": 70, "clockodo_project": 700}]},
            "mappings.projects[0]: MOCO project 101 does not exist",
        ),
        (
            {"projects": [{"moco": 100, "clockodo_customer": 70, "clockodo_project": 701}]},
            "clockodo project 701 belongs to customer 71, not 70",
        ),
        (
            {"projects": [{"moco": 100, "clockodo_customer": 72, "clockodo_project": 700}]},
            "clockodo customer 72 does not exist",
        ),
        ({"tasks": [{"moco": 1002, "clockodo_service": 5}]}, "MOCO task 1002 is inactive"),
        ({"tasks": [{"moco": 1000, "clockodo_service": 6}]}, "clockodo service 6 is inactive"),
        ({"tasks": [{"moco": 4242, "clockodo_service": 5}]}, "MOCO task 4242 does not exist"),
        (
            {
                "tasks": [
                    {"moco": 1000, "clockodo_service": 5},
                    {"moco": 1001, "clockodo_service": 5},
                ]
            },
            "all map to clockodo service 5",
        ),
    ],
)
def test_each_problem_is_one_line_and_the_mapping_is_left_out(
    lists: dict[str, list[dict[str, int]]], expected: str
) -> None:
    mappings, problems = build_mappings(configured(**lists), accounts(), "Europe/Berlin")
    assert any(expected in problem for problem in problems), problems
    assert all("\n" not in problem for problem in problems)
    if "tasks" in lists and "all map" not in expected:
        assert mappings.tasks == ()


def test_archived_and_inactive_records_are_problems() -> None:
    archived = accounts()
    project = archived.moco_projects[100].model_copy(update={"archived_on": "2025-12-31"})
    state = accounts(
        moco_projects={100: project},
        moco_users={1: mc.User(id=1, firstname="A", lastname="B", active=False)},
    )
    _, problems = build_mappings(configured(), state, "Europe/Berlin")
    assert "mappings.users[0]: MOCO user 1 is deactivated" in problems
    assert "mappings.projects[0]: MOCO project 100 is archived or inactive" in problems
