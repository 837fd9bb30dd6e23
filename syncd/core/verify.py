"""Comparing both tools' totals (what `syncd verify` proves): pure, values in and out.

Totals are keyed by person × project × task × period in MOCO's ids (clockodo's
are mapped first). A row whose two sums differ carries the reason syncd knows
for the difference, if any (looked up per person, project, task and day).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import Literal

Period = Literal["day", "week", "month"]
NO_REASON = "not explained by syncd's plan"


@dataclass(frozen=True)
class Total:
    """Seconds booked by one person on one project/task on one day (MOCO ids;
    None where the other side's id has no mapping)."""

    user: int | None
    project: int | None
    task: int | None
    day: date
    seconds: int
    unmapped: str | None = None  # why it could not be mapped, when it could not


@dataclass(frozen=True)
class Row:
    period: str
    moco_user: int | None
    moco_project: int | None
    moco_task: int | None
    moco_seconds: int
    clockodo_seconds: int
    reason: str | None
    mapped: bool = True  # False: one side's bookings have no partner to agree with

    @property
    def difference_seconds(self) -> int:
        return self.moco_seconds - self.clockodo_seconds

    @property
    def agrees(self) -> bool:
        return self.difference_seconds == 0


Key = tuple[str, int | None, int | None, int | None]
DayKey = tuple[int | None, int | None, int | None, date]


def period_of(day: date, by: Period) -> str:
    """``2026-11-30``, ``2026-W49`` (ISO week) or ``2026-11``."""
    if by == "week":
        iso = day.isocalendar()
        return f"{iso.year}-W{iso.week:02d}"
    if by == "month":
        return f"{day.year}-{day.month:02d}"
    return day.isoformat()


def compare(
    moco: Iterable[Total],
    clockodo: Iterable[Total],
    by: Period,
    reasons: Mapping[DayKey, str],
) -> list[Row]:
    """Every key either side booked on, with both sums and the reason for a difference."""
    sums: dict[Key, list[int]] = defaultdict(lambda: [0, 0])
    why: dict[Key, list[str]] = defaultdict(list)
    unmapped: set[Key] = set()
    for column, totals in enumerate((moco, clockodo)):
        for total in totals:
            key = (period_of(total.day, by), total.user, total.project, total.task)
            sums[key][column] += total.seconds
            if total.unmapped:
                unmapped.add(key)
            known = total.unmapped or reasons.get(
                (total.user, total.project, total.task, total.day)
            )
            if known and known not in why[key]:
                why[key].append(known)
    for (user, project, task, day), reason in reasons.items():
        key = (period_of(day, by), user, project, task)
        if key in sums and reason not in why[key]:
            why[key].append(reason)
    return [
        Row(*key, seconds[0], seconds[1], "; ".join(why[key]) or None, key not in unmapped)
        for key, seconds in sorted(sums.items(), key=lambda item: _order(item[0]))
    ]


def differing(rows: Iterable[Row]) -> list[Row]:
    """The rows that differ, each with a reason (:data:`NO_REASON` when syncd has none)."""
    return [replace(r, reason=r.reason or NO_REASON) for r in rows if not r.agrees]


def _order(key: Key) -> tuple[str, int, int, int]:
    period, user, project, task = key
    return period, user or 0, project or 0, task or 0
