"""What a naive sync sends, for comparison: it reads everything on every poll (the
master data and every page of both windows) and writes one request per booking
(no bulk creates, no entry groups, no changes-only reads).

Counted from the scenario's sizes with the same page sizes syncd meets (MOCO 100,
clockodo 1000 bookings a page), not run: the point of comparison is the request
pattern, which follows from the definition.
"""

from __future__ import annotations

import math

MOCO_PAGE, CLOCKODO_PAGE = 100, 1000
MASTER = {"moco": 2, "clockodo": 4}


def _pages(count: int, per_page: int) -> int:
    return max(1, math.ceil(count / per_page))


def reads(moco_bookings: int, clockodo_bookings: int) -> dict[str, int]:
    return {
        "moco": MASTER["moco"] + _pages(moco_bookings, MOCO_PAGE),
        "clockodo": MASTER["clockodo"] + _pages(clockodo_bookings, CLOCKODO_PAGE),
    }


def first_sync(target: str, bookings: int) -> dict[str, int]:
    """One tool holds ``bookings``, the other none: one create each."""
    source = bookings if target == "clockodo" else 0
    counts = reads(source, bookings - source)
    counts[target] += bookings
    return counts


def poll(bookings: int, moco_writes: int, clockodo_writes: int) -> dict[str, int]:
    """Both tools hold ``bookings``; a poll that writes so many times on each side."""
    counts = reads(bookings, bookings)
    counts["moco"] += moco_writes
    counts["clockodo"] += clockodo_writes
    return counts
