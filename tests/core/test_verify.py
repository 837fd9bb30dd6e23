"""Comparing both tools' totals: periods, reasons, unmapped rows."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from syncd.cli.verify import COLUMNS, print_result
from syncd.core.verify import NO_REASON, Total, compare, differing, period_of

MON, TUE = date(2026, 11, 30), date(2026, 12, 1)


@pytest.mark.parametrize(
    ("by", "expected"), [("day", "2026-11-30"), ("week", "2026-W49"), ("month", "2026-11")]
)
def test_periods(by: str, expected: str) -> None:
    assert period_of(MON, by) == expected  # type: ignore[arg-type]


def test_sums_per_person_project_task_and_period_with_reasons() -> None:
    moco = [Total(1, 10, 20, MON, 3600), Total(1, 10, 20, TUE, 1800), Total(2, 10, 20, MON, 60)]
    clockodo = [Total(1, 10, 20, MON, 3600), Total(1, 10, 20, TUE, 900)]
    reasons = {(1, 10, 20, TUE): "a change the next run will copy"}
    by_day = compare(moco, clockodo, "day", reasons)
    assert [(r.period, r.moco_user, r.difference_seconds, r.reason) for r in by_day] == [
        ("2026-11-30", 1, 0, None),
        ("2026-11-30", 2, 60, None),
        ("2026-12-01", 1, 900, "a change the next run will copy"),
    ]
    assert [(r.moco_user, r.reason) for r in differing(by_day)] == [
        (2, NO_REASON),
        (1, "a change the next run will copy"),
    ]
    (month_nov, month_dec) = [
        r for r in compare(moco, clockodo, "month", reasons) if r.moco_user == 1
    ]
    assert (month_nov.period, month_nov.agrees) == ("2026-11", True)
    assert (month_dec.period, month_dec.difference_seconds) == ("2026-12", 900)
    (week,) = [r for r in compare(moco, clockodo, "week", reasons) if r.moco_user == 1]
    assert (week.moco_seconds, week.clockodo_seconds, week.reason) == (
        5400,
        4500,
        "a change the next run will copy",
    )


def test_unmapped_totals_are_rows_of_their_own_that_never_count_as_mapped() -> None:
    clockodo = [Total(None, None, None, MON, 2700, "unmapped: clockodo user Tom Alt")]
    (row,) = compare([], clockodo, "day", {})
    assert (row.mapped, row.difference_seconds, row.reason) == (
        False,
        -2700,
        "unmapped: clockodo user Tom Alt",
    )


def test_csv_has_the_documented_columns(capsys: pytest.CaptureFixture[str]) -> None:
    shown = [dict.fromkeys(COLUMNS, "x") | {"period": "2026-11-30", "difference_seconds": 60}]
    print_result("csv", shown, False, [], "span")
    (row,) = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert (row["period"], row["difference_seconds"]) == ("2026-11-30", "60")
    assert set(COLUMNS) >= {"moco_user", "moco_project", "moco_seconds", "clockodo_seconds"}
