"""A sorted list of keys with range lookups: the simulators' secondary indexes.

Keys are tuples ending in the record id, e.g. `(date, id)`, so a prefix
bound like `(date,)` sorts before every key of that date. Inserting or
removing one key moves the list's tail (a memmove: microseconds even at
100,000 keys); loading many at once appends and sorts once.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from typing import Any


class SortedKeys:
    def __init__(self) -> None:
        self._keys: list[tuple[Any, ...]] = []

    def add(self, key: tuple[Any, ...]) -> None:
        bisect.insort(self._keys, key)

    def discard(self, key: tuple[Any, ...]) -> None:
        index = bisect.bisect_left(self._keys, key)
        if index < len(self._keys) and self._keys[index] == key:
            del self._keys[index]

    def load(self, keys: Iterable[tuple[Any, ...]]) -> None:
        """Add many keys at once (one sort instead of one insert each)."""
        self._keys.extend(keys)
        self._keys.sort()

    def span(self, low: tuple[Any, ...] | None, high: tuple[Any, ...] | None) -> tuple[int, int]:
        """Positions `[i, j)` of the keys with `low <= key < high` (None: open end)."""
        start = 0 if low is None else bisect.bisect_left(self._keys, low)
        end = len(self._keys) if high is None else bisect.bisect_left(self._keys, high)
        return start, max(start, end)

    def slice(self, start: int, end: int) -> list[tuple[Any, ...]]:
        return self._keys[start:end]

    def __len__(self) -> int:
        return len(self._keys)
