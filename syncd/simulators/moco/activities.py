"""HTTP handlers for `/activities` (moco.md §5).

Choices where MOCO is silent (see also `rules.py`, `listing.py`, `access.py`):
- Creates answer 200 (not 201), as OAS and REC show.
- `POST /activities/bulk` is all-or-nothing: every item is validated first
  and one bad item rejects the whole batch with 422 and errors keyed
  `activities[<index>].<field>`; OAS offers only a whole-request 422 and no
  per-item result format, so a partial success could not even be reported.
  More than 100 items answers 422 `{"message": ...}`; a missing or non-list
  `activities` answers 400 `{"message": ...}`; a body that is not
  `application/json` answers 415.
- `DELETE` answers 200 with the deleted activity (OAS 2026); a simulator
  built with `delete_status=204` answers 204 without a body (REC 2022).
- `PATCH .../billable_seconds` is for the project's leader or co-leader only
  (403 for everyone else, Staff included: the docs name only leaders).
"""

from __future__ import annotations

import functools
from datetime import datetime
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from syncd.simulators.moco import deliveries, rules
from syncd.simulators.moco.access import (
    Caller,
    authenticate,
    can_see,
    changeable_activity,
    sees_rate,
    visible_activity,
)
from syncd.simulators.moco.listing import ActivityFilter, select_activities
from syncd.simulators.moco.model import Activity
from syncd.simulators.moco.render import activity_json
from syncd.simulators.moco.state import ApiError, MocoAccount, forbidden
from syncd.simulators.moco.web import (
    Query,
    guarded,
    json_response,
    page_headers,
    page_request,
    parse_body,
    path_id,
)

if TYPE_CHECKING:
    from syncd.simulators.moco.simulator import MocoSimulator

MAX_BULK = 100


