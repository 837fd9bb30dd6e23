"""Mappings: lookups both ways and one line per config problem."""

from __future__ import annotations

from syncd.core.mappings import mapping_problems
from syncd.core.model import Mappings, ProjectMapping, TaskMapping, UserMapping
from tests.core.factories import MAPPINGS


def test_lookups_both_ways() -> None:
    assert MAPPINGS.user_by_moco(2) == UserMapping(2, 102, "America/New_York")
    assert MAPPINGS.user_by_clockodo(101) == UserMapping(1, 101, "Europe/Berlin")
    assert MAPPINGS.project_by_clockodo(1001) == ProjectMapping(11, 51, 501, 1001)
    assert MAPPINGS.task_by_moco(22) == TaskMapping(22, 11, 200)
    assert MAPPINGS.tasks_for_service(10, 200) == (TaskMapping(20, 10, 200),)
    assert MAPPINGS.tasks_for_service(11, 201) == ()
    assert MAPPINGS.user_by_moco(3) is None


def test_sound_mappings_have_no_problems() -> None:
    assert mapping_problems(MAPPINGS) == []


def test_identical_duplicates_are_harmless() -> None:
    mappings = Mappings(users=MAPPINGS.users * 2, projects=MAPPINGS.projects * 2)
    assert mapping_problems(mappings) == []
    assert mappings.user_by_moco(1) == MAPPINGS.user_by_moco(1)


def test_every_problem_is_one_line() -> None:
    mappings = Mappings(
        users=(UserMapping(1, 101, "UTC"), UserMapping(1, 102, "UTC"), UserMapping(3, 102, "UTC")),
        projects=(ProjectMapping(10, 50, 500, 1000), ProjectMapping(11, 51, 500, 1000)),
        tasks=(
            TaskMapping(20, 10, 200),
            TaskMapping(21, 10, 200),
            TaskMapping(22, 11, 300),
            TaskMapping(22, 11, 301),
            TaskMapping(30, 77, 400),
        ),
    )
    problems = mapping_problems(mappings)
    assert all("\n" not in line for line in problems)
    assert problems == [
        "MOCO user 1 is mapped to several clockodo users: 101, 102",
        "clockodo user 102 is mapped to several MOCO users: 1, 3",
        "clockodo project 1000 is mapped to several MOCO projects: 10, 11",
        "MOCO task 22 is mapped more than once: service 300 (project 11), service 301 (project 11)",
        "MOCO tasks 20, 21 of MOCO project 10 all map to clockodo service 200; "
        "clockodo entries on it cannot be assigned a task",
        "MOCO task 30 belongs to MOCO project 77, which has no project mapping",
    ]
    assert mappings.user_by_moco(1) is None
    assert mappings.user_by_moco(3) is None
    assert mappings.task_by_moco(22) is None
    assert mappings.project_by_moco(10) is None
