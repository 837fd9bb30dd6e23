"""MOCO API v1 client: the operations the sync engine needs, nothing about sync.

Facts behind it: shared/api/moco.md. Lists follow `Link rel="next"`, stop on
an empty page and cross-check `X-Total`; see `syncd.adapters.listing` for
what an incomplete read looks like. Writes for another user's bookings send
`X-IMPERSONATE-USER-ID` (moco.md §1: activities have no `user_id` input).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel

from syncd.adapters.errors import ApiError, MalformedResponse, OutcomeUnknown
from syncd.adapters.fields import utc_z
from syncd.adapters.http import (
    ApiTransport,
    Params,
    Reply,
    RequestEvent,
    RetryPolicy,
    VendorClient,
)
from syncd.adapters.listing import Collector, Invalid, ListResult, parse_item
from syncd.adapters.moco.models import (
    Activity,
    ActivityCreate,
    ActivityUpdate,
    AssignedProject,
    Company,
    Profile,
    Project,
    Session,
    User,
    WebHook,
)
from syncd.adapters.throttle import MOCO_WINDOWS, RateLimit, Throttle, shared_throttle

API = "moco"
PAGE_SIZE = 100  # MOCO's maximum (moco.md §2)
BULK_LIMIT = 100  # POST /activities/bulk maxItems
IDS_PER_REQUEST = 100  # keeps `ids=` / `remote_id=` lists well inside URL limits
DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)
IMPERSONATE = "X-IMPERSONATE-USER-ID"
M = TypeVar("M", bound=BaseModel)

# MOCO does not document the wording of its refusal for billed or period-locked
# activities (moco.md §10); these words cover the German and English UI texts.
_LOCKED_WORDS = re.compile(
    r"billed|invoiced|locked|lock period|abgerechnet|gesperrt|verrechnet", re.IGNORECASE
)


def _moco_locked(status: int, body: Any, messages: list[str]) -> bool:
    return status == 422 and any(_LOCKED_WORDS.search(message) for message in messages)


class BulkOutcomeUnknown(OutcomeUnknown):
    """A bulk chunk's answer was lost. `done`: created by earlier chunks;
    `in_flight`: the chunk whose outcome is unknown; `not_sent`: the rest."""

    done: list[Activity]
    in_flight: list[ActivityCreate]
    not_sent: list[ActivityCreate]


class BulkInterrupted(ApiError):
    """A later bulk chunk failed for sure after earlier chunks were created.

    `done`: created; `failed`: the refused chunk (not created); `not_sent`:
    the rest; `cause`: the chunk's error (e.g. ValidationFailed).
    """

    done: list[Activity]
    failed: list[ActivityCreate]
    not_sent: list[ActivityCreate]
    cause: ApiError


class MocoClient(VendorClient):
    """Talks to one MOCO account with one API key (thread-safe)."""

    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        throttle: Throttle | None = None,
        retry: RetryPolicy | None = None,
        on_request: Callable[[RequestEvent], None] | None = None,
        transport: httpx.BaseTransport | None = None,
        before_write: Callable[[], None] | None = None,
        windows: Sequence[RateLimit] = MOCO_WINDOWS,
    ) -> None:
        if not api_key:
            raise ValueError("MOCO: an API key is required")
        self.base_url = base_url
        self._http = ApiTransport(
            API,
            base_url,
            {"Authorization": f"Token token={api_key}", "Accept": "application/json"},
            timeout=timeout,
            throttle=throttle or shared_throttle(API, api_key, windows),
            retry=retry or RetryPolicy(),
            on_request=on_request,
            transport=transport,
            before_write=before_write,
            secrets=[api_key],
            locked=_moco_locked,
        )

    # -- activities: reads ------------------------------------------------------
    def list_activities(
        self,
        *,
        date_from: dt.date | None,
        date_to: dt.date | None,
        user_id: int | None = None,
        project_id: int | None = None,
        updated_after: dt.datetime | None = None,
        remote_ids: Sequence[str] | None = None,
        ids: Sequence[int] | None = None,
        term: str | None = None,
    ) -> ListResult[Activity]:
        """Every activity matching the filters (all pages; `ids`/`remote_ids` in chunks)."""
        base = _activity_filters(
            date_from=date_from,
            date_to=date_to,
            user_id=user_id,
            project_id=project_id,
            updated_after=updated_after,
            term=term,
        )
        collector = Collector(Activity)
        for extra in _id_chunks(ids, remote_ids):
            problem, error = self._walk("/activities", {**base, **extra}, collector)
            if problem is not None:
                return collector.result(problem, error)
        return collector.result()

    def count_activities(
        self,
        *,
        date_from: dt.date | None,
        date_to: dt.date | None,
        user_id: int | None = None,
        project_id: int | None = None,
        updated_after: dt.datetime | None = None,
        term: str | None = None,
    ) -> int:
        """How many activities match: one request (`per_page=1`), read from `X-Total`."""
        params = _activity_filters(
            date_from=date_from,
            date_to=date_to,
            user_id=user_id,
            project_id=project_id,
            updated_after=updated_after,
            term=term,
        )
        reply = self._http.request("GET", "/activities", params={**params, "per_page": 1})
        total = _total(reply)
        if total is None:
            raise _malformed("GET", "/activities", reply, "no X-Total header")
        return total

    def get_activity(self, activity_id: int) -> Activity:
        route = "/activities/{id}"
        reply = self._http.request("GET", route, path_params={"id": activity_id})
        return _parse_one(Activity, reply, "GET", f"/activities/{activity_id}")

    # -- activities: writes -----------------------------------------------------
    def create_activity(self, payload: ActivityCreate, *, impersonate: int | None) -> Activity:
        """Create one activity for the key's user, or for `impersonate`.

        Raises `OutcomeUnknown` when the answer was lost; look the activity up
        by its `remote_id` before creating it again.
        """
        reply = self._http.request(
            "POST", "/activities", json=payload.body(), headers=_as_user(impersonate)
        )
        return _created(Activity, reply, "/activities")

    def bulk_create(
        self, payloads: Sequence[ActivityCreate], *, impersonate: int | None
    ) -> list[Activity]:
        """Create activities for one user, up to 100 per request, in order.

        On a lost answer raises `BulkOutcomeUnknown`; on a refused chunk after
        earlier chunks were created, `BulkInterrupted` (a refusal of the first
        chunk raises the plain error: nothing was created).
        """
        done: list[Activity] = []
        chunks = [payloads[i : i + BULK_LIMIT] for i in range(0, len(payloads), BULK_LIMIT)]
        for index, chunk in enumerate(chunks):
            not_sent = [item for later in chunks[index + 1 :] for item in later]
            try:
                done.extend(self._bulk_chunk(chunk, impersonate))
            except OutcomeUnknown as exc:
                raise _bulk_unknown(exc, done, list(chunk), not_sent) from exc
            except ApiError as exc:
                if not done:
                    raise
                raise _bulk_interrupted(exc, done, list(chunk), not_sent) from exc
        return done

    def _bulk_chunk(
        self, chunk: Sequence[ActivityCreate], impersonate: int | None
    ) -> list[Activity]:
        body = {"activities": [payload.body() for payload in chunk]}
        reply = self._http.request(
            "POST", "/activities/bulk", json=body, headers=_as_user(impersonate)
        )
        created = reply.data if isinstance(reply.data, list) else None
        if created is None or len(created) != len(chunk):
            detail = "expected one created activity per payload"
            raise _lost("/activities/bulk", reply, detail)
        parsed = [parse_item(item, Activity) for item in created]
        if any(isinstance(item, Invalid) for item in parsed):
            raise _lost("/activities/bulk", reply, "a created activity did not parse")
        return [item for item in parsed if isinstance(item, Activity)]

    def update_activity(
        self,
        activity_id: int,
        changes: ActivityUpdate | Mapping[str, Any],
        *,
        impersonate: int | None,
    ) -> Activity:
        update = changes if isinstance(changes, ActivityUpdate) else ActivityUpdate(**changes)
        reply = self._http.request(
            "PUT",
            "/activities/{id}",
            path_params={"id": activity_id},
            json=update.body(),
            headers=_as_user(impersonate),
        )
        return _parse_one(Activity, reply, "PUT", f"/activities/{activity_id}")

    def delete_activity(self, activity_id: int, *, impersonate: int | None) -> None:
        """Delete (200 with the activity or 204 both count). A DELETE retried
        after a lost answer may report `NotFound` although the first one worked."""
        self._http.request(
            "DELETE",
            "/activities/{id}",
            path_params={"id": activity_id},
            headers=_as_user(impersonate),
        )

    def disregard(
        self,
        activity_ids: Sequence[int],
        *,
        reason: str,
        company_id: int,
        project_id: int | None = None,
    ) -> list[int]:
        """Mark activities as settled outside MOCO; answers the disregarded ids."""
        body: dict[str, Any] = {
            "activity_ids": list(activity_ids),
            "reason": reason,
            "company_id": company_id,
        }
        if project_id is not None:
            body["project_id"] = project_id
        # Disregarding twice leaves the same state: safe to retry.
        reply = self._http.request("POST", "/activities/disregard", json=body, idempotent=True)
        if not isinstance(reply.data, list) or not all(
            isinstance(item, int) for item in reply.data
        ):
            raise _malformed("POST", "/activities/disregard", reply, "expected a list of ids")
        return list(reply.data)

    def start_timer(self, activity_id: int, *, impersonate: int | None) -> Activity:
        return self._timer(activity_id, "start_timer", impersonate)

    def stop_timer(self, activity_id: int, *, impersonate: int | None) -> Activity:
        return self._timer(activity_id, "stop_timer", impersonate)

    def _timer(self, activity_id: int, action: str, impersonate: int | None) -> Activity:
        # Not idempotent: a retried start after a lost answer would be refused
        # (422, timer already running) although the first one worked.
        route = f"/activities/{{id}}/{action}"
        reply = self._http.request(
            "PATCH",
            route,
            path_params={"id": activity_id},
            headers=_as_user(impersonate),
            idempotent=False,
        )
        return _parse_one(Activity, reply, "PATCH", f"/activities/{activity_id}/{action}")

    # -- master data --------------------------------------------------------------
    def session(self) -> Session:
        """Checks the key; `id` is the key's user."""
        return _parse_one(Session, self._http.request("GET", "/session"), "GET", "/session")

    def profile(self, *, impersonate: int | None = None) -> Profile:
        reply = self._http.request("GET", "/profile", headers=_as_user(impersonate))
        return _parse_one(Profile, reply, "GET", "/profile")

    def users(self, include_archived: bool = False) -> ListResult[User]:
        return self._list("/users", User, _archived(include_archived))

    def projects(self, include_archived: bool = False) -> ListResult[Project]:
        """Projects with their tasks and contracts (user assignments)."""
        return self._list("/projects", Project, _archived(include_archived))

    def companies(
        self, type: str = "customer", include_archived: bool = False
    ) -> ListResult[Company]:
        return self._list("/companies", Company, {"type": type, **_archived(include_archived)})

    def assigned_projects(self, *, impersonate: int | None) -> ListResult[AssignedProject]:
        """Projects (and tasks) the user may book on. Not paginated by MOCO."""
        collector = Collector(AssignedProject)
        try:
            reply = self._http.request("GET", "/projects/assigned", headers=_as_user(impersonate))
        except ApiError as exc:
            return collector.result(f"GET /projects/assigned failed: {exc}", exc)
        if not isinstance(reply.data, list):
            error = _malformed("GET", "/projects/assigned", reply, "expected a JSON array")
            return collector.result(str(error), error)
        collector.add_page(reply.data)
        return collector.result()

    # -- account web hooks (syncd webhooks install|list|remove) ----------------------
    def web_hooks(self) -> ListResult[WebHook]:
        return self._list("/account/web_hooks", WebHook, {})

    def create_web_hook(self, target: str, event: str, url: str) -> WebHook:
        body = {"target": target, "event": event, "hook": url}
        reply = self._http.request("POST", "/account/web_hooks", json=body)
        return _parse_one(WebHook, reply, "POST", "/account/web_hooks")

    def update_web_hook(self, hook_id: int, url: str) -> WebHook:
        return self._one_hook("PUT", "/account/web_hooks/{id}", hook_id, {"hook": url})

    def enable_web_hook(self, hook_id: int) -> WebHook:
        return self._one_hook("PUT", "/account/web_hooks/{id}/enable", hook_id)

    def delete_web_hook(self, hook_id: int) -> None:
        route = "/account/web_hooks/{id}"
        self._http.request("DELETE", route, path_params={"id": hook_id})

    def _one_hook(
        self, method: str, route: str, hook_id: int, body: dict[str, Any] | None = None
    ) -> WebHook:
        reply = self._http.request(method, route, path_params={"id": hook_id}, json=body)
        return _parse_one(WebHook, reply, method, route.replace("{id}", str(hook_id)))

    # -- pagination -----------------------------------------------------------------
    def _list(self, route: str, model: type[M], params: Params) -> ListResult[M]:
        collector = Collector(model)
        problem, error = self._walk(route, params, collector)
        return collector.result(problem, error)

    def _walk(
        self, route: str, params: Params, collector: Collector[M]
    ) -> tuple[str | None, ApiError | None]:
        """Read every page of `route` into `collector`; answer (problem, error) or (None, None)."""
        before = collector.count
        totals: list[int] = []
        seen: set[str] = set()
        query: Params = {**params, "per_page": PAGE_SIZE}
        while True:
            try:
                reply = self._http.request("GET", route, params=query)
            except ApiError as exc:
                return f"page {len(totals) + 1} of GET {route} failed: {exc}", exc
            total = _total(reply)
            if not isinstance(reply.data, list) or total is None:
                error = _malformed("GET", route, reply, "expected a JSON array with X-Total")
                return str(error), error
            totals.append(total)
            listed = collector.add_page(reply.data)
            link = reply.links.get("next")
            if listed == 0 or link is None:
                break
            if link in seen or len(totals) > total // PAGE_SIZE + 2:
                return f"GET {route}: pagination does not end (at page {len(totals)})", None
            seen.add(link)
            query = _link_query(link)
        read = collector.count - before
        if totals[0] != totals[-1]:
            changed = f"{totals[0]} → {totals[-1]}"
            return f"GET {route}: X-Total changed during the read ({changed})", None
        if read != totals[-1]:
            return f"GET {route}: X-Total is {totals[-1]} but {read} distinct items were read", None
        return None, None


