"""The transport both API clients share: throttle, timeouts, retries, errors, metrics.

`ApiTransport.request` sends one logical request and answers a `Reply` with
the decoded JSON body, or raises an error from `syncd.adapters.errors`.
Under the hood each attempt waits for the shared throttle, goes over
`httpx.Client` (TLS verification on, a timeout on every request) and reports a
`RequestEvent`; tenacity retries what is safe to retry:

- GET, PUT, PATCH, DELETE (and POSTs the caller marks idempotent): 429, 5xx,
  timeouts, connection errors, a garbled 2xx body.
- other POSTs: only failures that prove the request did not take effect
  (connection refused, connect timeout, 429). A timeout after sending, a
  dropped connection, a 5xx or a garbled 2xx body raise `OutcomeUnknown`.
- never any other 4xx.

`Retry-After` (seconds or an HTTP date) on 429/503 sets the wait, and holds
the shared throttle so other callers of the same identity back off too.
"""

from __future__ import annotations

import email.utils
import math
import socket
import ssl
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Self
from urllib.parse import quote

import httpx
import orjson
import structlog
from tenacity import RetryCallState, Retrying, retry_if_exception_type, stop_after_attempt
from tenacity.wait import wait_exponential_jitter

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
    error_messages,
    text_summary,
)
from syncd.adapters.throttle import Throttle

log = structlog.get_logger(__name__)

