"""Health over HTTP: /healthz, /readyz, /metrics, and the readiness rules against a real store."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import sqlalchemy
from prometheus_client import CollectorRegistry, Counter

from syncd import config
from syncd.service.health import (
    HealthServer,
    StoreProbe,
    Verdict,
    build_app,
    check_ready,
    listen_socket,
    ready_limit,
)
from syncd.store import db, journal, repo

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


class Switches:
    def __init__(self) -> None:
        self.alive = True
        self.verdict = Verdict(False, "standby")


@pytest.fixture
def served() -> Iterator[tuple[str, Switches]]:
    switches = Switches()
    registry = CollectorRegistry()
    Counter("syncd_runs", "Runs.", ["result"], registry=registry).labels("ok").inc(3)
    app = build_app(lambda: switches.alive, lambda: switches.verdict, registry)
    server = HealthServer(app, listen_socket("127.0.0.1:0"))
    server.start()
    try:
        yield f"http://{server.address}", switches
    finally:
        server.stop()


def test_healthz_follows_liveness(served: tuple[str, Switches]) -> None:
    base, switches = served
    assert (httpx.get(base + "/healthz").status_code, httpx.get(base + "/healthz").text) == (
        200,
        "ok\n",
    )
    switches.alive = False
    assert httpx.get(base + "/healthz").status_code == 503


def test_readyz_answers_the_verdict_and_its_reason(served: tuple[str, Switches]) -> None:
    base, switches = served
    answer = httpx.get(base + "/readyz")
    assert (answer.status_code, answer.text) == (503, "standby\n")
    switches.verdict = Verdict(True, "ready")
    answer = httpx.get(base + "/readyz")
    assert (answer.status_code, answer.text) == (200, "ready\n")


def test_metrics_in_prometheus_text_format(served: tuple[str, Switches]) -> None:
    base, _ = served
    answer = httpx.get(base + "/metrics")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain; version=0.0.4")
    assert 'syncd_runs_total{result="ok"} 3.0' in answer.text
    openmetrics = httpx.get(
        base + "/metrics", headers={"Accept": "application/openmetrics-text; version=1.0.0"}
    )
    assert openmetrics.headers["content-type"].startswith("application/openmetrics-text")
    assert openmetrics.text.endswith("# EOF\n")
    assert httpx.get(base + "/nothing-here").status_code == 404


def test_listen_addresses() -> None:
    with listen_socket("127.0.0.1:0") as sock:
        assert sock.family == socket.AF_INET
        port = sock.getsockname()[1]
        with pytest.raises(OSError, match="in use"):
            listen_socket(f"127.0.0.1:{port}").close()
    if socket.has_ipv6:
        try:
            six = listen_socket("[::1]:0")
        except OSError:
            pytest.skip("no IPv6 loopback on this machine")
        with six:
            assert six.family == socket.AF_INET6


def test_ready_limit_defaults_to_three_intervals() -> None:
    example = Path(__file__).parents[2] / "config.example.toml"
    settings = config.load(example, {"SYNCD_SYNC__INTERVAL": "5m"})
    assert ready_limit(settings) == timedelta(minutes=15)
    settings = config.load(example, {"SYNCD_HTTP__READY_MAX_AGE": "2h"})
    assert ready_limit(settings) == timedelta(hours=2)


# -- readiness against a real store -------------------------------------------------------


def record_run(probe: StoreProbe, run_id: str, result: str, finished: datetime) -> None:
    with db.transaction(probe.sessions) as session:
        run = journal.start_run(session, run_id, "daemon-incr")
        run.result, run.finished_at = result, finished


def test_readiness_rules(db_url: str) -> None:
    engine = db.make_engine(db_url)
    probe = StoreProbe(engine)
    try:
        verdict = check_ready(probe, timedelta(minutes=15), NOW)
        assert not verdict.ok
        assert verdict.reason == f"schema empty is not {probe.head}"
        db.upgrade(engine)
        assert check_ready(probe, timedelta(minutes=15), NOW) == Verdict(
            False, "no successful run yet"
        )
        record_run(probe, "old-ok", "ok", NOW - timedelta(hours=2))
        record_run(probe, "new-failed", "failed", NOW - timedelta(minutes=1))
        assert check_ready(probe, timedelta(minutes=15), NOW) == Verdict(
            False, "last successful run 2h ago (limit 15m)"
        )
        record_run(probe, "new-ok", "ok", NOW - timedelta(minutes=4))
        assert check_ready(probe, timedelta(minutes=15), NOW) == Verdict(True, "ready")
        assert probe.last_success() == NOW - timedelta(minutes=4)
    finally:
        engine.dispose()


def test_an_unreachable_database_is_not_ready() -> None:
    # Nothing listens on port 1; the connection is refused at once.
    engine = db.make_engine("postgresql+psycopg://postgres@127.0.0.1:1/none")
    try:
        verdict = check_ready(StoreProbe(engine), timedelta(minutes=15), NOW)
    finally:
        engine.dispose()
    assert not verdict.ok
    assert verdict.reason.startswith("database unavailable: ")


def test_store_figures_count_open_conflicts_and_pending_intents(db_url: str) -> None:
    engine = db.make_engine(db_url)
    db.upgrade(engine)
    probe = StoreProbe(engine)
    try:
        with db.transaction(probe.sessions) as session:
            for reason in ("both changed", "both changed again"):
                repo.open_conflict(
                    session,
                    link_id=None,
                    moco_id=1,
                    clockodo_id=2,
                    reason=reason,
                    moco=None,
                    clockodo=None,
                    base=None,
                )
            done = journal.add_intent(session, "create_moco", {})
            waiting = journal.add_intent(session, "create_clockodo", {})
            journal.finish_intent(session, done.id)
            waiting.created_at -= timedelta(hours=2)  # an intent stuck for two hours
        figures = probe.figures()
    finally:
        engine.dispose()
    assert (figures.open_conflicts, figures.pending_intents) == (2, 1)
    assert 0 <= figures.oldest_conflict_seconds < 600
    assert 2 * 3600 <= figures.oldest_intent_seconds < 2 * 3600 + 600


def test_probe_errors_are_sqlalchemy_errors() -> None:
    # check_ready relies on this to tell "database down" from a bug.
    engine = db.make_engine("postgresql+psycopg://postgres@127.0.0.1:1/none")
    try:
        with pytest.raises(sqlalchemy.exc.OperationalError):
            StoreProbe(engine).last_success()
    finally:
        engine.dispose()
