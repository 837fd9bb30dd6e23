"""Pins the wall clock of every Python process of a test run to a chosen moment.

Put this folder on PYTHONPATH and set ``TEST_CLOCK_NOW`` to an ISO moment with
its offset (e.g. ``2027-03-28T23:30:00+02:00``): Python imports this module at
start-up and moves the wall clock (``time.time``, ``datetime.now``,
``date.today``) there; the clock keeps ticking. Monotonic clocks, which
timeouts and timed waits use, are left alone.

The first process turns the moment into an offset from the real clock and
passes the offset on (``TEST_CLOCK_OFFSET``), so that subprocesses
started later (syncd run as cron would run it, daemons, simulators) share
one clock with the tests instead of each starting anew at the moment.

Why not libfaketime: with the version Debian ships (0.9.10), a faked
monotonic clock makes every timed wait of a Python thread hang, and with
``FAKETIME_DONT_FAKE_MONOTONIC=1`` ``time.sleep`` fails with EINVAL.
"""

from __future__ import annotations

import os
import time
from datetime import datetime


def _pin() -> None:
    moment = os.environ.get("TEST_CLOCK_NOW")
    if not moment:
        return
    import time_machine

    offset = os.environ.get("TEST_CLOCK_OFFSET")
    if offset is None:
        offset = str(datetime.fromisoformat(moment).timestamp() - time.time())
        os.environ["TEST_CLOCK_OFFSET"] = offset
    time_machine.travel(time.time() + float(offset), tick=True).start()


_pin()
