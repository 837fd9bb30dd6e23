"""Projection: normalisation, every skip reason, billed flags, local dates."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from syncd.core.model import Mappings, ProjectMapping, Skip, SkipReason, TaskMapping, UserMapping
from syncd.core.projection import normalize_description, project_clockodo, project_moco
from tests.core.factories import DAY, MAPPINGS, clockodo, moco, proj


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (None, ""),
        ("", ""),
        ("plain", "plain"),
        ("a  \r\nb\t\r\n", "a\nb"),
        ("a\rb", "a\nb"),
        ("line \n\n  \n\n", "line"),
        ("  indented\n  kept", "  indented\n  kept"),
        ("a\n\nb", "a\n\nb"),
    ],
)
def test_normalize_description(raw: str | None, expected: str) -> None:
    assert normalize_description(raw) == expected


@given(st.text())
def test_normalize_description_is_idempotent(text: str) -> None:
    once = normalize_description(text)
    assert normalize_description(once) == once
    assert "\r" not in once
    assert once == once.rstrip()


def test_moco_projection() -> None:
    assert project_moco(moco(1, description="work \r\n"), MAPPINGS) == proj()


def test_clockodo_projection() -> None:
    assert project_clockodo(clockodo(1, text="work\n\n"), MAPPINGS) == proj()


@pytest.mark.parametrize(
    ("billable", "billed", "expected_billable"),
    [(False, False, False), (True, False, True), (False, True, True), (True, True, True)],
)
def test_moco_billed_implies_billable(
    billable: bool, billed: bool, expected_billable: bool
) -> None:
    result = project_moco(moco(1, billable=billable, billed=billed), MAPPINGS)
    assert result == proj(billable=expected_billable, billed=billed)


@pytest.mark.parametrize(
    ("value", "billable", "billed"), [(0, False, False), (1, True, False), (2, True, True)]
)
def test_clockodo_billable_values(value: int, billable: bool, billed: bool) -> None:
    assert project_clockodo(clockodo(1, billable=value), MAPPINGS) == proj(
        billable=billable, billed=billed
    )


def _reason(result: object) -> SkipReason:
    assert isinstance(result, Skip), result
    return result.reason


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"running": True}, SkipReason.RUNNING),
        ({"seconds": 0}, SkipReason.ZERO_DURATION),
        ({"seconds": -5}, SkipReason.INVALID),
        ({"seconds": 24 * 3600 + 1}, SkipReason.INVALID),
        ({"user_id": 9}, SkipReason.UNMAPPED_USER),
        ({"project_id": 99}, SkipReason.UNMAPPED_PROJECT),
        ({"task_id": 99}, SkipReason.UNMAPPED_TASK),
        ({"task_id": 22}, SkipReason.UNMAPPED_TASK),  # task of another project
    ],
)
def test_moco_skips(overrides: dict[str, object], reason: SkipReason) -> None:
    result = project_moco(moco(7, **overrides), MAPPINGS)
    assert _reason(result) == reason
    assert isinstance(result, Skip)
    assert (result.side, result.id) == ("moco", 7)


def test_moco_full_day_is_valid() -> None:
    assert project_moco(moco(1, seconds=24 * 3600), MAPPINGS) == proj(seconds=24 * 3600)


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"type": 2}, SkipReason.LUMP_SUM),
        ({"type": 3}, SkipReason.LUMP_SUM),
        ({"type": 7}, SkipReason.INVALID),
        ({"time_until": None, "duration": None}, SkipReason.RUNNING),
        ({"duration": None}, SkipReason.RUNNING),
        ({"billable": -1}, SkipReason.BILLABILITY_HIDDEN),
        ({"billable": 5}, SkipReason.INVALID),
        ({"duration": -1}, SkipReason.INVALID),
        ({"duration": 90_000}, SkipReason.INVALID),
        ({"duration": 0}, SkipReason.ZERO_DURATION),
        ({"time_until": datetime(2026, 3, 2, 7, 0, tzinfo=UTC)}, SkipReason.INVALID),
        ({"users_id": 999}, SkipReason.UNMAPPED_USER),
        ({"projects_id": None}, SkipReason.UNMAPPED_PROJECT),
        ({"projects_id": 4242}, SkipReason.UNMAPPED_PROJECT),
        ({"services_id": None}, SkipReason.UNMAPPED_TASK),
        ({"services_id": 999}, SkipReason.UNMAPPED_TASK),
        ({"projects_id": 1001, "services_id": 201}, SkipReason.UNMAPPED_TASK),
    ],
)
def test_clockodo_skips(overrides: dict[str, object], reason: SkipReason) -> None:
    result = project_clockodo(clockodo(8, **overrides), MAPPINGS)
    assert _reason(result) == reason
    assert isinstance(result, Skip)
    assert (result.side, result.id) == ("clockodo", 8)


def test_duration_not_span_is_the_worked_time() -> None:
    entry = clockodo(1, duration=1800)  # span is an hour, clockodo counts 30 minutes
    assert project_clockodo(entry, MAPPINGS) == proj(seconds=1800)


def test_service_shared_by_tasks_of_different_projects_is_not_ambiguous() -> None:
    entry = clockodo(1, customers_id=501, projects_id=1001, services_id=200)
    assert project_clockodo(entry, MAPPINGS) == proj(project=11, task=22)


AMBIGUOUS = Mappings(
    users=MAPPINGS.users,
    projects=MAPPINGS.projects,
    tasks=(TaskMapping(20, 10, 200), TaskMapping(21, 10, 200)),
)


def test_ambiguous_task_is_skipped_on_both_sides() -> None:
    assert _reason(project_clockodo(clockodo(1), AMBIGUOUS)) == SkipReason.AMBIGUOUS_TASK
    assert _reason(project_moco(moco(1), AMBIGUOUS)) == SkipReason.AMBIGUOUS_TASK


def test_duplicated_user_mapping_is_unmapped_both_ways() -> None:
    mappings = Mappings(
        users=(UserMapping(1, 101, "UTC"), UserMapping(1, 103, "UTC")),
        projects=MAPPINGS.projects,
        tasks=MAPPINGS.tasks,
    )
    assert _reason(project_moco(moco(1), mappings)) == SkipReason.UNMAPPED_USER
    assert _reason(project_clockodo(clockodo(1), mappings)) == SkipReason.UNMAPPED_USER


def test_duplicated_project_mapping_is_unmapped() -> None:
    mappings = Mappings(
        users=MAPPINGS.users,
        projects=(ProjectMapping(10, 50, 500, 1000), ProjectMapping(12, 52, 500, 1000)),
        tasks=MAPPINGS.tasks,
    )
    assert _reason(project_clockodo(clockodo(1), mappings)) == SkipReason.UNMAPPED_PROJECT


@pytest.mark.parametrize(
    ("users_id", "start", "local_day"),
    [
        (101, datetime(2026, 3, 1, 23, 30, tzinfo=UTC), DAY),  # 00:30 in Berlin
        (101, datetime(2026, 3, 2, 22, 59, tzinfo=UTC), DAY),  # 23:59 in Berlin
        (102, datetime(2026, 3, 3, 4, 59, tzinfo=UTC), DAY),  # 23:59 in New York
        (102, datetime(2026, 3, 2, 5, 0, tzinfo=UTC), DAY),  # 00:00 in New York
    ],
)
def test_clockodo_date_is_local_to_the_user(
    users_id: int, start: datetime, local_day: object
) -> None:
    result = project_clockodo(clockodo(1, users_id=users_id, start=start), MAPPINGS)
    assert not isinstance(result, Skip)
    assert result.date == local_day


def test_unknown_zone_is_refused() -> None:
    with pytest.raises(ValueError, match="Mars/Olympus"):
        UserMapping(1, 2, "Mars/Olympus")
