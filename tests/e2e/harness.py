"""A seeded agency on both simulators, and `syncd` run against it as a real process.

The simulators run in this test process (threads, real HTTP on loopback);
syncd runs as a subprocess with its own config file, exactly as cron would
run it. Bookings are edited through the vendors' own APIs.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import tomli_w

from syncd.demo import scenario
from syncd.simulators.clockodo import ClockodoSimulator
from syncd.simulators.kit import RunningSimulator, serve_in_thread
from syncd.simulators.moco import MocoSimulator
from syncd.store import db
from tests import clock

ROOT = Path(__file__).parents[2]
PERSON_BY_CLOCKODO = {p.clockodo: p for p in scenario.PEOPLE}
CLOCKODO_HEADERS = {
    "X-ClockodoApiUser": scenario.CLOCKODO_USER,
    "X-ClockodoApiKey": scenario.CLOCKODO_KEY,
    "X-Clockodo-External-Application": "tests;tests@example.com",
}


@dataclass
class World:
    moco: RunningSimulator[MocoSimulator]
    clockodo: RunningSimulator[ClockodoSimulator]
    config: Path
    scenario: scenario.Scenario
    http: httpx.Client = field(default_factory=httpx.Client)  # keep-alive: edits are many

    # -- running syncd ------------------------------------------------------------
    def syncd(
        self, *args: str, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        full_env = {k: v for k, v in os.environ.items() if not k.startswith("SYNCD_")}
        full_env.update(env or {})
        return subprocess.run(
            [sys.executable, "-m", "syncd", "--log-format", "json", *args, "-c", str(self.config)],
            capture_output=True,
            text=True,
            env=full_env,
            cwd=ROOT,
            check=False,
            timeout=120,
        )

    def run_once(self, *args: str, expect: int = 0) -> subprocess.CompletedProcess[str]:
        done = self.syncd("run-once", *args)
        assert done.returncode == expect, f"exit {done.returncode}\n{done.stdout}\n{done.stderr}"
        return done

    def writes(self) -> int:
        """Write requests both simulators saw since the last reset."""
        return self.moco.sim.write_count + self.clockodo.sim.write_count

    def freeze_clocks(self, *, moco: datetime | None, clockodo: datetime | None) -> None:
        """Freeze (or, with None, release) each simulator's idea of now."""
        for running, moment in ((self.moco, moco), (self.clockodo, clockodo)):
            body = {"now": moment.isoformat()} if moment else {}
            httpx.post(running.root_url + "/_sim/clock", json=body).raise_for_status()

    def reset_stats(self) -> None:
        self.moco.sim.stats.clear()
        self.clockodo.sim.stats.clear()

    # -- reading the vendors' state ------------------------------------------------------
    def activities(self) -> list[dict[str, Any]]:
        return list(self.moco.sim.state()["activities"])

    def entries(self) -> list[dict[str, Any]]:
        return list(self.clockodo.sim.state()["entries"])

    def activity(self, activity_id: int) -> dict[str, Any]:
        return next(a for a in self.activities() if a["id"] == activity_id)

    def entry(self, entry_id: int) -> dict[str, Any]:
        return next(e for e in self.entries() if e["id"] == entry_id)

    # -- editing through the vendors' APIs -------------------------------------------------
    def moco_api(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = {"Authorization": f"Token token={scenario.MOCO_KEY}"}
        headers.update(kwargs.pop("headers", {}))
        response = self.http.request(method, self.moco.base_url + path, headers=headers, **kwargs)
        assert response.status_code < 300, response.text
        return response

    def clockodo_api(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        response = self.http.request(
            method, self.clockodo.base_url + path, headers=CLOCKODO_HEADERS, **kwargs
        )
        assert response.status_code < 300, response.text
        return response

    def edit_activity(self, activity_id: int, user: int | None = None, **fields: Any) -> None:
        """Edit as the activity's user (looked up unless given)."""
        user = user or self.activity(activity_id)["user"]["id"]
        self.moco_api(
            "PUT",
            f"/activities/{activity_id}",
            json=fields,
            headers={"X-IMPERSONATE-USER-ID": str(user)},
        )

    def edit_entry(self, entry_id: int, **fields: Any) -> None:
        self.clockodo_api("PUT", f"/v2/entries/{entry_id}", json=fields)


def config_for(
    moco_url: str,
    clockodo_url: str,
    db_url: str,
    mappings: dict[str, Any],
    vendor: dict[str, Any] | None = None,
    **sync: Any,
) -> dict[str, Any]:
    """A config for the simulators; `vendor` settings (timeouts, retries) go to both APIs."""
    shared = {"rate_limit": 100_000} | (vendor or {})
    return {
        "moco": {"base_url": moco_url, "api_key": scenario.MOCO_KEY} | shared,
        "clockodo": {
            "base_url": clockodo_url,
            "api_user": scenario.CLOCKODO_USER,
            "api_key": scenario.CLOCKODO_KEY,
            "external_application": "syncd-tests;tests@example.com",
        }
        | shared,
        "database": {"url": db_url},
        "sync": sync,
        "mappings": mappings,
    }


@contextmanager
def agency_world(
    tmp_path: Path,
    db_url: str,
    *,
    days: int = 4,
    per_day: int = 2,
    vendor: dict[str, Any] | None = None,
    today: date | None = None,
    **sync: Any,
) -> Iterator[World]:
    """Both simulators seeded with the agency: bookings on the `days` workdays
    before `today` (default: today as syncd sees it, :func:`tests.clock.today`)."""
    built = scenario.build(today or clock.today(), days=days, per_day=per_day)
    moco, clockodo = MocoSimulator(rate_limit=False), ClockodoSimulator(rate_limit=False)
    moco.seed(built.moco_seed)
    clockodo.seed(built.clockodo_seed)
    with serve_in_thread(moco) as moco_running, serve_in_thread(clockodo) as clockodo_running:
        tmp_path.mkdir(parents=True, exist_ok=True)
        path = tmp_path / "syncd.toml"
        settings = config_for(
            moco_running.base_url,
            clockodo_running.base_url,
            db_url,
            built.mappings,
            vendor,
            **sync,
        )
        path.write_text(tomli_w.dumps(settings), encoding="utf-8")
        engine = db.make_engine(db_url)
        db.upgrade(engine)  # in-process: `syncd db upgrade` has tests of its own
        engine.dispose()
        world = World(moco_running, clockodo_running, path, built)
        try:
            yield world
        finally:
            world.http.close()


def links(db_url: str) -> dict[int, int]:
    """MOCO activity id -> clockodo entry id, as the store records them."""
    from sqlalchemy import select

    from syncd.store import db
    from syncd.store.models import Link

    engine = db.make_engine(db_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(select(Link.moco_id, Link.clockodo_id)).all()
    finally:
        engine.dispose()
    return dict(rows)


def parse(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))


def entry_date(entry: dict[str, Any]) -> str:
    """The local date of a clockodo entry in its user's zone (how syncd dates it)."""
    zone = ZoneInfo(PERSON_BY_CLOCKODO[entry["users_id"]].timezone)
    return parse(entry["time_since"]).astimezone(zone).date().isoformat()


def unbilled_links(world: World, db_url: str) -> list[tuple[int, int]]:
    """Linked pairs (MOCO id, clockodo id) that are billed on neither side, in id order."""
    billed = {a["id"] for a in world.activities() if a["billed"]}
    billed |= {e["id"] for e in world.entries() if e["billable"] == 2}
    return [(m, c) for m, c in sorted(links(db_url).items()) if not {m, c} & billed]
