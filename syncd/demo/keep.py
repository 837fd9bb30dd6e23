"""`syncd demo --keep`: after the story, the two simulators stay up and a real
`syncd daemon` mirrors every change within seconds, through the vendors' web hooks.

The daemon is a subprocess (`python -m syncd daemon -c CONFIG`) in its own
session, so a Ctrl-C in the terminal reaches only the demo, which then stops
the daemon with one SIGTERM (it finishes its current write and exits 0) and
the simulators after it. The config of the story gains `[http] listen` on a
free loopback port, `[webhooks]` with a fresh MOCO secret and clockodo token,
and a poll interval of an hour, so whatever changes within seconds came by
web hook. Both simulators deliver to the daemon's receivers (registered
through their control route `POST /_sim/webhooks`).
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any

import httpx
import tomli_w

from syncd.demo import scenario
from syncd.simulators.clockodo import ClockodoSimulator
from syncd.simulators.kit import RunningSimulator
from syncd.simulators.moco import MocoSimulator
from syncd.store import db

LONG_POLL = "1h"  # a change mirrored within seconds came by web hook, not by a poll
READY_TIMEOUT = 60.0
STOP_TIMEOUT = 30.0
READY_LINE = "Ctrl-C stops the daemon and both simulators."
FIRST_RUN = 'syncd_runs_total{mode="daemon-incr"'  # in /metrics after the first poll
DELIVERIES = "/_sim/webhooks"  # the simulators' list of web hook deliveries and answers
EDITED = "Edited in MOCO, mirrored by web hook"


@dataclass(frozen=True)
class Example:
    """A linked, unbilled booking a person may edit in MOCO."""

    activity: int
    user: int
    entry: int


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def add_daemon_settings(path: Path, port: int, moco_secret: str, clockodo_token: str) -> None:
    settings: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8"))
    settings["http"] = {"listen": f"127.0.0.1:{port}"}
    settings["sync"] = settings.get("sync", {}) | {
        "interval": LONG_POLL,
        "full_scan_interval": LONG_POLL,
    }
    settings["webhooks"] = {"moco_secret": moco_secret, "clockodo_token": clockodo_token}
    settings["log"] = {"level": "info"}
    path.write_text(tomli_w.dumps(settings), encoding="utf-8")


def subscribe(
    moco: RunningSimulator[MocoSimulator],
    clockodo: RunningSimulator[ClockodoSimulator],
    base: str,
    moco_secret: str,
    clockodo_token: str,
) -> None:
    """Both simulators deliver to the daemon's receivers at `base`."""
    targets = (
        (moco, {"url": f"{base}/webhooks/moco", "secret": moco_secret}),
        (clockodo, {"url": f"{base}/webhooks/clockodo", "secret": clockodo_token}),
    )
    for running, target in targets:
        httpx.post(running.root_url + DELIVERIES, json=target).raise_for_status()


def pick_example(
    moco: RunningSimulator[MocoSimulator],
    clockodo: RunningSimulator[ClockodoSimulator],
    database_url: str,
) -> Example:
    """The latest linked booking that neither side has billed."""
    from sqlalchemy import select  # noqa: PLC0415 - only the demo looks into the store

    from syncd.store.models import Link  # noqa: PLC0415

    store = db.make_engine(database_url)
    try:
        with db.session_factory(store)() as session:
            links = dict(session.execute(select(Link.moco_id, Link.clockodo_id)).tuples().all())
    finally:
        store.dispose()
    activities = {a["id"]: a for a in moco.sim.state()["activities"]}
    entries = {e["id"]: e for e in clockodo.sim.state()["entries"]}
    candidates = [
        (activities[moco_id]["date"], moco_id, clockodo_id)
        for moco_id, clockodo_id in links.items()
        if moco_id in activities
        and clockodo_id in entries
        and not activities[moco_id]["billed"]
        and entries[clockodo_id]["billable"] != 2
    ]
    if not candidates:
        raise LookupError("no linked, unbilled booking left to edit")
    _, moco_id, clockodo_id = max(candidates)
    return Example(moco_id, activities[moco_id]["user"]["id"], clockodo_id)


def moco_headers(user: int | None = None) -> list[str]:
    headers = [f"Authorization: Token token={scenario.MOCO_KEY}"]
    if user is not None:
        headers.append(f"X-IMPERSONATE-USER-ID: {user}")
    return headers


def clockodo_headers() -> list[str]:
    return [
        f"X-ClockodoApiUser: {scenario.CLOCKODO_USER}",
        f"X-ClockodoApiKey: {scenario.CLOCKODO_KEY}",
        "X-Clockodo-External-Application: syncd-demo;demo@example.com",
    ]


