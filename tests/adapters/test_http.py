"""The shared transport with httpx.MockTransport: retries, error classes, metrics."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import httpx
import pytest
from structlog.testing import capture_logs

from syncd.adapters import http as http_module
from syncd.adapters.errors import (
    ApiError,
    AuthError,
    Gone,
    LockedOrBilled,
    MalformedResponse,
    NotFound,
    OutcomeUnknown,
    RateLimited,
    ServerError,
    TransportError,
    ValidationFailed,
)
from syncd.adapters.http import ApiTransport, RequestEvent, RetryPolicy, retry_after_seconds
from syncd.adapters.throttle import RateLimit, Throttle
from tests.adapters.conftest import Sleeps

Handler = Callable[[httpx.Request], httpx.Response]
BASE = "https://acme.example.com/api/v1"


class Script:
    """Answers requests from a list of responses or exceptions, and counts them."""

    def __init__(self, *answers: httpx.Response | Exception) -> None:
        self._answers: Iterator[httpx.Response | Exception] = iter(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = next(self._answers)
        if isinstance(answer, Exception):
            raise answer
        return answer


@pytest.fixture
def make(
    retry: RetryPolicy, throttle: Throttle, record: Callable[[RequestEvent], None]
) -> Callable[..., ApiTransport]:
    def build(handler: Handler, **kwargs: object) -> ApiTransport:
        options: dict[str, object] = {
            "timeout": httpx.Timeout(1.0),
            "throttle": throttle,
            "retry": retry,
            "on_request": record,
            "transport": httpx.MockTransport(handler),
            "secrets": ["s3cret-key"],
        }
        options.update(kwargs)
        return ApiTransport(
            "moco",
            BASE,
            {"Authorization": "Token token=s3cret-key"},
            **options,  # type: ignore[arg-type]
        )

    return build


def ok(body: object = None, status: int = 200, **headers: str) -> httpx.Response:
    return httpx.Response(status, json=body, headers=headers)


def test_success_decodes_json_and_sends_to_the_templated_path(
    make: Callable[..., ApiTransport],
) -> None:
    script = Script(ok({"id": 7}))
    reply = make(script).request(
        "GET", "/activities/{id}", path_params={"id": 7}, params={"a": True}
    )
    assert reply.data == {"id": 7}
    sent = script.requests[0]
    assert sent.url.path == "/api/v1/activities/7"
    assert sent.url.params["a"] == "true"
    assert sent.headers["Authorization"] == "Token token=s3cret-key"


def test_empty_body_is_none(make: Callable[..., ApiTransport]) -> None:
    reply = make(Script(httpx.Response(204))).request("DELETE", "/activities/1")
    assert reply.status == 204
    assert reply.data is None


@pytest.mark.parametrize(
    ("status", "error_class"),
    [
        (400, ValidationFailed),
        (401, AuthError),
        (403, AuthError),
        (404, NotFound),
        (409, ValidationFailed),
        (410, Gone),
        (422, ValidationFailed),
        (415, ApiError),
    ],
)
def test_client_errors_are_classified_and_never_retried(
    make: Callable[..., ApiTransport], status: int, error_class: type[ApiError]
) -> None:
    script = Script(ok({"message": "nope"}, status))
    with pytest.raises(error_class) as caught:
        make(script).request("GET", "/activities/{id}", path_params={"id": 3})
    assert type(caught.value) is error_class
    assert len(script.requests) == 1
    assert caught.value.status == status
    assert caught.value.route == "/activities/3"
    assert str(caught.value) == f"MOCO GET /activities/3: {status} nope"


def test_gone_is_not_a_not_found() -> None:
    # An engine that proves deletion by 404 must not mistake a retired endpoint for it.
    assert not issubclass(Gone, NotFound)


def test_locked_check_turns_a_refusal_into_locked_or_billed(
    make: Callable[..., ApiTransport],
) -> None:
    body = {"errors": {"billed": ["activity is billed"]}}
    transport = make(Script(ok(body, 422)), locked=lambda status, body, messages: True)
    with pytest.raises(LockedOrBilled) as caught:
        transport.request("PUT", "/activities/{id}", path_params={"id": 1}, json={})
    assert caught.value.messages == ["billed activity is billed"]
    assert isinstance(caught.value, ValidationFailed)


def test_429_and_5xx_are_retried_until_success(
    make: Callable[..., ApiTransport], sleeps: Sleeps
) -> None:
    script = Script(ok(None, 429), ok(None, 500), ok(None, 503), ok([1]))
    assert make(script).request("GET", "/activities").data == [1]
    assert len(script.requests) == 4
    assert len(sleeps) == 3
    assert all(0 < wait <= 0.05 for wait in sleeps)  # exponential backoff within the policy


def test_retry_after_seconds_sets_the_wait(
    make: Callable[..., ApiTransport], sleeps: Sleeps
) -> None:
    script = Script(ok(None, 429, **{"Retry-After": "7"}), ok([]))
    make(script).request("GET", "/activities")
    assert sleeps == [7.0]


def test_retry_after_http_date_sets_the_wait(
    make: Callable[..., ApiTransport], sleeps: Sleeps
) -> None:
    when = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    script = Script(ok(None, 503, **{"Retry-After": when}), ok([]))
    make(script).request("GET", "/activities")
    assert 25 < sleeps[0] <= 30


def test_retry_after_is_capped_by_the_policy(
    make: Callable[..., ApiTransport], sleeps: Sleeps
) -> None:
    policy = RetryPolicy(attempts=2, max_retry_after=5.0, sleep=sleeps)
    script = Script(ok(None, 429, **{"Retry-After": "3600"}), ok([]))
    make(script, retry=policy).request("GET", "/activities")
    assert sleeps == [5.0]


def test_retry_after_holds_the_shared_throttle(make: Callable[..., ApiTransport]) -> None:
    held: list[float] = []

    class Recording(Throttle):
        def hold(self, seconds: float) -> None:
            held.append(seconds)

    script = Script(ok(None, 429, **{"Retry-After": "2"}), ok([]))
    make(script, throttle=Recording([RateLimit(10**6, 1.0)])).request("GET", "/x")
    assert held == [2.0]


def test_retry_after_parsing() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    assert retry_after_seconds("12", now) == 12.0
    assert retry_after_seconds("Thu, 01 Jan 2026 00:01:00 GMT", now) == 60.0
    assert retry_after_seconds("Wed, 31 Dec 2025 00:00:00 GMT", now) == 0.0
    assert retry_after_seconds("soon", now) is None
    assert retry_after_seconds("nan", now) is None
    assert retry_after_seconds(None, now) is None


@pytest.mark.parametrize(
    ("answer", "error_class"),
    [
        (ok(None, 429), RateLimited),
        (ok({"message": "Internal Server Error"}, 500), ServerError),
        (httpx.ReadTimeout("timed out"), TransportError),
        (httpx.ConnectError("refused"), TransportError),
    ],
)
def test_exhausted_retries_raise_the_final_error(
    make: Callable[..., ApiTransport], answer: httpx.Response | Exception, error_class: type
) -> None:
    script = Script(*[answer] * 4)
    with pytest.raises(error_class):
        make(script).request("PUT", "/activities/{id}", path_params={"id": 1}, json={})
    assert len(script.requests) == 4


@pytest.mark.parametrize(
    "answer",
    [
        ok({"message": "boom"}, 500),
        ok(None, 503),
        httpx.ReadTimeout("timed out"),
        httpx.RemoteProtocolError("peer closed connection"),
        httpx.WriteError("broken pipe"),
        httpx.Response(200, content=b'{"id": 1, "da'),
    ],
)
def test_post_with_a_lost_answer_is_outcome_unknown_and_not_retried(
    make: Callable[..., ApiTransport], answer: httpx.Response | Exception
) -> None:
    script = Script(answer, ok({"id": 2}))
    with pytest.raises(OutcomeUnknown) as caught:
        make(script).request("POST", "/activities", json={"seconds": 60})
    assert len(script.requests) == 1
    assert caught.value.cause is not None
    assert "outcome unknown" in str(caught.value)


@pytest.mark.parametrize(
    "answer", [ok(None, 429), httpx.ConnectError("refused"), httpx.ConnectTimeout("slow")]
)
def test_post_is_retried_when_it_surely_did_not_take_effect(
    make: Callable[..., ApiTransport], answer: httpx.Response | Exception
) -> None:
    script = Script(answer, ok({"id": 2}))
    assert make(script).request("POST", "/activities", json={}).data == {"id": 2}
    assert len(script.requests) == 2


def test_a_post_marked_idempotent_is_retried_like_a_put(make: Callable[..., ApiTransport]) -> None:
    script = Script(httpx.ReadTimeout("timed out"), ok([1, 2]))
    reply = make(script).request("POST", "/activities/disregard", json={}, idempotent=True)
    assert reply.data == [1, 2]


def test_a_patch_marked_non_idempotent_is_not_retried(make: Callable[..., ApiTransport]) -> None:
    script = Script(ok(None, 502), ok({}))
    with pytest.raises(OutcomeUnknown):
        make(script).request("PATCH", "/activities/1/start_timer", idempotent=False)
    assert len(script.requests) == 1


def test_malformed_json_on_a_read_is_retried_then_reported(
    make: Callable[..., ApiTransport],
) -> None:
    garbled = httpx.Response(200, content=b'{"truncated": [1, 2')
    assert make(Script(garbled, ok([3]))).request("GET", "/x").data == [3]
    with pytest.raises(MalformedResponse) as caught:
        make(Script(*[garbled] * 4)).request("GET", "/x")
    assert caught.value.status == 200


def test_html_error_page_is_a_server_error_with_its_title(
    make: Callable[..., ApiTransport],
) -> None:
    page = httpx.Response(
        502,
        text="<html><title>502 Bad Gateway</title></html>",
        headers={"Content-Type": "text/html"},
    )
    with pytest.raises(ServerError) as caught:
        make(Script(*[page] * 4)).request("GET", "/x")
    assert str(caught.value) == "MOCO GET /x: 502 HTML page: 502 Bad Gateway"


def test_html_with_200_is_malformed(make: Callable[..., ApiTransport]) -> None:
    page = httpx.Response(200, text="<html><title>Login</title></html>")
    with pytest.raises(MalformedResponse, match="HTML page: Login"):
        make(Script(*[page] * 4)).request("GET", "/x")


def test_redirects_are_not_followed(make: Callable[..., ApiTransport]) -> None:
    script = Script(httpx.Response(302, headers={"Location": "https://evil.example/"}))
    with pytest.raises(MalformedResponse):
        make(script).request("GET", "/x")
    assert len(script.requests) == 1


def test_each_attempt_reports_a_request_event(
    make: Callable[..., ApiTransport], events: list[RequestEvent]
) -> None:
    script = Script(httpx.ConnectError("refused"), ok(None, 500), ok({"id": 5}))
    make(script).request("GET", "/activities/{id}", path_params={"id": 5})
    assert [(e.api, e.method, e.route, e.status_class) for e in events] == [
        ("moco", "GET", "/activities/{id}", "transport"),
        ("moco", "GET", "/activities/{id}", "5xx"),
        ("moco", "GET", "/activities/{id}", "2xx"),
    ]
    assert all(e.seconds >= 0 and e.throttled_seconds >= 0 for e in events)


def test_a_failing_metrics_hook_does_not_fail_the_request(
    make: Callable[..., ApiTransport],
) -> None:
    def broken(event: RequestEvent) -> None:
        raise RuntimeError("metrics down")

    with capture_logs() as logs:
        reply = make(Script(ok({"id": 1})), on_request=broken).request("POST", "/activities")
    assert reply.data == {"id": 1}
    assert any(entry["event"] == "request hook failed" for entry in logs)


class _Recorder:
    """Stands in for the module's logger: every call with its level (the configured
    level filter is global and set by other tests, so capturing could miss debug)."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, dict[str, Any]]] = []

    def __getattr__(self, level: str) -> Callable[..., None]:
        return lambda event, **fields: self.calls.append((level, event, fields))


