"""Where MOCO bookings (dates, no times) land in clockodo (instants).

A MOCO booking mirrored into clockodo starts at ``day_start`` in the user's zone; the
mirrored entries of one user (links with origin "moco") are stacked so they never
overlap each other. Entries that clockodo users booked themselves keep their times and
are not considered. All arithmetic is in UTC; zoneinfo converts wall-clock times:

- a ``day_start`` that does not exist on a DST day (02:30 on spring-forward) moves
  forward by the gap (03:30 summer time); a repeated one means its first occurrence;
- a new entry takes the earliest gap at or after ``day_start`` whose start is still on
  the local date (its end may cross midnight), else the earliest gap from local 00:00;
  if nothing fits (the day holds more than 24 h) it starts at ``day_start`` and
  overlaps, which the caller reports. Busy time is every mirrored entry of the user, not
  only those of the same day, so entries crossing midnight are respected as well.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

MIDNIGHT = time(0, 0)


@dataclass(frozen=True, order=True)
class Span:
    """A half-open interval [start, end) of UTC instants."""

    start: datetime
    end: datetime

    @classmethod
    def of(cls, start: datetime, seconds: int) -> Span:
        return cls(start, start + timedelta(seconds=seconds))

    def overlaps(self, other: Span) -> bool:
        return self.start < other.end and other.start < self.end


@dataclass(frozen=True)
class Placement:
    """Where an entry goes; ``fits`` is False when it had to overlap (day over-full)."""

    span: Span
    fits: bool

    @property
    def time_since(self) -> datetime:
        return self.span.start

    @property
    def time_until(self) -> datetime:
        return self.span.end


def local_instant(day: date, wall: time, zone: ZoneInfo) -> datetime:
    """The UTC instant of wall-clock ``wall`` on ``day`` in ``zone`` (whole seconds).

    fold=0: a skipped wall time is read with the offset before the change, i.e. moved
    forward by the gap; a repeated one is its first occurrence.
    """
    naive = datetime.combine(day, wall.replace(microsecond=0, tzinfo=None, fold=0))
    return naive.replace(tzinfo=zone).astimezone(UTC)


def day_bounds(day: date, zone: ZoneInfo) -> Span:
    """The UTC instants during which the local date in ``zone`` is ``day``."""
    next_day = day + timedelta(days=1)
    return Span(local_instant(day, MIDNIGHT, zone), local_instant(next_day, MIDNIGHT, zone))


def _earliest_gap(
    busy: Iterable[Span], earliest: datetime, before: datetime, seconds: int
) -> datetime | None:
    """The earliest start in [earliest, before) where ``seconds`` fit between busy spans."""
    need = timedelta(seconds=seconds)
    start = earliest
    for span in sorted(busy):
        if span.end <= start:
            continue
        if span.start >= start + need:
            break
        start = span.end
    return start if start < before else None


def place(
    day: date, seconds: int, zone: ZoneInfo, day_start: time, busy: Iterable[Span]
) -> Placement:
    """Where a new mirrored entry of ``seconds`` on local ``day`` goes, given busy spans."""
    busy = list(busy)
    bounds = day_bounds(day, zone)
    start = local_instant(day, day_start, zone)
    if not bounds.start <= start < bounds.end:  # a zone whose DST gap swallows day_start
        start = bounds.start
    found = _earliest_gap(busy, start, bounds.end, seconds)
    if found is None:
        found = _earliest_gap(busy, bounds.start, bounds.end, seconds)
    if found is None:
        return Placement(Span.of(start, seconds), fits=False)
    return Placement(Span.of(found, seconds), fits=True)


def same_wall_time(since: datetime, day: date, zone: ZoneInfo) -> datetime | None:
    """``since``'s local wall-clock time on another local ``day`` (None if it falls off it).

    Used to move an entry a clockodo user placed themselves: it keeps its time of day.
    """
    wall = since.astimezone(zone).time()
    moved = local_instant(day, wall, zone)
    return moved if moved.astimezone(zone).date() == day else None


class Placer:
    """The busy spans of mirrored entries per clockodo user during one plan.

    Mutable on purpose but private to one :func:`~syncd.core.reconcile.reconcile` call:
    every placement made occupies its span so the next one is stacked after it.
    """

    def __init__(self, day_start: time) -> None:
        self._day_start = day_start
        self._busy: dict[int, list[Span]] = {}

    def occupy(self, user: int, span: Span) -> None:
        self._busy.setdefault(user, []).append(span)

    def is_free(self, user: int, span: Span) -> bool:
        return not any(span.overlaps(other) for other in self._busy.get(user, []))

    def place(self, user: int, day: date, seconds: int, zone: ZoneInfo) -> Placement:
        """Place a new (or moved) entry and occupy its span."""
        placement = place(day, seconds, zone, self._day_start, self._busy.get(user, []))
        self.occupy(user, placement.span)
        return placement
