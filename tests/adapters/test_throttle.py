"""The throttle keeps bursts under every window, on a fake clock."""

from __future__ import annotations

import threading
from bisect import bisect_left

import pytest

from syncd.adapters.throttle import (
    CLOCKODO_WINDOWS,
    MOCO_WINDOWS,
    RateLimit,
    Throttle,
    shared_throttle,
    with_margin,
)


class FakeClock:
    """Monotonic time that only moves when somebody sleeps."""

    def __init__(self) -> None:
        self.now = 0.0
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self.now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.now += seconds


def max_in_any_window(instants: list[float], seconds: float) -> int:
    """The most instants inside any half-open span (t - seconds, t]."""
    ordered = sorted(instants)
    return max(
        (i + 1 - bisect_left(ordered, t - seconds + 1e-9, hi=i + 1) for i, t in enumerate(ordered)),
        default=0,
    )


def test_a_burst_stays_under_one_window() -> None:
    clock = FakeClock()
    throttle = Throttle([RateLimit(10, 60.0)], clock=clock, sleep=clock.sleep)
    granted = []
    for _ in range(35):
        throttle.acquire()
        granted.append(clock())
    assert max_in_any_window(granted, 60.0) == 10
    # The first ten go at once; then one batch of ten per minute.
    assert granted[:10] == [0.0] * 10
    assert granted[10] == 60.0
    assert granted[34] == 180.0


def test_a_burst_stays_under_every_window_at_once() -> None:
    clock = FakeClock()
    windows = [RateLimit(5, 1.0), RateLimit(12, 10.0), RateLimit(20, 60.0)]
    throttle = Throttle(windows, clock=clock, sleep=clock.sleep)
    granted = []
    for _ in range(70):
        throttle.acquire()
        granted.append(clock())
    for window in windows:
        assert max_in_any_window(granted, window.seconds) <= window.limit
    # Tight: each limit is actually reached (the throttle does not idle needlessly).
    assert max_in_any_window(granted, 60.0) == 20


def test_acquire_reports_the_wait() -> None:
    clock = FakeClock()
    throttle = Throttle([RateLimit(2, 10.0)], clock=clock, sleep=clock.sleep)
    assert [throttle.acquire() for _ in range(3)] == [0.0, 0.0, 10.0]


def test_time_passing_frees_the_window() -> None:
    clock = FakeClock()
    throttle = Throttle([RateLimit(2, 10.0)], clock=clock, sleep=clock.sleep)
    throttle.acquire()
    throttle.acquire()
    clock.sleep(10.0)
    assert throttle.acquire() == 0.0


def test_hold_delays_everybody() -> None:
    clock = FakeClock()
    throttle = Throttle([RateLimit(100, 1.0)], clock=clock, sleep=clock.sleep)
    throttle.hold(5.0)
    assert throttle.acquire() == 5.0
    assert throttle.acquire() == 0.0


def test_concurrent_callers_share_the_limit() -> None:
    """Threads reserve slots under the lock; the slots they were given never break a window."""
    clock = FakeClock()
    slots: list[float] = []
    slots_lock = threading.Lock()

    def sleep_until_slot(seconds: float) -> None:
        with slots_lock:
            slots.append(clock() + seconds)

    throttle = Throttle(
        [RateLimit(4, 1.0), RateLimit(10, 5.0)], clock=clock, sleep=sleep_until_slot
    )

    def burst() -> None:
        for _ in range(10):
            if throttle.acquire() == 0.0:
                with slots_lock:
                    slots.append(clock())

    threads = [threading.Thread(target=burst) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(slots) == 60
    assert max_in_any_window(slots, 1.0) <= 4
    assert max_in_any_window(slots, 5.0) <= 10


def test_margin_shrinks_vendor_limits_and_pads_their_windows() -> None:
    assert with_margin(MOCO_WINDOWS, 0.9) == (RateLimit(108, 121.0),)
    assert with_margin(CLOCKODO_WINDOWS, 0.9, padding_seconds=0.0) == (
        RateLimit(810, 60.0),
        RateLimit(2025, 900.0),
        RateLimit(4050, 3600.0),
    )
    assert with_margin([RateLimit(1, 1.0)], 0.5, 0.0) == (RateLimit(1, 1.0),)
    with pytest.raises(ValueError, match="margin"):
        with_margin(MOCO_WINDOWS, 1.5)


def test_windows_are_validated() -> None:
    with pytest.raises(ValueError, match="limit"):
        RateLimit(0, 1.0)
    with pytest.raises(ValueError, match="at least one window"):
        Throttle([])


def test_clients_with_the_same_identity_share_one_throttle() -> None:
    first = shared_throttle("test-api", "key-A", MOCO_WINDOWS)
    assert shared_throttle("test-api", "key-A", MOCO_WINDOWS) is first
    assert shared_throttle("test-api", "key-B", MOCO_WINDOWS) is not first
    assert shared_throttle("other-api", "key-A", MOCO_WINDOWS) is not first
    with pytest.raises(ValueError, match="other limits"):
        shared_throttle("test-api", "key-A", CLOCKODO_WINDOWS)
