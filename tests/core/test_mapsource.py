"""The one merge of config and stored mappings, and the CSV form."""

from __future__ import annotations

import pytest

from syncd.config import MappingSettings
from syncd.core.mapsource import CsvProblem, Entry, entries, from_csv, merge, overridden, to_csv

CONFIG = MappingSettings.model_validate(
    {
        "users": [{"moco": 1, "clockodo": 11}],
        "projects": [{"moco": 101, "clockodo_customer": 21, "clockodo_project": 201}],
        "tasks": [{"moco": 1001, "clockodo_service": 301}],
    }
)


def test_config_wins_a_clash() -> None:
    stored = [
        Entry("user", 1, 12),  # same MOCO user: config wins
        Entry("user", 2, 11),  # same clockodo user: config wins
        Entry("user", 3, 13),
        Entry("project", 102, 201, 21),  # same clockodo project: config wins
        Entry("project", 103, 203, 23),
        Entry("task", 1001, 302),  # same MOCO task
        Entry("task", 1002, 301),  # a service may serve several tasks
    ]
    merged = entries(merge(CONFIG, stored))
    assert merged == [
        Entry("user", 1, 11),
        Entry("user", 3, 13),
        Entry("project", 101, 201, 21),
        Entry("project", 103, 203, 23),
        Entry("task", 1001, 301),
        Entry("task", 1002, 301),
    ]
    assert set(overridden(CONFIG, stored)) == {
        Entry("user", 1, 12),
        Entry("user", 2, 11),
        Entry("project", 102, 201, 21),
        Entry("task", 1001, 302),
    }


def test_csv_round_trip() -> None:
    found = entries(CONFIG)
    assert from_csv(to_csv(found)) == found


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "line 1: the header"),
        ("moco,clockodo\n", "line 1: the header"),
        ("kind,moco,clockodo,clockodo_customer\nuser,1,11\n", "line 2: 3 fields"),
        ("kind,moco,clockodo,clockodo_customer\nuser,1,11,\npeople,2,12,\n", "line 3: kind"),
        ("kind,moco,clockodo,clockodo_customer\nuser,x,11,\n", "line 2: moco 'x'"),
        ("kind,moco,clockodo,clockodo_customer\nuser,-4,11,\n", "line 2: moco '-4'"),
        ("kind,moco,clockodo,clockodo_customer\nproject,1,11,\n", "line 2: a project"),
        ("kind,moco,clockodo,clockodo_customer\ntask,1,11,5\n", "line 2: a task"),
        ("kind,moco,clockodo,clockodo_customer\nuser,1,,\n", "line 2: moco and clockodo"),
        (
            "kind,moco,clockodo,clockodo_customer\nuser,1,11,\n\nuser,1,12,\n",
            "line 4: MOCO user 1 already on line 2",
        ),
    ],
)
def test_csv_problems_name_the_line(text: str, problem: str) -> None:
    with pytest.raises(CsvProblem) as raised:
        from_csv(text)
    assert str(raised.value).startswith(problem), str(raised.value)
