"""Transport failures by kind: permanent ones at connect time are not retried; the
same causes after sending keep their retry or unknown-outcome treatment."""

from __future__ import annotations

import socket
import ssl
from collections.abc import Callable

import httpx
import pytest

from syncd.adapters.errors import OutcomeUnknown, TransportError
from syncd.adapters.http import ApiTransport, RetryPolicy, connect_failure_kind
from syncd.adapters.throttle import Throttle
from tests.adapters.conftest import Sleeps
from tests.adapters.test_http import Script, ok

Build = Callable[[Script], ApiTransport]


@pytest.fixture
def build(retry: RetryPolicy, throttle: Throttle) -> Build:
    def make(script: Script) -> ApiTransport:
        return ApiTransport(
            "moco",
            "https://acme.example.com/api/v1",
            {},
            timeout=httpx.Timeout(1.0),
            throttle=throttle,
            retry=retry,
            transport=httpx.MockTransport(script),
        )

    return make


def caused(error: httpx.RequestError, cause: BaseException) -> httpx.RequestError:
    error.__cause__ = cause
    return error


DNS = caused(httpx.ConnectError("lookup"), socket.gaierror(-2, "Name or service not known"))
REFUSED = caused(httpx.ConnectError("connect"), ConnectionRefusedError(111, "refused"))
TLS = caused(httpx.ConnectError("handshake"), ssl.SSLCertVerificationError("bad cert"))


@pytest.mark.parametrize(("error", "kind"), [(DNS, "dns"), (REFUSED, "refused"), (TLS, "tls")])
def test_permanent_connect_failures_fail_at_once(
    build: Build, sleeps: Sleeps, error: httpx.RequestError, kind: str
) -> None:
    script = Script(error, ok({}))
    with pytest.raises(TransportError) as raised:
        build(script).request("GET", "/users")
    assert raised.value.kind == kind
    assert len(script.requests) == 1
    assert sleeps == []


def test_a_connect_failure_without_a_known_cause_is_retried(
    build: Build,
) -> None:
    script = Script(httpx.ConnectError("reset during connect"), ok({"id": 1}))
    assert build(script).request("GET", "/users").data == {"id": 1}
    assert len(script.requests) == 2


def test_tls_trouble_after_sending_a_create_is_an_unknown_outcome(
    build: Build,
) -> None:
    lost = caused(httpx.ReadError("eof"), ssl.SSLEOFError("EOF occurred in violation"))
    assert connect_failure_kind(lost) == "tls"
    script = Script(lost)
    with pytest.raises(OutcomeUnknown):
        build(script).request("POST", "/activities", json={})
    assert len(script.requests) == 1


def test_timeouts_are_named() -> None:
    assert connect_failure_kind(httpx.ReadTimeout("slow")) == "timeout"
    assert connect_failure_kind(httpx.ConnectError("Connection refused")) == "refused"
    assert connect_failure_kind(httpx.ConnectError("something else")) == "network"