# -- helpers ----------------------------------------------------------------------


def _activity_filters(
    *,
    date_from: dt.date | None,
    date_to: dt.date | None,
    user_id: int | None,
    project_id: int | None,
    updated_after: dt.datetime | None,
    term: str | None,
) -> dict[str, str | int]:
    candidates: dict[str, str | int | None] = {
        "from": date_from.isoformat() if date_from else None,
        "to": date_to.isoformat() if date_to else None,
        "user_id": user_id,
        "project_id": project_id,
        "updated_after": utc_z(updated_after) if updated_after else None,
        "term": term,
    }
    return {key: value for key, value in candidates.items() if value is not None}


def _id_chunks(ids: Sequence[int] | None, remote_ids: Sequence[str] | None) -> list[dict[str, str]]:
    """One filter dict per request; `[{}]` when neither list is given.

    Both lists given means both filters apply, so they are sent together
    (only the `ids` are chunked then, with the whole `remote_ids` list).
    """
    if ids is None and remote_ids is None:
        return [{}]
    remote = ",".join(dict.fromkeys(remote_ids)) if remote_ids is not None else None
    if ids is not None:
        unique = list(dict.fromkeys(ids))
        return [
            {"ids": ",".join(map(str, unique[i : i + IDS_PER_REQUEST]))}
            | ({"remote_id": remote} if remote is not None else {})
            for i in range(0, len(unique), IDS_PER_REQUEST)
        ]
    unique_remote = list(dict.fromkeys(remote_ids or []))
    return [
        {"remote_id": ",".join(unique_remote[i : i + IDS_PER_REQUEST])}
        for i in range(0, len(unique_remote), IDS_PER_REQUEST)
    ]