def test_retries_are_logged_without_secrets(
    make: Callable[..., ApiTransport], monkeypatch: pytest.MonkeyPatch
) -> None:
    recorder = _Recorder()
    monkeypatch.setattr(http_module, "log", recorder)
    make(Script(ok(None, 500), ok([]))).request("GET", "/activities")
    level, event, fields = recorder.calls[0]
    assert (level, event) == ("debug", "api request retry")  # a persisting failure: one line
    assert fields["status"] == 500
    assert "s3cret-key" not in repr(recorder.calls)


def test_vendor_text_echoing_the_key_is_redacted(make: Callable[..., ApiTransport]) -> None:
    script = Script(ok({"message": "invalid token s3cret-key"}, 401))
    with pytest.raises(AuthError) as caught:
        make(script).request("GET", "/session")
    assert "s3cret-key" not in str(caught.value)
    assert "[redacted]" in str(caught.value)


def test_local_configuration_errors_are_not_retried(make: Callable[..., ApiTransport]) -> None:
    script = Script(httpx.UnsupportedProtocol("bad scheme"))
    with pytest.raises(TransportError):
        make(script).request("GET", "/x")
    assert len(script.requests) == 1


def test_repr_shows_no_headers(make: Callable[..., ApiTransport]) -> None:
    assert "s3cret" not in repr(make(Script()))


def test_path_values_cannot_leave_their_segment(make: Callable[..., ApiTransport]) -> None:
    script = Script(ok({}))
    make(script).request("GET", "/activities/{id}", path_params={"id": "../session"})
    assert script.requests[0].url.raw_path == b"/api/v1/activities/..%2Fsession"


def test_before_write_guards_every_write_attempt_and_no_read(
    make: Callable[..., ApiTransport],
) -> None:
    class Stop(Exception):
        pass

    allowed = [True, False]  # the second write attempt finds the guard closed

    def guard() -> None:
        if not allowed.pop(0):
            raise Stop

    script = Script(
        httpx.Response(200, json=[]),
        httpx.Response(503, json={"message": "busy"}),
        httpx.Response(200, json={"id": 1}),
    )
    transport = make(script, before_write=guard)
    transport.request("GET", "/activities")  # reads are never guarded
    with pytest.raises(Stop):
        # attempt 1 is sent (503, retried), attempt 2 is stopped before sending
        transport.request("PUT", "/activities/{id}", path_params={"id": 1}, json={})
    assert [r.method for r in script.requests] == ["GET", "PUT"]
    assert allowed == [], "the guard ran before each write attempt"
