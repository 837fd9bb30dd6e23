"""The errors every API client raises: one small hierarchy for both vendors.

Each error says what was called and what the vendor answered:
``"<API> <METHOD> <route>: <status> <vendor message>"``. It never holds the
API key, request headers or the request object, so printing, logging or
pickling an error cannot leak a secret.

    ApiError
    ├── AuthError            401/403: bad key or missing permission
    ├── NotFound             404: the record does not exist (any more)
    ├── Gone                 410: a retired endpoint; NOT proof that a record is gone
    ├── ValidationFailed     400/409/422: the vendor refused the request as given
    │   └── LockedOrBilled   refused because the booking is billed or in a locked period
    ├── RateLimited          429 after retries were exhausted
    ├── ServerError          5xx after retries were exhausted
    ├── TransportError       timeout or connection failure after retries were exhausted
    ├── OutcomeUnknown       a non-idempotent write whose answer was lost: it MAY have
    │                        been applied; never retried (see design §4 rule 3)
    └── MalformedResponse    a body that is not JSON or not the documented shape
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

MAX_MESSAGE_CHARS = 300
_API_NAMES = {"moco": "MOCO", "clockodo": "clockodo"}
_HTML_TITLE = re.compile(r"<(title|h1)[^>]*>(.*?)</\1>", re.IGNORECASE | re.DOTALL)


class ApiError(Exception):
    """Base of all client errors.

    `route` is the request path without query (e.g. ``/activities/42``);
    `messages` are the vendor's own messages, parsed from whichever body shape
    it used.
    """

    def __init__(
        self,
        api: str,
        method: str,
        route: str,
        status: int | None,
        messages: Sequence[str] = (),
        *,
        detail: str | None = None,
    ) -> None:
        self.api = api
        self.method = method
        self.route = route
        self.status = status
        self.messages = list(messages)
        self.detail = detail
        super().__init__(self._text())

    def _text(self) -> str:
        said = "; ".join(self.messages) or self.detail or ""
        if len(said) > MAX_MESSAGE_CHARS:
            said = said[: MAX_MESSAGE_CHARS - 1] + "…"
        if self.status is not None:
            said = f"{self.status} {said}".rstrip()
        called = f"{_API_NAMES.get(self.api, self.api)} {self.method} {self.route}"
        return f"{called}: {said or type(self).__name__}"

    def __reduce__(self) -> tuple[Any, ...]:
        # Keyword-only `detail` would otherwise be lost when pickled.
        return (_rebuild, (type(self), self.__dict__.copy()))


def _rebuild(cls: type[ApiError], state: dict[str, Any]) -> ApiError:
    error = cls.__new__(cls)
    error.__dict__.update(state)
    Exception.__init__(error, error._text())
    return error


class AuthError(ApiError):
    """401/403: the key is wrong, or its user may not do this."""


class NotFound(ApiError):
    """404: the addressed record does not exist."""


class Gone(ApiError):
    """410: the endpoint was retired by the vendor (a client bug, not a missing record)."""


class ValidationFailed(ApiError):
    """400/409/422: the vendor refused the request as given; retrying cannot help."""


class LockedOrBilled(ValidationFailed):
    """The booking is billed or lies in a locked period: read-only for now."""


class RateLimited(ApiError):
    """429, still after the retries allowed by the policy."""


class ServerError(ApiError):
    """5xx, still after the retries allowed by the policy."""


class TransportError(ApiError):
    """Timeout or connection failure, still after the retries allowed by the policy.

    `kind` says which: "dns", "refused", "tls" (permanent: never retried),
    "timeout", or "network" (anything else on the way).
    """

    kind: str = "network"


class MalformedResponse(ApiError):
    """The answer was not JSON, or not in the documented shape."""


class OutcomeUnknown(ApiError):
    """A non-idempotent write was sent but its answer was lost.

    The vendor may or may not have applied it. The caller resolves it by
    looking the record up (write intents), never by sending it again.
    `cause` is the failure that hid the outcome.
    """

    def __init__(
        self,
        api: str,
        method: str,
        route: str,
        status: int | None,
        messages: Sequence[str] = (),
        *,
        detail: str | None = None,
        cause: BaseException | ApiError | None = None,
    ) -> None:
        self.cause = cause
        super().__init__(api, method, route, status, messages, detail=detail)

    def _text(self) -> str:
        return f"{super()._text()} (outcome unknown: the vendor may have applied it)"


# -- parsing vendor error bodies ------------------------------------------------


def error_messages(body: Any) -> list[str]:
    """The vendor's messages from any documented error body shape of either API.

    MOCO: ``{"message"}``, ``{"error"}``, ``{"errors": [str]}``,
    ``{"errors": {"field": [str]}}``. clockodo: ``{"errors": [{"type",
    "message", "details", "path"}]}``, ``{"errors": [{"error": {...}}]}``,
    ``{"error": {"code", "message", "fields"}}``, ``{"error": str}``,
    ``{"message"}``, ``{"errors": []}``.
    """
    if isinstance(body, str):
        return [body] if body else []
    if not isinstance(body, dict):
        return []
    messages: list[str] = []
    if "errors" in body:
        messages.extend(_errors_field(body["errors"]))
    if "error" in body:
        messages.extend(_one_error(body["error"]))
    if isinstance(body.get("message"), str) and body["message"] not in messages:
        messages.append(body["message"])
    return [message for message in messages if message]


def _errors_field(errors: Any) -> Iterable[str]:
    if isinstance(errors, dict):  # {"field": ["can't be blank", ...]}
        for field_name, problems in errors.items():
            for problem in problems if isinstance(problems, list) else [problems]:
                yield f"{field_name} {problem}"
    elif isinstance(errors, list):
        for item in errors:
            yield from _one_error(item)
    elif isinstance(errors, str):
        yield errors


def _one_error(item: Any) -> Iterable[str]:
    if isinstance(item, str):
        yield item
        return
    if not isinstance(item, dict):
        return
    if isinstance(item.get("error"), dict):  # clockodo v3/v4 422: {"error": {...}}
        yield from _one_error(item["error"])
        return
    message = str(item.get("message") or item.get("type") or "")
    where = item.get("path") or item.get("fields")
    if isinstance(where, list):
        where = ", ".join(str(part) for part in where)
    if where and message:
        message = f"{message} ({where})"
    if item.get("type") and item.get("message"):
        message = f"{item['type']}: {message}"
    if message:
        yield message


def error_types(body: Any) -> set[str]:
    """clockodo's machine-readable error `type`s (e.g. ``ResourceNotFound``)."""
    found: set[str] = set()
    errors = body.get("errors") if isinstance(body, dict) else None
    for item in errors if isinstance(errors, list) else []:
        inner = item.get("error", item) if isinstance(item, dict) else None
        if isinstance(inner, dict) and isinstance(inner.get("type"), str):
            found.add(inner["type"])
    return found


def text_summary(text: str) -> str:
    """A short description of a non-JSON body (HTML error pages, plain text)."""
    stripped = text.strip()
    if not stripped:
        return ""
    if stripped.startswith("<"):
        match = _HTML_TITLE.search(stripped)
        title = re.sub(r"\s+", " ", match.group(2)).strip() if match else ""
        return f"HTML page{': ' + title if title else ''}"
    return re.sub(r"\s+", " ", stripped)[:MAX_MESSAGE_CHARS]
