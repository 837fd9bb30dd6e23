"""Injected faults: what `POST /_sim/faults` configures and how a struck request fails."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Literal

from starlette.responses import Response
from starlette.types import Receive, Scope, Send

FaultKind = Literal["status", "timeout", "drop", "malformed", "html"]


@dataclass
class ScriptedFault:
    """Strike the `nth` matching request of `route` (1-based, counted from set-up)."""

    route: str
    nth: int
    fault: FaultKind = "status"
    status: int = 500
    after_write: bool = False


@dataclass
class FaultConfig:
    """What `POST /_sim/faults` accepts; `{}` clears everything."""

    error_rate: float = 0.0
    statuses: list[int] = field(default_factory=lambda: [500, 502, 503])
    timeout_rate: float = 0.0
    drop_rate: float = 0.0
    after_write_rate: float = 0.0
    rate_429: float = 0.0
    retry_after: float | None = 1.0
    hang_seconds: float = 30.0
    routes: list[str] | None = None  # restrict random faults to these route keys
    seed: int | None = None
    script: list[ScriptedFault] = field(default_factory=list)

    @classmethod
    def from_json(cls, body: dict[str, Any]) -> FaultConfig:
        script = [ScriptedFault(**item) for item in body.pop("script", [])]
        unknown = set(body) - set(cls.__dataclass_fields__)
        if unknown:
            raise ValueError(f"unknown fault settings: {sorted(unknown)}")
        return cls(**body, script=script)


@dataclass(frozen=True)
class Fault:
    kind: FaultKind
    status: int = 500
    after_write: bool = False


class FaultInjector:
    def __init__(self) -> None:
        self.config = FaultConfig()
        self._rng = random.Random()
        self._seen: Counter[str] = Counter()

    def configure(self, config: FaultConfig) -> None:
        self.config = config
        self._rng = random.Random(config.seed)
        self._seen = Counter()

    def decide(self, route: str, is_write: bool) -> Fault | None:
        self._seen[route] += 1
        for scripted in self.config.script:
            if scripted.route == route and scripted.nth == self._seen[route]:
                return Fault(scripted.fault, scripted.status, scripted.after_write)
        cfg = self.config
        if cfg.routes is not None and route not in cfg.routes:
            return None
        roll = self._rng.random()
        for rate, fault in (
            (cfg.rate_429, Fault("status", 429)),
            (cfg.error_rate, Fault("status", self._rng.choice(cfg.statuses or [500]))),
            (cfg.timeout_rate, Fault("timeout")),
            (cfg.drop_rate, Fault("drop")),
        ):
            if roll < rate:
                return fault
            roll -= rate
        if is_write and roll < cfg.after_write_rate:
            kind: FaultKind = self._rng.choice(["drop", "status", "timeout"])
            return Fault(kind, 500, after_write=True)
        return None


class DroppedConnection(Exception):
    """Raised mid-response so the server closes the socket without a full answer."""


class DroppingResponse(Response):
    """Announces a body, then dies: the client sees the peer close the connection."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"application/json"), (b"content-length", b"64")],
            }
        )
        await send({"type": "http.response.body", "body": b'{"partial":', "more_body": True})
        raise DroppedConnection("simulated dropped connection")
