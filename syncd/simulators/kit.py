"""Shared machinery of the MOCO and clockodo simulators.

Each simulator is a `Simulator` subclass holding its account state and its API
routes; this module wraps those routes with what every real network has and
tests need to control: a clock that can be frozen, request statistics, rate
limits, latency and injected faults (errors, hangs, dropped connections, lost
responses after a write was applied). It also builds the app (API, the
`/_sim/` control API of `control.py`, vendor-shaped answers for unrouted
paths) and serves it over real HTTP, in a thread for tests or in the
foreground for `syncd sim`; web hook deliveries (`webhooks.py`) stop with
the server.
"""

from __future__ import annotations

import asyncio
import json
import re
import socket
import threading
import time
from collections import Counter, deque
from collections.abc import Awaitable, Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, ClassVar, Generic, Literal, TypeVar

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route

from syncd.simulators.assumptions import Assumption, Assumptions
from syncd.simulators.control import control_routes
from syncd.simulators.coverage import METHODS, NotSimulated
from syncd.simulators.faults import (
    DroppedConnection,
    DroppingResponse,
    Fault,
    FaultConfig,
    FaultInjector,
    FaultKind,
    ScriptedFault,
)
from syncd.simulators.instants import SimClock, utc_iso
from syncd.simulators.webhooks import Delivery, Dispatcher

__all__ = [
    "DroppedConnection",
    "Endpoint",
    "Fault",
    "FaultConfig",
    "FaultKind",
    "RunningSimulator",
    "ScriptedFault",
    "SimClock",
    "Simulator",
    "build_app",
    "load_seed_file",
    "serve_forever",
    "serve_in_thread",
    "template_of",
    "utc_iso",
]

Endpoint = Callable[[Request], Awaitable[Response]]
Phase = Literal["before", "after"]
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def template_of(route_path: str) -> str:
    """A Starlette route path as an OpenAPI path template (`{id:int}` → `{id}`)."""
    return re.sub(r"\{(\w+):\w+\}", r"{\1}", route_path)


class SlidingWindowLimiter:
    """Counts requests per key in several sliding windows (e.g. 120 per 120 s).

    Uses the monotonic clock, not `SimClock`: rate limits protect the server in
    real time even while the simulated date is frozen.
    """

    def __init__(self, limits: list[tuple[int, float]]) -> None:
        self.limits = limits
        self.enabled = True
        self._hits: dict[str, deque[float]] = {}

    def check(self, key: str) -> float | None:
        """Record a hit; answer None when allowed, else seconds until allowed."""
        if not self.enabled or not self.limits:
            return None
        now = time.monotonic()
        hits = self._hits.setdefault(key, deque())
        longest = max(seconds for _, seconds in self.limits)
        while hits and hits[0] <= now - longest:
            hits.popleft()
        for count, seconds in self.limits:
            in_window = [h for h in hits if h > now - seconds]
            if len(in_window) >= count:
                return max(in_window[-count] + seconds - now, 0.001)
        hits.append(now)
        return None

    def reset(self) -> None:
        self._hits.clear()


RequestHook = Callable[[str, Phase], None]


