"""Web hook deliveries, sent the way vendors send them: later, from elsewhere, maybe twice.

A simulator turns a change into `Dispatcher.enqueue(url, event, body,
headers)`; one worker thread per simulator posts the deliveries, so the API
write that caused them answers at once. A non-2xx answer or a connection
error is retried after `retry_base` seconds, doubling each time, until
`max_attempts`. Fault options make delivery less tidy: `shuffle` sends due
deliveries in random order instead of oldest first, `jitter` delays each
attempt by up to that many seconds, `paused` holds everything back (and
releases it when lifted). `seed` makes the randomness repeatable.

The thread starts with the first delivery and stops (dropping what is
still pending) when the server stops: the kit calls `stop()`. The list of
deliveries keeps every pending one and the last 10,000 finished ones.
"""

from __future__ import annotations

import json
import random
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields
from typing import Any, Literal

import httpx

State = Literal["pending", "delivered", "failed"]
KEEP_FINISHED = 10_000


@dataclass
class DeliverySettings:
    """What `POST /_sim/webhooks/settings` accepts (a partial object changes only its keys)."""

    retry_base: float = 1.0  # seconds before the first retry; doubles per attempt
    max_attempts: int = 8
    timeout: float = 10.0  # MOCO: the receiver has to answer within 10 s
    shuffle: bool = False
    jitter: float = 0.0
    paused: bool = False
    seed: int | None = None

    def updated(self, changes: dict[str, Any]) -> DeliverySettings:
        known = {f.name for f in fields(self)}
        unknown = set(changes) - known
        if unknown:
            raise ValueError(f"unknown delivery settings: {sorted(unknown)}")
        merged = {**asdict(self), **changes}
        for name in ("retry_base", "timeout", "jitter"):
            if not isinstance(merged[name], int | float) or merged[name] < 0:
                raise ValueError(f"{name} must be a number of seconds")
        if not isinstance(merged["max_attempts"], int) or merged["max_attempts"] < 1:
            raise ValueError("max_attempts must be a positive integer")
        return DeliverySettings(**merged)


@dataclass
class Delivery:
    id: int
    url: str
    event: str
    body: bytes
    headers: dict[str, str]
    source: int | None = None  # what the vendor counts failures for (a MOCO hook id)
    generation: int = 0  # the dispatcher's clear() count when it was queued
    attempts: int = 0
    state: State = "pending"
    answers: list[dict[str, Any]] = field(default_factory=list)
    due: float = 0.0  # time.monotonic() of the next attempt

    def json(self) -> dict[str, Any]:
        last = self.answers[-1] if self.answers else {}
        return {
            "id": self.id,
            "url": self.url,
            "event": self.event,
            "state": self.state,
            "attempts": self.attempts,
            "status": last.get("status"),
            "answers": list(self.answers),
            "headers": dict(self.headers),
            "payload": json.loads(self.body),
        }


ResultHook = Callable[[Delivery, bool], None]


class Dispatcher:
    def __init__(self, on_result: ResultHook | None = None) -> None:
        self.settings = DeliverySettings()
        self.on_result = on_result  # called after each attempt, outside the dispatcher's lock
        self._cond = threading.Condition()
        self._pending: list[Delivery] = []
        self._log: list[Delivery] = []
        self._busy = 0  # deliveries being attempted right now
        self._generation = 0  # bumped by clear(): a delivery in flight then is not retried
        self._count = 0
        self._rng = random.Random()
        self._thread: threading.Thread | None = None
        self._stopping = False

    # -- the simulator's side -----------------------------------------------------
    def configure(self, changes: dict[str, Any]) -> DeliverySettings:
        with self._cond:
            self.settings = self.settings.updated(changes)
            if "seed" in changes:
                self._rng = random.Random(self.settings.seed)
            self._cond.notify_all()
            return self.settings

    def enqueue(
        self, url: str, event: str, body: bytes, headers: dict[str, str], source: int | None = None
    ) -> Delivery:
        with self._cond:
            self._count += 1
            delivery = Delivery(self._count, url, event, body, headers, source, self._generation)
            delivery.due = time.monotonic() + self._jitter()
            self._pending.append(delivery)
            self._log.append(delivery)
            self._trim()
            self._ensure_thread()
            self._cond.notify_all()
            return delivery

    def deliveries(self) -> list[dict[str, Any]]:
        with self._cond:
            return [d.json() for d in self._log]

    def clear(self) -> None:
        """Forget every delivery (pending ones are not sent) and restore the defaults."""
        with self._cond:
            self._pending.clear()
            self._log.clear()
            self._generation += 1
            self._count = 0
            self.settings = DeliverySettings()
            self._rng = random.Random()

    def wait_idle(self, timeout: float) -> bool:
        """Block until nothing is pending or in flight; False when `timeout` ran out."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._pending or self._busy:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(left)
            return True

    def stop(self, timeout: float = 15.0) -> None:
        """End the worker thread; what is still pending stays undelivered."""
        with self._cond:
            self._stopping = True
            thread, self._thread = self._thread, None
            self._cond.notify_all()
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    # -- the worker -------------------------------------------------------------
    def _ensure_thread(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._stopping = False
            self._thread = threading.Thread(target=self._run, name="webhooks", daemon=True)
            self._thread.start()

    def _trim(self) -> None:
        """Forget old finished deliveries, now and then (not at every delivery)."""
        if len(self._log) <= 2 * KEEP_FINISHED + len(self._pending):
            return
        finished = [d for d in self._log if d.state != "pending"]
        dropped = {id(d) for d in finished[:-KEEP_FINISHED]}
        self._log = [d for d in self._log if id(d) not in dropped]

    def _jitter(self) -> float:
        return self._rng.uniform(0, self.settings.jitter) if self.settings.jitter else 0.0

    def _run(self) -> None:
        with httpx.Client() as client:
            while (delivery := self._next()) is not None:
                ok = self._attempt(client, delivery)
                if self.on_result is not None:
                    self.on_result(delivery, ok)

    def _next(self) -> Delivery | None:
        with self._cond:
            while not self._stopping:
                now = time.monotonic()
                due = [] if self.settings.paused else [d for d in self._pending if d.due <= now]
                if due:
                    chosen = self._rng.choice(due) if self.settings.shuffle else due[0]
                    self._pending.remove(chosen)
                    self._busy += 1
                    return chosen
                later = [d.due for d in self._pending]
                wait = None if self.settings.paused or not later else max(min(later) - now, 0)
                self._cond.wait(wait)
            return None

    def _attempt(self, client: httpx.Client, delivery: Delivery) -> bool:
        try:
            answer = client.post(
                delivery.url,
                content=delivery.body,
                headers=delivery.headers,
                timeout=self.settings.timeout,
            )
            outcome: dict[str, Any] = {"status": answer.status_code}
            ok = answer.is_success
        except httpx.HTTPError as error:
            outcome, ok = {"error": f"{type(error).__name__}: {error}"}, False
        with self._cond:
            self._busy -= 1
            delivery.attempts += 1
            delivery.answers.append(outcome)
            if ok:
                delivery.state = "delivered"
            elif delivery.attempts >= self.settings.max_attempts:
                delivery.state = "failed"
            elif delivery.generation != self._generation:
                delivery.state = "failed"  # cleared meanwhile: forgotten, not retried
            else:
                backoff = self.settings.retry_base * 2 ** (delivery.attempts - 1)
                delivery.due = time.monotonic() + backoff + self._jitter()
                self._pending.append(delivery)
            self._cond.notify_all()
        return ok
