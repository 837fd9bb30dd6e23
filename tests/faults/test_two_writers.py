"""Two `syncd run-once` started at the same moment on one database: one writes,
the other steps aside with its own exit code (or waits, when asked to)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from syncd.exitcodes import ExitCode
from tests.crash.harness import clockodo_bookings, moco_bookings
from tests.e2e.harness import ROOT, World, agency_world, links


def start(world: World, *args: str) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SYNCD_")}
    return subprocess.Popen(
        [sys.executable, "-m", "syncd", "run-once", "-c", str(world.config), *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(process: subprocess.Popen[str]) -> tuple[int, str, str]:
    stdout, stderr = process.communicate(timeout=120)
    return process.returncode, stdout, stderr


def assert_exactly_once(world: World, db_url: str) -> None:
    pairs = links(db_url)
    assert len(pairs) == len(world.activities())
    assert moco_bookings(world) == clockodo_bookings(world)
    world.reset_stats()
    world.run_once()
    assert world.writes() == 0


def test_the_second_writer_exits_with_its_own_code(tmp_path: Path, db_url: str) -> None:
    with agency_world(tmp_path, db_url) as world:
        # Slow vendors keep the first run busy while the second one starts.
        world.moco.sim.latency_seconds = world.clockodo.sim.latency_seconds = 0.05
        first, second = start(world), start(world)
        results = sorted([finish(first), finish(second)], key=lambda result: result[0])
        (winner_code, _, _), (loser_code, loser_out, loser_err) = results
        assert (winner_code, loser_code) == (ExitCode.OK, ExitCode.LOCKED)
        assert loser_out == ""
        assert loser_err.startswith("syncd: another syncd process holds")
        assert loser_err.count("\n") == 1
        world.moco.sim.latency_seconds = world.clockodo.sim.latency_seconds = 0.0
        assert_exactly_once(world, db_url)


def test_a_waiting_second_writer_runs_after_the_first(tmp_path: Path, db_url: str) -> None:
    with agency_world(tmp_path, db_url) as world:
        world.moco.sim.latency_seconds = world.clockodo.sim.latency_seconds = 0.05
        first, second = start(world, "--wait", "60"), start(world, "--wait", "60")
        codes = [finish(first)[0], finish(second)[0]]
        assert codes == [ExitCode.OK, ExitCode.OK]
        world.moco.sim.latency_seconds = world.clockodo.sim.latency_seconds = 0.0
        assert_exactly_once(world, db_url)