class ActivityHandlers:
    def __init__(self, sim: MocoSimulator) -> None:
        self.sim = sim

    def routes(self) -> list[BaseRoute]:
        route = self.sim.route
        return [
            route("/activities", guarded(self.list_activities), ["GET"]),
            route("/activities", guarded(self.create), ["POST"]),
            route("/activities/bulk", guarded(self.bulk), ["POST"]),
            route("/activities/disregard", guarded(self.disregard), ["POST"]),
            route("/activities/{id:int}", guarded(self.show), ["GET"]),
            route("/activities/{id:int}", guarded(self.update), ["PUT"]),
            route("/activities/{id:int}", guarded(self.update), ["PATCH"]),
            route("/activities/{id:int}", guarded(self.delete), ["DELETE"]),
            route("/activities/{id:int}/start_timer", guarded(self.start_timer), ["PATCH"]),
            route("/activities/{id:int}/stop_timer", guarded(self.stop_timer), ["PATCH"]),
            route(
                "/activities/{id:int}/billable_seconds", guarded(self.billable_seconds), ["PATCH"]
            ),
        ]

    # -- helpers --------------------------------------------------------------
    def _now(self) -> datetime:
        return self.sim.clock.now().replace(microsecond=0)

    def _caller(self, request: Request) -> tuple[MocoAccount, Caller]:
        account = self.sim.account
        return account, authenticate(account, request.headers)

    def _emit(self, event: str, activity: Activity, caller: Caller) -> None:
        deliveries.emit(self.sim, event, activity, caller.user.id)

    @staticmethod
    def _json(account: MocoAccount, caller: Caller, activity: Activity) -> dict[str, Any]:
        return activity_json(account, activity, show_rate=sees_rate(account, caller, activity))

    # -- reading --------------------------------------------------------------
    async def list_activities(self, request: Request) -> Response:
        with self.sim.lock:
            account, caller = self._caller(request)
            query = Query(request)
            wanted = ActivityFilter.from_query(query)
            selected = select_activities(account, caller, wanted, query.text("sort_by"))
            page, per_page = page_request(request)
            shown = selected.fetch((page - 1) * per_page, page * per_page)
            headers = page_headers(request, page, per_page, selected.total)
            body = [self._json(account, caller, a) for a in shown]
        return json_response(body, headers=headers)

    async def show(self, request: Request) -> Response:
        with self.sim.lock:
            account, caller = self._caller(request)
            activity = visible_activity(account, caller, path_id(request))
            return json_response(self._json(account, caller, activity))

    # -- writing --------------------------------------------------------------
    async def create(self, request: Request) -> Response:
        raw = await request.body()
        with self.sim.lock:
            account, caller = self._caller(request)
            body = parse_body(request, raw)
            activity = rules.create(account, caller.user.id, body, self._now())
            self._emit("create", activity, caller)
            return json_response(self._json(account, caller, activity))

    async def bulk(self, request: Request) -> Response:
        raw = await request.body()
        with self.sim.lock:
            account, caller = self._caller(request)
            items = _bulk_items(parse_body(request, raw, strict_media_type=True))
            now = self._now()
            drafts: list[Activity] = []
            errors: dict[str, list[str]] = {}
            for index, item in enumerate(items):
                draft = rules.new_activity(account, caller.user.id, item, now)
                if isinstance(draft, Activity):
                    drafts.append(draft)
                else:
                    errors.update({f"activities[{index}].{k}": v for k, v in draft.items()})
            if errors:
                raise ApiError(422, {"errors": errors})
            created = [rules.save_new(account, draft) for draft in drafts]
            for activity in created:
                self._emit("create", activity, caller)
            return json_response([self._json(account, caller, a) for a in created])

    async def update(self, request: Request) -> Response:
        raw = await request.body()
        with self.sim.lock:
            account, caller = self._caller(request)
            activity = changeable_activity(account, caller, path_id(request))
            if rules.update(account, activity, parse_body(request, raw), self._now()):
                self._emit("update", activity, caller)
            return json_response(self._json(account, caller, activity))

    async def delete(self, request: Request) -> Response:
        with self.sim.lock:
            account, caller = self._caller(request)
            activity = changeable_activity(account, caller, path_id(request))
            body = self._json(account, caller, activity)
            rules.delete(account, activity)
            self._emit("delete", activity, caller)
        if self.sim.delete_status == 204:
            return Response(status_code=204)
        return json_response(body)

    async def start_timer(self, request: Request) -> Response:
        with self.sim.lock:
            account, caller = self._caller(request)
            activity = changeable_activity(account, caller, path_id(request))
            rules.start_timer(account, activity, self._now())
            self._emit("update", activity, caller)
            return json_response(self._json(account, caller, activity))

    async def stop_timer(self, request: Request) -> Response:
        with self.sim.lock:
            account, caller = self._caller(request)
            activity = changeable_activity(account, caller, path_id(request))
            rules.stop_timer(account, activity, self._now())
            self._emit("update", activity, caller)
            return json_response(self._json(account, caller, activity))

    async def billable_seconds(self, request: Request) -> Response:
        raw = await request.body()
        with self.sim.lock:
            account, caller = self._caller(request)
            activity = visible_activity(account, caller, path_id(request))
            if not account.projects[activity.project_id].is_led_by(caller.user.id):
                raise forbidden("Only project leaders may change billable seconds")
            body = parse_body(request, raw)
            if rules.set_billable_seconds(account, activity, body, self._now()):
                self._emit("update", activity, caller)
            return json_response(self._json(account, caller, activity))

    async def disregard(self, request: Request) -> Response:
        raw = await request.body()
        with self.sim.lock:
            account, caller = self._caller(request)
            body = parse_body(request, raw)
            sees = functools.partial(can_see, account, caller)
            ids, billed = rules.disregard(account, sees, body, self._now())
            for activity_id in billed:  # billing an activity updates it
                self._emit("update", account.activities[activity_id], caller)
        return json_response(ids)


def _bulk_items(body: dict[str, Any]) -> list[dict[str, Any]]:
    items = body.get("activities")
    if not isinstance(items, list):
        raise ApiError(400, {"message": "param is missing or the value is empty: activities"})
    if len(items) > MAX_BULK:
        raise ApiError(422, {"message": f"Too many activities: at most {MAX_BULK} per request"})
    if not all(isinstance(item, dict) for item in items):
        raise ApiError(422, {"message": "Invalid payload"})
    return items
