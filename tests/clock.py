"""The tests' one idea of "today".

syncd dates its window in the configured zone (`[sync] timezone`, default
Europe/Berlin), whatever zone the machine is set to; so do the tests. Every
date a fixture seeds and every expectation derived from a date starts here,
so the suite means the same on any day. Dates that matter to the product
itself (DST days, month and year ends, leap days) are chosen by the tests
that check them, never taken from the clock.

`make test-calendar` runs the date-sensitive suites with the clock of every
process pinned to chosen dates (see `tests/pinned_clock/sitecustomize.py`);
this function then answers the pinned date.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

SYNC_ZONE = ZoneInfo("Europe/Berlin")  # syncd's default [sync] timezone


def now() -> datetime:
    """The current moment in syncd's zone."""
    return datetime.now(SYNC_ZONE)


def today() -> date:
    """Today as syncd sees it (its window ends the day after)."""
    return now().date()