class Simulator:
    """Base class: account state plus API routes, served behind the kit's wrapper.

    Subclasses implement `reset`, `seed`, `state`, `api_routes` and
    `rate_limit_key`, and may override `error_response` / `rate_limited_response`
    to answer in their vendor's shape. State methods are synchronous and guarded
    by `self.lock`, so an in-process test may also call them from its thread.
    """

    name: ClassVar[str]
    api_prefix: ClassVar[str]
    # Whether the vendor's own 429 carries Retry-After (injected 429 faults
    # carry it whenever the fault configuration sets `retry_after`).
    sends_retry_after: ClassVar[bool] = True
    # Guesses where the vendor's documents are silent, switchable at run time.
    declared_assumptions: ClassVar[tuple[Assumption, ...]] = ()
    # Documented operations this simulator does not serve (see `coverage`).
    not_simulated: ClassVar[Mapping[str, str]] = {}

    def __init__(
        self,
        *,
        rate_limits: list[tuple[int, float]],
        rate_limit: bool = True,
        assumptions: Mapping[str, Any] | None = None,
    ) -> None:
        self.lock = threading.RLock()
        self.assumed = Assumptions(self.declared_assumptions, assumptions)
        # Web hook deliveries: a worker thread posts them; the kit stops it with the server.
        self.webhooks = Dispatcher(on_result=self.webhook_result)
        self.clock = SimClock()
        self.faults = FaultInjector()
        self.limiter = SlidingWindowLimiter(rate_limits)
        self.limiter.enabled = rate_limit
        self.latency_seconds = 0.0
        self.stats: Counter[str] = Counter()
        # Called before a request is handled and after its write was applied
        # (before the answer is sent): crash tests kill the client from here.
        self.request_hook: RequestHook | None = None
        # Rewrites of successful JSON answers per route key, for tests of bad
        # data: the vendor sends nulls, unknown values, broken dates.
        self.mutations: dict[str, Callable[[Any], Any]] = {}

    # -- to implement -------------------------------------------------------
    def reset(self) -> None:
        raise NotImplementedError

    def seed(self, data: dict[str, Any]) -> None:
        raise NotImplementedError

    def state(self) -> dict[str, Any]:
        raise NotImplementedError

    def api_routes(self) -> list[BaseRoute]:
        raise NotImplementedError

    def rate_limit_key(self, request: Request) -> str | None:
        """The identity the vendor counts requests for (API key or user)."""
        raise NotImplementedError

    def control_routes(self) -> list[BaseRoute]:
        """Extra `/_sim/` routes of this vendor (e.g. lock dates); none by default."""
        return []

    def error_response(self, status: int) -> Response:
        """The body the vendor sends for an injected error status (5xx, 429)."""
        return JSONResponse({"message": "Internal Server Error"}, status_code=status)

    def register_webhook(self, url: str, secret: str | None, events: list[str] | None) -> Any:
        """`POST /_sim/webhooks`: deliver this simulator's booking events to `url`.

        Returns what was registered (JSON); raises ValueError on a bad request."""
        raise ValueError(f"the {self.name} simulator delivers no web hooks")

    def webhook_targets(self) -> list[dict[str, Any]]:
        """The registered delivery targets, for `GET /_sim/webhooks`."""
        return []

    def webhook_result(self, delivery: Delivery, ok: bool) -> None:
        """After each delivery attempt (on the delivery thread, no lock held)."""

    def describe(self, base_url: str) -> list[str]:
        """Lines for a person: how to authenticate, which people and projects exist."""
        return []

    def unknown_route_response(self, reason: str | None, allowed: list[str]) -> Response:
        """An undocumented (reason None) or not simulated route; `allowed`: the
        methods served on that path. Vendors override this with their 404 shape."""
        message = f"Not simulated: {reason}" if reason else "Not Found"
        return JSONResponse({"message": message}, status_code=404)

    def load_seed(self, data: dict[str, Any]) -> None:
        """`seed`, plus an optional `"assumptions"` object (checked before anything changes)."""
        rest = dict(data)
        wanted = rest.pop("assumptions", None)
        if wanted is not None:
            Assumptions(self.declared_assumptions).update(wanted)  # validate only
        self.seed(rest)
        if wanted is not None:
            self.assumed.update(wanted)

    def rate_limited_response(self, retry_after: float | None) -> Response:
        response = self.error_response(429)
        if retry_after is not None:
            response.headers["Retry-After"] = str(max(1, round(retry_after)))
        return response

    # -- helpers for subclasses ---------------------------------------------
    def route(self, path: str, endpoint: Endpoint, methods: list[str]) -> Route:
        """An API route whose requests pass through stats, limits and faults."""
        assert len(methods) == 1, "one method per route keeps route keys exact"
        # Keys name the path template without convertors: `{id:int}` → `{id}`.
        key = f"{methods[0]} {self.api_prefix}{template_of(path)}"

        async def wrapped(request: Request) -> Response:
            return await self._serve(key, endpoint, request)

        return Route(path, wrapped, methods=methods)

    @property
    def write_count(self) -> int:
        return sum(n for key, n in self.stats.items() if key.split(" ", 1)[0] in WRITE_METHODS)

    # -- the wrapper ----------------------------------------------------------
    async def _serve(self, key: str, endpoint: Endpoint, request: Request) -> Response:
        self.stats[key] += 1
        if self.latency_seconds:
            await asyncio.sleep(self.latency_seconds)
        is_write = request.method in WRITE_METHODS
        with self.lock:
            fault = self.faults.decide(key, is_write)
        if fault is not None and not fault.after_write:
            return await self._strike(fault)
        limit_key = self.rate_limit_key(request)
        if limit_key is not None:
            wait = self.limiter.check(limit_key)
            if wait is not None:
                return self.rate_limited_response(wait if self.sends_retry_after else None)
        self._call_hook(key, "before")
        response = await endpoint(request)
        if is_write:
            self._call_hook(key, "after")
        if fault is not None:
            return await self._strike(fault)
        mutate = self.mutations.get(key)
        return response if mutate is None else _mutated(response, mutate)

    def _call_hook(self, key: str, phase: Phase) -> None:
        if self.request_hook is not None:
            self.request_hook(key, phase)

    async def _strike(self, fault: Fault) -> Response:
        cfg = self.faults.config
        if fault.kind == "timeout":
            await asyncio.sleep(cfg.hang_seconds)
            return self.error_response(504)
        if fault.kind == "drop":
            return DroppingResponse()
        if fault.kind == "malformed":
            return Response('{"truncated": [1, 2', media_type="application/json")
        if fault.kind == "html":
            html = "<html><body><h1>502 Bad Gateway</h1></body></html>"
            return Response(html, status_code=502, media_type="text/html")
        if fault.status == 429:
            return self.rate_limited_response(cfg.retry_after)
        return self.error_response(fault.status)


