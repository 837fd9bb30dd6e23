"""`syncd daemon` as a real process against both simulators.

Each test starts the daemon with a 2-second interval and watches it through
its JSON log lines, its HTTP endpoints and the simulators' state.
"""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
import tomli_w
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import func, select, text

from syncd import __version__
from syncd.core.model import Projection, Side
from syncd.service.daemon import SharedLock, skips_after
from syncd.sides.moco import MocoLocator
from syncd.simulators.kit import FaultConfig
from syncd.store import db, journal
from syncd.store.lock import writer_lock
from syncd.store.models import Intent, Run
from syncd.sync.intents import CreateIntent, encode
from tests.e2e.harness import ROOT, World, agency_world, config_for, links
from tests.service.daemon_process import DaemonProcess, running_daemon

HTTP = {"SYNCD_HTTP__LISTEN": "127.0.0.1:0", "SYNCD_HTTP__READY_MAX_AGE": "5m"}


@pytest.fixture
def world(tmp_path: Path, db_url: str) -> Iterator[World]:
    with agency_world(tmp_path, db_url) as seeded:
        yield seeded


def eventually(check: Callable[[], bool], what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def metric_values(daemon: DaemonProcess) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    answer = daemon.get("/metrics")
    assert answer.status_code == 200
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(answer.text)
        for sample in family.samples
    }


def metric(daemon: DaemonProcess, name: str, **labels: str) -> float | None:
    return metric_values(daemon).get((name, frozenset(labels.items())))


def a_linked_pair(world: World, db_url: str) -> tuple[int, int]:
    """A linked activity and entry that may still be edited (not billed, not locked)."""
    editable = {a["id"] for a in world.activities() if not a["billed"] and not a.get("locked")}
    return next((m, c) for m, c in sorted(links(db_url).items()) if m in editable)


def assert_links_join_existing_records(world: World, db_url: str) -> None:
    pairs = links(db_url)
    activities = {a["id"] for a in world.activities()}
    entries = {e["id"] for e in world.entries()}
    assert pairs, "nothing was linked"
    assert set(pairs) <= activities
    assert set(pairs.values()) <= entries


def store_leftovers(db_url: str) -> tuple[int, int]:
    """(pending write intents, runs still marked running)."""
    engine = db.make_engine(db_url)
    try:
        with engine.connect() as connection:
            pending = connection.scalar(
                select(func.count()).select_from(Intent).where(Intent.state == "pending")
            )
            running = connection.scalar(
                select(func.count()).select_from(Run).where(Run.result == "running")
            )
    finally:
        engine.dispose()
    return int(pending or 0), int(running or 0)


# -- the schedule, health and metrics ------------------------------------------------------


def test_syncs_on_schedule_and_serves_health_and_metrics(world: World, db_url: str) -> None:
    with running_daemon(world, HTTP) as daemon:
        first = daemon.wait_for("run finished")
        assert (first["mode"], first["result"]) == ("daemon-incr", "ok")
        assert_links_join_existing_records(world, db_url)
        moco_id, clockodo_id = a_linked_pair(world, db_url)

        # A change made now is carried over by a later scheduled run.
        world.edit_activity(moco_id, description="Changed while the daemon runs")
        eventually(
            lambda: world.entry(clockodo_id)["text"] == "Changed while the daemon runs",
            "the scheduled run to carry the edit over",
        )
        daemon.wait_for("run finished", count=3)

        assert (daemon.get("/healthz").status_code, daemon.get("/healthz").text) == (200, "ok\n")
        ready = daemon.get("/readyz")
        assert (ready.status_code, ready.text) == (200, "ready\n")
        assert (metric(daemon, "syncd_runs_total", mode="daemon-incr", result="ok") or 0) >= 3
        assert metric(daemon, "syncd_items_total", side="clockodo", action="create", status="done")
        assert metric(daemon, "syncd_items_total", side="clockodo", action="update", status="done")
        assert metric(daemon, "syncd_api_requests_total", api="moco", status_class="2xx")
        assert metric(daemon, "syncd_api_requests_total", api="clockodo", status_class="2xx")
        assert metric(daemon, "syncd_run_duration_seconds_count", mode="daemon-incr")
        assert (metric(daemon, "syncd_last_success_timestamp_seconds") or 0) > time.time() - 300
        assert metric(daemon, "syncd_writer_active") == 1
        assert metric(daemon, "syncd_open_conflicts") == 0
        assert metric(daemon, "syncd_pending_intents") == 0
        assert metric(daemon, "syncd_build_info", version=__version__) == 1

        daemon.signal(signal.SIGTERM)
        assert daemon.wait() == 0
    assert daemon.events("stopped")
    assert store_leftovers(db_url) == (0, 0)


