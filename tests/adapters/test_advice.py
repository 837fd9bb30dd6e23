"""What to do about each API failure, in one line."""

from __future__ import annotations

import pytest

from syncd.adapters.advice import explain, failure_line, find_api_error
from syncd.adapters.errors import (
    ApiError,
    AuthError,
    MalformedResponse,
    NotFound,
    OutcomeUnknown,
    RateLimited,
    ServerError,
    TransportError,
    ValidationFailed,
)


def timeout() -> TransportError:
    error = TransportError("moco", "GET", "/users", None, detail="ReadTimeout")
    error.kind = "timeout"
    return error


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (AuthError("moco", "GET", "/users", 401), "check [moco] api_key"),
        (AuthError("clockodo", "GET", "/v3/users", 401), "[clockodo] api_user and api_key"),
        (AuthError("moco", "GET", "/profile", 403), "staff rights"),
        (AuthError("clockodo", "GET", "/v2/entries", 403), "every user's entries"),
        (NotFound("clockodo", "GET", "/v3/users", 404), "https://my.clockodo.com/api"),
        (timeout(), "read_timeout"),
        (RateLimited("moco", "GET", "/users", 429), "[moco] rate_limit"),
        (ServerError("moco", "GET", "/users", 502), "try again later"),
        (MalformedResponse("moco", "GET", "/users", 200), "point at the API"),
        (OutcomeUnknown("moco", "POST", "/activities", None), "looks the write up"),
        (ValidationFailed("moco", "PUT", "/activities/1", 422), "refused the request"),
    ],
)
def test_each_failure_says_what_to_do(error: ApiError, expected: str) -> None:
    line = explain(error)
    assert "\n" not in line
    assert line.startswith(("MOCO ", "clockodo "))
    assert expected in line


def test_only_explicit_causes_count() -> None:
    api = AuthError("moco", "GET", "/users", 401)
    caused = RuntimeError("cannot read MOCO users")
    caused.__cause__ = api  # raise ... from api
    assert find_api_error(caused) is api
    assert "[moco] api_key" in failure_line(caused)
    bug = KeyError("a bug in the handler")
    bug.__context__ = api  # raised while handling it
    assert find_api_error(bug) is None
    assert failure_line(bug) == "KeyError: 'a bug in the handler'"
