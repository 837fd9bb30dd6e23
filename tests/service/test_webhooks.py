"""Web hooks into a running `syncd daemon` (a real process) from both simulators.

The daemon polls once at start and then only hourly: whatever is mirrored
within seconds was mirrored through the receivers and a targeted run.
"""

from __future__ import annotations

import json
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from syncd import config
from syncd.simulators.moco.deliveries import sign
from syncd.store import db, journal
from tests.e2e.harness import World, agency_world, links, unbilled_links
from tests.service import webhook_world as hw
from tests.service.daemon_process import DaemonProcess, running_daemon

MIRROR_SECONDS = 5.0


@pytest.fixture
def pg_world(tmp_path: Path, pg_url: str) -> Iterator[World]:
    """PostgreSQL, as in production: the advisory lock dies with a killed daemon."""
    with agency_world(tmp_path, pg_url) as seeded:
        yield seeded


@pytest.fixture
def sqlite_world(tmp_path: Path) -> Iterator[World]:
    with agency_world(tmp_path, f"sqlite:///{tmp_path}/syncd.db") as seeded:
        yield seeded


def db_of(world: World) -> str:
    return str(config.load(world.config, {}).database.url)


def test_changes_on_either_side_are_mirrored_within_seconds_and_echoes_write_nothing(
    sqlite_world: World,
) -> None:
    world, db_url = sqlite_world, db_of(sqlite_world)
    port = hw.free_port()
    with hw.hooked_daemon(world, port) as daemon:
        registered = hw.subscribe(world, f"http://127.0.0.1:{port}")
        (moco_a, clockodo_a), (moco_b, clockodo_b) = unbilled_links(world, db_url)[:2]
        world.reset_stats()
        writes_before = world.writes()
        took = []

        world.edit_activity(moco_a, description="per Webhook aus MOCO")
        took.append(
            hw.eventually(
                lambda: world.entry(clockodo_a)["text"] == "per Webhook aus MOCO", "MOCO edit"
            )
        )
        world.edit_entry(clockodo_b, text="per Webhook aus clockodo")
        took.append(
            hw.eventually(
                lambda: world.activity(moco_b)["description"] == "per Webhook aus clockodo",
                "clockodo edit",
            )
        )
        hw.bulk_create(world, world.activity(moco_a), ["neu per Webhook"])
        took.append(hw.eventually(lambda: bool(hw.copies(world, "neu per Webhook")), "create"))
        world.clockodo_api("DELETE", f"/v2/entries/{clockodo_a}")
        took.append(
            hw.eventually(
                lambda: moco_a not in {a["id"] for a in world.activities()}, "clockodo delete"
            )
        )
        print("mirror seconds", took)
        assert max(took) < MIRROR_SECONDS, took
        assert len(polls(daemon)) == 1  # only the poll at start

        # syncd's own writes come back as events: each is read, found equal, left alone.
        hw.runs_settled(world, daemon)
        daemon_wrote = world.writes() - writes_before - 4  # the test's own four changes
        assert daemon_wrote == 4  # one per change: nothing echoed back
        assert hw.copies(world, "neu per Webhook") == {"neu per Webhook": 1}

        told = daemon.events(
            "clockodo web hook set up: enter this secret in clockodo's web hook form"
        )
        assert [line["clockodo_secret"] for line in told] == [registered["secret"]]
        log = "\n".join(json.dumps(line) for line in daemon.lines)
        assert hw.MOCO_SECRET not in log
        assert hw.CLOCKODO_TOKEN not in log


def polls(daemon: DaemonProcess) -> list[dict[str, object]]:
    return hw.polls(daemon)


def hooked_runs(daemon: DaemonProcess) -> list[dict[str, object]]:
    return hw.hooked_runs(daemon)


