"""A process-wide, thread-safe request throttle with several sliding windows.

The vendors count requests per key (MOCO: 120 per 120 s) or per user
(clockodo: 900/60 s, 2250/900 s, 4500/3600 s). A client must stay below every
window at once, whether the vendor's windows are fixed or sliding (neither
documents which): a sliding window of N per W seconds on our side admits at
most N requests in *any* W-second span, so it satisfies both.

Why not a library: pyrate-limiter (the well-kept candidate) sleeps with the
module-level `time.sleep` and keeps a background leak thread, so neither the
wait nor the clock can be injected for a deterministic test, and it does not
say how long a caller waited, which the metrics need. The algorithm below is
short: each caller *reserves* the earliest instant at which one more request
fits every window, under a lock, then sleeps until then without the lock.
Reservations are handed out in call order, so concurrent callers queue fairly.
"""

from __future__ import annotations

import hashlib
import math
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass

DEFAULT_MARGIN = 0.9  # use 90 % of a vendor limit: other tools using the same key
# Added to each window's length. A burst refills exactly one window length after
# the first; if the vendor saw the first burst's requests arrive later than the
# second's (latency jitter), a window of the exact length would count both.
DEFAULT_PADDING_SECONDS = 1.0


@dataclass(frozen=True)
class RateLimit:
    """At most `limit` requests in any span of `seconds`."""

    limit: int
    seconds: float

    def __post_init__(self) -> None:
        if self.limit < 1 or self.seconds <= 0:
            raise ValueError(f"a rate window needs limit >= 1 and seconds > 0, got {self}")


MOCO_WINDOWS = (RateLimit(120, 120.0),)
MOCO_UNLIMITED_PLAN_WINDOWS = (RateLimit(1200, 120.0),)
CLOCKODO_WINDOWS = (RateLimit(900, 60.0), RateLimit(2250, 900.0), RateLimit(4500, 3600.0))


def with_margin(
    windows: Sequence[RateLimit], margin: float, padding_seconds: float = DEFAULT_PADDING_SECONDS
) -> tuple[RateLimit, ...]:
    """The vendor's windows made safe: `margin` of each limit (at least 1
    request), each window `padding_seconds` longer."""
    if not 0 < margin <= 1:
        raise ValueError(f"margin must be in (0, 1], got {margin}")
    if padding_seconds < 0:
        raise ValueError(f"padding_seconds must not be negative, got {padding_seconds}")
    return tuple(
        RateLimit(max(1, math.floor(w.limit * margin)), w.seconds + padding_seconds)
        for w in windows
    )


class Throttle:
    """Blocks each caller until one more request fits all windows.

    `clock` must be monotonic; `clock` and `sleep` are injectable so tests can
    run a burst on a fake clock.
    """

    def __init__(
        self,
        windows: Sequence[RateLimit],
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not windows:
            raise ValueError("a throttle needs at least one window")
        self.windows = tuple(windows)
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._granted: deque[float] = deque()  # reserved instants, ascending
        self._not_before = -math.inf
        self._longest = max(w.seconds for w in self.windows)

    def acquire(self) -> float:
        """Wait for a slot; answer the seconds spent waiting."""
        with self._lock:
            now = self._clock()
            slot = self._reserve(now)
        wait = slot - now
        if wait > 0:
            self._sleep(wait)
        return max(wait, 0.0)

    def hold(self, seconds: float) -> None:
        """Admit nobody for `seconds` (the vendor asked us to back off)."""
        with self._lock:
            self._not_before = max(self._not_before, self._clock() + seconds)

    def _reserve(self, now: float) -> float:
        granted = self._granted
        while granted and granted[0] <= now - self._longest:
            granted.popleft()
        slot = max(now, self._not_before, granted[-1] if granted else now)
        # All earlier grants are <= slot, so a window holds room at `slot` once
        # its limit-th most recent grant has left it.
        for window in self.windows:
            if len(granted) >= window.limit:
                slot = max(slot, granted[-window.limit] + window.seconds)
        granted.append(slot)
        return slot


_registry: dict[tuple[str, str], Throttle] = {}
_registry_lock = threading.Lock()


def shared_throttle(
    api: str,
    identity: str,
    windows: Sequence[RateLimit],
    *,
    margin: float = DEFAULT_MARGIN,
    padding_seconds: float = DEFAULT_PADDING_SECONDS,
) -> Throttle:
    """The one throttle of this process for (api, identity).

    `windows` are the vendor's limits (e.g. `MOCO_WINDOWS`, or
    `MOCO_UNLIMITED_PLAN_WINDOWS` for a plan with higher limits); the throttle
    applies them with `margin` and `padding_seconds`. Two clients built with
    the same identity share one throttle, so their requests add up against
    the same vendor limit. The identity (an API key or a user
    name) is kept only as a hash. The first caller's windows win; a later call
    with different windows is a configuration error.
    """
    digest = hashlib.sha256(identity.encode()).hexdigest()
    effective = with_margin(windows, margin, padding_seconds)
    with _registry_lock:
        throttle = _registry.get((api, digest))
        if throttle is None:
            throttle = _registry[(api, digest)] = Throttle(effective)
        elif throttle.windows != effective:
            raise ValueError(
                f"{api}: a throttle for this identity already exists with other limits"
            )
        return throttle
