"""syncd's window of dates, at the dates that break date logic (chosen, not read)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import time_machine

from syncd import config
from syncd.sync.engine import RunOptions, default_window, local_today

EXAMPLE = Path(__file__).parents[2] / "config.example.toml"


@pytest.fixture
def settings() -> config.Settings:
    return config.load(EXAMPLE, {"SYNCD_SYNC__WINDOW_DAYS": "30"})


@pytest.mark.parametrize(
    ("today", "first", "last"),
    [
        (date(2028, 2, 29), date(2028, 1, 30), date(2028, 3, 1)),  # leap day
        (date(2028, 3, 1), date(2028, 1, 31), date(2028, 3, 2)),  # the day after it
        (date(2027, 1, 1), date(2026, 12, 2), date(2027, 1, 2)),  # a year begins
        (date(2026, 12, 31), date(2026, 12, 1), date(2027, 1, 1)),  # a year ends
        (date(2027, 3, 28), date(2027, 2, 26), date(2027, 3, 29)),  # Europe's spring DST
        (date(2026, 6, 1), date(2026, 5, 2), date(2026, 6, 2)),  # Monday after a month end
    ],
)
def test_the_window_reaches_back_window_days_and_forward_one_day(
    settings: config.Settings, today: date, first: date, last: date
) -> None:
    window = default_window(settings, RunOptions(), today=today)
    assert (window.first, window.last) == (first, last)


def test_since_and_until_narrow_the_window(settings: config.Settings) -> None:
    options = RunOptions(since=date(2028, 2, 28), until=date(2028, 2, 29))
    window = default_window(settings, options, today=date(2028, 3, 10))
    assert (window.first, window.last) == (date(2028, 2, 28), date(2028, 2, 29))


@pytest.mark.parametrize(
    ("utc_now", "berlin_today"),
    [
        (datetime(2026, 12, 31, 23, 30, tzinfo=UTC), date(2027, 1, 1)),  # Berlin is ahead
        (datetime(2027, 3, 28, 0, 59, tzinfo=UTC), date(2027, 3, 28)),  # the DST night
        (datetime(2027, 10, 30, 22, 30, tzinfo=UTC), date(2027, 10, 31)),  # CEST midnight
        (datetime(2028, 2, 28, 23, 0, tzinfo=UTC), date(2028, 2, 29)),  # CET midnight
        (datetime(2028, 2, 28, 22, 59, tzinfo=UTC), date(2028, 2, 28)),
    ],
)
def test_today_is_the_configured_zones_date_not_the_machines(
    settings: config.Settings, utc_now: datetime, berlin_today: date
) -> None:
    with time_machine.travel(utc_now, tick=False):
        assert local_today(settings) == berlin_today