def _mutated(response: Response, mutate: Callable[[Any], Any]) -> Response:
    if response.status_code >= 300:
        return response
    body = json.dumps(mutate(json.loads(bytes(response.body)))).encode()
    headers = {k: v for k, v in response.headers.items() if k.lower() != "content-length"}
    return Response(body, status_code=response.status_code, headers=headers)


def _fallback_routes(sim: Simulator, served: list[BaseRoute]) -> list[BaseRoute]:
    """Last in the API mount: not simulated and undocumented routes answer in
    the vendor's shape instead of Starlette's plain-text 404/405."""
    uncovered = NotSimulated(sim.not_simulated)

    async def fallback(request: Request) -> Response:
        path = request.url.path.removeprefix(sim.api_prefix) or "/"
        allowed = sorted(
            {
                method
                for route in served
                if isinstance(route, Route) and route.path_regex.match(path)
                for method in route.methods or ()
                if method != "HEAD"
            }
        )
        return sim.unknown_route_response(uncovered.reason(request.method, path), allowed)

    return [sim.route("/{unrouted:path}", fallback, [method]) for method in METHODS]


def build_app(sim: Simulator) -> Starlette:
    served = sim.api_routes()
    return Starlette(
        routes=[
            Mount("/_sim", routes=control_routes(sim)),
            Mount(sim.api_prefix, routes=[*served, *_fallback_routes(sim, served)]),
        ]
    )


def load_seed_file(path: str) -> dict[str, Any]:
    with open(path, encoding="utf-8") as handle:
        data = json.load(handle)
    if not isinstance(data, dict):
        raise ValueError(f"{path}: a seed must be a JSON object")
    return data


SimT = TypeVar("SimT", bound=Simulator)


@dataclass
class RunningSimulator(Generic[SimT]):
    """A simulator served over real HTTP on loopback."""

    sim: SimT
    root_url: str
    server: uvicorn.Server
    thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        return self.root_url + self.sim.api_prefix

    def stop(self) -> None:
        self.server.should_exit = True
        if self.thread is not None:
            self.thread.join(timeout=10)
        self.sim.webhooks.stop()


def _bind(host: str, port: int) -> socket.socket:
    # IPPROTO_TCP explicitly: asyncio sets TCP_NODELAY on accepted connections
    # only when the socket says proto TCP; without it every response waits
    # ~40 ms for the client's delayed ACK (Nagle).
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)
    return sock


def _server(sim: Simulator) -> uvicorn.Server:
    config = uvicorn.Config(
        build_app(sim),
        log_level="critical",  # dropped connections are intended, not news
        access_log=False,
        lifespan="off",
        timeout_graceful_shutdown=1,
    )
    return uvicorn.Server(config)


@contextmanager
def serve_in_thread(
    sim: SimT, host: str = "127.0.0.1", port: int = 0
) -> Iterator[RunningSimulator[SimT]]:
    """Serve `sim` from a background thread for the duration of the block."""
    sock = _bind(host, port)
    server = _server(sim)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    running = RunningSimulator(sim, f"http://{host}:{sock.getsockname()[1]}", server, thread)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"{sim.name} simulator did not start")
        time.sleep(0.01)
    try:
        yield running
    finally:
        running.stop()
        sock.close()


def serve_forever(sim: Simulator, host: str, port: int, on_ready: Callable[[str], None]) -> None:
    """Serve in the foreground until SIGINT/SIGTERM (uvicorn handles both);
    `on_ready` gets the API's base URL once the socket is bound."""
    sock = _bind(host, port)
    server = _server(sim)
    on_ready(f"http://{host}:{sock.getsockname()[1]}{sim.api_prefix}")
    try:
        server.run(sockets=[sock])
    finally:
        sim.webhooks.stop()