Params = Mapping[str, str | int | float | bool | Sequence[str | int]]
LockedCheck = Callable[[int, Any, list[str]], bool]
REDACTED = "[redacted]"


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently to retry (tests pass tiny waits and a no-op sleep)."""

    attempts: int = 5
    initial_wait: float = 1.0
    max_wait: float = 30.0
    jitter: float = 1.0
    max_retry_after: float = 120.0
    sleep: Callable[[float], None] = time.sleep

    def __post_init__(self) -> None:
        if self.attempts < 1:
            raise ValueError("RetryPolicy.attempts must be at least 1")


@dataclass(frozen=True)
class RequestEvent:
    """One HTTP attempt, for metrics. `route` is the template, e.g. ``/activities/{id}``."""

    api: str
    method: str
    route: str
    status_class: str  # "2xx" .. "5xx", or "transport" when no response arrived
    seconds: float
    throttled_seconds: float
    status: int | None = None  # the HTTP status, when a response arrived


@dataclass(frozen=True)
class Reply:
    """A successful answer: status, headers, decoded JSON (None for an empty body)."""

    status: int
    headers: httpx.Headers
    data: Any
    links: dict[str, str]


# Failures that prove the request never reached the vendor.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
# Failures of our own set-up (bad scheme, proxy, a request httpx cannot encode).
_LOCAL_PROBLEMS = (
    httpx.UnsupportedProtocol,
    httpx.ProxyError,
    httpx.LocalProtocolError,
    httpx.TooManyRedirects,
)


_CLIENT_ERRORS: dict[int, type[ApiError]] = {
    400: ValidationFailed,
    401: AuthError,
    403: AuthError,
    404: NotFound,
    409: ValidationFailed,
    410: Gone,
    422: ValidationFailed,
}


class _Retryable(Exception):
    """Internal: an attempt failed in a way that may be retried."""

    def __init__(self, error: ApiError, retry_after: float | None = None) -> None:
        super().__init__(str(error))
        self.error = error
        self.retry_after = retry_after


@dataclass(frozen=True)
class _Call:
    method: str
    template: str
    path: str
    idempotent: bool


class ApiTransport:
    """One vendor's HTTP channel. Thread-safe (httpx.Client is)."""

    def __init__(
        self,
        api: str,
        base_url: str,
        headers: Mapping[str, str],
        *,
        timeout: httpx.Timeout,
        throttle: Throttle,
        retry: RetryPolicy,
        on_request: Callable[[RequestEvent], None] | None = None,
        transport: httpx.BaseTransport | None = None,
        secrets: Sequence[str] = (),
        locked: LockedCheck | None = None,
        before_write: Callable[[], None] | None = None,
    ) -> None:
        self.api = api
        # Called right before every write attempt is sent (after any throttle
        # wait or back-off); it raises to keep the write from going out.
        self._before_write = before_write
        self._base = httpx.URL(base_url.rstrip("/") + "/")
        self._client = httpx.Client(
            base_url=self._base,
            headers=dict(headers),
            timeout=timeout,
            transport=transport,
            follow_redirects=False,  # a redirect must not carry our key elsewhere
        )
        self._throttle = throttle
        self._policy = retry
        self._on_request = on_request
        self._secrets = [secret for secret in secrets if secret]
        self._locked = locked
        self._backoff = wait_exponential_jitter(
            multiplier=retry.initial_wait, max=retry.max_wait, jitter=retry.jitter
        )

    def __repr__(self) -> str:
        return f"ApiTransport({self.api!r}, {str(self._base)!r})"

    def close(self) -> None:
        self._client.close()

    def request(
        self,
        method: str,
        route: str,
        *,
        path_params: Mapping[str, int | str] | None = None,
        params: Params | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        idempotent: bool | None = None,
    ) -> Reply:
        """Send `method route` (a template such as ``/activities/{id}``).

        `idempotent` defaults to True for every method but POST.
        """
        quoted = {name: quote(str(value), safe="") for name, value in (path_params or {}).items()}
        path = route.format(**quoted) if quoted else route
        call = _Call(method, route, path, method != "POST" if idempotent is None else idempotent)
        target = self._base.join(path.lstrip("/"))
        query = {key: _query_value(value) for key, value in (params or {}).items()}
        retrying = Retrying(
            stop=stop_after_attempt(self._policy.attempts),
            wait=self._wait,
            retry=retry_if_exception_type(_Retryable),
            sleep=self._policy.sleep,
            before_sleep=self._log_retry,
            reraise=True,
        )
        try:
            return retrying(self._attempt, call, target, query, json, headers or {})
        except _Retryable as exhausted:
            raise exhausted.error from None

    # -- one attempt ------------------------------------------------------------
    def _attempt(
        self,
        call: _Call,
        target: httpx.URL,
        query: dict[str, Any],
        body: Any,
        headers: Mapping[str, str],
    ) -> Reply:
        waited = self._throttle.acquire()
        if call.method != "GET" and self._before_write is not None:
            self._before_write()
        started = time.perf_counter()
        try:
            response = self._client.request(
                call.method, target, params=query or None, json=body, headers=headers
            )
        except httpx.RequestError as exc:
            self._emit(call, "transport", started, waited)
            raise self._transport_failure(call, exc) from None
        self._emit(call, f"{response.status_code // 100}xx", started, waited, response.status_code)
        return self._answer(call, response)

    def _answer(self, call: _Call, response: httpx.Response) -> Reply:
        status = response.status_code
        if 200 <= status < 300:
            try:
                data = orjson.loads(response.content) if response.content.strip() else None
            except ValueError:
                error = self._error(MalformedResponse, call, status, [], _body_summary(response))
                if call.idempotent:
                    raise _Retryable(error) from None
                raise self._unknown(call, status, error) from None
            links = {
                rel: link["url"] for rel, link in response.links.items() if rel and "url" in link
            }
            return Reply(status, response.headers, data, links)
        body = _json_or_none(response)
        messages = error_messages(body)
        detail = None if messages else _body_summary(response)
        if status == 429 or (status >= 500 and call.idempotent):
            error_class = RateLimited if status == 429 else ServerError
            retry_after = _retry_after(response) if status in (429, 503) else None
            if retry_after is not None:
                self._throttle.hold(min(retry_after, self._policy.max_retry_after))
            raise _Retryable(self._error(error_class, call, status, messages, detail), retry_after)
        if status >= 500:
            server = self._error(ServerError, call, status, messages, detail)
            raise self._unknown(call, status, server)
        raise self._error(
            self._client_error_class(status, body, messages), call, status, messages, detail
        )

    def _client_error_class(self, status: int, body: Any, messages: list[str]) -> type[ApiError]:
        if self._locked is not None and self._locked(status, body, messages):
            return LockedOrBilled
        if status < 200 or 300 <= status < 400:
            return MalformedResponse  # we never ask for redirects or informational answers
        return _CLIENT_ERRORS.get(status, ApiError)

    def _transport_failure(self, call: _Call, exc: httpx.RequestError) -> Exception:
        detail = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        error = self._error(TransportError, call, None, [], detail)
        assert isinstance(error, TransportError)
        error.kind = connect_failure_kind(exc)
        if error.kind in PERMANENT_KINDS and isinstance(exc, httpx.ConnectError):
            # No address, nobody listening, a bad certificate: nothing was sent, and
            # waiting cannot help. (TLS trouble after sending stays an unknown outcome.)
            return error
        if isinstance(exc, _NOT_SENT):
            return _Retryable(error)  # nothing reached the vendor: safe for any method
        if isinstance(exc, _LOCAL_PROBLEMS):
            return error  # our configuration, not the network: retrying cannot help
        if call.idempotent:
            return _Retryable(error)
        return self._unknown(call, None, error)

    # -- helpers ----------------------------------------------------------------
    def _error(
        self,
        error_class: type[ApiError],
        call: _Call,
        status: int | None,
        messages: list[str],
        detail: str | None,
    ) -> ApiError:
        return error_class(
            self.api,
            call.method,
            call.path,
            status,
            [self._scrub(message) for message in messages],
            detail=self._scrub(detail) if detail else None,
        )

    def _unknown(self, call: _Call, status: int | None, cause: ApiError) -> OutcomeUnknown:
        return OutcomeUnknown(
            self.api,
            call.method,
            call.path,
            status,
            cause.messages,
            detail=cause.detail,
            cause=cause,
        )

    def _scrub(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return text

    def _emit(
        self,
        call: _Call,
        status_class: str,
        started: float,
        waited: float,
        status: int | None = None,
    ) -> None:
        if self._on_request is None:
            return
        event = RequestEvent(
            self.api,
            call.method,
            call.template,
            status_class,
            time.perf_counter() - started,
            waited,
            status,
        )
        try:
            self._on_request(event)
        except Exception:  # a broken metrics hook must not turn a done write into an error
            log.exception("request hook failed", api=self.api, route=call.template)

    def _wait(self, state: RetryCallState) -> float:
        failure = state.outcome.exception() if state.outcome is not None else None
        if isinstance(failure, _Retryable) and failure.retry_after is not None:
            return min(failure.retry_after, self._policy.max_retry_after)
        return float(self._backoff(state))

    def _log_retry(self, state: RetryCallState) -> None:
        # Debug: a failure that persists ends as one line naming it (the command's
        # error, the run's result); one that passes shows in the request metrics.
        failure = state.outcome.exception() if state.outcome is not None else None
        error = failure.error if isinstance(failure, _Retryable) else None
        log.debug(
            "api request retry",
            api=self.api,
            method=error.method if error else None,
            route=error.route if error else None,
            status=error.status if error else None,
            error=type(error).__name__ if error else None,
            attempt=state.attempt_number,
            wait_seconds=round(state.upcoming_sleep, 3),
        )


PERMANENT_KINDS = frozenset({"dns", "refused", "tls"})


def connect_failure_kind(exc: BaseException) -> str:
    """What kind of transport failure `exc` is, from the causes it wraps."""
    if isinstance(exc, httpx.TimeoutException):
        return "timeout"
    seen: BaseException | None = exc
    for _ in range(8):  # httpx wraps httpcore, which wraps the OSError
        if seen is None:
            break
        if isinstance(seen, ssl.SSLError):
            return "tls"
        if isinstance(seen, socket.gaierror):
            return "dns"
        if isinstance(seen, ConnectionRefusedError):
            return "refused"
        seen = seen.__cause__ or seen.__context__
    text = str(exc).lower()
    for marker, kind in _KIND_MARKERS:
        if marker in text:
            return kind
    return "network"


_KIND_MARKERS = (
    ("certificate", "tls"),
    ("ssl", "tls"),
    ("name or service not known", "dns"),
    ("nodename nor servname", "dns"),
    ("temporary failure in name resolution", "dns"),
    ("no address associated", "dns"),
    ("connection refused", "refused"),
)


def _query_value(value: str | int | float | bool | Sequence[str | int]) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return value
    return [str(item) for item in value]


def _json_or_none(response: httpx.Response) -> Any:
    try:
        return orjson.loads(response.content)
    except ValueError:  # orjson's JSONDecodeError is one
        return None


def _body_summary(response: httpx.Response) -> str:
    try:
        text = response.text
    except (UnicodeDecodeError, LookupError):
        return "undecodable body"
    return text_summary(text) or (f"{response.reason_phrase}".strip() or "empty body")


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """`Retry-After` as seconds from now: delta-seconds or an HTTP date."""
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            moment = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        seconds = (moment - (now or datetime.now(UTC))).total_seconds()
    return max(0.0, seconds) if math.isfinite(seconds) else None


def _retry_after(response: httpx.Response) -> float | None:
    return retry_after_seconds(response.headers.get("Retry-After"))


class VendorClient:
    """What both vendor clients share: one transport, closed with the client."""

    base_url: str
    _http: ApiTransport

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.base_url!r})"

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
