"""SIGTERM to `syncd run-once`: the write in flight finishes, the run is recorded as
stopped, the exit code says work remains, and the next run completes it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import select

from syncd.exitcodes import ExitCode
from syncd.store import db
from syncd.store.models import Intent, Run
from tests.crash.harness import clockodo_bookings, moco_bookings
from tests.e2e.harness import ROOT, agency_world


def test_sigterm_finishes_the_current_write_and_records_the_run(
    tmp_path: Path, db_url: str
) -> None:
    with agency_world(tmp_path, db_url) as world:
        world.moco.sim.latency_seconds = world.clockodo.sim.latency_seconds = 0.1
        env = {k: v for k, v in os.environ.items() if not k.startswith("SYNCD_")}
        with subprocess.Popen(
            [sys.executable, "-m", "syncd", "run-once", "-c", str(world.config)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        ) as process:
            deadline = time.monotonic() + 60
            while world.writes() < 3 and time.monotonic() < deadline:
                time.sleep(0.05)
            process.send_signal(signal.SIGTERM)
            stdout, stderr = process.communicate(timeout=60)
        assert process.returncode == ExitCode.FAILED, stdout + stderr
        assert ": stopped (window" in stdout
        assert "not_run" in stdout
        engine = db.make_engine(db_url)
        with engine.connect() as connection:
            results = connection.execute(select(Run.result)).scalars().all()
            pending = connection.execute(select(Intent.id).where(Intent.state == "pending")).all()
        engine.dispose()
        assert results == ["stopped"]
        assert pending == [], "the write in flight was finished and recorded"
        world.moco.sim.latency_seconds = world.clockodo.sim.latency_seconds = 0.0
        world.run_once()
        assert moco_bookings(world) == clockodo_bookings(world)
        world.reset_stats()
        world.run_once()
        assert world.writes() == 0
