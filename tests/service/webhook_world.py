"""A `syncd daemon` with web hook receivers, and both simulators delivering to it."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx

from tests import clock
from tests.e2e.harness import World, links
from tests.service.daemon_process import DaemonProcess, running_daemon

MOCO_SECRET = "5f0c1e2d3b4a59687766554433221100"
CLOCKODO_TOKEN = "syncd-tests-clockodo-token"
LONG_POLL = "1h"  # mirrored within seconds means: not by a poll


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def hook_env(port: int, **more: str) -> dict[str, str]:
    return {
        "SYNCD_HTTP__LISTEN": f"127.0.0.1:{port}",
        "SYNCD_SYNC__INTERVAL": LONG_POLL,
        "SYNCD_SYNC__FULL_SCAN_INTERVAL": LONG_POLL,
        "SYNCD_WEBHOOKS__MOCO_SECRET": MOCO_SECRET,
        "SYNCD_WEBHOOKS__CLOCKODO_TOKEN": CLOCKODO_TOKEN,
    } | more


def eventually(
    check: Callable[[], bool],
    what: str,
    timeout: float = 60.0,
    daemon: DaemonProcess | None = None,
) -> float:
    """Seconds until `check` held (on time-out: the daemon's last log lines)."""
    started = time.monotonic()
    while not check():
        if time.monotonic() - started > timeout:
            log = "" if daemon is None else "\n" + daemon.log_text()
            raise AssertionError(f"timed out waiting for {what}{log}")
        time.sleep(0.02)
    return time.monotonic() - started


def subscribe(world: World, base: str) -> dict[str, Any]:
    """Both simulators deliver to the daemon at `base`; clockodo's registration answer."""
    moco = {"url": f"{base}/webhooks/moco", "secret": MOCO_SECRET}
    httpx.post(world.moco.root_url + "/_sim/webhooks", json=moco).raise_for_status()
    clockodo = {"url": f"{base}/webhooks/clockodo", "secret": CLOCKODO_TOKEN}
    answer = httpx.post(world.clockodo.root_url + "/_sim/webhooks", json=clockodo)
    answer.raise_for_status()
    registered: dict[str, Any] = answer.json()
    return registered


def delivery_settings(world: World, **settings: Any) -> None:
    for running in (world.moco, world.clockodo):
        url = running.root_url + "/_sim/webhooks/settings"
        httpx.post(url, json=settings).raise_for_status()


def deliveries_settled(world: World, timeout: float = 30.0) -> None:
    for running in (world.moco, world.clockodo):
        assert running.sim.webhooks.wait_idle(timeout), "deliveries still pending"


@contextmanager
def hooked_daemon(world: World, port: int, **env: str) -> Iterator[DaemonProcess]:
    """A daemon with receivers on `port`, after its first run (the poll at start)."""
    with running_daemon(world, hook_env(port, **env)) as daemon:
        daemon.wait_for("run finished")
        yield daemon


def hooked_runs(daemon: DaemonProcess) -> list[dict[str, Any]]:
    return [e for e in daemon.events("run finished") if e.get("mode") == "daemon-hook"]


def polls(daemon: DaemonProcess) -> list[dict[str, Any]]:
    return [e for e in daemon.events("run finished") if e.get("mode") != "daemon-hook"]


def bulk_create(world: World, like: dict[str, Any], texts: list[str]) -> None:
    """New activities like `like` (same user, project, task, today), 100 per request."""
    user = {"X-IMPERSONATE-USER-ID": str(like["user"]["id"])}
    for start in range(0, len(texts), 100):
        items = [
            {
                "date": clock.today().isoformat(),
                "project_id": like["project"]["id"],
                "task_id": like["task"]["id"],
                "seconds": 60,
                "description": text,
            }
            for text in texts[start : start + 100]
        ]
        world.moco_api("POST", "/activities/bulk", json={"activities": items}, headers=user)


def copies(world: World, prefix: str) -> dict[str, int]:
    """clockodo entries whose text starts with `prefix`: text -> how many."""
    found: dict[str, int] = {}
    for entry in world.entries():
        if entry["text"].startswith(prefix):
            found[entry["text"]] = found.get(entry["text"], 0) + 1
    return found


def linked_entries(db_url: str) -> set[int]:
    return set(links(db_url).values())


def runs_settled(world: World, daemon: DaemonProcess, window: float = 1.0) -> None:
    """Every delivery answered and every batch taken from the daemon's inbox synced."""
    deliveries_settled(world, 60)
    time.sleep(window + 0.5)  # the last batch is taken within a window of its first event

    def done() -> bool:
        return len(daemon.events("web hook batch")) == len(hooked_runs(daemon))

    eventually(done, "the targeted runs", daemon=daemon)
