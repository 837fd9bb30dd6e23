"""`MocoSimulator`: one MOCO account served under `/api/v1` (see the package docstring)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from datetime import date
from http import HTTPStatus
from typing import Any, ClassVar

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from syncd.simulators.assumptions import Assumption
from syncd.simulators.kit import Simulator
from syncd.simulators.moco.access import api_key_of
from syncd.simulators.moco.activities import ActivityHandlers
from syncd.simulators.moco.coverage import NOT_SIMULATED
from syncd.simulators.moco.deliveries import DISABLE_AFTER
from syncd.simulators.moco.describe import describe
from syncd.simulators.moco.master_data import MasterDataHandlers
from syncd.simulators.moco.model import WEB_HOOK_EVENTS
from syncd.simulators.moco.render import web_hook_json
from syncd.simulators.moco.seeding import account_state, seed_account, web_hook_key
from syncd.simulators.moco.state import MocoAccount
from syncd.simulators.moco.web import json_response
from syncd.simulators.moco.web_hooks import WebHookHandlers, add_web_hook, is_url
from syncd.simulators.webhooks import Delivery

# MOCO: 120 requests per 2 minutes (moco.md §3). Counted per API key here; the
# docs do not say whether per key, user or account, nor fixed or sliding.
MOCO_RATE_LIMITS = [(120, 120.0)]
ASSUMPTIONS = (
    Assumption(
        "delete_status",
        200,
        (200, 204),
        "DELETE /activities/{id} answers 200 with the deleted activity (OAS, 2026); "
        "a 2022 recording of the live API shows 204 without a body.",
    ),
)


class MocoSimulator(Simulator):
    name: ClassVar[str] = "moco"
    api_prefix: ClassVar[str] = "/api/v1"
    sends_retry_after: ClassVar[bool] = False  # MOCO documents no Retry-After
    declared_assumptions: ClassVar[tuple[Assumption, ...]] = ASSUMPTIONS
    not_simulated: ClassVar[Mapping[str, str]] = NOT_SIMULATED

    def __init__(
        self,
        rate_limit: bool = True,
        *,
        rate_limits: list[tuple[int, float]] | None = None,
        delete_status: int = 200,
    ) -> None:
        super().__init__(
            rate_limits=rate_limits or list(MOCO_RATE_LIMITS),
            rate_limit=rate_limit,
            assumptions={"delete_status": delete_status},
        )
        self.account = MocoAccount()
        self._failures: Counter[int] = Counter()  # failed deliveries in a row, per hook

    @property
    def delete_status(self) -> int:
        status: int = self.assumed["delete_status"]
        return status

    def reset(self) -> None:
        with self.lock:
            self.account = MocoAccount()
            self._failures.clear()

    def seed(self, data: dict[str, Any]) -> None:
        """Add the seed's records; a bad seed raises ValueError and changes nothing."""
        with self.lock:
            staged = self.account.staged()
            seed_account(staged, data, self.clock.now())
            if len(self.account.activities):  # add the new ones to those already there
                fresh = list(staged.activities.values())
                staged.activities = self.account.activities
                staged.activities.load(fresh)
            self.account = staged

    def state(self) -> dict[str, Any]:
        with self.lock:
            return account_state(self.account)

    # -- web hooks (see `deliveries`) ------------------------------------------
    def register_webhook(self, url: str, secret: str | None, events: list[str] | None) -> Any:
        """Account web hooks on `Activity` for `events` (default: all three); `secret`
        becomes the account's signing key, which MOCO keeps one of per account."""
        wanted = list(WEB_HOOK_EVENTS) if events is None else events
        if not is_url(url):
            raise ValueError("url must be an http(s) URL")
        if not isinstance(wanted, list) or not set(wanted) <= set(WEB_HOOK_EVENTS) or not wanted:
            raise ValueError(f"events must be a list of {list(WEB_HOOK_EVENTS)}")
        with self.lock:
            if secret is not None:
                self.account.web_hook_key = web_hook_key(secret)
            now = self.clock.now().replace(microsecond=0)
            hooks = [add_web_hook(self.account, "Activity", e, url, now) for e in wanted]
            return {
                "web_hooks": [web_hook_json(h) for h in hooks],
                "signing_key": self.account.web_hook_key,
            }

    def webhook_targets(self) -> list[dict[str, Any]]:
        with self.lock:
            return [
                web_hook_json(h)
                for h in sorted(self.account.web_hooks.values(), key=lambda h: h.id)
            ]

    def webhook_result(self, delivery: Delivery, ok: bool) -> None:
        """MOCO disables a hook after 500 failures in a row; a success resets the count."""
        hook_id = delivery.source
        if hook_id is None:
            return
        with self.lock:
            self._failures[hook_id] = 0 if ok else self._failures[hook_id] + 1
            hook = self.account.web_hooks.get(hook_id)
            if hook is not None and not hook.disabled and self._failures[hook_id] >= DISABLE_AFTER:
                now = self.clock.now().replace(microsecond=0)
                hook.disabled, hook.disabled_at, hook.updated_at = True, now, now

    def set_period_lock(self, day: date | None) -> None:
        with self.lock:
            self.account.period_lock = day

    def api_routes(self) -> list[BaseRoute]:
        return [
            *ActivityHandlers(self).routes(),
            *MasterDataHandlers(self).routes(),
            *WebHookHandlers(self).routes(),
        ]

    def control_routes(self) -> list[BaseRoute]:
        return [Route("/period_lock", self._period_lock, methods=["POST"])]

    async def _period_lock(self, request: Request) -> Response:
        """`POST /_sim/period_lock {"date": "2026-10-31"}`; `{"date": null}` lifts it."""
        try:
            body = await request.json()
            raw = body.get("date") if isinstance(body, dict) else None
            day = date.fromisoformat(raw) if raw else None
        except (ValueError, TypeError) as exc:
            return JSONResponse({"error": f"bad period lock: {exc}"}, status_code=400)
        self.set_period_lock(day)
        return JSONResponse({"period_lock": day.isoformat() if day else None})

    def rate_limit_key(self, request: Request) -> str | None:
        return api_key_of(request.headers)

    def describe(self, base_url: str) -> list[str]:
        with self.lock:
            return describe(self.account, base_url)

    def unknown_route_response(self, reason: str | None, allowed: list[str]) -> Response:
        # Rails answers an unrouted path (or method) with a plain 404.
        message = f"Not Found (not simulated: {reason})" if reason else "Not Found"
        return json_response({"message": message}, 404)

    def error_response(self, status: int) -> Response:
        # OAS declares no body for 429 or 5xx; MOCO's other errors use "message".
        return json_response({"message": HTTPStatus(status).phrase}, status)
