"""Conflict policies: what the decision table does when both sides changed a booking
differently (design §3). Each is a small pure function the table calls.

An outcome is the winning :class:`Side` (its version is copied over the other), a
merged :class:`Projection` (written to whichever side does not hold it yet), or None
(park: keep both, write nothing, wait for a person).

- ``park``: always None.
- ``moco`` / ``clockodo``: that side.
- ``newest``: the side changed last by the vendors' stamps; None on a tie.
- ``merge``: disjoint edits are combined field by field against the base (MOCO's new
  description with clockodo's new duration); a field changed on both sides to
  different values parks the booking. Without a base (two unlinked items found to be
  one booking) nothing can be merged: it parks. A booking deleted on one side and
  edited on the other cannot be merged either: ``merge`` parks it, as ``park`` does.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from syncd.core.model import ConflictPolicy, Present, Projection, Side

Outcome = Side | Projection | None
Strategy = Callable[[Present, Present, Projection | None], Outcome]


def park(moco: Present, clockodo: Present, base: Projection | None) -> Outcome:
    return None


def keep_moco(moco: Present, clockodo: Present, base: Projection | None) -> Outcome:
    return Side.MOCO


def keep_clockodo(moco: Present, clockodo: Present, base: Projection | None) -> Outcome:
    return Side.CLOCKODO


def newest(moco: Present, clockodo: Present, base: Projection | None) -> Outcome:
    if moco.changed_at > clockodo.changed_at:
        return Side.MOCO
    if clockodo.changed_at > moco.changed_at:
        return Side.CLOCKODO
    return None


def merge(moco: Present, clockodo: Present, base: Projection | None) -> Outcome:
    if base is None:
        return None
    merged: dict[str, object] = {}
    for field in dataclasses.fields(Projection):
        m, c, b = (getattr(v, field.name) for v in (moco.projection, clockodo.projection, base))
        if b not in (m, c) and m != c:
            return None  # the same field changed differently on both sides
        merged[field.name] = c if m == b else m
    merged["billable"] = bool(merged["billable"] or merged["billed"])  # billed is billable
    return Projection(**merged)  # type: ignore[arg-type]


STRATEGIES: dict[ConflictPolicy, Strategy] = {
    "park": park,
    "moco": keep_moco,
    "clockodo": keep_clockodo,
    "newest": newest,
    "merge": merge,
}
