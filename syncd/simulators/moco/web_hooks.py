"""HTTP handlers for `/account/web_hooks` (OAS "AccountWebHooks"; moco.md §9.9).

List (paginated, `ids` and `updated_after`), create, get, update (PUT and
PATCH: "Only `hook` can be changed"), delete (200 with the deleted hook),
disable and enable. Choices where MOCO is silent:
- Web hooks are account settings, so only users with the Staff permission
  manage them; others get 403 `{"errors": [...]}`.
- A create needs `target` (the OAS enum), `event` (`create`, `update` or
  `delete`) and `hook`, an http(s) URL; otherwise 422 with errors per field.
  An update without a valid `hook` is 422 the same way; other fields are
  ignored. Disabling a disabled hook (or enabling an enabled one) changes
  nothing.
- Deliveries sign with the account's one signing key (not per hook), as the
  docs describe; it is seeded as `web_hook_key` or set via `/_sim/webhooks`.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from syncd.simulators.moco.access import authenticate
from syncd.simulators.moco.model import WEB_HOOK_EVENTS, WEB_HOOK_TARGETS, WebHook
from syncd.simulators.moco.render import web_hook_json
from syncd.simulators.moco.state import MocoAccount, forbidden, not_found, unprocessable
from syncd.simulators.moco.web import Query, guarded, json_response, paginate, parse_body, path_id

if TYPE_CHECKING:
    from syncd.simulators.moco.simulator import MocoSimulator

BASE = "/account/web_hooks"


def is_url(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    parts = urlparse(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _errors(body: dict[str, Any], *, creating: bool) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if creating and body.get("target") not in WEB_HOOK_TARGETS:
        errors["target"] = ["is not included in the list"]
    if creating and body.get("event") not in WEB_HOOK_EVENTS:
        errors["event"] = ["is not included in the list"]
    if not is_url(body.get("hook")):
        errors["hook"] = ["can't be blank" if not body.get("hook") else "is invalid"]
    return errors


def add_web_hook(account: MocoAccount, target: str, event: str, url: str, now: datetime) -> WebHook:
    hook = WebHook(account.new_id("web_hook"), target, event, url, now, now)
    account.web_hooks[hook.id] = hook
    return hook


class WebHookHandlers:
    def __init__(self, sim: MocoSimulator) -> None:
        self.sim = sim

    def routes(self) -> list[BaseRoute]:
        route = self.sim.route
        one = BASE + "/{id:int}"
        return [
            route(BASE, guarded(self.list_hooks), ["GET"]),
            route(BASE, guarded(self.create), ["POST"]),
            route(one, guarded(self.show), ["GET"]),
            route(one, guarded(self.update), ["PUT"]),
            route(one, guarded(self.update), ["PATCH"]),
            route(one, guarded(self.delete), ["DELETE"]),
            route(one + "/disable", guarded(self.disable), ["PUT"]),
            route(one + "/enable", guarded(self.enable), ["PUT"]),
        ]

    def _account(self, request: Request) -> MocoAccount:
        account = self.sim.account
        if not authenticate(account, request.headers).user.staff:
            raise forbidden("The Staff permission is required to manage web hooks")
        return account

    def _hook(self, request: Request) -> WebHook:
        hook = self._account(request).web_hooks.get(path_id(request))
        if hook is None:
            raise not_found()
        return hook

    def _now(self) -> datetime:
        return self.sim.clock.now().replace(microsecond=0)

    async def list_hooks(self, request: Request) -> Response:
        with self.sim.lock:
            account = self._account(request)
            query = Query(request)
            ids, updated_after = query.integers("ids"), query.moment("updated_after")
            found = [
                h
                for h in sorted(account.web_hooks.values(), key=lambda h: h.id)
                if (ids is None or h.id in ids)
                and (updated_after is None or h.updated_at > updated_after)
            ]
            page, headers = paginate(request, found)
            return json_response([web_hook_json(h) for h in page], headers=headers)

    async def create(self, request: Request) -> Response:
        raw = await request.body()
        with self.sim.lock:
            account = self._account(request)
            body = parse_body(request, raw)
            errors = _errors(body, creating=True)
            if errors:
                raise unprocessable(errors)
            hook = add_web_hook(account, body["target"], body["event"], body["hook"], self._now())
            return json_response(web_hook_json(hook))

    async def show(self, request: Request) -> Response:
        with self.sim.lock:
            return json_response(web_hook_json(self._hook(request)))

    async def update(self, request: Request) -> Response:
        raw = await request.body()
        with self.sim.lock:
            hook = self._hook(request)
            body = parse_body(request, raw)
            errors = _errors(body, creating=False)
            if errors:
                raise unprocessable(errors)
            if body["hook"] != hook.hook:
                hook.hook, hook.updated_at = body["hook"], self._now()
            return json_response(web_hook_json(hook))

    async def delete(self, request: Request) -> Response:
        with self.sim.lock:
            hook = self._hook(request)
            del self.sim.account.web_hooks[hook.id]
            return json_response(web_hook_json(hook))

    async def disable(self, request: Request) -> Response:
        return self._switch(request, disabled=True)

    async def enable(self, request: Request) -> Response:
        return self._switch(request, disabled=False)

    def _switch(self, request: Request, *, disabled: bool) -> Response:
        with self.sim.lock:
            hook = self._hook(request)
            if hook.disabled != disabled:
                now = self._now()
                hook.disabled, hook.disabled_at, hook.updated_at = disabled, now, now
                if not disabled:
                    hook.disabled_at = None
            return json_response(web_hook_json(hook))