def _link_query(link: str) -> dict[str, str | Sequence[str]]:
    """The query of a `Link` URL, to be sent to our own base URL and route.

    Only the query is taken: a link naming another host or scheme (a proxy,
    a custom domain) must never receive the API key.
    """
    params = httpx.URL(link).params
    return {
        key: values[0] if len(values) == 1 else values
        for key in params
        if (values := params.get_list(key))
    }


def _archived(include_archived: bool) -> dict[str, str | int]:
    return {"include_archived": "true"} if include_archived else {}


def _as_user(user_id: int | None) -> dict[str, str]:
    return {IMPERSONATE: str(user_id)} if user_id is not None else {}


def _total(reply: Reply) -> int | None:
    value = reply.headers.get("X-Total")
    return int(value) if value is not None and value.strip().isdigit() else None


def _malformed(method: str, route: str, reply: Reply, detail: str) -> MalformedResponse:
    return MalformedResponse(API, method, route, reply.status, detail=detail)


def _parse_one(model: type[M], reply: Reply, method: str, route: str) -> M:
    parsed = parse_item(reply.data, model)
    if isinstance(parsed, Invalid):
        raise _malformed(method, route, reply, parsed.reason)
    return parsed


def _lost(route: str, reply: Reply, detail: str) -> OutcomeUnknown:
    """A create answered 2xx but its body is unusable: applied, record unknown."""
    cause = _malformed("POST", route, reply, detail)
    return OutcomeUnknown(API, "POST", route, reply.status, detail=detail, cause=cause)


def _created(model: type[M], reply: Reply, route: str) -> M:
    parsed = parse_item(reply.data, model)
    if isinstance(parsed, Invalid):
        raise _lost(route, reply, parsed.reason)
    return parsed


def _bulk_unknown(
    exc: OutcomeUnknown,
    done: list[Activity],
    in_flight: list[ActivityCreate],
    not_sent: list[ActivityCreate],
) -> BulkOutcomeUnknown:
    error = BulkOutcomeUnknown(
        exc.api, exc.method, exc.route, exc.status, exc.messages, detail=exc.detail, cause=exc
    )
    error.done, error.in_flight, error.not_sent = list(done), in_flight, not_sent
    return error


def _bulk_interrupted(
    exc: ApiError,
    done: list[Activity],
    failed: list[ActivityCreate],
    not_sent: list[ActivityCreate],
) -> BulkInterrupted:
    error = BulkInterrupted(
        exc.api, exc.method, exc.route, exc.status, exc.messages, detail=exc.detail
    )
    error.done, error.failed, error.not_sent, error.cause = list(done), failed, not_sent, exc
    return error