# -- stopping ---------------------------------------------------------------------------------


def a_young_create_intent(world: World, db_url: str) -> None:
    """A MOCO create a killed predecessor announced just now, not (yet) found at MOCO."""
    user = world.activities()[0]["user"]["id"]
    expected = Projection(user, date(2026, 1, 5), 3600, "lost", True, False, 1, 1)
    intent = CreateIntent(Side.MOCO, 999_999_999, expected, None, MocoLocator(user, "c:1"))
    engine = db.make_engine(db_url)
    with db.transaction(db.session_factory(engine)) as session:
        payload = encode(intent)
        journal.add_intent(session, intent.kind, payload, source_side="clockodo")
    engine.dispose()


def test_creates_held_back_by_a_young_intent_run_once_it_has_settled(
    world: World, db_url: str
) -> None:
    # Runs an hour apart: only the settled intent can bring the creates before that.
    # A read timeout of 4 s lets a create land for 8 s after it was sent.
    timeouts = {"SYNCD_MOCO__READ_TIMEOUT": "4", "SYNCD_CLOCKODO__READ_TIMEOUT": "4"}
    a_young_create_intent(world, db_url)
    with running_daemon(world, {"SYNCD_SYNC__INTERVAL": "1h"} | timeouts) as daemon:
        first = daemon.wait_for("run finished")
        assert first["done"] == {}, "no creates while the earlier create may still land"
        assert first["planned"].get("create_clockodo", 0) > 0
        daemon.wait_for("creates wait for an earlier create to settle")
        second = daemon.wait_for("run finished", count=2, timeout=30)
        assert second["done"].get("create_clockodo", 0) == first["planned"]["create_clockodo"]
    assert store_leftovers(db_url)[0] == 0  # the intent was judged: abandoned


def test_sigterm_mid_run_finishes_the_current_write_and_exits_0(world: World, db_url: str) -> None:
    for running in (world.moco, world.clockodo):
        running.sim.latency_seconds = 0.15
    with running_daemon(world) as daemon:
        eventually(lambda: world.writes() >= 1, "the first write of the first run")
        daemon.signal(signal.SIGTERM)
        assert daemon.wait() == 0
    summary = daemon.wait_for("run finished")
    assert summary["result"] == "stopped"
    assert summary["results"].get("not_run", 0) > 0
    assert daemon.events("stopped")

    # Nothing half-recorded: no pending intent, no run left open, links join real records.
    assert store_leftovers(db_url) == (0, 0)
    assert_links_join_existing_records(world, db_url)
    for running in (world.moco, world.clockodo):
        running.sim.latency_seconds = 0.0
    world.run_once()
    world.reset_stats()
    world.run_once()
    assert world.writes() == 0


# -- one writer: standby and takeover ---------------------------------------------------------


def test_second_daemon_stands_by_and_takes_over_after_sigkill(world: World, db_url: str) -> None:
    with running_daemon(world, HTTP) as first:
        first.wait_for("run finished")
        with running_daemon(world, HTTP) as second:
            second.wait_for("standby: another syncd process holds the writer lock")
            standby = second.get("/readyz")
            assert (standby.status_code, standby.text) == (503, "standby\n")
            assert second.get("/healthz").status_code == 200
            done = len(first.events("run finished"))
            first.wait_for("run finished", count=done + 2)  # the second had time to interfere
            assert second.events("run finished") == []
            assert second.events("writer lock acquired: active") == []
            assert metric(second, "syncd_writer_active") == 0
            assert metric(second, "syncd_runs_total", mode="daemon-incr", result="ok") is None

            first.proc.kill()
            assert first.wait() == -signal.SIGKILL
            moco_id, clockodo_id = a_linked_pair(world, db_url)
            world.edit_activity(moco_id, description="Changed after the first daemon died")

            second.wait_for("writer lock acquired: active")
            second.wait_for("run finished")
            eventually(
                lambda: world.entry(clockodo_id)["text"] == "Changed after the first daemon died",
                "the second daemon to carry the edit over",
            )
            eventually(lambda: second.get("/readyz").status_code == 200, "readiness")
            second.signal(signal.SIGTERM)
            assert second.wait() == 0


