"""HTTP plumbing shared by MOCO's handlers: JSON bodies, query values, pages.

Pagination (moco.md §2), choices where MOCO is silent:
- `per_page` defaults to 100; larger values are clamped to 100 (MOCO refuses
  bigger pages, ISS#213; clamping is what Rails paginators do), and values
  below 1 or non-numbers fall back to 100. `page` below 1 counts as 1.
- Every list answer carries `X-Page`, `X-Per-Page` and `X-Total`, even when
  empty. `Link` carries `first`/`prev` after page 1 and `next`/`last` before
  the last page (MW's client expects `rel="last"` on non-final pages); a
  single page has no `Link` header at all, as REC shows.
- A query value that cannot be parsed (e.g. `from=yesterday`) answers 400
  `{"message": ...}` (OAS declares that shape for 400s).
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Awaitable, Callable, Sequence
from datetime import date, datetime
from typing import Any, TypeVar

from starlette.requests import Request
from starlette.responses import Response

from syncd.simulators.moco.state import ApiError

JSON_TYPE = "application/json; charset=utf-8"
MAX_PER_PAGE = 100
T = TypeVar("T")
Endpoint = Callable[[Request], Awaitable[Response]]


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(
        json.dumps(body, ensure_ascii=False, separators=(",", ":")),
        status_code=status,
        media_type=JSON_TYPE,
        headers={"Cache-Control": "max-age=0, private, must-revalidate", **(headers or {})},
    )


def error_response(error: ApiError) -> Response:
    if error.body is None:
        return Response(status_code=error.status)
    return json_response(error.body, error.status)


def parse_body(request: Request, raw: bytes, *, strict_media_type: bool = False) -> dict[str, Any]:
    """The request's JSON object (`raw` is `await request.body()`).

    Without `Content-Type: application/json` MOCO does not parse the body:
    the bulk endpoint answers 415 (OAS); elsewhere the body counts as empty.
    Unparsable JSON answers 422 `{"message": "Invalid payload"}` (OAS example).
    """
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != "application/json":
        if strict_media_type:
            raise ApiError(415, None)
        return {}
    if not raw.strip():
        return {}
    try:
        data = json.loads(raw)
    except ValueError:
        raise ApiError(422, {"message": "Invalid payload"}) from None
    if not isinstance(data, dict):
        raise ApiError(422, {"message": "Invalid payload"})
    return data


def guarded(endpoint: Endpoint) -> Endpoint:
    """Turn an `ApiError` raised by a handler into MOCO's answer."""

    @functools.wraps(endpoint)
    async def run(request: Request) -> Response:
        try:
            return await endpoint(request)
        except ApiError as error:
            return error_response(error)

    return run


def path_id(request: Request, name: str = "id") -> int:
    value = str(request.path_params[name])
    if not value.isdigit():
        raise ApiError(404, {"message": "Not Found"})
    return int(value)


def _bad(name: str) -> ApiError:
    return ApiError(400, {"message": f"Invalid value for parameter '{name}'"})


class Query:
    """Typed access to query parameters; unparsable values answer 400."""

    def __init__(self, request: Request) -> None:
        self.params = request.query_params

    def text(self, name: str) -> str | None:
        value = self.params.get(name)
        return value if value not in (None, "") else None

    def integer(self, name: str) -> int | None:
        value = self.text(name)
        if value is None:
            return None
        if not value.isdigit():
            raise _bad(name)
        return int(value)

    def boolean(self, name: str) -> bool | None:
        value = self.text(name)
        if value is None:
            return None
        if value.lower() in ("true", "1"):
            return True
        if value.lower() in ("false", "0"):
            return False
        raise _bad(name)

    def day(self, name: str) -> date | None:
        value = self.text(name)
        try:
            return date.fromisoformat(value) if value is not None else None
        except ValueError:
            raise _bad(name) from None

    def moment(self, name: str) -> datetime | None:
        value = self.text(name)
        if value is None:
            return None
        try:
            moment = datetime.fromisoformat(value.replace(" ", "+"))
        except ValueError:
            raise _bad(name) from None
        if moment.tzinfo is None:
            raise _bad(name)
        return moment

    def strings(self, name: str) -> list[str] | None:
        """A comma-separated list (single values are one-item lists)."""
        value = self.text(name)
        return [part.strip() for part in value.split(",") if part.strip()] if value else None

    def integers(self, name: str) -> set[int] | None:
        parts = self.strings(name)
        if parts is None:
            return None
        if not all(part.isdigit() for part in parts):
            raise _bad(name)
        return {int(part) for part in parts}


def _positive(request: Request, name: str, default: int) -> int:
    value = request.query_params.get(name, "")
    return int(value) if value.isdigit() and int(value) > 0 else default


def page_request(request: Request) -> tuple[int, int]:
    """The requested page number and page size (see the module docstring)."""
    page = _positive(request, "page", 1)
    return page, min(_positive(request, "per_page", MAX_PER_PAGE), MAX_PER_PAGE)


def page_headers(request: Request, page: int, per_page: int, total: int) -> dict[str, str]:
    """MOCO's paging headers for one page of `total` records."""
    last = max(1, math.ceil(total / per_page))
    headers = {"X-Page": str(page), "X-Per-Page": str(per_page), "X-Total": str(total)}
    links = []
    if page > 1:
        links += [("first", 1), ("prev", min(page - 1, last))]
    if page < last:
        links += [("next", page + 1), ("last", last)]
    if links:
        headers["Link"] = ", ".join(
            f'<{request.url.include_query_params(page=number)}>; rel="{rel}"'
            for rel, number in links
        )
    return headers


def paginate(request: Request, items: Sequence[T]) -> tuple[list[T], dict[str, str]]:
    """One page of `items` plus MOCO's paging headers."""
    page, per_page = page_request(request)
    chunk = list(items[(page - 1) * per_page : page * per_page])
    return chunk, page_headers(request, page, per_page, len(items))
