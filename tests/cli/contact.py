"""Helpers for first-contact tests: the demo agency on both simulators, and
`syncd` run against it as a real process with a config written per test."""

from __future__ import annotations

import copy
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import tomli_w

from syncd.demo import scenario
from syncd.simulators.clockodo import ClockodoSimulator
from syncd.simulators.kit import RunningSimulator, serve_in_thread
from syncd.simulators.moco import MocoSimulator
from syncd.store import db
from tests import clock
from tests.e2e.harness import config_for

ROOT = Path(__file__).parents[2]


@dataclass(frozen=True)
class Done:
    returncode: int
    stdout: str
    stderr: str
    seconds: float


@dataclass
class Agency:
    moco: RunningSimulator[MocoSimulator]
    clockodo: RunningSimulator[ClockodoSimulator]
    built: scenario.Scenario

    def config(self, tmp_path: Path, db_url: str | None = None, **changes: Any) -> Path:
        """A config for both simulators; `changes` maps "section.key" to a value
        (None removes the key)."""
        data = config_for(
            self.moco.base_url,
            self.clockodo.base_url,
            db_url or f"sqlite:///{tmp_path / 'syncd.db'}",
            copy.deepcopy(self.built.mappings),
            {"retries": 0},
        )
        for dotted, value in changes.items():
            section, _, key = dotted.partition(".")
            if value is None:
                data[section].pop(key, None)
            else:
                data.setdefault(section, {})[key] = value
        path = tmp_path / "syncd.toml"
        path.write_text(tomli_w.dumps(data), encoding="utf-8")
        return path

    def migrated(self, tmp_path: Path, template: Path) -> str:
        """A copy of the migrated database `template` (migrating takes a while)."""
        tmp_path.mkdir(parents=True, exist_ok=True)
        if not template.exists():
            engine = db.make_engine(f"sqlite:///{template}")
            db.upgrade(engine)
            engine.dispose()
        target = tmp_path / "syncd.db"
        shutil.copyfile(template, target)
        return f"sqlite:///{target}"

    def faults(self, side: str, **body: Any) -> None:
        running = self.moco if side == "moco" else self.clockodo
        httpx.post(running.root_url + "/_sim/faults", json=body).raise_for_status()


@contextmanager
def agency() -> Iterator[Agency]:
    built = scenario.build(clock.today(), days=2, per_day=1)
    moco, clockodo = MocoSimulator(rate_limit=False), ClockodoSimulator(rate_limit=False)
    moco.seed(built.moco_seed)
    clockodo.seed(built.clockodo_seed)
    with serve_in_thread(moco) as moco_running, serve_in_thread(clockodo) as clockodo_running:
        yield Agency(moco_running, clockodo_running, built)


def invoke(*args: str, env: dict[str, str] | None = None, input: str | None = None) -> Done:
    """`syncd ARGS` in this process (quicker than a new Python; same output)."""
    from click.testing import CliRunner

    from syncd.cli import main

    started = time.monotonic()
    result = CliRunner().invoke(main, list(args), input=input, env=env, catch_exceptions=True)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return Done(result.exit_code, result.stdout, result.stderr, time.monotonic() - started)


def syncd(*args: str, cwd: Path = ROOT, env: dict[str, str] | None = None) -> Done:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("SYNCD_")}
    full_env.update(env or {})
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "syncd", *args],
        capture_output=True,
        text=True,
        env=full_env,
        cwd=cwd,
        check=False,
        timeout=60,
    )
    return Done(done.returncode, done.stdout, done.stderr, time.monotonic() - started)
