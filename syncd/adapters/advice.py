"""One line for a failure to talk to an API: what failed, and what to do about it.

Every command and the daemon word API failures through :func:`explain`, so a
wrong key reads the same in `plan`, `run-once`, `doctor` and the daemon's log.
"""

from __future__ import annotations

from syncd.adapters.errors import (
    ApiError,
    AuthError,
    MalformedResponse,
    NotFound,
    OutcomeUnknown,
    RateLimited,
    ServerError,
    TransportError,
)

_BASE_URLS = {
    "moco": "https://<account>.mocoapp.com/api/v1",
    "clockodo": "https://my.clockodo.com/api",
}
_KEYS = {"moco": "[moco] api_key", "clockodo": "[clockodo] api_user and api_key"}
_PERMISSIONS = {
    "moco": "the key's user needs staff rights (syncd books as other people with "
    "X-IMPERSONATE-USER-ID) and access to all projects",
    "clockodo": "the API user must see and edit every user's entries "
    "(the owner or a manager with access to all entries)",
}
_TRANSPORT = {
    "dns": "the host name does not resolve: check [{api}] base_url",
    "refused": "connection refused: nothing listens at [{api}] base_url",
    "tls": "TLS failed: check the certificate and the scheme (https/http) of [{api}] base_url",
    "timeout": "no answer in time: check the network, or raise [{api}] "
    "connect_timeout/read_timeout",
    "network": "the connection failed: check the network and [{api}] base_url",
}


def find_api_error(exc: BaseException) -> ApiError | None:
    """The API error `exc` is or was explicitly caused by (`raise ... from error`).

    An error merely raised while another was handled (``__context__``) is not
    counted: a bug in a handler must not pass for the API failure it handled.
    """
    seen: BaseException | None = exc
    for _ in range(10):
        if seen is None:
            return None
        if isinstance(seen, ApiError):
            return seen
        seen = seen.__cause__
    return None


_SIMPLE: tuple[tuple[type[ApiError], str], ...] = (
    (RateLimited, "still rate limited after retries: lower [{api}] rate_limit or try later"),
    (ServerError, "the vendor keeps failing (5xx): try again later"),
    (
        MalformedResponse,
        "the answer is not the API's JSON: does [{api}] base_url point at the API?",
    ),
    (OutcomeUnknown, "the next run looks the write up before sending it again"),
)


def hint(error: ApiError) -> str:
    """What a person should do about `error`."""
    api = error.api
    if isinstance(error, AuthError):
        if error.status == 403:
            return f"permission missing: {_PERMISSIONS.get(api, 'check the user of the key')}"
        return f"the key was refused: check {_KEYS.get(api, 'the API key')}"
    if isinstance(error, NotFound):
        example = _BASE_URLS.get(api, "the API's base URL")
        return f"not found: check [{api}] base_url (it should look like {example})"
    if isinstance(error, TransportError):
        return _TRANSPORT.get(error.kind, _TRANSPORT["network"]).format(api=api)
    for kind, text in _SIMPLE:
        if isinstance(error, kind):
            return text.format(api=api)
    return "the vendor refused the request"


def explain(error: ApiError) -> str:
    """`<API> <METHOD> <route>: <status and message> — <what to do>` on one line."""
    said = " ".join(str(error).split())
    return f"{said} — {hint(error)}"


def failure_line(exc: BaseException) -> str:
    """`exc` as one line: explained when an API failure caused it."""
    api_error = find_api_error(exc)
    if api_error is not None:
        return explain(api_error)
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
