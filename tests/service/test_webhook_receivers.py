"""The receivers on their own, over real HTTP: answers and what gets queued."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
from prometheus_client import CollectorRegistry
from pydantic import SecretStr
from structlog.testing import capture_logs

from syncd import config
from syncd.service.health import HealthServer, Verdict, build_app, listen_socket
from syncd.service.webhooks import Inbox, Receivers, WebhookMetrics
from syncd.simulators.moco.deliveries import sign

SECRET = "0123456789abcdef0123456789abcdef"


@contextmanager
def client(
    settings: config.WebhookSettings, inbox: Inbox, active: bool = True
) -> Iterator[httpx.Client]:
    registry = CollectorRegistry()
    receivers = Receivers(lambda: settings, inbox, lambda: active, WebhookMetrics(registry))
    app = build_app(lambda: True, lambda: Verdict(True, "ready"), registry, receivers.routes())
    server = HealthServer(app, listen_socket("127.0.0.1:0"))
    server.start()
    try:
        with httpx.Client(base_url=f"http://{server.address}") as web:
            yield web
    finally:
        server.stop()


def moco_only(**more: object) -> config.WebhookSettings:
    return config.WebhookSettings(moco_secret=SecretStr(SECRET), **more)  # type: ignore[arg-type]


def signed(body: bytes) -> dict[str, str]:
    return {
        "X-Moco-Target": "Activity",
        "X-Moco-Event": "update",
        "X-Moco-Signature": sign(SECRET, body),
    }


def test_a_receiver_without_its_secret_is_not_there() -> None:
    inbox = Inbox()
    with client(moco_only(), inbox) as web:
        assert web.post("/webhooks/clockodo", json={"token": "x"}).status_code == 404
    assert inbox.results == {}


def test_an_authentic_event_is_queued_and_answered_at_once() -> None:
    inbox = Inbox()
    body = b'{"id": 12}'
    with client(moco_only(), inbox) as web:
        answer = web.post("/webhooks/moco", content=body, headers=signed(body))
    assert answer.status_code == 200
    batch = inbox.take(0.0, threading.Event())
    assert batch is not None
    assert batch.moco == {12}


def chunks(size: int) -> Iterator[bytes]:
    sent = 0
    while sent < size:
        yield b" " * 1024
        sent += 1024


def test_a_body_over_the_limit_is_refused_even_without_a_content_length() -> None:
    inbox = Inbox()
    with client(moco_only(max_body_bytes=2048), inbox) as web:
        answer = web.post("/webhooks/moco", content=chunks(4096), headers=signed(b""))
    assert answer.status_code == 413
    assert inbox.take(0.0, threading.Event(), wait=0.01) is None


def test_clockodos_setup_secret_is_logged_once_even_when_posted_again() -> None:
    settings = config.WebhookSettings(clockodo_token=SecretStr("our-token"))
    with capture_logs() as logs, client(settings, Inbox(), active=False) as web:
        for _ in range(2):  # a standby answers the set-up too
            assert web.post("/webhooks/clockodo", json={"secret": "paste-me"}).status_code == 200
    told = [line for line in logs if line.get("clockodo_secret") == "paste-me"]
    assert len(told) == 1
