"""The daemon's web hook receivers, their inbox and the worker that drains it.

`POST /webhooks/moco` and `POST /webhooks/clockodo` (each only while its
secret is configured) check a delivery (syncd.core.webhooks), put the
booking it names into the `Inbox` and answer at once: MOCO wants 2xx within
10 s, and the sync that follows may take longer. Bodies over
`[webhooks] max_body_bytes` get 413, forged or unsigned ones 401, and a
standby daemon answers 503 without queueing, so the vendor retries until
the active one answers.

The `Worker` thread takes what arrived within `[webhooks] batch_window` of
the first event as one batch (duplicates and retries fold into one id) and
hands it to the daemon, which runs the engine on just those bookings, under
the writer lock like every run. Nothing is stored before the answer: a
daemon killed with events in its inbox loses them, and its successor's
first poll (every daemon polls when it becomes active) reads what they named.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from prometheus_client import CollectorRegistry, Gauge
from prometheus_client import Counter as PromCounter
from sqlalchemy.orm import Session, sessionmaker
from starlette.requests import ClientDisconnect, Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from syncd import config, log
from syncd.core import webhooks as hooks
from syncd.core.model import BySide, Side
from syncd.store import db, journal

Targets = BySide[frozenset[int]]
logger = log.get_logger("syncd.webhooks")


class TooLarge(Exception):
    pass


@dataclass
class Inbox:
    """Booking ids named by events, waiting for a targeted run; and what arrived."""

    _ids: dict[Side, set[int]] = field(default_factory=lambda: {s: set() for s in Side})
    _cond: threading.Condition = field(default_factory=threading.Condition)
    results: Counter[tuple[str, str]] = field(default_factory=Counter)  # (vendor, result)
    last_event: dict[str, datetime] = field(default_factory=dict)  # authentic deliveries
    dirty: bool = False  # results changed since the last flush

    def record(self, vendor: str, result: str, event: hooks.Event | None = None) -> None:
        with self._cond:
            self.results[(vendor, result)] += 1
            if result in ("queued", "ignored"):
                self.last_event[vendor] = datetime.now(UTC)
            if event is not None:
                self._ids[event.side].add(event.id)
            self.dirty = True
            self._cond.notify_all()

    def take(self, window: float, halt: threading.Event, wait: float = 1.0) -> Targets | None:
        """The ids gathered from the first event on for `window` seconds; None when
        nothing arrived within `wait` seconds or `halt` is set."""
        with self._cond:
            if not self._cond.wait_for(lambda: self._queued() or halt.is_set(), wait):
                return None
        if halt.is_set():
            return None
        halt.wait(window)
        with self._cond:
            batch = BySide(frozenset(self._ids[Side.MOCO]), frozenset(self._ids[Side.CLOCKODO]))
            for ids in self._ids.values():
                ids.clear()
        return batch if batch.moco or batch.clockodo else None

    def _queued(self) -> bool:
        return any(self._ids.values())

    def healthy(self, within: timedelta, vendors: list[str]) -> bool:
        """Every receiver in `vendors` got an authentic delivery within `within`."""
        now = datetime.now(UTC)
        with self._cond:
            return bool(vendors) and all(
                vendor in self.last_event and now - self.last_event[vendor] <= within
                for vendor in vendors
            )

    def snapshot(self) -> tuple[Counter[tuple[str, str]], dict[str, datetime]]:
        """What arrived since the last snapshot (counts) and the last events."""
        with self._cond:
            counts, self.results = self.results, Counter()
            self.dirty = False
            return counts, dict(self.last_event)


class WebhookMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.events = PromCounter(
            "syncd_webhook_events",
            "Web hook deliveries by vendor and result.",
            ["vendor", "result"],
            registry=registry,
        )
        self.last_event = Gauge(
            "syncd_webhook_last_event_timestamp_seconds",
            "Unix time of the last authentic web hook delivery per vendor.",
            ["vendor"],
            registry=registry,
        )
        self.healthy = Gauge(
            "syncd_webhooks_healthy",
            "1 while every configured receiver gets events (the poll may then be rarer).",
            registry=registry,
        )


class Receivers:
    """The two POST routes; `settings` gives the current [webhooks] (a reload may change
    the secrets), `active` says whether this daemon holds the writer lock. A receiver
    whose secret is not set answers 404."""

    def __init__(
        self,
        settings: Callable[[], config.WebhookSettings],
        inbox: Inbox,
        active: Callable[[], bool],
        metrics: WebhookMetrics,
    ) -> None:
        self.settings = settings
        self.inbox = inbox
        self.active = active
        self.metrics = metrics
        self._told: set[str] = set()  # clockodo handshake secrets logged already

    @property
    def vendors(self) -> list[str]:
        current = self.settings()
        on = {"moco": current.moco_secret, "clockodo": current.clockodo_token}
        return [vendor for vendor, secret in on.items() if secret is not None]

    def routes(self) -> list[BaseRoute]:
        return [
            Route(f"/webhooks/{vendor}", self._endpoint(vendor), methods=["POST"])
            for vendor in ("moco", "clockodo")
        ]

    def _endpoint(self, vendor: str) -> Callable[[Request], object]:
        async def receive(request: Request) -> Response:
            if vendor not in self.vendors:
                return PlainTextResponse(f"no {vendor} receiver configured\n", status_code=404)
            try:
                body = await _body(request, self.settings().max_body_bytes)
            except TooLarge:
                return self._answer(vendor, "too_large", 413, "body too large")
            except ClientDisconnect:
                return self._answer(vendor, "malformed", 400, "incomplete body")
            return self._handle(vendor, request, body)

        return receive

    def _handle(self, vendor: str, request: Request, body: bytes) -> Response:
        parsed = self._parse(vendor, request, body)
        if isinstance(parsed, hooks.Refused):
            result = "unauthorized" if parsed.status == 401 else "malformed"
            return self._answer(vendor, result, parsed.status, parsed.reason)
        if isinstance(parsed, hooks.Validation):
            self._tell(parsed.secret)
            return self._answer(vendor, "validation", 200, "ok")
        if not self.active():
            return self._answer(vendor, "standby", 503, "standby: not the active syncd")
        if isinstance(parsed, hooks.Ignored):
            return self._answer(vendor, "ignored", 200, "ignored")
        self.inbox.record(vendor, "queued", parsed)
        self._count(vendor, "queued")
        return PlainTextResponse("queued\n")

    def _parse(self, vendor: str, request: Request, body: bytes) -> hooks.Parsed:
        current = self.settings()
        if vendor == "moco" and current.moco_secret is not None:
            secret = current.moco_secret.get_secret_value()
            return hooks.parse_moco(secret, request.headers, body)
        if vendor == "clockodo" and current.clockodo_token is not None:
            return hooks.parse_clockodo(current.clockodo_token.get_secret_value(), body)
        return hooks.Refused(401, "receiver switched off")

    def _answer(self, vendor: str, result: str, status: int, text: str) -> Response:
        self.inbox.record(vendor, result)
        self._count(vendor, result)
        if status >= 400:
            logger.warning("web hook refused", vendor=vendor, status=status, reason=text)
        return PlainTextResponse(text + "\n", status_code=status)

    def _count(self, vendor: str, result: str) -> None:
        self.metrics.events.labels(vendor, result).inc()
        if result in ("queued", "ignored"):
            self.metrics.last_event.labels(vendor).set(time.time())

    def _tell(self, secret: str) -> None:
        """Log clockodo's set-up secret once (it goes into clockodo's UI), then redact it."""
        if secret in self._told or len(self._told) >= 16:
            return
        self._told.add(secret)
        logger.warning(
            "clockodo web hook set up: enter this secret in clockodo's web hook form",
            clockodo_secret=secret,
        )
        log.register_secrets([secret])


async def _body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise TooLarge
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise TooLarge
        chunks.append(chunk)
    return b"".join(chunks)


class Worker:
    """A thread feeding batches from the inbox to `run` until `halt` is set;
    `flush` is called whenever deliveries arrived (to record them in the store)."""

    def __init__(
        self,
        inbox: Inbox,
        settings: Callable[[], config.WebhookSettings],
        run: Callable[[Targets], None],
        flush: Callable[[], None],
        halt: threading.Event,
    ) -> None:
        self.inbox, self.settings, self.run, self.flush = inbox, settings, run, flush
        self.halt = halt
        self.thread = threading.Thread(target=self._loop, name="syncd-webhooks", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def _loop(self) -> None:
        while not self.halt.is_set():
            try:
                batch = self.inbox.take(self.settings().batch_window, self.halt)
                if batch is not None:
                    logger.info(
                        "web hook batch", moco=len(batch.moco), clockodo=len(batch.clockodo)
                    )
                    self.run(batch)
                if self.inbox.dirty:
                    self.flush()
            except Exception as exc:  # the worker outlives every failed batch
                logger.error("web hook batch failed", error=log.redact(f"{exc!r}"))


def store_marks(
    sessions: sessionmaker[Session],
    counts: Counter[tuple[str, str]],
    last: dict[str, datetime],
    poll: str,
) -> None:
    """Deliveries as watermarks (`syncd status` shows them): the last authentic event
    per vendor, running counts per vendor and result, and how often the daemon polls."""
    with db.transaction(sessions) as session:
        for (vendor, result), count in sorted(counts.items()):
            name = f"webhooks:{vendor}:events:{result}"
            before = journal.get_watermark(session, name)
            total = (int(before) if before and before.isdigit() else 0) + count
            journal.set_watermark(session, name, str(total))
        for vendor, at in sorted(last.items()):
            stamp = at.isoformat(timespec="seconds")
            journal.set_watermark(session, f"webhooks:{vendor}:last_event", stamp)
        journal.set_watermark(session, "webhooks:poll", poll)
