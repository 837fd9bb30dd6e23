"""Shared fixtures for the adapter tests: instant retries and a roomy throttle."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from syncd.adapters.http import RequestEvent, RetryPolicy
from syncd.adapters.throttle import Throttle, Window


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
    return Throttle([Window(1_000_000, 1.0)], sleep=lambda seconds: None)


@pytest.fixture
def events() -> list[RequestEvent]:
    return []


@pytest.fixture
def record(events: list[RequestEvent]) -> Callable[[RequestEvent], None]:
    return events.append
