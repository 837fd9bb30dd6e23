"""ClockodoClient against httpx.MockTransport: headers, pages, handshake, parsing."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from syncd.adapters.clockodo.client import ClockodoClient
from syncd.adapters.clockodo.models import Entry, EntryCreate, EntryGroup, EntryUpdate
from syncd.adapters.errors import (
    AuthError,
    Gone,
    LockedOrBilled,
    MalformedResponse,
    NotFound,
    OutcomeUnknown,
    ValidationFailed,
)
from syncd.adapters.http import RetryPolicy
from syncd.adapters.throttle import Throttle
from tests.adapters.conftest import Recorder

BASE = "https://my.clockodo.com/api"
KEY = "clockodo-unit-key-9876543210"
APP = "syncd;ops@example.com"
Handler = Callable[[httpx.Request], httpx.Response]
SINCE = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
UNTIL = dt.datetime(2026, 4, 1, tzinfo=dt.UTC)


def entry(entry_id: int, **changes: Any) -> dict[str, Any]:
    record = {
        "id": entry_id,
        "customers_id": 1,
        "projects_id": 2,
        "subprojects_id": None,
        "users_id": 3,
        "billable": 1,
        "texts_id": 9,
        "text": "work",
        "time_since": "2026-03-02T08:00:00Z",
        "time_until": "2026-03-02T09:00:00Z",
        "time_insert": "2026-03-02T08:00:00Z",
        "time_last_change": "2026-03-02T09:00:00.123Z",
        "test_data": False,
        "type": 1,
        "services_id": 4,
        "duration": 3600,
        "time_last_change_work_time": "2026-03-02T09:00:00Z",
        "time_clocked_since": None,
        "clocked": False,
        "clocked_offline": False,
        "hourly_rate": 80.0,
    }
    record.update(changes)
    return record


def paged(items: list[Any], key: str = "entries", *, count_items: int | None = None) -> Handler:
    def handle(request: httpx.Request) -> httpx.Response:
        page = int(request.url.params["page"])
        size = int(request.url.params["items_per_page"])
        pages = max(1, -(-len(items) // size))
        paging = {
            "items_per_page": size,
            "current_page": page,
            "count_pages": pages,
            "count_items": len(items) if count_items is None else count_items,
        }
        chunk = items[(page - 1) * size : page * size]
        return httpx.Response(200, json={"paging": paging, key: chunk})

    return handle


@pytest.fixture
def client_for(retry: RetryPolicy, throttle: Throttle) -> Callable[..., ClockodoClient]:
    def build(handler: Handler, page_size: int = 1000) -> ClockodoClient:
        return ClockodoClient(
            BASE,
            "ops@example.com",
            KEY,
            APP,
            throttle=throttle,
            retry=retry,
            transport=httpx.MockTransport(handler),
            page_size=page_size,
        )

    return build


@pytest.mark.parametrize(
    ("application", "problem"),
    [
        ("syncd", "name;contact@example.com"),
        ("syncd;not-an-email", "name;contact@example.com"),
        ("a" * 40 + ";ops@example.com", "at most 50"),
        (";ops@example.com", "name;contact@example.com"),
    ],
)
def test_external_application_is_checked_at_construction(application: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        ClockodoClient(BASE, "ops@example.com", KEY, application)


def test_every_request_carries_the_documented_headers(
    client_for: Callable[..., ClockodoClient],
) -> None:
    recorder = Recorder(lambda request: httpx.Response(200, json={"entry": entry(1)}))
    client_for(recorder).get_entry(1)
    headers = recorder.requests[0].headers
    assert headers["X-ClockodoApiUser"] == "ops@example.com"
    assert headers["X-ClockodoApiKey"] == KEY
    assert headers["X-Clockodo-External-Application"] == APP
    assert headers["X-ClockodoEnableIsoUtcDateTimes"] == "1"
    assert headers["Accept"] == "application/json"


def test_list_walks_every_page_with_filters(client_for: Callable[..., ClockodoClient]) -> None:
    recorder = Recorder(paged([entry(i) for i in range(1, 26)]))
    result = client_for(recorder, page_size=10).list_entries(
        time_since=SINCE, time_until=UNTIL, users_id=3, billable=1
    )
    assert result.complete, result.problem
    assert [e.id for e in result.items] == list(range(1, 26))
    assert [r.url.params["page"] for r in recorder.requests] == ["1", "2", "3"]
    params = recorder.requests[0].url.params
    assert params["time_since"] == "2026-03-01T00:00:00Z"
    assert params["time_until"] == "2026-04-01T00:00:00Z"
    assert params["filter[users_id]"] == "3"
    assert params["filter[billable]"] == "1"
    assert params["items_per_page"] == "10"


def test_count_items_mismatch_is_incomplete(client_for: Callable[..., ClockodoClient]) -> None:
    result = client_for(paged([entry(1)], count_items=2)).list_entries(
        time_since=SINCE, time_until=UNTIL
    )
    assert not result.complete
    assert "count_items is 2" in (result.problem or "")


def test_a_failing_page_is_reported_not_hidden(client_for: Callable[..., ClockodoClient]) -> None:
    serve = paged([entry(i) for i in range(1, 26)])

    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.params["page"] == "3":
            return httpx.Response(503, json={"error": {"code": 503, "message": "down"}})
        return serve(request)

    result = client_for(handle, page_size=10).list_entries(time_since=SINCE, time_until=UNTIL)
    assert not result.complete
    assert len(result.items) == 20
    assert "page 3" in (result.problem or "")


def test_a_missing_envelope_is_malformed_and_incomplete(
    client_for: Callable[..., ClockodoClient],
) -> None:
    result = client_for(lambda request: httpx.Response(200, json={"data": []})).list_entries(
        time_since=SINCE, time_until=UNTIL
    )
    assert not result.complete
    assert isinstance(result.error, MalformedResponse)


def test_naive_window_is_refused(client_for: Callable[..., ClockodoClient]) -> None:
    with pytest.raises(ValueError, match="aware"):
        client_for(paged([])).list_entries(time_since=dt.datetime(2026, 1, 1), time_until=UNTIL)


def test_entry_types_and_variations_parse() -> None:
    running = Entry.model_validate(entry(1, time_until=None, duration=None, clocked=True))
    assert running.is_running
    value = Entry.model_validate(entry(2, type=2, lumpsum=150.5, duration=None, services_id=4))
    assert value.lumpsum == 150.5
    service = Entry.model_validate(
        entry(3, type=3, lumpsum_services_id=7, lumpsum_services_amount=2.5, services_id=None)
    )
    assert service.lumpsum_services_amount == 2.5
    assert Entry.model_validate(entry(4, billable=-1)).billable == -1
    parsed = Entry.model_validate(entry(5))
    assert parsed.time_last_change == dt.datetime(2026, 3, 2, 9, 0, 0, 123000, tzinfo=dt.UTC)


def test_invalid_entries_are_set_aside(client_for: Callable[..., ClockodoClient]) -> None:
    items = [entry(1), entry(2, billable=5), entry(3, type=9), entry(4, duration=-1), entry(5)]
    result = client_for(paged(items)).list_entries(time_since=SINCE, time_until=UNTIL)
    assert result.complete
    assert [e.id for e in result.items] == [1, 5]
    assert [i.raw_id for i in result.invalid] == [2, 3, 4]


def test_create_sends_json_with_whole_utc_seconds(
    client_for: Callable[..., ClockodoClient],
) -> None:
    recorder = Recorder(lambda request: httpx.Response(200, json={"entry": entry(42)}))
    payload = EntryCreate(
        customers_id=1,
        services_id=4,
        billable=1,
        time_since=dt.datetime(
            2026, 3, 2, 10, 0, 0, 999, tzinfo=dt.timezone(dt.timedelta(hours=1))
        ),
        time_until=dt.datetime(2026, 3, 2, 10, 30, tzinfo=dt.timezone(dt.timedelta(hours=1))),
        users_id=3,
        text="review",
    )
    assert client_for(recorder).create_entry(payload).id == 42
    body = json.loads(recorder.requests[0].content)
    assert body == {
        "customers_id": 1,
        "services_id": 4,
        "billable": 1,
        "time_since": "2026-03-02T09:00:00Z",
        "time_until": "2026-03-02T09:30:00Z",
        "users_id": 3,
        "text": "review",
    }


def test_create_with_an_unreadable_answer_is_outcome_unknown(
    client_for: Callable[..., ClockodoClient],
) -> None:
    client = client_for(lambda request: httpx.Response(200, json={"success": True}))
    payload = EntryCreate(
        customers_id=1, services_id=4, billable=0, time_since=SINCE, time_until=UNTIL
    )
    with pytest.raises(OutcomeUnknown):
        client.create_entry(payload)


def test_update_sends_only_what_was_set(client_for: Callable[..., ClockodoClient]) -> None:
    recorder = Recorder(
        lambda request: httpx.Response(200, json={"entry": entry(7, text=""), "running": None})
    )
    client_for(recorder).update_entry(7, EntryUpdate(text="", billable=2))
    assert json.loads(recorder.requests[0].content) == {"text": "", "billable": 2}
    assert recorder.requests[0].url.path == "/api/v2/entries/7"


@pytest.mark.parametrize(
    ("status", "body", "error_class"),
    [
        (
            403,
            {
                "errors": [
                    {
                        "type": "Forbidden",
                        "message": "The entry lies in a locked period (edit lock).",
                        "path": "time_since",
                        "details": None,
                    }
                ]
            },
            LockedOrBilled,
        ),
        (
            403,
            {
                "errors": [
                    {
                        "type": "Forbidden",
                        "message": "The entry is billed and cannot be deleted.",
                        "path": "billable",
                        "details": None,
                    }
                ]
            },
            LockedOrBilled,
        ),
        (
            403,
            {
                "errors": [
                    {
                        "type": "Forbidden",
                        "message": "You may not access entries of other co-workers.",
                    }
                ]
            },
            AuthError,
        ),
        (404, {"errors": [{"type": "ResourceNotFound", "message": "not found"}]}, NotFound),
        (410, {"error": {"code": 410, "message": "retired"}}, Gone),
        (
            422,
            {"errors": [{"error": {"type": "EndBeforeStart", "message": "end before start"}}]},
            ValidationFailed,
        ),
        (
            400,
            {"error": {"code": 400, "message": "bad", "fields": ["time_since"]}},
            ValidationFailed,
        ),
    ],
)
def test_refusals_are_classified(
    client_for: Callable[..., ClockodoClient],
    status: int,
    body: dict[str, Any],
    error_class: type[Exception],
) -> None:
    client = client_for(lambda request: httpx.Response(status, json=body))
    with pytest.raises(error_class) as caught:
        client.delete_entry(5)
    assert type(caught.value) is error_class


def test_group_edit_handshake_confirm(client_for: Callable[..., ClockodoClient]) -> None:
    def handle(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        if "confirm_key" in body:
            return httpx.Response(200, json={"success": True, "edited_entries": 3})
        return httpx.Response(200, json={"confirm_key": "abc", "affected_entries": 3})

    recorder = Recorder(handle)
    handshake = client_for(recorder).edit_entry_group(
        time_since=SINCE, time_until=UNTIL, filters={"users_id": 3}, changes={"billable": 2}
    )
    assert handshake.affected_entries == 3
    assert len(recorder.requests) == 1
    assert "abc" not in repr(handshake)
    assert handshake.confirm() == 3
    first, second = (json.loads(r.content) for r in recorder.requests)
    assert first == {
        "time_since": "2026-03-01T00:00:00Z",
        "time_until": "2026-04-01T00:00:00Z",
        "filter": {"users_id": 3},
        "billable": 2,
    }
    assert second == {**first, "confirm_key": "abc"}
    with pytest.raises(RuntimeError, match="already confirmed"):
        handshake.confirm()


def test_group_delete_handshake_reads_deleted_entries(
    client_for: Callable[..., ClockodoClient],
) -> None:
    def handle(request: httpx.Request) -> httpx.Response:
        if "confirm_key" in request.url.params:
            return httpx.Response(200, json={"success": True, "deleted_entries": 2})
        return httpx.Response(200, json={"confirm_key": "k1", "affected_entries": 2})

    recorder = Recorder(handle)
    handshake = client_for(recorder).delete_entry_group(
        time_since=SINCE, time_until=UNTIL, filters={"projects_id": 2}
    )
    assert handshake.confirm() == 2
    params = recorder.requests[1].url.params
    assert params["filter[projects_id]"] == "2"
    assert params["confirm_key"] == "k1"


def test_a_lost_confirm_answer_is_outcome_unknown_and_not_resent(
    client_for: Callable[..., ClockodoClient],
) -> None:
    def handle(request: httpx.Request) -> httpx.Response:
        if "confirm_key" in request.url.params:
            raise httpx.ReadTimeout("lost")
        return httpx.Response(200, json={"confirm_key": "k1", "affected_entries": 2})

    recorder = Recorder(handle)
    handshake = client_for(recorder).delete_entry_group(
        time_since=SINCE, time_until=UNTIL, filters={"users_id": 3}
    )
    with pytest.raises(OutcomeUnknown):
        handshake.confirm()
    assert len(recorder.requests) == 2


def test_group_changes_need_a_filter_and_known_fields(
    client_for: Callable[..., ClockodoClient],
) -> None:
    client = client_for(lambda request: httpx.Response(500))
    with pytest.raises(ValueError, match="filter"):
        client.delete_entry_group(time_since=SINCE, time_until=UNTIL, filters={})
    with pytest.raises(ValueError, match="group changes"):
        client.edit_entry_group(
            time_since=SINCE, time_until=UNTIL, filters={"users_id": 1}, changes={"duration": 5}
        )


def test_entry_groups_nest_and_accept_numeric_groups(
    client_for: Callable[..., ClockodoClient],
) -> None:
    answer = {
        "groups": [
            {
                "grouped_by": "year",
                "group": 2026,
                "name": "2026",
                "duration": 7200,
                "revenue": 12.5,
                "restrictions": {},
                "sub_groups": [
                    {"grouped_by": "projects_id", "group": 0, "name": "none", "duration": 7200}
                ],
            }
        ]
    }
    recorder = Recorder(lambda request: httpx.Response(200, json=answer))
    groups = client_for(recorder).entry_groups(
        time_since=SINCE, time_until=UNTIL, grouping=["year", "projects_id"], round_to_minutes=15
    )
    assert groups[0].group == "2026"
    assert groups[0].sub_groups == [
        EntryGroup(grouped_by="projects_id", group="0", name="none", duration=7200)
    ]
    params = recorder.requests[0].url.params
    assert params.get_list("grouping[]") == ["year", "projects_id"]
    assert params["round_to_minutes"] == "15"


def test_master_data_walks_data_pages(client_for: Callable[..., ClockodoClient]) -> None:
    users = [
        {"id": i, "name": f"U{i}", "active": True, "timezone": "Europe/Berlin"} for i in range(1, 4)
    ]
    result = client_for(paged(users, "data"), page_size=2).users()
    assert result.complete
    assert [u.timezone for u in result.items] == ["Europe/Berlin"] * 3


def test_no_key_in_repr_or_errors(client_for: Callable[..., ClockodoClient]) -> None:
    client = client_for(
        lambda request: httpx.Response(
            401, json={"errors": [{"type": "Unauthorized", "message": f"bad key {KEY}"}]}
        )
    )
    assert KEY not in repr(client)
    with pytest.raises(AuthError) as caught:
        client.me()
    assert KEY not in str(caught.value)
    assert KEY not in repr(caught.value)
