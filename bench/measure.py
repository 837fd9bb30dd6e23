"""Run one command and record its CPU time and peak RSS in a JSON file.

    python -m bench.measure REPORT.json -- COMMAND [ARG ...]

The bench starts every measured `syncd run-once` through this small process, not
directly: on Linux a child's peak RSS (``ru_maxrss``) starts from the high-water
mark of the process it was forked from, and the bench process holds both
simulators' bookings (half a gigabyte at 100,000 per side). Forked from here, the
figure is syncd's own. The command's output and exit code pass through.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    if len(argv) < 3 or argv[1] != "--":
        print("usage: python -m bench.measure REPORT.json -- COMMAND [ARG ...]", file=sys.stderr)
        return 2
    report, command = Path(argv[0]), argv[2:]
    child = subprocess.Popen(command)  # noqa: S603 - the bench's own command line
    _, status, usage = os.wait4(child.pid, 0)
    code = os.waitstatus_to_exitcode(status)
    figures = {
        "exit": code,
        "cpu_seconds": usage.ru_utime + usage.ru_stime,
        "peak_rss_mb": usage.ru_maxrss / 1024,  # kilobytes on Linux
    }
    report.write_text(json.dumps(figures), encoding="utf-8")
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