def test_forged_unsigned_and_wrong_token_deliveries_are_refused_and_queue_nothing(
    sqlite_world: World,
) -> None:
    world = sqlite_world
    port = hw.free_port()
    base = f"http://127.0.0.1:{port}"
    with hw.hooked_daemon(world, port) as daemon:
        moco_id, clockodo_id = unbilled_links(world, db_of(world))[0]
        body = json.dumps({"id": moco_id}).encode()
        moco = {"X-Moco-Target": "Activity", "X-Moco-Event": "delete"}
        forged = moco | {"X-Moco-Signature": sign("guessed-secret", body)}
        entry = {"payload": {"entry": {"id": clockodo_id}}, "event_name": "entry.deleted"}
        answers = [
            httpx.post(f"{base}/webhooks/moco", content=body, headers=moco).status_code,
            httpx.post(f"{base}/webhooks/moco", content=body, headers=forged).status_code,
            httpx.post(f"{base}/webhooks/clockodo", json=entry | {"token": "wrong"}).status_code,
            httpx.post(f"{base}/webhooks/clockodo", json=entry).status_code,
        ]
        assert answers == [401, 401, 401, 401]
        huge = b'{"id": 1, "pad": "' + b"x" * 70_000 + b'"}'
        signed = moco | {"X-Moco-Signature": sign(hw.MOCO_SECRET, huge)}
        assert httpx.post(f"{base}/webhooks/moco", content=huge, headers=signed).status_code == 413

        # A signed delete event is a hint: the activity is still there, so nothing goes.
        signed = moco | {"X-Moco-Signature": sign(hw.MOCO_SECRET, body)}
        assert httpx.post(f"{base}/webhooks/moco", content=body, headers=signed).status_code == 200
        daemon.wait_for("run finished", where=lambda e: e.get("mode") == "daemon-hook")
        assert len(hooked_runs(daemon)) == 1  # the refused ones queued nothing
        assert clockodo_id in {e["id"] for e in world.entries()}
        assert moco_id in {a["id"] for a in world.activities()}
        hw.eventually(lambda: _mark(world, "webhooks:moco:events:unauthorized") == "2", "marks")
        assert _mark(world, "webhooks:clockodo:events:unauthorized") == "2"
        assert _mark(world, "webhooks:moco:events:queued") == "1"
        assert _mark(world, "webhooks:moco:last_event") is not None
        metrics = daemon.get("/metrics").text
        assert 'syncd_webhook_events_total{result="unauthorized",vendor="moco"} 2.0' in metrics

        # A standby daemon (no writer lock) refuses, so MOCO retries to the active one.
        standby_port = hw.free_port()
        with running_daemon(world, hw.hook_env(standby_port)) as standby:
            standby.wait_for("standby: another syncd process holds the writer lock")
            url = f"http://127.0.0.1:{standby_port}/webhooks/moco"
            assert httpx.post(url, content=body, headers=signed).status_code == 503


def _mark(world: World, name: str) -> str | None:
    engine = db.make_engine(db_of(world))
    try:
        with db.transaction(db.session_factory(engine)) as session:
            return journal.get_watermark(session, name)
    finally:
        engine.dispose()


BURST = 500
CRASH_BURST = 100  # enough to kill the daemon in the middle of it


def subscribed_for_a_burst(world: World, port: int) -> dict[str, Any]:
    """Both simulators deliver to the daemon on `port`, nothing is pending; answers an
    unbilled linked activity for the burst's bookings to be like."""
    like = world.activity(unbilled_links(world, db_of(world))[0][0])
    hw.subscribe(world, f"http://127.0.0.1:{port}")
    hw.deliveries_settled(world)
    return like


