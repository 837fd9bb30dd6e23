"""The daemon's HTTP side: /healthz, /readyz and /metrics (starlette under uvicorn, in a thread).

- `/healthz`: 200 while the daemon's loops are alive, in standby too (liveness:
  a restart would not help a standby).
- `/readyz`: 200 when this process is the active writer, the database answers,
  its schema is current and the last successful run is recent enough; 503 with
  a one-line reason otherwise (a standby answers 503 "standby": it is not the
  one doing the work).
- `/metrics`: the daemon's own Prometheus registry (text format, or OpenMetrics on request).
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy
import uvicorn
from prometheus_client import CollectorRegistry
from prometheus_client.exposition import choose_encoder
from sqlalchemy import func, select
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from syncd import config, log
from syncd.service.metrics import StoreFigures
from syncd.store import db, journal, repo
from syncd.store import models as rows
from syncd.sync.conflicts import DECIDED


@dataclass(frozen=True)
class Verdict:
    ok: bool
    reason: str


class StoreProbe:
    """What health and metrics read from the store (cheap queries, own connections)."""

    def __init__(self, engine: sqlalchemy.Engine) -> None:
        self.engine = engine
        self.sessions = db.session_factory(engine)
        self.head = db.head_revision(engine)  # read once: the scripts do not change

    def schema_problem(self) -> str | None:
        current = db.current_revision(self.engine)
        if current != self.head:
            return f"schema {current or 'empty'} is not {self.head}"
        return None

    def last_success(self) -> datetime | None:
        """When the newest run with result ok finished (any process, any mode)."""
        query = select(func.max(rows.Run.finished_at)).where(rows.Run.result == "ok")
        with db.transaction(self.sessions) as session:
            finished = session.scalar(query)
        if finished is not None and finished.tzinfo is None:
            finished = finished.replace(tzinfo=UTC)  # SQLite hands back naive UTC
        return finished

    def decided_conflicts(self) -> int:
        """Open conflicts an operator has settled; the writer's next run applies them."""
        query = select(func.count()).where(
            rows.Conflict.state == "open", rows.Conflict.resolution.startswith(DECIDED)
        )
        with db.transaction(self.sessions) as session:
            return int(session.scalar(query) or 0)

    def figures(self) -> StoreFigures:
        now = datetime.now(UTC)
        with db.transaction(self.sessions) as session:
            conflicts = repo.open_conflicts(session)
            intents = journal.pending_intents(session)
            return StoreFigures(
                open_conflicts=len(conflicts),
                pending_intents=len(intents),
                oldest_conflict_seconds=_oldest(now, [c.detected_at for c in conflicts]),
                oldest_intent_seconds=_oldest(now, [i.created_at for i in intents]),
            )


def _oldest(now: datetime, moments: list[datetime]) -> float:
    """Seconds since the earliest of ``moments`` (stored in UTC; SQLite drops the zone)."""
    aware = [m if m.tzinfo is not None else m.replace(tzinfo=UTC) for m in moments]
    return max(0.0, (now - min(aware)).total_seconds()) if aware else 0.0


def check_ready(probe: StoreProbe, max_age: timedelta, now: datetime) -> Verdict:
    """Database reachable, schema current, last good run no older than `max_age`."""
    try:
        problem = probe.schema_problem()
        last = None if problem else probe.last_success()
    except sqlalchemy.exc.SQLAlchemyError as exc:
        cause = exc.orig if isinstance(exc, sqlalchemy.exc.DBAPIError) else exc
        first_line = (str(cause).strip().splitlines() or [type(cause).__name__])[0]
        return Verdict(False, log.redact(f"database unavailable: {first_line}"))
    if problem is not None:
        return Verdict(False, problem)
    if last is None:
        return Verdict(False, "no successful run yet")
    age = now - last
    if age > max_age:
        shown = config.format_duration(timedelta(seconds=int(age.total_seconds())))
        limit = config.format_duration(max_age)
        return Verdict(False, f"last successful run {shown} ago (limit {limit})")
    return Verdict(True, "ready")


def ready_limit(settings: config.Settings) -> timedelta:
    """`[http] ready_max_age`, else three sync intervals."""
    return settings.http.ready_max_age or 3 * settings.sync.interval


def build_app(
    alive: Callable[[], bool],
    ready: Callable[[], Verdict],
    registry: CollectorRegistry,
    more: Sequence[BaseRoute] = (),
) -> Starlette:
    # Plain (sync) endpoints: starlette runs them in its thread pool, so a slow
    # database never blocks the event loop.
    def healthz(_: Request) -> Response:
        if alive():
            return PlainTextResponse("ok\n")
        return PlainTextResponse("scheduler not running\n", status_code=503)

    def readyz(_: Request) -> Response:
        verdict = ready()
        return PlainTextResponse(verdict.reason + "\n", status_code=200 if verdict.ok else 503)

    def metrics(request: Request) -> Response:
        # Prometheus' text format, or OpenMetrics when the scraper asks for it.
        encode, content_type = choose_encoder(request.headers.get("accept", ""))
        return Response(encode(registry), headers={"Content-Type": content_type})

    return Starlette(
        routes=[
            Route("/healthz", healthz, methods=["GET"]),
            Route("/readyz", readyz, methods=["GET"]),
            Route("/metrics", metrics, methods=["GET"]),
            *more,  # the web hook receivers (syncd.service.webhooks)
        ]
    )


def listen_socket(listen: str) -> socket.socket:
    """A listening socket for "HOST:PORT" ("[::1]:9464", ":9464" = every IPv4 address)."""
    host, _, port = listen.rpartition(":")
    host = host.strip("[]") or "0.0.0.0"  # noqa: S104 - an empty host asks for every address
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, int(port)))
        sock.listen(64)
    except OSError:
        sock.close()
        raise
    return sock


class HealthServer:
    """uvicorn serving `app` from a daemon thread on an already bound socket."""

    def __init__(self, app: Starlette, sock: socket.socket) -> None:
        self.sock = sock
        self.server = uvicorn.Server(
            uvicorn.Config(
                app,
                log_config=None,  # keep syncd's structlog set-up
                log_level="warning",
                access_log=False,
                lifespan="off",
                timeout_graceful_shutdown=2,
            )
        )
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [sock]}, name="syncd-http", daemon=True
        )

    @property
    def address(self) -> str:
        host, port = self.sock.getsockname()[:2]
        return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"

    def start(self, timeout: float = 10.0) -> None:
        self.thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the HTTP server on {self.address} did not start")
            time.sleep(0.01)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=5)
        self.sock.close()
