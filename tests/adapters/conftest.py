"""Shared fixtures for the adapter tests: instant retries and a roomy throttle."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from syncd.adapters.http import RequestEvent, RetryPolicy
from syncd.adapters.throttle import RateLimit, Throttle
from syncd.simulators.kit import RunningSimulator


class Sleeps(list[float]):
    """Records the waits the retry policy asked for instead of sleeping."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def retry(sleeps: Sleeps) -> RetryPolicy:
    return RetryPolicy(attempts=4, initial_wait=0.01, max_wait=0.05, jitter=0.0, sleep=sleeps)


@pytest.fixture
def throttle() -> Throttle:
    """Never limits; a `Retry-After` hold is recorded instead of slept."""
    return Throttle([RateLimit(1_000_000, 1.0)], sleep=lambda seconds: None)


@pytest.fixture
def events() -> list[RequestEvent]:
    return []


@pytest.fixture
def record(events: list[RequestEvent]) -> Callable[[RequestEvent], None]:
    return events.append


class Recorder:
    """A MockTransport handler that keeps the requests it answered."""

    def __init__(self, handler: Callable[[httpx.Request], httpx.Response]) -> None:
        self.handler = handler
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.handler(request)


def control(running: RunningSimulator[Any], action: str, body: dict[str, Any]) -> Any:
    """Call a simulator's control API (`/_sim/<action>`)."""
    answer = httpx.post(f"{running.root_url}/_sim/{action}", json=body, timeout=5)
    answer.raise_for_status()
    return answer.json()


def script(running: RunningSimulator[Any], *faults: dict[str, Any], **config: Any) -> None:
    """Set the simulator's faults: scripted ones plus random-fault settings."""
    control(running, "faults", {"script": list(faults), **config})
