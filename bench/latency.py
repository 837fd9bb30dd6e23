"""Change-to-mirror latency of `syncd daemon`: web hooks next to polling.

    python -m bench.run --only latency            # FULL agency, poll interval 30 s
    python -m bench.run --only latency --quick    # QUICK agency, poll interval 10 s

Both simulators are seeded and synced once; then a `syncd daemon` process
runs against them twice: once polling every `interval` (no web hooks), once
with both simulators delivering web hooks to its receivers (poll hourly).
Each sample edits one linked booking through the vendor's API (alternately
MOCO and clockodo) at a random moment and measures, on the wall clock, how
long until the other side shows the edit. Edits are spread over random
phases of the poll interval, so the polling figures are what a user sees.
"""

from __future__ import annotations

import os
import random
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx

from bench import agency
from bench.run import ROOT, World

SECRET = "bench-moco-web-hook-secret"  # noqa: S105 - the simulators only
TOKEN = "bench-clockodo-web-hook-token"  # noqa: S105
TIMEOUT = 600.0


@dataclass(frozen=True)
class Latency:
    mode: str
    samples: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def p95(self) -> float:
        ordered = sorted(self.samples)
        return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]

    def row(self) -> str:
        return f"| {self.mode} | {len(self.samples)} | {self.median:.2f} s | {self.p95:.2f} s |"


def table(results: list[Latency]) -> str:
    head = "| change-to-mirror | samples | median | p95 |\n|---|---|---|---|"
    return "\n".join([head, *(r.row() for r in results)])


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def daemon(w: World, env: dict[str, str]) -> Iterator[str]:
    """`syncd daemon` on a free port; its base URL once its first run succeeded."""
    port = _free_port()
    full = {k: v for k, v in os.environ.items() if not k.startswith("SYNCD_")}
    full |= {"SYNCD_HTTP__LISTEN": f"127.0.0.1:{port}"} | env
    command = [sys.executable, "-m", "syncd", "daemon", "-c", str(w.config)]
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        command, cwd=ROOT, env=full, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait(lambda: _ready(base), "the daemon's first run")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=120)


def _ready(base: str) -> bool:
    try:
        return httpx.get(base + "/readyz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def _wait(check: Callable[[], bool], what: str) -> float:
    started = time.monotonic()
    while not check():
        if time.monotonic() - started > TIMEOUT:
            raise RuntimeError(f"timed out waiting for {what}")
        time.sleep(0.02)
    return time.monotonic() - started


class Editor:
    """Edits linked bookings through the vendors' APIs and watches the other side."""

    def __init__(self, w: World, pairs: list[tuple[int, int]]) -> None:
        self.w, self.pairs, self.count = w, pairs, 0
        self.moco = httpx.Client(headers={"Authorization": f"Token token={agency.MOCO_KEY}"})
        self.clockodo = httpx.Client(
            headers={
                "X-ClockodoApiUser": agency.CLOCKODO_USER,
                "X-ClockodoApiKey": agency.CLOCKODO_KEY,
                "X-Clockodo-External-Application": "bench;bench@example.com",
            }
        )
        self.users = {a["id"]: a["user"]["id"] for a in w.moco.sim.state()["activities"]}

    def sample(self) -> float:
        """Edit one booking; seconds until its partner shows the edit."""
        moco_id, entry_id = self.pairs[self.count % len(self.pairs)]
        self.count += 1
        text = f"latency sample {self.count}"
        if self.count % 2:
            user = {"X-IMPERSONATE-USER-ID": str(self.users[moco_id])}
            url = f"{self.w.moco.base_url}/activities/{moco_id}"
            self.moco.put(url, json={"description": text}, headers=user).raise_for_status()
            return _wait(lambda: self._entry_text(entry_id) == text, text)
        url = f"{self.w.clockodo.base_url}/v2/entries/{entry_id}"
        self.clockodo.put(url, json={"text": text}).raise_for_status()
        return _wait(lambda: self._activity_text(moco_id) == text, text)

    def _entry_text(self, entry_id: int) -> Any:
        sim = self.w.clockodo.sim
        with sim.lock:
            return sim.account.entries[entry_id].text if entry_id in sim.account.entries else None

    def _activity_text(self, moco_id: int) -> Any:
        sim = self.w.moco.sim
        with sim.lock:
            found = moco_id in sim.account.activities
            return sim.account.activities[moco_id].description if found else None


def measure(w: World, pairs: list[tuple[int, int]], interval: int, samples: int) -> list[Latency]:
    rng = random.Random(15)
    editor = Editor(w, pairs)
    results = []
    with daemon(w, {"SYNCD_SYNC__INTERVAL": f"{interval}s"}):
        taken = []
        for _ in range(samples):
            time.sleep(rng.uniform(0, interval))  # a random phase of the poll
            taken.append(editor.sample())
        results.append(Latency(f"polling every {interval} s", taken))
    hooks = {
        "SYNCD_SYNC__INTERVAL": "1h",
        "SYNCD_WEBHOOKS__MOCO_SECRET": SECRET,
        "SYNCD_WEBHOOKS__CLOCKODO_TOKEN": TOKEN,
    }
    with daemon(w, hooks) as base:
        for running, secret, vendor in (
            (w.moco, SECRET, "moco"),
            (w.clockodo, TOKEN, "clockodo"),
        ):
            body = {"url": f"{base}/webhooks/{vendor}", "secret": secret}
            httpx.post(running.root_url + "/_sim/webhooks", json=body).raise_for_status()
        taken = []
        for _ in range(samples * 2):
            time.sleep(rng.uniform(0, 2.0))
            taken.append(editor.sample())
        results.append(Latency("web hooks (poll hourly)", taken))
    return results


def linked_pairs(w: World, count: int) -> list[tuple[int, int]]:
    """`count` linked (activity, entry) pairs billed on neither side."""
    import sqlalchemy  # noqa: PLC0415

    engine = sqlalchemy.create_engine(f"sqlite:///{w.folder / 'syncd.db'}")
    with engine.connect() as connection:
        rows = connection.execute(sqlalchemy.text("SELECT moco_id, clockodo_id FROM links")).all()
    engine.dispose()
    billed = {a["id"] for a in w.moco.sim.state()["activities"] if a["billed"]}
    billed |= {e["id"] for e in w.clockodo.sim.state()["entries"] if e["billable"] == 2}
    pairs = sorted((m, c) for m, c in rows if m not in billed and c not in billed)
    return random.Random(15).sample(pairs, min(count, len(pairs)))


def run(size: Any, books: list[agency.Booking], quick: bool) -> list[Latency]:
    from bench.run import synced  # noqa: PLC0415 - bench.run imports this module lazily

    interval, samples = (10, 6) if quick else (30, 20)
    with synced(size, books) as w:
        return measure(w, linked_pairs(w, 2 * samples), interval, samples)
