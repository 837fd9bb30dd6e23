"""The account's activities, indexed by id, date, user, update time and remote id.

`ActivityIndex` is the `MocoAccount.activities` mapping (id → activity).
Besides the mapping it keeps sorted `(date, id)` keys, overall and per user,
sorted `(updated_at, id)` keys and remote id → ids, so that a page of a
window of 100,000 activities is found without looking at the others.

Activities are changed in place by the rules; whoever changes `date`,
`user_id`, `updated_at` or `remote_id` calls `reindex` afterwards (the
handlers do, once per write).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, MutableMapping
from datetime import date, datetime

from syncd.simulators.moco.model import Activity
from syncd.simulators.sorted_keys import SortedKeys

Indexed = tuple[date, int, datetime, str | None]


def _keys_of(activity: Activity) -> Indexed:
    return activity.date, activity.user_id, activity.updated_at, activity.remote_id


class ActivityIndex(MutableMapping[int, Activity]):
    def __init__(self) -> None:
        self._by_id: dict[int, Activity] = {}
        self._indexed: dict[int, Indexed] = {}
        self.by_day = SortedKeys()
        self.by_user: dict[int, SortedKeys] = {}
        self.by_update = SortedKeys()
        self._by_remote: dict[str, set[int]] = {}

    # -- the mapping ------------------------------------------------------------
    def __getitem__(self, activity_id: int) -> Activity:
        return self._by_id[activity_id]

    def __setitem__(self, activity_id: int, activity: Activity) -> None:
        if activity_id in self._by_id:
            self._unindex(activity_id)
        self._by_id[activity_id] = activity
        self._index(activity)

    def __delitem__(self, activity_id: int) -> None:
        self._unindex(activity_id)
        del self._by_id[activity_id]

    def __iter__(self) -> Iterator[int]:
        return iter(self._by_id)

    def __len__(self) -> int:
        return len(self._by_id)

    # -- upkeep -----------------------------------------------------------------
    def reindex(self, activity: Activity) -> None:
        """After `activity` was changed in place."""
        if self._indexed.get(activity.id) != _keys_of(activity):
            self._unindex(activity.id)
            self._index(activity)

    def load(self, activities: Iterable[Activity]) -> None:
        """Add (or replace) many at once: one sort per index instead of one insert each."""
        new: dict[int, Activity] = {}  # the last one wins when an id comes twice
        for activity in activities:
            if activity.id in self._by_id:
                self[activity.id] = activity
            else:
                new[activity.id] = activity
        fresh = list(new.values())
        by_user: dict[int, list[tuple[date, int]]] = {}
        for activity in fresh:
            self._by_id[activity.id] = activity
            self._indexed[activity.id] = _keys_of(activity)
            by_user.setdefault(activity.user_id, []).append((activity.date, activity.id))
            if activity.remote_id is not None:
                self._by_remote.setdefault(activity.remote_id, set()).add(activity.id)
        self.by_day.load((a.date, a.id) for a in fresh)
        self.by_update.load((a.updated_at, a.id) for a in fresh)
        for user_id, keys in by_user.items():
            self.by_user.setdefault(user_id, SortedKeys()).load(keys)

    def _index(self, activity: Activity) -> None:
        keys = self._indexed[activity.id] = _keys_of(activity)
        day, user_id, updated_at, remote_id = keys
        self.by_day.add((day, activity.id))
        self.by_user.setdefault(user_id, SortedKeys()).add((day, activity.id))
        self.by_update.add((updated_at, activity.id))
        if remote_id is not None:
            self._by_remote.setdefault(remote_id, set()).add(activity.id)

    def _unindex(self, activity_id: int) -> None:
        day, user_id, updated_at, remote_id = self._indexed.pop(activity_id)
        self.by_day.discard((day, activity_id))
        self.by_user[user_id].discard((day, activity_id))
        self.by_update.discard((updated_at, activity_id))
        if remote_id is not None:
            self._by_remote[remote_id].discard(activity_id)

    # -- lookups ----------------------------------------------------------------
    def with_remote_ids(self, remote_ids: Iterable[str]) -> set[int]:
        return {i for remote_id in remote_ids for i in self._by_remote.get(remote_id, ())}

    def of_user(self, user_id: int) -> Iterator[Activity]:
        keys = self.by_user.get(user_id)
        for _day, activity_id in keys.slice(0, len(keys)) if keys else ():
            yield self._by_id[activity_id]
