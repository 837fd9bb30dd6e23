"""The pinned clock of calendar runs: every process of a run sees one moved clock."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

from tests.calendar_runs import MOMENTS, PINNED

# A child prints its idea of now, then starts a grandchild that does the same.
SCRIPT = """
import subprocess, sys, time
from datetime import datetime, timezone
print(datetime.now(timezone.utc).isoformat())
time.sleep(1.0)
code = "from datetime import datetime, timezone; print(datetime.now(timezone.utc).isoformat())"
print(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip())
"""


def test_processes_of_a_pinned_run_share_one_ticking_clock(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TEST_CLOCK_")}
    env["TEST_CLOCK_NOW"] = "2028-02-29T23:59:30+01:00"
    env["PYTHONPATH"] = str(PINNED)
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, env=env, check=True
    )
    child, grandchild = (datetime.fromisoformat(line) for line in done.stdout.split())
    pinned = datetime.fromisoformat(env["TEST_CLOCK_NOW"])
    assert 0 <= (child - pinned).total_seconds() < 5
    # The grandchild started a second later, and its clock is a second on too:
    # it continued the run's clock instead of starting again at the pinned moment.
    assert 1.0 <= (grandchild - child).total_seconds() < 5


def test_the_calendar_covers_the_dates_that_break_date_logic() -> None:
    days = {datetime.fromisoformat(m.now).date().isoformat() for m in MOMENTS}
    assert {"2027-01-01", "2028-02-29", "2026-12-31"} <= days
    weekdays = {datetime.fromisoformat(m.now).strftime("%A") for m in MOMENTS}
    assert {"Monday", "Sunday"} <= weekdays