def test_losing_the_postgres_lock_means_standby_until_it_is_back(
    tmp_path: Path, pg_url: str
) -> None:
    with agency_world(tmp_path, pg_url) as world, running_daemon(world) as daemon:
        daemon.wait_for("run finished")
        engine = db.make_engine(pg_url)
        try:
            with engine.connect() as connection:
                killed = connection.scalar(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = "
                        "'advisory' AND database = (SELECT oid FROM pg_database "
                        "WHERE datname = current_database())"
                    )
                )
        finally:
            engine.dispose()
        assert killed
        daemon.wait_for("lost the writer lock (its database connection broke): standby")
        daemon.wait_for("writer lock acquired: active", count=2)  # nobody else wanted it
        runs = len(daemon.events("run finished"))
        daemon.wait_for("run finished", count=runs + 1)
        daemon.signal(signal.SIGTERM)
        assert daemon.wait() == 0


# -- failures, reloads, systemd ---------------------------------------------------------------


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_failed_runs_back_off_and_the_daemon_keeps_going(world: World) -> None:
    world.moco.sim.faults.configure(FaultConfig(error_rate=1.0, statuses=[401]))
    with running_daemon(world, HTTP) as daemon:
        daemon.wait_for("backing off", where=lambda e: e["failed_runs"] == 2)
        daemon.wait_for("run skipped: backing off")
        assert daemon.get("/healthz").status_code == 200
        assert daemon.get("/readyz").status_code == 503
        world.moco.sim.faults.configure(FaultConfig())
        daemon.wait_for("runs succeed again")
        failed = metric(daemon, "syncd_runs_total", mode="daemon-incr", result="failed")
        assert (failed or 0) >= 2
        assert metric(daemon, "syncd_consecutive_failed_runs") == 0
        daemon.signal(signal.SIGTERM)
        assert daemon.wait() == 0


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_sighup_reloads_the_config_and_keeps_the_old_one_when_bad(world: World) -> None:
    good = world.config.read_text(encoding="utf-8")
    with running_daemon(world) as daemon:
        window = daemon.wait_for("run finished")["window"]

        world.config.write_text(good + "\n[sync\n", encoding="utf-8")  # malformed TOML
        daemon.signal(signal.SIGHUP)
        failed = daemon.wait_for("config reload failed; keeping the running configuration")
        assert "malformed TOML" in failed["error"]
        runs = len(daemon.events("run finished"))
        daemon.wait_for("run finished", count=runs + 1)  # still syncing

        narrower = good.replace("[sync]", "[sync]\nwindow_days = 3", 1)
        assert narrower != good
        world.config.write_text(narrower, encoding="utf-8")
        daemon.signal(signal.SIGHUP)
        daemon.wait_for("config reloaded")
        narrowed = daemon.wait_for("run finished", where=lambda e: e["window"] != window)
        first, last = (date.fromisoformat(day) for day in narrowed["window"].split(".."))
        assert last - first == timedelta(days=4)  # 3 days back to tomorrow

        world.config.write_text(narrower.replace("syncd.db", "elsewhere.db"), encoding="utf-8")
        daemon.signal(signal.SIGHUP)
        daemon.wait_for("config reload refused: a restart is needed to change [database] url")
        daemon.signal(signal.SIGTERM)
        assert daemon.wait() == 0


