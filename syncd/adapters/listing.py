"""Results of list reads: what was read, what could not be parsed, and whether it is all.

The convention for every paginated read of both clients: a list operation does
not raise when a page fails. It answers a `ListResult` with `complete=False`,
the items read so far, `problem` saying why and `error` holding the failure
(re-raise it if you want). The sync engine must not treat an item missing from
an incomplete result as deleted; `require_complete()` turns incompleteness
into an exception for callers that cannot use a partial read.

An item the vendor listed but that fails validation goes to `invalid` (with
its id when one can be read); it is present, just unreadable, so it is not
deleted either. Invalid items never make a result incomplete.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError

from syncd.adapters.errors import ApiError

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Invalid:
    """A listed item that could not be parsed."""

    raw_id: int | None
    reason: str


class IncompleteRead(Exception):
    """A list read that could not be completed, raised by `require_complete()`."""


@dataclass(frozen=True)
class ListResult(Generic[T]):
    items: list[T]
    invalid: list[Invalid]
    complete: bool
    problem: str | None
    error: ApiError | None = field(default=None, compare=False)

    def require_complete(self) -> list[T]:
        """The items, or `IncompleteRead` if the read was not complete."""
        if not self.complete:
            raise IncompleteRead(self.problem or "incomplete read") from self.error
        return self.items


def parse_item(raw: Any, model: type[M]) -> M | Invalid:
    """One listed item as `model`, or an `Invalid` saying why not."""
    if not isinstance(raw, dict):
        return Invalid(None, f"not an object: {type(raw).__name__}")
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        return Invalid(_raw_id(raw), _reason(exc))


def _raw_id(raw: dict[str, Any]) -> int | None:
    value = raw.get("id")
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _reason(exc: ValidationError) -> str:
    problems = [
        f"{'.'.join(str(part) for part in error['loc']) or 'item'}: {error['msg']}"
        for error in exc.errors(include_url=False, include_input=False)
    ]
    shown = "; ".join(problems[:3])
    return shown + (f" (+{len(problems) - 3} more)" if len(problems) > 3 else "")


def _id_of(item: BaseModel) -> int:
    value = getattr(item, "id", None)
    if not isinstance(value, int):
        raise TypeError(f"{type(item).__name__} has no integer id; pass a key function")
    return value


class Collector(Generic[M]):
    """Gathers the pages of one list read, each id once."""

    def __init__(
        self,
        model: type[M],
        key: Callable[[M], int] | None = None,
        keep: Callable[[M], Any] | None = None,
    ) -> None:
        """``keep``: what to keep of each parsed item instead of the item (a large list
        then never holds every parsed model at once)."""
        self._model = model
        self._key = key or _id_of
        self._keep = keep
        self._items: dict[int, Any] = {}
        self._invalid: list[Invalid] = []
        self._invalid_ids: set[int] = set()
        self.pages = 0

    def add_page(self, raw_items: Iterable[Any]) -> int:
        """Parse one page; answer how many items it listed."""
        self.pages += 1
        listed = 0
        for raw in raw_items:
            listed += 1
            parsed = parse_item(raw, self._model)
            if isinstance(parsed, Invalid):
                self._add_invalid(parsed)
            else:
                key = self._key(parsed)
                if key not in self._items:
                    self._items[key] = parsed if self._keep is None else self._keep(parsed)
        return listed

    def _add_invalid(self, invalid: Invalid) -> None:
        if invalid.raw_id is not None:
            if invalid.raw_id in self._invalid_ids:
                return
            self._invalid_ids.add(invalid.raw_id)
        self._invalid.append(invalid)

    @property
    def count(self) -> int:
        """Distinct items seen, valid or not (what a vendor total should equal)."""
        return len(self._items) + len(self._invalid)

    def result(self, problem: str | None = None, error: ApiError | None = None) -> ListResult[Any]:
        return ListResult(
            items=list(self._items.values()),
            invalid=list(self._invalid),
            complete=problem is None,
            problem=problem,
            error=error,
        )
