"""Run the date-sensitive suites with the clock pinned to chosen moments.

    python -m tests.calendar_runs --all        # every moment (make test-calendar)
    python -m tests.calendar_runs --rotate     # one moment, a different one each day (make test)
    python -m tests.calendar_runs --moment 3   # one by its number (see --list)

Each moment pins the wall clock of every Python process of the run (pytest, the
simulators, `syncd` subprocesses; see tests/pinned_clock/sitecustomize.py) and
sets the machine's zone (TZ), which differs from syncd's zone on purpose in
most of them. Extra pytest arguments follow `--`.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).parents[1]
PINNED = ROOT / "tests" / "pinned_clock"

# What depends on the date: the seeded agency and syncd's window (e2e), deletes,
# recovery and faults (faults), the demo. The crash harness has its own target.
SUITES = ("tests/e2e", "tests/faults", "tests/cli/test_demo.py")
PARALLEL = ("-n", "auto", "--maxprocesses", "4", "--dist", "worksteal")


@dataclass(frozen=True)
class Moment:
    name: str
    now: str  # ISO with offset; syncd's zone is Europe/Berlin
    machine_zone: str


MOMENTS = (
    Moment("a Monday right after a month end", "2026-06-01T07:40:00+02:00", "Europe/Berlin"),
    Moment("a Sunday", "2026-12-06T15:00:00+01:00", "UTC"),
    # The machine is a day ahead of syncd's zone here: 23:00 on 1 January.
    Moment("1 January", "2027-01-01T10:00:00+01:00", "Pacific/Kiritimati"),
    Moment("29 February", "2028-02-29T18:00:00+01:00", "America/Los_Angeles"),
    # Already 1 January on the machine (00:30 in Kolkata), still 31 December in Berlin.
    Moment("31 December", "2026-12-31T20:00:00+01:00", "Asia/Kolkata"),
    Moment("Europe springs forward", "2027-03-28T03:30:00+02:00", "Europe/Berlin"),
    Moment("Europe falls back (the second 02:30)", "2027-10-31T02:30:00+01:00", "Europe/Lisbon"),
    Moment("the US springs forward", "2027-03-14T03:30:00-07:00", "America/Los_Angeles"),
)


def run(moment: Moment, pytest_args: list[str]) -> int:
    env = {k: v for k, v in os.environ.items() if k != "TEST_CLOCK_OFFSET"}
    env["TEST_CLOCK_NOW"] = moment.now
    env["TZ"] = moment.machine_zone
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PINNED), env.get("PYTHONPATH")]))
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        "-p",
        "no:time_machine",
    ]
    command += PARALLEL
    command += pytest_args
    print(f"== {moment.name}: {moment.now} (machine zone {moment.machine_zone})", flush=True)
    started = time.monotonic()
    code = subprocess.run(command, cwd=ROOT, env=env, check=False).returncode
    print(f"== {moment.name}: exit {code} in {time.monotonic() - started:.0f} s", flush=True)
    return code


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--all", action="store_true", help="every moment")
    which.add_argument("--rotate", action="store_true", help="the moment of the day")
    which.add_argument("--moment", type=int, help="one moment by its number")
    which.add_argument("--list", action="store_true", help="list the moments")
    parser.add_argument("pytest_args", nargs="*", help="after --: passed to pytest")
    args = parser.parse_args()
    if args.list:
        for number, moment in enumerate(MOMENTS):
            print(f"{number}: {moment.name}: {moment.now} ({moment.machine_zone})")
        return 0
    if args.all:
        chosen = list(MOMENTS)
    elif args.rotate:  # the real day picks, so successive CI runs cover every moment
        chosen = [MOMENTS[int(time.time() // 86400) % len(MOMENTS)]]
    else:
        chosen = [MOMENTS[args.moment]]
    pytest_args = args.pytest_args or list(SUITES)
    failed = [m.name for m in chosen if run(m, pytest_args) != 0]
    if failed:
        print(f"failed at: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
