"""`syncd sim ... --agency`: both simulators hold the demo agency, and say how to use it."""

from __future__ import annotations

import subprocess
import sys

import pytest

from syncd.demo import scenario
from tests.cli.contact import ROOT


@pytest.mark.parametrize(
    ("side", "expected"),
    [
        ("moco", [scenario.MOCO_KEY, "Anna Admin", "Website Relaunch"]),
        ("clockodo", [scenario.CLOCKODO_USER, scenario.CLOCKODO_KEY, "Website Relaunch"]),
    ],
)
def test_sim_agency_describes_keys_and_people(side: str, expected: list[str]) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "syncd", "sim", side, "--agency", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        assert proc.stdout is not None
        lines = []
        for line in proc.stdout:
            lines.append(line)
            if line.startswith("control:"):
                break
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    assert lines[0].startswith("http://127.0.0.1:")
    assert lines[1].startswith("auth:")
    text = "".join(lines)
    for word in expected:
        assert word in text
