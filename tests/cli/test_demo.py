"""`syncd demo` (what `make demo` runs) tells the whole story and ends in agreement."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[2]


def test_demo_syncs_changes_both_ways_and_ends_with_nothing_to_do(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "syncd", "demo", "--dir", str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    first = out.split("== First sync")[1].split("== Meanwhile")[0]
    assert "created" in first
    assert " 0 created, 0 updated" not in first.split("MOCO:")[1].splitlines()[0]
    second = out.split("== Second sync")[1].split("== Third sync")[0]
    for symbol in ("+ clockodo", "- clockodo", "~ clockodo", "~ moco", "! conflict"):
        assert symbol in second, symbol
    assert "Plan: 1 to create, 3 to update, 1 to delete, 1 conflicts." in second
    assert "The third sync wrote 0 times: everything else agrees." in out
    first_check = out.split("== Do the totals agree?")[1].split("== syncd conflicts resolve")[0]
    (parked,) = [line for line in first_check.splitlines() if line.endswith("parked conflict")]
    assert "Clara Chen" in parked
    assert "+0.25 h" in parked
    assert "1 mapped totals differ" in first_check
    last_check = out.split("== And now? (syncd verify) ==")[1]
    assert "all mapped totals agree" in last_check
    assert "parked conflict" not in last_check
    assert (tmp_path / "syncd.db").exists()
    assert done.stderr == ""
