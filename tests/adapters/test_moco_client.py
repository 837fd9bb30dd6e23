"""MocoClient against httpx.MockTransport: requests sent, pages walked, answers parsed."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlencode

import httpx
import pytest

from syncd.adapters.errors import AuthError, LockedOrBilled, NotFound, ServerError, ValidationFailed
from syncd.adapters.http import RetryPolicy
from syncd.adapters.moco.client import BulkInterrupted, BulkOutcomeUnknown, MocoClient
from syncd.adapters.moco.models import Activity, ActivityCreate, ActivityUpdate
from syncd.adapters.throttle import Throttle
from tests.adapters.conftest import Recorder

BASE = "https://acme.mocoapp.com/api/v1"
KEY = "moco-unit-key-0123456789"
Handler = Callable[[httpx.Request], httpx.Response]


def activity(activity_id: int, **changes: Any) -> dict[str, Any]:
    record = {
        "id": activity_id,
        "date": "2026-03-02",
        "hours": 1.0,
        "seconds": 3600,
        "worked_seconds": 3600,
        "description": "work",
        "billed": False,
        "invoice_id": None,
        "billable": True,
        "tag": "",
        "remote_service": "",
        "remote_id": None,
        "remote_url": None,
        "project": {"id": 10, "name": "P", "billable": True},
        "task": {"id": 20, "name": "T", "billable": True},
        "customer": {"id": 30, "name": "C"},
        "user": {"id": 5, "firstname": "Ada", "lastname": "L"},
        "hourly_rate": 100.0,
        "timer_started_at": None,
        "created_at": "2026-03-02T08:00:00Z",
        "updated_at": "2026-03-02T09:00:00Z",
    }
    record.update(changes)
    return record


def pages(items: list[dict[str, Any]], *, total: int | None = None) -> Handler:
    """Serve `items` MOCO-style, 100 per page, with Link and X-Total headers."""

    def handle(request: httpx.Request) -> httpx.Response:
        query = {key: values[0] for key, values in parse_qs(request.url.query.decode()).items()}
        page, per_page = int(query.get("page", 1)), int(query.get("per_page", 100))
        chunk = items[(page - 1) * per_page : page * per_page]
        headers = {"X-Total": str(len(items) if total is None else total), "X-Page": str(page)}
        if page * per_page < len(items):
            next_query = urlencode({**query, "page": page + 1})
            headers["Link"] = f'<{BASE}/activities?{next_query}>; rel="next"'
        return httpx.Response(200, json=chunk, headers=headers)

    return handle


@pytest.fixture
def client_for(retry: RetryPolicy, throttle: Throttle) -> Callable[[Handler], MocoClient]:
    def build(handler: Handler) -> MocoClient:
        return MocoClient(
            BASE, KEY, throttle=throttle, retry=retry, transport=httpx.MockTransport(handler)
        )

    return build


def test_list_walks_every_page_and_sends_the_filters(
    client_for: Callable[[Handler], MocoClient],
) -> None:
    recorder = Recorder(pages([activity(i) for i in range(1, 251)]))
    result = client_for(recorder).list_activities(
        date_from=dt.date(2026, 3, 1),
        date_to=dt.date(2026, 3, 31),
        user_id=5,
        updated_after=dt.datetime(
            2026, 3, 1, 10, 0, 0, 123, tzinfo=dt.timezone(dt.timedelta(hours=2))
        ),
    )
    assert result.complete, result.problem
    assert [a.id for a in result.items] == list(range(1, 251))
    assert len(recorder.requests) == 3
    first = recorder.requests[0]
    assert first.headers["Authorization"] == f"Token token={KEY}"
    assert "X-IMPERSONATE-USER-ID" not in first.headers
    params = first.url.params
    assert (params["from"], params["to"], params["user_id"]) == ("2026-03-01", "2026-03-31", "5")
    assert params["updated_after"] == "2026-03-01T08:00:00Z"
    assert params["per_page"] == "100"


def test_a_next_link_to_another_host_only_lends_its_query(
    client_for: Callable[[Handler], MocoClient],
) -> None:
    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.params.get("page") == "2":
            return httpx.Response(200, json=[activity(2)], headers={"X-Total": "2"})
        link = '<http://proxy.internal:8080/other/activities?page=2&per_page=1>; rel="next"'
        return httpx.Response(200, json=[activity(1)], headers={"X-Total": "2", "Link": link})

    recorder = Recorder(handle)
    result = client_for(recorder).list_activities(date_from=None, date_to=None)
    assert result.complete
    assert [str(r.url) for r in recorder.requests] == [
        f"{BASE}/activities?per_page=100",
        f"{BASE}/activities?page=2&per_page=1",
    ]


def test_total_mismatch_makes_the_read_incomplete(
    client_for: Callable[[Handler], MocoClient],
) -> None:
    result = client_for(pages([activity(1), activity(2)], total=3)).list_activities(
        date_from=None, date_to=None
    )
    assert not result.complete
    assert result.problem is not None
    assert "X-Total is 3" in result.problem
    assert len(result.items) == 2


def test_a_failing_page_keeps_what_was_read_and_says_why(
    client_for: Callable[[Handler], MocoClient],
) -> None:
    serve = pages([activity(i) for i in range(1, 151)])

    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.params.get("page") == "2":
            return httpx.Response(500, json={"message": "Internal Server Error"})
        return serve(request)

    result = client_for(handle).list_activities(date_from=None, date_to=None)
    assert not result.complete
    assert len(result.items) == 100
    assert isinstance(result.error, ServerError)
    assert result.problem is not None
    assert "page 2" in result.problem
    with pytest.raises(Exception, match="page 2"):
        result.require_complete()


def test_an_empty_page_ends_the_walk(client_for: Callable[[Handler], MocoClient]) -> None:
    def handle(request: httpx.Request) -> httpx.Response:
        link = f'<{BASE}/activities?page=9>; rel="next"'
        return httpx.Response(200, json=[], headers={"X-Total": "0", "Link": link})

    recorder = Recorder(handle)
    result = client_for(recorder).list_activities(date_from=None, date_to=None)
    assert result.complete
    assert result.items == []
    assert len(recorder.requests) == 1


def test_a_looping_link_is_caught(client_for: Callable[[Handler], MocoClient]) -> None:
    def handle(request: httpx.Request) -> httpx.Response:
        page = int(request.url.params.get("page", "1"))
        link = f'<{BASE}/activities?page=2>; rel="next"'
        return httpx.Response(200, json=[activity(page)], headers={"X-Total": "500", "Link": link})

    result = client_for(handle).list_activities(date_from=None, date_to=None)
    assert not result.complete
    assert result.problem is not None
    assert "does not end" in result.problem


def test_duplicates_across_pages_are_dropped_and_then_the_total_disagrees(
    client_for: Callable[[Handler], MocoClient],
) -> None:
    items = [activity(i) for i in range(1, 101)] + [activity(100), activity(101)]
    result = client_for(pages(items)).list_activities(date_from=None, date_to=None)
    assert [a.id for a in result.items] == list(range(1, 102))
    assert not result.complete  # X-Total 102, 101 distinct: something moved underneath


def test_unparseable_items_go_to_invalid_and_the_rest_is_kept(
    client_for: Callable[[Handler], MocoClient],
) -> None:
    items: list[Any] = [
        activity(1),
        activity(2, date=None),
        activity(3, seconds=-5),
        activity(4, seconds=10**12),
        activity(5, updated_at="2026-03-02T09:00:00"),  # naive
        activity(6, date="2026-02-30"),
        {"id": 7},
        "junk",
        activity(8),
    ]
    result = client_for(pages(items)).list_activities(date_from=None, date_to=None)
    assert result.complete
    assert [a.id for a in result.items] == [1, 8]
    assert [i.raw_id for i in result.invalid] == [2, 3, 4, 5, 6, 7, None]
    assert "date" in result.invalid[0].reason


def test_ids_and_remote_ids_are_sent_in_chunks(client_for: Callable[[Handler], MocoClient]) -> None:
    recorder = Recorder(pages([]))
    client = client_for(recorder)
    assert client.list_activities(date_from=None, date_to=None, ids=list(range(250))).complete
    assert [len(r.url.params["ids"].split(",")) for r in recorder.requests] == [100, 100, 50]
    recorder.requests.clear()
    remote = [f"clockodo:{i}" for i in range(120)] + ["clockodo:0"]
    client.list_activities(date_from=None, date_to=None, remote_ids=remote)
    assert [len(r.url.params["remote_id"].split(",")) for r in recorder.requests] == [100, 20]


def test_an_empty_id_list_asks_nothing_and_finds_nothing(
    client_for: Callable[[Handler], MocoClient],
) -> None:
    recorder = Recorder(pages([activity(1)]))
    result = client_for(recorder).list_activities(date_from=None, date_to=None, ids=[])
    assert result.complete
    assert result.items == []
    assert recorder.requests == []


def test_count_reads_x_total_of_a_one_item_page(
    client_for: Callable[[Handler], MocoClient],
) -> None:
    recorder = Recorder(pages([activity(i) for i in range(1, 43)]))
    count = client_for(recorder).count_activities(
        date_from=dt.date(2026, 1, 1), date_to=dt.date(2026, 1, 31)
    )
    assert count == 42
    assert recorder.requests[0].url.params["per_page"] == "1"


def test_activity_parsing_handles_the_documented_variations() -> None:
    raw = activity(1, remote_service="", updated_at="2026-03-02T11:00:00+02:00")
    del raw["hourly_rate"]
    del raw["worked_seconds"]
    parsed = Activity.model_validate(raw)
    assert parsed.remote_service is None
    assert parsed.hourly_rate is None
    assert parsed.worked_seconds is None
    assert parsed.updated_at == dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    assert parsed.updated_at.tzinfo is dt.UTC


def test_create_sends_the_payload_as_the_impersonated_user(
    client_for: Callable[[Handler], MocoClient],
) -> None:
    recorder = Recorder(lambda request: httpx.Response(200, json=activity(99)))
    payload = ActivityCreate(
        date=dt.date(2026, 3, 2), project_id=10, task_id=20, seconds=900, remote_id="clockodo:1"
    )
    created = client_for(recorder).create_activity(payload, impersonate=5)
    assert created.id == 99
    sent = recorder.requests[0]
    assert sent.headers["X-IMPERSONATE-USER-ID"] == "5"
    assert sent.headers["Content-Type"] == "application/json"
    assert json.loads(sent.content) == {
        "date": "2026-03-02",
        "project_id": 10,
        "task_id": 20,
        "seconds": 900,
        "remote_id": "clockodo:1",
    }


def test_payloads_refuse_hours_and_unknown_fields() -> None:
    with pytest.raises(ValueError, match="hours"):
        ActivityCreate(date=dt.date(2026, 1, 1), project_id=1, task_id=2, seconds=1, hours=1)
    assert ActivityUpdate(description=None).body() == {"description": None}


def _payloads(count: int) -> list[ActivityCreate]:
    return [
        ActivityCreate(date=dt.date(2026, 3, 2), project_id=10, task_id=20, seconds=i + 1)
        for i in range(count)
    ]


def _bulk_server(fail_on_call: int, failure: httpx.Response | Exception) -> Recorder:
    """Creates every chunk except the `fail_on_call`-th request (1-based; 0: none)."""
    next_id = iter(range(1000, 2000))

    def handle(request: httpx.Request) -> httpx.Response:
        if len(recorder.requests) == fail_on_call:
            if isinstance(failure, Exception):
                raise failure
            return failure
        items = json.loads(request.content)["activities"]
        return httpx.Response(200, json=[activity(next(next_id)) for _ in items])

    recorder = Recorder(handle)
    return recorder


def test_bulk_create_sends_chunks_of_one_hundred(
    client_for: Callable[[Handler], MocoClient],
) -> None:
    recorder = _bulk_server(fail_on_call=0, failure=httpx.Response(500))
    created = client_for(recorder).bulk_create(_payloads(250), impersonate=7)
    assert len(created) == 250
    sizes = [len(json.loads(r.content)["activities"]) for r in recorder.requests]
    assert sizes == [100, 100, 50]
    assert {r.headers["X-IMPERSONATE-USER-ID"] for r in recorder.requests} == {"7"}


def test_bulk_create_with_a_lost_answer_says_what_was_in_flight(
    client_for: Callable[[Handler], MocoClient],
) -> None:
    payloads = _payloads(250)
    recorder = _bulk_server(fail_on_call=2, failure=httpx.ReadTimeout("timed out"))
    with pytest.raises(BulkOutcomeUnknown) as caught:
        client_for(recorder).bulk_create(payloads, impersonate=7)
    error = caught.value
    assert len(error.done) == 100
    assert error.in_flight == payloads[100:200]
    assert error.not_sent == payloads[200:]
    assert len(recorder.requests) == 2  # the lost chunk was not re-sent


def test_bulk_create_refused_after_earlier_chunks_reports_progress(
    client_for: Callable[[Handler], MocoClient],
) -> None:
    payloads = _payloads(150)
    refusal = httpx.Response(422, json={"errors": {"activities[3].task_id": ["is not active"]}})
    with pytest.raises(BulkInterrupted) as caught:
        client_for(_bulk_server(2, refusal)).bulk_create(payloads, impersonate=7)
    assert len(caught.value.done) == 100
    assert caught.value.failed == payloads[100:]
    assert isinstance(caught.value.cause, ValidationFailed)
    with pytest.raises(ValidationFailed):
        client_for(_bulk_server(1, refusal)).bulk_create(payloads, impersonate=7)


@pytest.mark.parametrize("answer", [httpx.Response(204), httpx.Response(200, json=activity(3))])
def test_delete_accepts_200_and_204(
    client_for: Callable[[Handler], MocoClient], answer: httpx.Response
) -> None:
    recorder = Recorder(lambda request: answer)
    client_for(recorder).delete_activity(3, impersonate=5)
    assert recorder.requests[0].method == "DELETE"
    assert recorder.requests[0].headers["X-IMPERSONATE-USER-ID"] == "5"


@pytest.mark.parametrize(
    "body",
    [
        {"errors": {"billed": ["activity is billed and can no longer be changed"]}},
        {"errors": {"date": ["is within the locked period (up to 2026-02-28)"]}},
        {"errors": ["Activity has already been invoiced"]},
    ],
)
def test_billed_or_locked_refusals_are_locked_or_billed(
    client_for: Callable[[Handler], MocoClient], body: dict[str, Any]
) -> None:
    client = client_for(lambda request: httpx.Response(422, json=body))
    with pytest.raises(LockedOrBilled):
        client.update_activity(3, {"seconds": 60}, impersonate=None)


def test_other_validation_failures_stay_plain(client_for: Callable[[Handler], MocoClient]) -> None:
    body = {"errors": {"billable": ["is invalid"]}}
    with pytest.raises(ValidationFailed) as caught:
        client_for(lambda request: httpx.Response(422, json=body)).update_activity(
            3, ActivityUpdate(billable=True), impersonate=None
        )
    assert type(caught.value) is ValidationFailed


def test_get_missing_activity_is_not_found(client_for: Callable[[Handler], MocoClient]) -> None:
    with pytest.raises(NotFound):
        client_for(lambda request: httpx.Response(404)).get_activity(12)


def test_disregard_is_retried_as_idempotent(client_for: Callable[[Handler], MocoClient]) -> None:
    answers: list[httpx.Response | Exception] = [
        httpx.ReadTimeout("lost"),
        httpx.Response(200, json=[1, 2]),
    ]

    def handle(request: httpx.Request) -> httpx.Response:
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    ids = client_for(handle).disregard([1, 2], reason="billed in clockodo", company_id=30)
    assert ids == [1, 2]


def test_master_data_parses_projects_with_tasks_and_contracts(
    client_for: Callable[[Handler], MocoClient],
) -> None:
    project = {
        "id": 10,
        "identifier": "P-1",
        "name": "Website",
        "active": True,
        "billable": True,
        "customer": {"id": 30, "name": "Acme"},
        "tasks": [{"id": 20, "name": "Design", "active": True, "billable": True}],
        "contracts": [{"id": 40, "user_id": 5, "active": True, "billable": True}],
        "archived_on": None,
    }

    def handle(request: httpx.Request) -> httpx.Response:
        assert request.url.params["include_archived"] == "true"
        return httpx.Response(200, json=[project], headers={"X-Total": "1"})

    result = client_for(handle).projects(include_archived=True)
    assert result.complete
    assert result.items[0].tasks[0].id == 20
    assert result.items[0].contracts[0].user_id == 5


def test_repr_and_errors_hide_the_key(client_for: Callable[[Handler], MocoClient]) -> None:
    client = client_for(lambda request: httpx.Response(401, json={"message": "Unauthorized"}))
    assert KEY not in repr(client)
    with pytest.raises(AuthError) as caught:
        client.session()
    assert KEY not in str(caught.value) + repr(caught.value)
