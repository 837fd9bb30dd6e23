"""The company's entries, indexed by id, start, co-worker and running clock.

`EntryIndex` is the `Account.entries` mapping (id → entry). Besides the
mapping it keeps sorted `(time_since, id)` keys, overall and per co-worker,
and the running entries per co-worker, so that a page of a window of
100,000 entries is found without looking at the others.

Entries replaced through the mapping are re-indexed by it; code that
changes `time_since`, `time_until` or `users_id` in place (the clock)
calls `reindex` afterwards.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, MutableMapping
from datetime import datetime

from syncd.simulators.clockodo.model import Entry
from syncd.simulators.sorted_keys import SortedKeys

Indexed = tuple[datetime, int, bool]


def _keys_of(entry: Entry) -> Indexed:
    return entry.time_since, entry.users_id, entry.is_running


class EntryIndex(MutableMapping[int, Entry]):
    def __init__(self) -> None:
        self._by_id: dict[int, Entry] = {}
        self._indexed: dict[int, Indexed] = {}
        self.by_start = SortedKeys()
        self.by_user: dict[int, SortedKeys] = {}
        self._running: dict[int, set[int]] = {}  # users_id → ids of running entries

    # -- the mapping ------------------------------------------------------------
    def __getitem__(self, entry_id: int) -> Entry:
        return self._by_id[entry_id]

    def __setitem__(self, entry_id: int, entry: Entry) -> None:
        if entry_id in self._by_id:
            self._unindex(entry_id)
        self._by_id[entry_id] = entry
        self._index(entry)

    def __delitem__(self, entry_id: int) -> None:
        self._unindex(entry_id)
        del self._by_id[entry_id]

    def __iter__(self) -> Iterator[int]:
        return iter(self._by_id)

    def __len__(self) -> int:
        return len(self._by_id)

    # -- upkeep -----------------------------------------------------------------
    def reindex(self, entry: Entry) -> None:
        """After `entry` was changed in place."""
        if self._indexed.get(entry.id) != _keys_of(entry):
            self._unindex(entry.id)
            self._index(entry)

    def load(self, entries: Iterable[Entry]) -> None:
        """Add (or replace) many at once: one sort per index instead of one insert each."""
        new: dict[int, Entry] = {}  # the last one wins when an id comes twice
        for entry in entries:
            if entry.id in self._by_id:
                self[entry.id] = entry
            else:
                new[entry.id] = entry
        by_user: dict[int, list[tuple[datetime, int]]] = {}
        fresh = []
        for entry in new.values():
            self._by_id[entry.id] = entry
            self._indexed[entry.id] = _keys_of(entry)
            fresh.append((entry.time_since, entry.id))
            by_user.setdefault(entry.users_id, []).append((entry.time_since, entry.id))
            if entry.is_running:
                self._running.setdefault(entry.users_id, set()).add(entry.id)
        self.by_start.load(fresh)
        for users_id, keys in by_user.items():
            self.by_user.setdefault(users_id, SortedKeys()).load(keys)

    def _index(self, entry: Entry) -> None:
        since, users_id, running = self._indexed[entry.id] = _keys_of(entry)
        self.by_start.add((since, entry.id))
        self.by_user.setdefault(users_id, SortedKeys()).add((since, entry.id))
        if running:
            self._running.setdefault(users_id, set()).add(entry.id)

    def _unindex(self, entry_id: int) -> None:
        since, users_id, running = self._indexed.pop(entry_id)
        self.by_start.discard((since, entry_id))
        self.by_user[users_id].discard((since, entry_id))
        if running:
            self._running[users_id].discard(entry_id)

    # -- lookups ----------------------------------------------------------------
    def running(self, users_id: int | None = None) -> list[Entry]:
        """Running entries (of one co-worker), oldest id first."""
        if users_id is not None:
            ids = sorted(self._running.get(users_id, ()))
        else:
            ids = sorted(i for group in self._running.values() for i in group)
        return [self._by_id[i] for i in ids]
