"""Parsing request parameters the way clockodo's v2 endpoints check them.

A missing or malformed parameter is a 400 `{"error": {"code", "message",
"fields"}}` naming it. Query booleans accept `true/false/1/0` (the SDK sends
the words, older clients the digits; the docs do not say which the server
takes). Instants are ISO 8601 with a zone (`Z` or an offset); milliseconds are
accepted and dropped, since clockodo keeps times to the second.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from syncd.simulators.clockodo.errors import bad_request
from syncd.simulators.clockodo.model import to_second

T = TypeVar("T")
_FILTER_KEY = re.compile(r"^filter\[(\w+)\]$")
_TRUE, _FALSE = frozenset({"true", "1"}), frozenset({"false", "0"})


def instant(value: object, field: str) -> datetime:
    if not isinstance(value, str):
        raise bad_request(f"{field} must be an ISO 8601 date and time", field)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise bad_request(f"{field} is not a valid ISO 8601 date and time", field) from None
    if moment.tzinfo is None:
        raise bad_request(f"{field} needs a time zone, e.g. 2026-10-01T09:00:00Z", field)
    return to_second(moment)


def integer(value: object, field: str, minimum: int = 0) -> int:
    """An int from JSON or from a query string (digits only)."""
    if isinstance(value, bool):
        raise bad_request(f"{field} must be an integer", field)
    if isinstance(value, str) and re.fullmatch(r"-?\d+", value.strip()):
        value = int(value)
    if not isinstance(value, int):
        raise bad_request(f"{field} must be an integer", field)
    if value < minimum:
        raise bad_request(f"{field} must be at least {minimum}", field)
    return value


def optional_id(data: Mapping[str, Any], field: str) -> int | None:
    """An optional reference; absent, null and 0 all mean "none"."""
    value = data.get(field)
    return None if value in (None, 0, "0", "") else integer(value, field, minimum=1)


def number(value: object, field: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise bad_request(f"{field} must be a number of at least 0", field)
    if not math.isfinite(value):
        raise bad_request(f"{field} must be finite", field)
    return float(value)


def boolean(value: object, field: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise bad_request(f"{field} must be true or false", field)


def text(value: object, field: str, max_length: int | None = None) -> str:
    if not isinstance(value, str):
        raise bad_request(f"{field} must be a string", field)
    if max_length is not None and len(value) > max_length:
        raise bad_request(f"{field} must not be longer than {max_length} characters", field)
    return value


def one_of(value: object, field: str, allowed: tuple[int, ...]) -> int:
    parsed = integer(value, field, minimum=min(allowed))
    if parsed not in allowed:
        raise bad_request(f"{field} must be one of {list(allowed)}", field)
    return parsed


def required(data: Mapping[str, Any], *fields: str) -> None:
    missing = [field for field in fields if data.get(field) in (None, "")]
    if missing:
        raise bad_request(f"Missing required parameters: {', '.join(missing)}", *missing)


def query_filters(query: Mapping[str, str]) -> dict[str, str]:
    """`filter[users_id]=5` (deepObject) → {"users_id": "5"}."""
    found = {}
    for key, value in query.items():
        match = _FILTER_KEY.match(key)
        if match and value != "":
            found[match.group(1)] = value
    return found


def window(data: Mapping[str, Any]) -> tuple[datetime, datetime]:
    """The required `time_since`/`time_until` pair of list and bulk requests."""
    required(data, "time_since", "time_until")
    since = instant(data["time_since"], "time_since")
    until = instant(data["time_until"], "time_until")
    if until < since:
        raise bad_request("time_until must not lie before time_since", "time_until")
    return since, until


@dataclass(frozen=True)
class Page:
    number: int
    size: int


def page_request(query: Mapping[str, str], max_size: int, default_size: int) -> Page:
    number_ = integer(query.get("page", "1"), "page", minimum=1)
    size = integer(query.get("items_per_page", str(default_size)), "items_per_page", minimum=1)
    if size > max_size:
        raise bad_request(f"items_per_page must not exceed {max_size}", "items_per_page")
    return Page(number_, size)


def paginate(items: list[T], page: Page) -> tuple[list[T], dict[str, int]]:
    """One page plus the `paging` object. An empty list is one empty page
    (`count_pages` 1) [assumption: like common PHP paginators]; a page past
    the end is empty, not an error."""
    return paginate_selection(len(items), lambda start, end: items[start:end], page)


def paginate_selection(
    total: int, fetch: Callable[[int, int], list[T]], page: Page
) -> tuple[list[T], dict[str, int]]:
    """`paginate` for `total` items of which `fetch(start, end)` returns a slice."""
    count_pages = max(1, -(-total // page.size))
    start = (page.number - 1) * page.size
    paging = {
        "items_per_page": page.size,
        "current_page": page.number,
        "count_pages": count_pages,
        "count_items": total,
    }
    return fetch(start, start + page.size), paging
