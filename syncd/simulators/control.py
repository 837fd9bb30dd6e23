"""The `/_sim/` control API: reset, seed, state, stats, faults, clock, assumptions,
coverage and web hooks (see the README's simulator section)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from syncd.simulators.faults import FaultConfig
from syncd.simulators.instants import utc_iso

if TYPE_CHECKING:
    from syncd.simulators.kit import Simulator


def control_routes(sim: Simulator) -> list[BaseRoute]:
    """The `/_sim/` control API every simulator has (plus its own `control_routes()`)."""
    api = _ControlApi(sim)
    return [
        Route("/reset", api.reset, methods=["POST"]),
        Route("/seed", api.seed, methods=["POST"]),
        Route("/state", api.state, methods=["GET"]),
        Route("/stats", api.stats, methods=["GET"]),
        Route("/stats/reset", api.stats_reset, methods=["POST"]),
        Route("/faults", api.faults, methods=["POST"]),
        Route("/clock", api.clock, methods=["POST"]),
        Route("/assumptions", api.assumptions, methods=["GET", "POST"]),
        Route("/coverage", api.coverage, methods=["GET"]),
        Route("/webhooks", api.webhooks, methods=["GET", "POST"]),
        Route("/webhooks/settings", api.webhook_settings, methods=["POST"]),
        *sim.control_routes(),
    ]


def _refused(exc: Exception, prefix: str = "") -> Response:
    return JSONResponse({"error": f"{prefix}{exc}"}, status_code=400)


class _ControlApi:
    def __init__(self, sim: Simulator) -> None:
        self.sim = sim

    async def reset(self, request: Request) -> Response:
        sim = self.sim
        with sim.lock:
            sim.reset()
            sim.assumed.reset()
            sim.webhooks.clear()
            sim.stats.clear()
            sim.limiter.reset()
            sim.faults.configure(FaultConfig())
        return JSONResponse({"ok": True})

    async def seed(self, request: Request) -> Response:
        try:
            data = await request.json()
            if not isinstance(data, dict):
                raise ValueError("a seed must be a JSON object")
            with self.sim.lock:
                self.sim.load_seed(data)
        except (ValueError, KeyError, TypeError) as exc:
            return _refused(exc, "bad seed: ")
        return JSONResponse({"ok": True})

    async def state(self, request: Request) -> Response:
        with self.sim.lock:
            return JSONResponse(self.sim.state())

    async def stats(self, request: Request) -> Response:
        with self.sim.lock:
            stats = self.sim.stats
            return JSONResponse({"total": sum(stats.values()), "by_route": dict(stats)})

    async def stats_reset(self, request: Request) -> Response:
        with self.sim.lock:
            self.sim.stats.clear()
        return JSONResponse({"ok": True})

    async def faults(self, request: Request) -> Response:
        try:
            config = FaultConfig.from_json(await request.json())
        except (ValueError, TypeError) as exc:
            return _refused(exc)
        with self.sim.lock:
            self.sim.faults.configure(config)
        return JSONResponse({"ok": True})

    async def clock(self, request: Request) -> Response:
        body = await request.json()
        try:
            moment = datetime.fromisoformat(body["now"]) if body.get("now") else None
        except ValueError as exc:
            return _refused(exc)
        with self.sim.lock:
            self.sim.clock.freeze(moment)
            now = utc_iso(self.sim.clock.now())
        return JSONResponse({"now": now, "frozen": moment is not None})

    async def assumptions(self, request: Request) -> Response:
        if request.method == "POST":
            try:
                with self.sim.lock:
                    self.sim.assumed.update(await request.json())
            except ValueError as exc:
                return _refused(exc)
        with self.sim.lock:
            return JSONResponse(self.sim.assumed.describe())

    async def coverage(self, request: Request) -> Response:
        return JSONResponse({"not_simulated": dict(self.sim.not_simulated)})

    async def webhooks(self, request: Request) -> Response:
        """GET: targets, settings and every delivery; POST: register a target."""
        sim = self.sim
        if request.method == "GET":
            with sim.lock:
                targets = sim.webhook_targets()
            settings = asdict(sim.webhooks.settings)
            deliveries = sim.webhooks.deliveries()
            return JSONResponse(
                {"targets": targets, "settings": settings, "deliveries": deliveries}
            )
        try:
            body = await request.json()
            if not isinstance(body, dict) or not isinstance(body.get("url"), str):
                raise ValueError('give the target as {"url": ..., "secret": ...}')
            with sim.lock:
                registered = sim.register_webhook(
                    body["url"], body.get("secret"), body.get("events")
                )
        except (ValueError, TypeError) as exc:
            return _refused(exc)
        return JSONResponse(registered)

    async def webhook_settings(self, request: Request) -> Response:
        try:
            body = await request.json()
            if not isinstance(body, dict):
                raise ValueError("settings must be an object")
            settings = self.sim.webhooks.configure(body)
        except (ValueError, TypeError) as exc:
            return _refused(exc)
        return JSONResponse(asdict(settings))