def curl(url: str, headers: list[str], method: str = "GET", body: str | None = None) -> str:
    parts = ["curl -s"] + ([f"-X {method}"] if method != "GET" else [])
    parts += [f"-H '{header}'" for header in headers]
    if body is not None:
        parts += ["-H 'Content-Type: application/json'", f"-d '{body}'"]
    return " ".join([*parts, f"'{url}'"])


def start_daemon(config_path: Path, log_path: Path) -> subprocess.Popen[bytes]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SYNCD_", "NOTIFY_SOCKET", "WATCHDOG_"))
    }
    command = [sys.executable, "-m", "syncd", "--log-format", "console", "daemon"]
    with log_path.open("ab") as log_file:
        return subprocess.Popen(  # noqa: S603 - this very program, with the demo's config
            [*command, "-c", str(config_path)],
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=log_file,
            env=env,
            start_new_session=True,  # the terminal's Ctrl-C is the demo's to pass on
        )


def wait_ready(daemon: subprocess.Popen[bytes], base: str, stop: threading.Event) -> bool:
    """True once the daemon's metrics count its first run (it holds the writer lock)."""
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline and not stop.is_set():
        if daemon.poll() is not None:
            return False
        try:
            if FIRST_RUN in httpx.get(base + "/metrics", timeout=2).text:
                return True
        except httpx.HTTPError:
            pass
        stop.wait(0.2)
    return False


def stop_daemon(daemon: subprocess.Popen[bytes]) -> int:
    if daemon.poll() is None:
        daemon.send_signal(signal.SIGTERM)
    try:
        return daemon.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        daemon.kill()
        return daemon.wait()


def keep_running(
    moco: RunningSimulator[MocoSimulator],
    clockodo: RunningSimulator[ClockodoSimulator],
    config_path: Path,
    say: Callable[[str], None],
) -> int:
    """Run the daemon against the simulators until SIGINT/SIGTERM; the exit code."""
    stop = threading.Event()

    def on_signal(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        return _serve(moco, clockodo, config_path, say, stop)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _serve(
    moco: RunningSimulator[MocoSimulator],
    clockodo: RunningSimulator[ClockodoSimulator],
    config_path: Path,
    say: Callable[[str], None],
    stop: threading.Event,
) -> int:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    moco_secret, clockodo_token = secrets.token_hex(32), secrets.token_urlsafe(24)
    add_daemon_settings(config_path, port, moco_secret, clockodo_token)
    database_url = tomllib.loads(config_path.read_text(encoding="utf-8"))["database"]["url"]
    example = pick_example(moco, clockodo, database_url)
    subscribe(moco, clockodo, base, moco_secret, clockodo_token)
    log_path = config_path.parent / "daemon.log"
    say("\n== Kept running: syncd daemon with web hooks ==")
    daemon = start_daemon(config_path, log_path)
    try:
        if not wait_ready(daemon, base, stop):
            if stop.is_set():
                return 0
            say(f"The daemon did not get ready; its log: {log_path}")
            return 1
        body = f'{{"description": "{EDITED}"}}'
        activity_url = f"{moco.base_url}/activities/{example.activity}"
        entry_url = f"{clockodo.base_url}/v2/entries/{example.entry}"
        moco_auth = "; ".join(moco_headers())
        clockodo_auth = "; ".join(clockodo_headers()[:2])
        for line in (
            f"MOCO simulator:     {moco.base_url}  (header {moco_auth})",
            f"clockodo simulator: {clockodo.base_url}  (headers {clockodo_auth})",
            f"config:             {config_path}",
            f"daemon log:         {log_path}",
            f"daemon health:      {base}/healthz  {base}/readyz",
            f"daemon metrics:     {base}/metrics",
            f"deliveries:         {moco.root_url}{DELIVERIES}  {clockodo.root_url}{DELIVERIES}",
            "",
            "Edit a booking in MOCO:",
            "  " + curl(activity_url, moco_headers(example.user), "PUT", body),
            "and see it in clockodo within seconds (no poll for an hour: by web hook):",
            "  " + curl(entry_url, clockodo_headers()),
            "",
            READY_LINE,
        ):
            say(line)
        sys.stdout.flush()
        while not stop.wait(0.5):
            if daemon.poll() is not None:
                say(f"The daemon stopped (exit {daemon.returncode}); its log: {log_path}")
                return 1
        say("Stopping the daemon and the simulators ...")
        return 0
    finally:
        code = stop_daemon(daemon)
        if code not in (0, -signal.SIGTERM) and stop.is_set():
            say(f"The daemon exited with {code}; its log: {log_path}")