def test_a_burst_of_500_events_is_absorbed_once_and_within_the_request_budget(
    sqlite_world: World,
) -> None:
    world = sqlite_world
    port = hw.free_port()
    with hw.hooked_daemon(world, port) as daemon:
        like = subscribed_for_a_burst(world, port)
        hw.delivery_settings(world, paused=True)
        texts = [f"Burst {n:03d}" for n in range(BURST)]
        hw.bulk_create(world, like, texts)
        world.reset_stats()
        hw.delivery_settings(world, paused=False, shuffle=True)  # and out of order
        took = hw.eventually(lambda: len(hw.copies(world, "Burst ")) == BURST, "the burst", 90)

        def echoes() -> int:  # clockodo's events for the entries syncd created
            return sum(batch["clockodo"] for batch in daemon.events("web hook batch"))

        hw.eventually(lambda: echoes() >= BURST, "clockodo's echoes", 60, daemon)
        hw.runs_settled(world, daemon)
        requests = {
            "moco": sum(world.moco.sim.stats.values()),
            "clockodo": sum(world.clockodo.sim.stats.values()),
        }
        assert set(hw.copies(world, "Burst ").values()) == {1}  # no duplicates
        assert world.clockodo.sim.write_count == BURST
        assert world.moco.sim.write_count == 0
        # Within what each vendor allows in one limit window (MOCO: 2 min, clockodo: 1 min).
        budget = {
            "moco": config.MocoSettings.model_fields["rate_limit"].default,
            "clockodo": config.ClockodoSettings.model_fields["rate_limit"].default,
        }
        assert requests["moco"] <= budget["moco"], requests
        assert requests["clockodo"] <= budget["clockodo"], requests
        # clockodo echoes each create; those entries are found in their person-day's
        # listing (a few reads), not read one by one (500 more).
        assert requests["clockodo"] - BURST <= 5, requests
        print(f"burst of {BURST}: mirrored in {took:.1f} s, requests {requests}")


def test_a_daemon_killed_mid_burst_loses_nothing(pg_world: World) -> None:
    world = pg_world
    port = hw.free_port()
    with hw.hooked_daemon(world, port) as daemon:
        like = subscribed_for_a_burst(world, port)
        hw.delivery_settings(world, retry_base=0.3)
        texts = {f"Crash {n:03d}" for n in range(CRASH_BURST)}
        hw.bulk_create(world, like, sorted(texts))
        hw.eventually(lambda: bool(hw.copies(world, "Crash ")), "the first copies", 60, daemon)
        daemon.proc.send_signal(signal.SIGKILL)
        daemon.wait()
    assert len(hw.copies(world, "Crash ")) < CRASH_BURST  # killed mid-burst
    with hw.hooked_daemon(world, port) as successor:
        hw.eventually(lambda: hw.copies(world, "Crash ").keys() == texts, "the rest", 90, successor)
        hw.runs_settled(world, successor)  # redeliveries too
    assert set(hw.copies(world, "Crash ").values()) == {1}
    crash_ids = {e["id"] for e in world.entries() if e["text"].startswith("Crash ")}
    assert crash_ids <= set(links(db_of(world)).values())


def test_polls_wait_while_every_receiver_gets_events(sqlite_world: World) -> None:
    world = sqlite_world
    port = hw.free_port()
    rare = {"SYNCD_SYNC__INTERVAL": "2s", "SYNCD_WEBHOOKS__HEALTHY_INTERVAL": "1h"}
    with hw.hooked_daemon(world, port, **rare) as daemon:
        hw.subscribe(world, f"http://127.0.0.1:{port}")
        hw.eventually(lambda: len(polls(daemon)) >= 2, "polls every 2 s")
        moco_id, clockodo_id = unbilled_links(world, db_of(world))[0]
        world.edit_activity(moco_id, description="gesund")  # clockodo echoes syncd's write
        hw.eventually(lambda: world.entry(clockodo_id)["text"] == "gesund", "the mirror")
        healthy = "every 1h (webhooks healthy)"
        hw.eventually(lambda: _mark(world, "webhooks:poll") == healthy, "healthy", 20)
        before = len(polls(daemon))
        time.sleep(5)  # more than two poll intervals
        assert len(polls(daemon)) <= before + 1  # at most one already under way
        assert metric(daemon, "syncd_webhooks_healthy") == 1


def metric(daemon: DaemonProcess, name: str) -> float | None:
    text = daemon.get("/metrics").text
    found = [line.split()[-1] for line in text.splitlines() if line.startswith(name + " ")]
    return float(found[0]) if found else None
