"""The clockodo simulator: auth, routes and control routes around `Account`.

Served under `/api` (`syncd sim clockodo`, or `serve_in_thread` in tests).

Authentication [clockodo.md §1.2; statuses are our reading of the spec]:
- `X-ClockodoApiUser` + `X-ClockodoApiKey`, or HTTP Basic (e-mail:key).
  Missing or unknown credentials, or an inactive user: 401 GeneralErrors.
- `X-Clockodo-External-Application` is part of every security requirement
  of the spec, so a request without it is 401 as well; a value over 50
  characters (the SDK's limit; the docs give none) is a 400 GeneralErrors.
  The `name;email` format is not enforced (a 2023 client without the e-mail
  part was served).
- Credentials are checked first, then the external-application header.
- `X-ClockodoEnableIsoUtcDateTimes` and `Accept-Language` are accepted and
  ignored: instants are always ISO 8601 UTC, messages always English.
  Request bodies are JSON only (the spec's only request content type).
- Retired paths (v1 `/api/entries`, `/api/entrygroups`, `/api/v2/users`,
  the other legacy paths the spec lists) answer 410 with a
  SimpleErrorResponses body, without looking at credentials.

Rate limits per authenticated user: 900/min, 2,250/15 min, 4,500/h,
20,000/day (the spec's table); a 429 carries `Retry-After`. Unauthenticated
requests are not counted. Injected faults and 429s answer in the
SimpleErrorResponses shape (the live body is undocumented).

Control routes besides the kit's: `POST /_sim/edit_locks`
`{"users_id": 1, "date": "2026-10-31"}` sets a co-worker's edit lock
(`"date": null` clears it); it shows as `edit_lock` in `/v3/users`.

`POST /_sim/webhooks {"url", "secret", "events"}` subscribes a URL to entry
events (`deliveries.py`), as clockodo's UI would.

What is served and what is not: `coverage.py`. Switchable guesses (`GET
/_sim/assumptions`): `ASSUMPTIONS` below. An unknown path answers 404 and a
served path with another method 405, both in the GeneralErrors shape.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any, ClassVar

import pydantic_core
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from syncd.simulators.assumptions import Assumption
from syncd.simulators.clockodo import (
    bulk,
    clock,
    deliveries,
    entries,
    entrygroups,
    master_data,
    master_writes,
    texts,
)
from syncd.simulators.clockodo.account import Account
from syncd.simulators.clockodo.coverage import NOT_SIMULATED
from syncd.simulators.clockodo.describe import describe
from syncd.simulators.clockodo.errors import (
    ApiError,
    bad_request,
    general_error,
    simple_body,
    unauthorized,
)
from syncd.simulators.clockodo.kinds import KINDS
from syncd.simulators.clockodo.model import to_second
from syncd.simulators.clockodo.rules import Call
from syncd.simulators.kit import Endpoint, Simulator

Handler = Callable[[Call], dict[str, Any]]
RATE_LIMITS = [(900, 60.0), (2250, 900.0), (4500, 3600.0), (20000, 86400.0)]
MAX_EXTERNAL_APPLICATION = 50
# DELETE too: clients send DELETE /v2/entrygroups parameters as a JSON body.
BODY_METHODS = frozenset({"POST", "PUT", "DELETE"})
ASSUMPTIONS = (
    Assumption(
        "billed_entries_read_only",
        True,
        (True, False),
        "Billed entries (billable 2) refuse changes other than to billable, and deletion, "
        "with 403 Forbidden. The docs say nothing; invoicing tools lock billed time.",
    ),
    Assumption(
        "create_accepts_billed",
        False,
        (False, True),
        "POST /v2/entries with billable 2 is a 400: the spec types create's billable as "
        "BillableWithoutBilled (0 or 1); whether the server enforces it is not documented.",
    ),
)
RETIRED_PATHS = (
    "/entries",
    "/entries/{id}",
    "/entrygroups",
    "/absences",
    "/customers",
    "/services",
    "/lumpsumservices",
    "/users",
    "/users/me",
    "/v2/absences",
    "/v3/absences",
    "/v2/customers",
    "/v2/projects",
    "/v2/services",
    "/v3/services",
    "/v2/users",
    "/v2/users/me",
    "/v2/teams",
)
STATUS_MESSAGES = {
    429: "Too many requests. Please try again later.",
    500: "An unknown error occurred.",
    502: "Bad gateway.",
    503: "The service is temporarily unavailable.",
    504: "Gateway timeout.",
}


def credentials(request: Request) -> tuple[str, str] | None:
    """(e-mail, key) from the clockodo headers or HTTP Basic, if present."""
    user = request.headers.get("x-clockodoapiuser")
    key = request.headers.get("x-clockodoapikey")
    if user and key:
        return user, key
    scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    email, colon, secret = decoded.partition(":")
    return (email, secret) if colon and email and secret else None


class ClockodoSimulator(Simulator):
    name: ClassVar[str] = "clockodo"
    api_prefix: ClassVar[str] = "/api"
    sends_retry_after: ClassVar[bool] = True
    declared_assumptions: ClassVar[tuple[Assumption, ...]] = ASSUMPTIONS
    not_simulated: ClassVar[Mapping[str, str]] = NOT_SIMULATED

    def __init__(self, rate_limit: bool = True) -> None:
        super().__init__(rate_limits=RATE_LIMITS, rate_limit=rate_limit)
        self.account = Account()
        # Web hook subscriptions: set up in clockodo's UI, here via /_sim/webhooks.
        self.subscriptions: dict[int, deliveries.Subscription] = {}

    # -- kit interface --------------------------------------------------------
    def reset(self) -> None:
        with self.lock:
            self.account.clear()
            self.subscriptions.clear()

    def register_webhook(self, url: str, secret: str | None, events: list[str] | None) -> Any:
        with self.lock:
            return deliveries.subscribe(self, url, secret, events).json()

    def webhook_targets(self) -> list[dict[str, Any]]:
        with self.lock:
            return [s.json() for s in self.subscriptions.values()]

    def seed(self, data: dict[str, Any]) -> None:
        with self.lock:
            self.account.load(data)

    def state(self) -> dict[str, Any]:
        with self.lock:
            return self.account.dump()

    def rate_limit_key(self, request: Request) -> str | None:
        found = credentials(request)
        if found is None:
            return None
        with self.lock:
            user = self.account.api_user(*found)
        return None if user is None else f"user:{user.id}"

    def error_response(self, status: int) -> Response:
        message = STATUS_MESSAGES.get(status, "An error occurred, please try again.")
        return JSONResponse(simple_body(status, message), status_code=status)

    def describe(self, base_url: str) -> list[str]:
        with self.lock:
            return describe(self.account, base_url)

    def unknown_route_response(self, reason: str | None, allowed: list[str]) -> Response:
        if allowed:
            error = general_error(
                405, "MethodNotAllowed", f"Allowed methods: {', '.join(allowed)}."
            )
            return JSONResponse(error.body, 405, headers={"Allow": ", ".join(allowed)})
        message = "The requested resource could not be found."
        if reason:
            message = f"This endpoint is not simulated ({reason})."
        return general_error(404, "ResourceNotFound", message).response()

    def api_routes(self) -> list[BaseRoute]:
        return [*self._booking_routes(), *self._master_routes(), *self._retired_routes()]

    def _booking_routes(self) -> list[BaseRoute]:
        api = self._api
        return [
            self.route("/v2/entries", api(entries.list_entries), ["GET"]),
            self.route("/v2/entries", api(entries.create_entry), ["POST"]),
            self.route("/v2/entries/{id:int}", api(entries.get_entry), ["GET"]),
            self.route("/v2/entries/{id:int}", api(entries.update_entry), ["PUT"]),
            self.route("/v2/entries/{id:int}", api(entries.delete_entry), ["DELETE"]),
            self.route("/v2/entrygroups", api(entrygroups.entry_groups), ["GET"]),
            self.route("/v2/entrygroups", api(bulk.edit_groups), ["PUT"]),
            self.route("/v2/entrygroups", api(bulk.delete_groups), ["DELETE"]),
            self.route("/v2/clock", api(clock.clock_status), ["GET"]),
            self.route("/v2/clock", api(clock.start_clock), ["POST"]),
            self.route("/v2/clock/{id:int}", api(clock.change_duration), ["PUT"]),
            self.route("/v2/clock/{id:int}", api(clock.stop_clock), ["DELETE"]),
            self.route("/v3/entriesTexts", api(texts.entries_texts), ["GET"]),
        ]

    def _master_routes(self) -> list[BaseRoute]:
        api = self._api
        routes: list[BaseRoute] = [
            self.route("/v3/customers/countProjects", api(master_data.count_projects), ["GET"]),
            self.route(
                "/v4/projects/{id:int}/complete", api(master_writes.complete_project), ["PUT"]
            ),
            self.route("/v3/projects/{id:int}/setBilled", api(master_writes.set_billed), ["PUT"]),
            self.route(
                "/v3/subprojects/{id:int}/complete", api(master_writes.complete_subproject), ["PUT"]
            ),
            self.route("/v4/users/me", api(master_data.me), ["GET"]),
        ]
        for kind in KINDS.values():
            routes += [
                self.route(kind.path, api(master_data.lister(kind.name)), ["GET"]),
                self.route(kind.path, api(master_writes.creator(kind.name)), ["POST"]),
                self.route(kind.path + "/{id:int}", api(master_data.getter(kind.name)), ["GET"]),
                self.route(kind.path + "/{id:int}", api(master_writes.updater(kind.name)), ["PUT"]),
                self.route(
                    kind.path + "/{id:int}", api(master_writes.deleter(kind.name)), ["DELETE"]
                ),
            ]
        return routes

    def _retired_routes(self) -> list[BaseRoute]:
        return [
            self.route(path, _gone, [method])
            for path in RETIRED_PATHS
            for method in ("GET", "POST", "PUT", "DELETE")
        ]

    def control_routes(self) -> list[BaseRoute]:
        return [Route("/edit_locks", self._set_edit_lock, methods=["POST"])]

    # -- plumbing -------------------------------------------------------------
    def _api(self, handler: Handler) -> Endpoint:
        async def endpoint(request: Request) -> Response:
            raw = await request.body() if request.method in BODY_METHODS else b""
            try:
                with self.lock:
                    call = self._call(request, raw)
                    answer = handler(call)
                    deliveries.emit(self, call.events)
            except ApiError as error:
                return error.response()
            # pydantic's encoder: the same JSON as json.dumps, at a 1000-entry page
            # several times faster (UTF-8, compact).
            return Response(pydantic_core.to_json(answer), media_type="application/json")

        return endpoint

    def _call(self, request: Request, raw_body: bytes) -> Call:
        found = credentials(request)
        if found is None:
            raise unauthorized(
                "Authentication required: send X-ClockodoApiUser and X-ClockodoApiKey "
                "(or HTTP Basic with e-mail and API key)."
            )
        user = self.account.api_user(*found)
        if user is None or not user.active:
            raise unauthorized("Authentication failed: unknown user or wrong API key.")
        application = request.headers.get("x-clockodo-external-application", "").strip()
        if not application:
            raise unauthorized(
                "Missing X-Clockodo-External-Application header "
                "('[name of application];[technical contact e-mail]')."
            )
        if len(application) > MAX_EXTERNAL_APPLICATION:
            raise general_error(
                400,
                "UnexpectedValue",
                "X-Clockodo-External-Application must not exceed 50 characters.",
                path="X-Clockodo-External-Application",
            )
        return Call(
            account=self.account,
            user=user,
            query=request.query_params,
            body=_json_object(raw_body),
            path=request.path_params,
            now=to_second(self.clock.now()),
            assumed=self.assumed,
        )

    async def _set_edit_lock(self, request: Request) -> Response:
        try:
            body = await request.json()
            users_id = int(body["users_id"])
            day = date.fromisoformat(body["date"]) if body.get("date") else None
        except (ValueError, KeyError, TypeError) as exc:
            return JSONResponse({"error": f"bad edit lock: {exc}"}, status_code=400)
        with self.lock:
            user = self.account.users.get(users_id)
            if user is None:
                return JSONResponse({"error": f"unknown user {users_id}"}, status_code=404)
            user.edit_lock = day
        return JSONResponse({"users_id": users_id, "edit_lock": day.isoformat() if day else None})


def _json_object(raw: bytes) -> dict[str, Any]:
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except ValueError:
        raise bad_request("The request body is not valid JSON", "body") from None
    if not isinstance(body, dict):
        raise bad_request("The request body must be a JSON object", "body")
    return body


async def _gone(request: Request) -> Response:
    message = "This API endpoint has been retired; use its successor (see the API documentation)."
    return JSONResponse(simple_body(410, message), status_code=410)