class NotifyListener:
    """A unix datagram socket standing in for systemd (abstract name, as in a container)."""

    def __init__(self) -> None:
        self.address = f"@syncd-test-{uuid.uuid4().hex}"
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind("\0" + self.address[1:])
        self.sock.settimeout(0.2)
        self.messages: list[str] = []
        self._closed = threading.Event()
        self._thread = threading.Thread(target=self._receive, daemon=True)
        self._thread.start()

    def _receive(self) -> None:
        while not self._closed.is_set():
            try:
                self.messages.append(self.sock.recv(4096).decode())
            except TimeoutError:
                continue

    def count(self, line: str) -> int:
        return sum(line in message.splitlines() for message in list(self.messages))

    def close(self) -> None:
        self._closed.set()
        self._thread.join(timeout=5)
        self.sock.close()


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_systemd_hears_ready_watchdog_status_and_stopping(world: World) -> None:
    systemd = NotifyListener()
    try:
        env = {"NOTIFY_SOCKET": systemd.address, "WATCHDOG_USEC": "400000"}
        with running_daemon(world, env) as daemon:
            eventually(lambda: systemd.count("READY=1") == 1, "READY=1")
            eventually(lambda: systemd.count("WATCHDOG=1") >= 2, "watchdog pings")
            daemon.wait_for("run finished")
            eventually(
                lambda: any("STATUS=active: last run ok at" in m for m in systemd.messages),
                "a status line about the last run",
            )
            daemon.signal(signal.SIGTERM)
            assert daemon.wait() == 0
        assert systemd.count("STOPPING=1") == 1
        assert daemon.events("http listening") == []  # [http] listen unset: no server
    finally:
        systemd.close()


# -- refusing to start ------------------------------------------------------------------------


def start_and_fail(config: Path, *env_pairs: tuple[str, str]) -> subprocess.CompletedProcess[str]:
    env = {"PATH": "/usr/bin:/bin", **dict(env_pairs)}
    return subprocess.run(
        [sys.executable, "-m", "syncd", "daemon", "-c", str(config)],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=60,
        check=False,
    )


@pytest.fixture
def offline_config(tmp_path: Path) -> Path:
    path = tmp_path / "syncd.toml"
    settings = config_for(
        "http://127.0.0.1:9/api/v1", "http://127.0.0.1:9/api", f"sqlite:///{tmp_path}/s.db", {}
    )
    path.write_text(tomli_w.dumps(settings), encoding="utf-8")
    return path


def test_a_bad_config_exits_2(offline_config: Path) -> None:
    done = start_and_fail(offline_config, ("SYNCD_SYNC__INTERVAL", "0s"))
    assert done.returncode == 2
    assert done.stderr.strip() == (
        "syncd: SYNCD_SYNC__INTERVAL: [sync] interval: must be longer than zero"
    )


def test_an_old_schema_exits_5_and_a_taken_port_exits_1(offline_config: Path) -> None:
    done = start_and_fail(offline_config)
    assert done.returncode == 5
    assert "syncd db upgrade" in done.stderr
    db_url = f"sqlite:///{offline_config.parent}/s.db"
    engine = db.make_engine(db_url)
    db.upgrade(engine)
    engine.dispose()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = start_and_fail(offline_config, ("SYNCD_HTTP__LISTEN", f"127.0.0.1:{port}"))
    assert done.returncode == 1
    assert f"syncd: cannot listen on 127.0.0.1:{port}: Address already in use" in done.stderr


def test_backoff_doubles_in_whole_intervals_up_to_about_an_hour() -> None:
    assert [skips_after(n, 300) for n in range(7)] == [0, 0, 1, 3, 7, 11, 11]
    assert skips_after(40, 2) == 1799  # 2-second interval: an hour is 1800 of them
    assert skips_after(5, 7200) == 0  # intervals beyond an hour: never skip


def test_the_shared_lock_stands_for_runs_in_other_threads(tmp_path: Path) -> None:
    # filelock tracks a lock per thread; the daemon's runs ask from their own thread.
    engine = db.make_engine(f"sqlite:///{tmp_path}/s.db")
    shared = SharedLock(writer_lock(engine))
    seen: list[bool] = []

    def ask() -> None:
        seen.append(shared.is_alive())

    assert not shared.is_alive()
    assert shared.try_acquire()
    asker = threading.Thread(target=ask)
    asker.start()
    asker.join()
    assert seen == [True]
    assert not writer_lock(db.make_engine(f"sqlite:///{tmp_path}/s.db")).try_acquire()
    shared.release()
    assert not shared.is_alive()
    assert writer_lock(db.make_engine(f"sqlite:///{tmp_path}/s.db")).try_acquire()
