"""Placement of MOCO bookings in clockodo time: stacking, gaps, DST, midnight, full days."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from syncd.core.placement import Placer, Span, day_bounds, local_instant, place, same_wall_time

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
NINE = time(9, 0)
HOUR = 3600


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def test_first_entry_starts_at_day_start_in_the_users_zone() -> None:
    assert place(date(2026, 3, 2), HOUR, BERLIN, NINE, []).span == Span(
        utc(2026, 3, 2, 8), utc(2026, 3, 2, 9)
    )
    assert place(date(2026, 3, 2), HOUR, NEW_YORK, NINE, []).time_since == utc(2026, 3, 2, 14)


def test_entries_stack_and_fill_the_earliest_gap() -> None:
    placer = Placer(NINE)
    day = date(2026, 3, 2)
    first = placer.place(101, day, HOUR, BERLIN)
    second = placer.place(101, day, 2 * HOUR, BERLIN)
    assert (first.time_since, second.time_since) == (utc(2026, 3, 2, 8), utc(2026, 3, 2, 9))
    busy = [
        Span(utc(2026, 3, 2, 8), utc(2026, 3, 2, 9)),
        Span(utc(2026, 3, 2, 10), utc(2026, 3, 2, 11)),
    ]
    assert place(day, HOUR, BERLIN, NINE, busy).time_since == utc(2026, 3, 2, 9)
    assert place(day, HOUR + 1, BERLIN, NINE, busy).time_since == utc(2026, 3, 2, 11)


def test_users_do_not_block_each_other() -> None:
    placer = Placer(NINE)
    day = date(2026, 3, 2)
    placer.place(101, day, HOUR, BERLIN)
    assert placer.place(102, day, HOUR, BERLIN).time_since == utc(2026, 3, 2, 8)


def test_entry_may_end_after_midnight() -> None:
    late = place(date(2026, 3, 2), 3 * HOUR, BERLIN, time(23, 0), [])
    assert late.span == Span(utc(2026, 3, 2, 22), utc(2026, 3, 3, 1))
    assert late.fits


def test_entry_crossing_midnight_pushes_the_next_days_entry() -> None:
    overnight = Span(utc(2026, 3, 2, 19), utc(2026, 3, 3, 10))  # 20:00 .. 11:00 Berlin
    placed = place(date(2026, 3, 3), HOUR, BERLIN, NINE, [overnight])
    assert placed.time_since == utc(2026, 3, 3, 10)


def test_no_room_after_day_start_uses_the_morning() -> None:
    day = date(2026, 3, 2)
    evening = Span(utc(2026, 3, 2, 8), utc(2026, 3, 2, 23))  # 09:00 .. 24:00 Berlin
    placed = place(day, 2 * HOUR, BERLIN, NINE, [evening])
    assert placed.time_since == utc(2026, 3, 1, 23)  # 00:00 Berlin
    assert placed.fits


def test_a_start_that_would_fall_on_the_next_day_goes_to_the_morning() -> None:
    day = date(2026, 3, 2)
    busy = [Span(utc(2026, 3, 2, 22), utc(2026, 3, 2, 23))]  # 23:00 .. 24:00 Berlin
    placed = place(day, 2 * HOUR, BERLIN, time(23, 0), busy)
    assert placed.time_since == utc(2026, 3, 1, 23)


def test_overfull_day_is_placed_at_day_start_and_reported() -> None:
    placer = Placer(NINE)
    day = date(2026, 3, 2)
    placed = [placer.place(101, day, HOUR, BERLIN) for _ in range(25)]
    assert all(p.fits for p in placed[:24])
    assert not placed[24].fits
    assert placed[24].time_since == utc(2026, 3, 2, 8)
    starts = sorted(p.time_since for p in placed[:24])
    assert starts == [utc(2026, 3, 1, 23) + timedelta(hours=h) for h in range(24)]


def test_day_bounds_on_dst_days() -> None:
    spring = day_bounds(date(2026, 3, 29), BERLIN)
    autumn = day_bounds(date(2026, 10, 25), BERLIN)
    assert spring == Span(utc(2026, 3, 28, 23), utc(2026, 3, 29, 22))
    assert autumn == Span(utc(2026, 10, 24, 22), utc(2026, 10, 25, 23))
    assert day_bounds(date(2026, 3, 8), NEW_YORK).end - day_bounds(
        date(2026, 3, 8), NEW_YORK
    ).start == timedelta(hours=23)
    assert day_bounds(date(2026, 11, 1), NEW_YORK).end - day_bounds(
        date(2026, 11, 1), NEW_YORK
    ).start == timedelta(hours=25)


def test_day_start_after_dst_change_uses_the_new_offset() -> None:
    assert local_instant(date(2026, 3, 29), NINE, BERLIN) == utc(2026, 3, 29, 7)
    assert local_instant(date(2026, 10, 25), NINE, BERLIN) == utc(2026, 10, 25, 8)
    assert local_instant(date(2026, 3, 8), NINE, NEW_YORK) == utc(2026, 3, 8, 13)


def test_skipped_day_start_moves_forward_by_the_gap() -> None:
    placed = place(date(2026, 3, 29), HOUR, BERLIN, time(2, 30), [])
    assert placed.time_since == utc(2026, 3, 29, 1, 30)  # 03:30 summer time
    assert placed.time_since.astimezone(BERLIN).time() == time(3, 30)


def test_repeated_day_start_is_the_first_occurrence() -> None:
    placed = place(date(2026, 10, 25), HOUR, BERLIN, time(2, 30), [])
    assert placed.time_since == utc(2026, 10, 25, 0, 30)  # 02:30 summer time


def test_stacking_across_the_autumn_change_keeps_absolute_lengths() -> None:
    placer = Placer(time(1, 0))
    day = date(2026, 10, 25)
    first = placer.place(101, day, 3 * HOUR, BERLIN)  # 01:00 CEST .. 03:00 CET
    second = placer.place(101, day, HOUR, BERLIN)
    assert first.time_until == second.time_since
    assert second.time_since.astimezone(BERLIN).time() == time(3, 0)


def test_same_wall_time_on_another_day() -> None:
    since = utc(2026, 3, 27, 13, 30)  # 14:30 CET
    moved = same_wall_time(since, date(2026, 3, 30), BERLIN)
    assert moved == utc(2026, 3, 30, 12, 30)  # 14:30 CEST
    assert same_wall_time(utc(2026, 3, 27, 1, 30), date(2026, 3, 29), BERLIN) == utc(
        2026, 3, 29, 1, 30
    )  # 02:30 does not exist that day: 03:30 CEST, still on the date


@pytest.mark.parametrize("zone", [BERLIN, NEW_YORK, ZoneInfo("America/Santiago")])
def test_every_placement_starts_on_its_local_date(zone: ZoneInfo) -> None:
    for offset in range(0, 366, 7):
        day = date(2026, 1, 1) + timedelta(days=offset)
        for wall in (time(0, 0), time(2, 30), time(23, 59, 59)):
            placed = place(day, 5 * HOUR, zone, wall, [])
            assert placed.time_since.astimezone(zone).date() == day
