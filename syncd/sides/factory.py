"""Both sides of one run, built from the configuration: the clients and their limits.

The engine takes a :data:`Connect` instead of building clients itself, so the I/O
seam stays open all the way up: tests hand it sides over in-memory fakes, or over
any ``httpx`` transport.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import Any

import httpx

from syncd.adapters.clockodo.client import ClockodoClient
from syncd.adapters.http import RequestEvent, RetryPolicy
from syncd.adapters.moco.client import MocoClient
from syncd.adapters.throttle import RateLimit
from syncd.config import Settings
from syncd.core.model import BySide
from syncd.sides.base import VendorSide
from syncd.sides.clockodo import ClockodoSide
from syncd.sides.moco import MocoSide


@dataclass(frozen=True)
class Hooks:
    """What a run wants to hear from the clients: every request, and every write just
    before it is sent (the run checks it still holds the writer lock)."""

    on_request: Callable[[RequestEvent], None]
    before_write: Callable[[], None] | None = None


Sides = BySide[VendorSide[Any]]
Connect = Callable[[Hooks], AbstractContextManager[Sides]]


def build_clients(
    settings: Settings, hooks: Hooks, transport: httpx.BaseTransport | None = None
) -> tuple[MocoClient, ClockodoClient]:
    moco, clockodo = settings.moco, settings.clockodo
    minute = clockodo.rate_limit
    moco_client = MocoClient(
        moco.url,
        moco.api_key.get_secret_value(),
        timeout=httpx.Timeout(moco.read_timeout, connect=moco.connect_timeout),
        retry=RetryPolicy(attempts=moco.retries + 1, initial_wait=moco.retry_wait),
        on_request=hooks.on_request,
        before_write=hooks.before_write,
        windows=(RateLimit(moco.rate_limit, 120.0),),
        transport=transport,
    )
    clockodo_client = ClockodoClient(
        clockodo.base_url,
        clockodo.api_user,
        clockodo.api_key.get_secret_value(),
        clockodo.external_application,
        timeout=httpx.Timeout(clockodo.read_timeout, connect=clockodo.connect_timeout),
        retry=RetryPolicy(attempts=clockodo.retries + 1, initial_wait=clockodo.retry_wait),
        on_request=hooks.on_request,
        before_write=hooks.before_write,
        # The 15-minute and hourly limits scale with the per-minute one (900/2250/4500).
        windows=(
            RateLimit(minute, 60.0),
            RateLimit(minute * 5 // 2, 900.0),
            RateLimit(minute * 5, 3600.0),
        ),
        transport=transport,
    )
    return moco_client, clockodo_client


def connect_vendors(settings: Settings, transport: httpx.BaseTransport | None = None) -> Connect:
    """Sides over real HTTP clients, closed when the run ends."""

    @contextmanager
    def connect(hooks: Hooks) -> Iterator[Sides]:
        moco, clockodo = build_clients(settings, hooks, transport)
        with moco, clockodo:
            yield BySide(MocoSide(moco), ClockodoSide(clockodo))

    return connect
