"""clockodo API client: the operations the sync engine needs, nothing about sync.

Facts behind it: shared/api/clockodo.md. Lists walk `page=1..paging.count_pages`
and cross-check `paging.count_items`; see `syncd.adapters.listing` for what an
incomplete read looks like. Group edits and deletes expose the vendor's
two-step confirm handshake so the caller can check `affected_entries` first.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel

from syncd.adapters.clockodo.models import (
    ClockStatus,
    Customer,
    Entry,
    EntryCreate,
    EntryGroup,
    EntryUpdate,
    Project,
    Service,
    User,
)
from syncd.adapters.errors import ApiError, MalformedResponse, OutcomeUnknown, error_types
from syncd.adapters.fields import utc_z
from syncd.adapters.http import ApiTransport, Reply, RequestEvent, RetryPolicy, VendorClient
from syncd.adapters.listing import Collector, Invalid, ListResult, parse_item
from syncd.adapters.throttle import CLOCKODO_WINDOWS, RateLimit, Throttle, shared_throttle

API = "clockodo"
MAX_PAGE_SIZE = 1000  # the largest items_per_page every list endpoint accepts
EXTERNAL_APPLICATION_MAX = 50  # what the vendor's SDK enforces (clockodo.md §1.2)
DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)
M = TypeVar("M", bound=BaseModel)
FilterValue = int | str | bool
GROUP_CHANGES = frozenset(
    {
        "users_id",
        "customers_id",
        "projects_id",
        "subprojects_id",
        "services_id",
        "lumpsum_services_id",
        "billable",
        "text",
        "hourly_rate",
    }
)

_EXTERNAL_APPLICATION = re.compile(r"^[^;]+;[^;@\s]+@[^;@\s]+\.[^;@\s]+$")
# clockodo documents no error for edits inside an edit lock or of billed entries
# (clockodo.md §7, §9.4); these markers catch the plausible types and wordings.
_LOCKED_TYPES = re.compile(r"lock|billed", re.IGNORECASE)
_LOCKED_WORDS = re.compile(
    r"edit lock|locked|already billed|is billed|gesperrt|abgerechnet", re.IGNORECASE
)


def _clockodo_locked(status: int, body: Any, messages: list[str]) -> bool:
    if status not in (400, 403, 409, 422):
        return False
    if any(_LOCKED_TYPES.search(kind) for kind in error_types(body)):
        return True
    return any(_LOCKED_WORDS.search(message) for message in messages)


@dataclass
class GroupEditHandshake:
    """The first answer of a group edit or delete: nothing has changed yet.

    Compare `affected_entries` with what you expect; call `confirm()` to apply
    (it answers how many entries were edited or deleted), or simply drop the
    handshake to refuse. The confirming request is never retried blindly: a
    lost answer raises `OutcomeUnknown`.
    """

    affected_entries: int
    _confirm: Callable[[], int] = field(repr=False)
    confirmed: bool = False

    def confirm(self) -> int:
        if self.confirmed:
            raise RuntimeError("this group change was already confirmed")
        self.confirmed = True
        return self._confirm()


class ClockodoClient(VendorClient):
    """Talks to clockodo as one API user (thread-safe)."""

    def __init__(
        self,
        base_url: str,
        api_user: str,
        api_key: str,
        external_application: str,
        *,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        throttle: Throttle | None = None,
        retry: RetryPolicy | None = None,
        on_request: Callable[[RequestEvent], None] | None = None,
        transport: httpx.BaseTransport | None = None,
        before_write: Callable[[], None] | None = None,
        windows: Sequence[RateLimit] = CLOCKODO_WINDOWS,
        page_size: int = MAX_PAGE_SIZE,
    ) -> None:
        _check_credentials(api_user, api_key, external_application)
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            raise ValueError(f"clockodo: page_size must be 1..{MAX_PAGE_SIZE}, got {page_size}")
        self.base_url = base_url
        self.page_size = page_size
        headers = {
            "X-ClockodoApiUser": api_user,
            "X-ClockodoApiKey": api_key,
            "X-Clockodo-External-Application": external_application,
            "X-ClockodoEnableIsoUtcDateTimes": "1",
            "Accept": "application/json",
            "Accept-Language": "en",
        }
        self._http = ApiTransport(
            API,
            base_url,
            headers,
            timeout=timeout,
            # Limits count per user (clockodo.md §1.5), so the user names the throttle.
            throttle=throttle or shared_throttle(API, api_user, windows),
            retry=retry or RetryPolicy(),
            on_request=on_request,
            transport=transport,
            before_write=before_write,
            secrets=[api_key],
            locked=_clockodo_locked,
        )

    # -- entries ------------------------------------------------------------------
    def list_entries(
        self,
        *,
        time_since: dt.datetime,
        time_until: dt.datetime,
        users_id: int | None = None,
        customers_id: int | None = None,
        projects_id: int | None = None,
        services_id: int | None = None,
        billable: int | None = None,
        text: str | None = None,
        keep: Callable[[Entry], Any] | None = None,
    ) -> ListResult[Any]:
        """Every entry in the window matching the filters (all pages); ``keep`` turns
        each entry into what the caller keeps of it, page by page."""
        filters = {
            "users_id": users_id,
            "customers_id": customers_id,
            "projects_id": projects_id,
            "services_id": services_id,
            "billable": billable,
            "text": text,
        }
        params = _window(time_since, time_until) | _filter_params(filters)
        return self._walk("/v2/entries", "entries", Entry, params, keep)

    def get_entry(self, entry_id: int) -> Entry:
        reply = self._http.request("GET", "/v2/entries/{id}", path_params={"id": entry_id})
        return _parse_in(Entry, reply, "entry", "GET", f"/v2/entries/{entry_id}")

    def create_entry(self, payload: EntryCreate) -> Entry:
        """Create a time entry. `OutcomeUnknown` when the answer was lost: look it
        up (user + exact time_since + duration + text) before creating it again."""
        reply = self._http.request("POST", "/v2/entries", json=payload.body())
        parsed = _field_item(Entry, reply, "entry")
        if isinstance(parsed, Invalid):
            cause = _malformed("POST", "/v2/entries", reply, parsed.reason)
            raise OutcomeUnknown(
                API, "POST", "/v2/entries", reply.status, detail=parsed.reason, cause=cause
            )
        return parsed

    def update_entry(self, entry_id: int, changes: EntryUpdate | Mapping[str, Any]) -> Entry:
        update = changes if isinstance(changes, EntryUpdate) else EntryUpdate(**changes)
        reply = self._http.request(
            "PUT", "/v2/entries/{id}", path_params={"id": entry_id}, json=update.body()
        )
        return _parse_in(Entry, reply, "entry", "PUT", f"/v2/entries/{entry_id}")

    def delete_entry(self, entry_id: int) -> None:
        """Delete an entry. A DELETE retried after a lost answer may report
        `NotFound` although the first one worked."""
        self._http.request("DELETE", "/v2/entries/{id}", path_params={"id": entry_id})

    # -- entry groups ---------------------------------------------------------------
    def entry_groups(
        self,
        *,
        time_since: dt.datetime,
        time_until: dt.datetime,
        grouping: Sequence[str],
        filters: Mapping[str, FilterValue] | None = None,
        round_to_minutes: int | None = None,
    ) -> list[EntryGroup]:
        """Durations (and revenues) grouped by `grouping`, nested in `sub_groups`."""
        if not grouping:
            raise ValueError("clockodo: entry_groups needs at least one grouping")
        params: dict[str, Any] = _window(time_since, time_until) | _filter_params(filters or {})
        params["grouping[]"] = list(grouping)
        if round_to_minutes is not None:
            params["round_to_minutes"] = round_to_minutes
        reply = self._http.request("GET", "/v2/entrygroups", params=params)
        groups = reply.data.get("groups") if isinstance(reply.data, dict) else None
        if not isinstance(groups, list):
            raise _malformed("GET", "/v2/entrygroups", reply, "no `groups` list")
        return [_parse_raw(EntryGroup, item, reply, "GET", "/v2/entrygroups") for item in groups]

    def edit_entry_group(
        self,
        *,
        time_since: dt.datetime,
        time_until: dt.datetime,
        filters: Mapping[str, FilterValue],
        changes: Mapping[str, Any],
    ) -> GroupEditHandshake:
        """Ask to apply `changes` to every entry selected by the window and
        `filters`; nothing changes until the handshake is confirmed."""
        _check_group_selection(filters)
        unknown = set(changes) - GROUP_CHANGES
        if not changes or unknown:
            raise ValueError(f"clockodo: group changes must be some of {sorted(GROUP_CHANGES)}")
        body = {
            "time_since": utc_z(time_since),
            "time_until": utc_z(time_until),
            "filter": dict(filters),
            **changes,
        }

        def send(confirm_key: str | None) -> Reply:
            return self._http.request(
                "PUT",
                "/v2/entrygroups",
                json=body | ({"confirm_key": confirm_key} if confirm_key else {}),
                idempotent=confirm_key is None,  # only the confirming request changes data
            )

        return _handshake(send, "PUT")

    def delete_entry_group(
        self,
        *,
        time_since: dt.datetime,
        time_until: dt.datetime,
        filters: Mapping[str, FilterValue],
    ) -> GroupEditHandshake:
        """Ask to delete every entry selected by the window and `filters`;
        nothing is deleted until the handshake is confirmed."""
        _check_group_selection(filters)
        params = _window(time_since, time_until) | _filter_params(filters)

        def send(confirm_key: str | None) -> Reply:
            return self._http.request(
                "DELETE",
                "/v2/entrygroups",
                params=params | ({"confirm_key": confirm_key} if confirm_key else {}),
                idempotent=confirm_key is None,
            )

        return _handshake(send, "DELETE")

    # -- clock and master data -----------------------------------------------------------
    def clock(self, *, users_id: int | None = None) -> ClockStatus:
        params = {"users_id": users_id} if users_id is not None else None
        reply = self._http.request("GET", "/v2/clock", params=params)
        return _parse_raw(ClockStatus, reply.data, reply, "GET", "/v2/clock")

    def customers(self) -> ListResult[Customer]:
        return self._walk("/v3/customers", "data", Customer, {})

    def projects(self) -> ListResult[Project]:
        return self._walk("/v4/projects", "data", Project, {})

    def services(self) -> ListResult[Service]:
        return self._walk("/v4/services", "data", Service, {})

    def users(self) -> ListResult[User]:
        return self._walk("/v3/users", "data", User, {})

    def me(self) -> User:
        reply = self._http.request("GET", "/v4/users/me")
        return _parse_in(User, reply, "data", "GET", "/v4/users/me")

    # -- pagination -------------------------------------------------------------------
    def _walk(
        self,
        route: str,
        key: str,
        model: type[M],
        params: Mapping[str, Any],
        keep: Callable[[M], Any] | None = None,
    ) -> ListResult[Any]:
        collector = Collector(model, keep=keep)
        totals: list[tuple[int, int]] = []  # (count_pages, count_items) per page
        page = 1
        while True:
            query = {**params, "page": page, "items_per_page": self.page_size}
            try:
                reply = self._http.request("GET", route, params=query)
            except ApiError as exc:
                return collector.result(f"page {page} of GET {route} failed: {exc}", exc)
            paging, items = _page(reply, key)
            if paging is None or items is None:
                error = _malformed("GET", route, reply, f"expected `paging` and `{key}`")
                return collector.result(str(error), error)
            totals.append(paging)
            collector.add_page(items)
            count_pages, count_items = paging
            if page >= count_pages or not items:
                break
            if page > count_items // self.page_size + 1:
                return collector.result(f"GET {route}: paging does not end (page {page})")
            page += 1
        return collector.result(_paging_problem(route, totals, page, collector.count))


# -- helpers ----------------------------------------------------------------------------


def _check_credentials(api_user: str, api_key: str, external_application: str) -> None:
    if not api_user or not api_key:
        raise ValueError("clockodo: the API user (login e-mail) and API key are required")
    if len(external_application) > EXTERNAL_APPLICATION_MAX:
        raise ValueError(
            "clockodo: external_application must be at most "
            f"{EXTERNAL_APPLICATION_MAX} characters, got {len(external_application)}"
        )
    if not _EXTERNAL_APPLICATION.match(external_application):
        raise ValueError(
            "clockodo: external_application must look like 'name;contact@example.com' "
            f"(application name, ';', contact e-mail), got {external_application!r}"
        )


def _check_group_selection(filters: Mapping[str, FilterValue]) -> None:
    # Without a filter a group change hits every user's entries in the window.
    if not filters:
        raise ValueError("clockodo: a group edit or delete needs at least one filter")


def _window(time_since: dt.datetime, time_until: dt.datetime) -> dict[str, Any]:
    return {"time_since": utc_z(time_since), "time_until": utc_z(time_until)}


def _filter_params(filters: Mapping[str, FilterValue | None]) -> dict[str, Any]:
    return {
        f"filter[{name}]": int(value) if isinstance(value, bool) else value
        for name, value in filters.items()
        if value is not None
    }


def _page(reply: Reply, key: str) -> tuple[tuple[int, int] | None, list[Any] | None]:
    data = reply.data if isinstance(reply.data, dict) else {}
    paging, items = data.get("paging"), data.get(key)
    if not isinstance(paging, dict) or not isinstance(items, list):
        return None, None
    pages, count = paging.get("count_pages"), paging.get("count_items")
    if not isinstance(pages, int) or not isinstance(count, int):
        return None, None
    return (pages, count), items


def _paging_problem(
    route: str, totals: list[tuple[int, int]], pages_read: int, count: int
) -> str | None:
    if totals[0] != totals[-1]:
        return f"GET {route}: paging changed during the read ({totals[0]} → {totals[-1]})"
    count_pages, count_items = totals[-1]
    if pages_read < count_pages:
        return f"GET {route}: read {pages_read} of {count_pages} pages"
    if count != count_items:
        return f"GET {route}: count_items is {count_items} but {count} distinct items were read"
    return None


def _handshake(send: Callable[[str | None], Reply], method: str) -> GroupEditHandshake:
    route = "/v2/entrygroups"
    reply = send(None)
    data = reply.data if isinstance(reply.data, dict) else {}
    key, affected = data.get("confirm_key"), data.get("affected_entries")
    if not isinstance(key, str) or not isinstance(affected, int):
        raise _malformed(method, route, reply, "no confirm_key/affected_entries")

    def confirm() -> int:
        answer = send(key)
        body = answer.data if isinstance(answer.data, dict) else {}
        # The spec names the count `edited_entries` for both; the SDK reads
        # `deleted_entries` for DELETE (clockodo.md §3.2).
        for name in ("edited_entries", "deleted_entries"):
            if isinstance(body.get(name), int):
                return int(body[name])
        cause = _malformed(method, route, answer, "no edited_entries/deleted_entries")
        raise OutcomeUnknown(API, method, route, answer.status, detail=cause.detail, cause=cause)

    return GroupEditHandshake(affected, confirm)


def _malformed(method: str, route: str, reply: Reply, detail: str) -> MalformedResponse:
    return MalformedResponse(API, method, route, reply.status, detail=detail)


def _field_item(model: type[M], reply: Reply, key: str) -> M | Invalid:
    data = reply.data if isinstance(reply.data, dict) else {}
    if key not in data:
        return Invalid(None, f"no `{key}` in the answer")
    return parse_item(data[key], model)


def _parse_in(model: type[M], reply: Reply, key: str, method: str, route: str) -> M:
    parsed = _field_item(model, reply, key)
    if isinstance(parsed, Invalid):
        raise _malformed(method, route, reply, parsed.reason)
    return parsed


def _parse_raw(model: type[M], raw: Any, reply: Reply, method: str, route: str) -> M:
    parsed = parse_item(raw, model)
    if isinstance(parsed, Invalid):
        raise _malformed(method, route, reply, parsed.reason)
    return parsed
