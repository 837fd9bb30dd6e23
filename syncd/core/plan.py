"""The Plan: what a run would do, as values the executor applies in order.

Every action carries what the executor needs without looking anything up again, plus
ids and projections for display. Actions that refer to a link carry ``link_id`` (None
when the link is adopted by an :class:`AdoptLink` earlier in the same plan) together
with ``moco_id`` and ``clockodo_id``, which identify a link just as well (links are
one-to-one).

Executor contract (so that the next run sees nothing to do, design §3 "no echo"):

- Apply ``actions`` in order; skip all of them when ``refused`` is set.
- After every successful write, project the record the API *returned* and store it as
  the link's base (clearing ``parked``). Creates make a new link whose origin is the
  side of the source item ("moco" for :class:`CreateInClockodo`), or, with
  ``replaces_link``, point that link at the new record (same origin rule, not orphaned).
- :class:`Conflict` with resolution "parked" stores ``conflict.parked`` on the link;
  any other resolution clears it and records the losing version in the conflict history
  (the winner's writes follow in the same plan).
- A delete that succeeds (or answers 404) removes the link.
- A write that fails with a 4xx other than 429 is stored as held:
  ``held[action.source.key] = action.source.projection``; the core skips it until the
  source's projection changes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import ClassVar, Literal

from syncd.core.model import ParkedConflict, Projection, Side, Skip, SkipReason

Kind = Literal["create", "update", "delete", "conflict", "link"]
Resolution = Literal["parked", "moco", "clockodo"]
ClockodoValue = int | str | datetime
MocoValue = int | str | bool | date

BILLING_ONLY = {"billable": 2}
DISREGARD_REASON = "Billed in clockodo"


@dataclass(frozen=True)
class WriteSource:
    """The item a write copies from; the key under which a 4xx failure is held."""

    side: Side
    id: int
    projection: Projection

    @property
    def key(self) -> tuple[Side, int]:
        return (self.side, self.id)


@dataclass(frozen=True)
class ClockodoEntryDraft:
    """The complete body of ``POST /v2/entries`` for a time entry (``billable`` 0 or 1)."""

    users_id: int
    customers_id: int
    projects_id: int
    services_id: int
    billable: int
    text: str
    time_since: datetime
    time_until: datetime


@dataclass(frozen=True)
class MocoActivityDraft:
    """The complete body of a MOCO activity create, sent impersonating ``user_id``."""

    user_id: int
    date: date
    seconds: int
    description: str
    billable: bool
    project_id: int
    task_id: int
    remote_id: str


@dataclass(frozen=True)
class Disregard:
    """Arguments of ``POST /activities/disregard`` (company = the project's customer)."""

    company_id: int
    project_id: int
    reason: str = DISREGARD_REASON


@dataclass(frozen=True)
class CreateInClockodo:
    """Mirror MOCO activity ``moco_id`` into clockodo; bill it afterwards if billed."""

    kind: ClassVar[Kind] = "create"
    side: ClassVar[Side | None] = "clockodo"
    moco_id: int
    draft: ClockodoEntryDraft
    bill_after_create: bool
    source: WriteSource
    replaces_link: int | None = None


@dataclass(frozen=True)
class CreateInMoco:
    """Mirror clockodo entry ``clockodo_id`` into MOCO; disregard it afterwards if billed."""

    kind: ClassVar[Kind] = "create"
    side: ClassVar[Side | None] = "moco"
    clockodo_id: int
    draft: MocoActivityDraft
    disregard_after_create: Disregard | None
    source: WriteSource
    replaces_link: int | None = None


@dataclass(frozen=True)
class UpdateClockodo:
    """``PUT /v2/entries/{clockodo_id}`` with ``changes``.

    Keys are clockodo field names; ``time_since``/``time_until`` are aware UTC datetimes
    (send them as ``YYYY-MM-DDTHH:MM:SSZ``), ``text`` "" clears the description.
    ``changes == {"billable": 2}`` (:attr:`billing_only`) marks a billing-only update that
    the executor may batch through ``PUT /v2/entrygroups``, selecting the entry by
    ``current_users_id`` and ``current_time_since``.
    """

    kind: ClassVar[Kind] = "update"
    side: ClassVar[Side | None] = "clockodo"
    link_id: int | None
    moco_id: int
    clockodo_id: int
    changes: Mapping[str, ClockodoValue]
    expected: Projection
    current_users_id: int
    current_time_since: datetime
    source: WriteSource

    @property
    def billing_only(self) -> bool:
        return dict(self.changes) == BILLING_ONLY


@dataclass(frozen=True)
class UpdateMoco:
    """``PUT /activities/{moco_id}`` with ``changes``, impersonating ``user_id``.

    Keys are MOCO field names (``date`` is a :class:`datetime.date`, ``seconds`` an int);
    billing is never a field here but a following :class:`DisregardInMoco`.
    """

    kind: ClassVar[Kind] = "update"
    side: ClassVar[Side | None] = "moco"
    link_id: int | None
    moco_id: int
    clockodo_id: int
    user_id: int
    changes: Mapping[str, MocoValue]
    expected: Projection
    source: WriteSource


@dataclass(frozen=True)
class DisregardInMoco:
    """Mark MOCO activity ``moco_id`` billed (``POST /activities/disregard``)."""

    kind: ClassVar[Kind] = "update"
    side: ClassVar[Side | None] = "moco"
    link_id: int | None
    moco_id: int
    clockodo_id: int
    user_id: int
    disregard: Disregard
    expected: Projection
    source: WriteSource


@dataclass(frozen=True)
class DeleteInClockodo:
    """Delete clockodo entry ``clockodo_id`` (its MOCO partner is proven gone)."""

    kind: ClassVar[Kind] = "delete"
    side: ClassVar[Side | None] = "clockodo"
    link_id: int
    moco_id: int
    clockodo_id: int
    projection: Projection
    source: WriteSource


@dataclass(frozen=True)
class DeleteInMoco:
    """Delete MOCO activity ``moco_id`` (its clockodo partner is proven gone)."""

    kind: ClassVar[Kind] = "delete"
    side: ClassVar[Side | None] = "moco"
    link_id: int
    moco_id: int
    clockodo_id: int
    user_id: int
    projection: Projection
    source: WriteSource


@dataclass(frozen=True)
class RecordBase:
    """Both sides agree on ``base`` without a write; store it (and unpark the link)."""

    kind: ClassVar[Kind] = "link"
    side: ClassVar[Side | None] = None
    link_id: int
    moco_id: int
    clockodo_id: int
    base: Projection


@dataclass(frozen=True)
class AdoptLink:
    """Link two existing items without writing (remote_id match or equal projections)."""

    kind: ClassVar[Kind] = "link"
    side: ClassVar[Side | None] = None
    moco_id: int
    clockodo_id: int
    origin: Side
    base: Projection


@dataclass(frozen=True)
class DropLink:
    """Both sides are gone (or the survivor of an orphan is): forget the link."""

    kind: ClassVar[Kind] = "link"
    side: ClassVar[Side | None] = None
    link_id: int
    moco_id: int
    clockodo_id: int


@dataclass(frozen=True)
class MarkOrphaned:
    """``gone`` is deleted and the deletion is not propagated; keep the link."""

    kind: ClassVar[Kind] = "link"
    side: ClassVar[Side | None] = None
    link_id: int
    moco_id: int
    clockodo_id: int
    gone: Side


@dataclass(frozen=True)
class Conflict:
    """Both sides disagree in a way the table cannot settle alone.

    ``resolution`` "parked": nothing is written; store ``parked`` on the link.
    "moco"/"clockodo": that side won, the writes follow in this plan; store the losing
    version in the conflict history. ``None`` for a version means that side is gone.
    """

    kind: ClassVar[Kind] = "conflict"
    side: ClassVar[Side | None] = None
    link_id: int | None
    moco_id: int
    clockodo_id: int
    moco: Projection | None
    clockodo: Projection | None
    reason: str
    resolution: Resolution

    @property
    def parked(self) -> ParkedConflict:
        return ParkedConflict(self.moco, self.clockodo, self.reason)


Action = (
    CreateInClockodo
    | CreateInMoco
    | UpdateClockodo
    | UpdateMoco
    | DisregardInMoco
    | DeleteInClockodo
    | DeleteInMoco
    | RecordBase
    | AdoptLink
    | DropLink
    | MarkOrphaned
    | Conflict
)
WriteAction = (
    CreateInClockodo
    | CreateInMoco
    | UpdateClockodo
    | UpdateMoco
    | DisregardInMoco
    | DeleteInClockodo
    | DeleteInMoco
)
WRITE_ACTIONS = (
    CreateInClockodo,
    CreateInMoco,
    UpdateClockodo,
    UpdateMoco,
    DisregardInMoco,
    DeleteInClockodo,
    DeleteInMoco,
)


@dataclass(frozen=True)
class Plan:
    """The outcome of :func:`~syncd.core.reconcile.reconcile`.

    ``refused``: one line saying why the executor must run nothing (the actions are
    still listed for ``syncd plan``). ``notes``: things worth telling the user that are
    neither actions nor skips (e.g. an entry that had to overlap).
    """

    actions: tuple[Action, ...]
    skips: tuple[Skip, ...]
    refused: str | None = None
    notes: tuple[str, ...] = ()

    def count(self, kind: Kind, side: Side | None = None) -> int:
        """Actions of ``kind`` (on ``side``, when given; conflicts have no side)."""
        return sum(1 for a in self.actions if a.kind == kind and (side is None or a.side == side))

    @property
    def writes(self) -> tuple[WriteAction, ...]:
        return tuple(a for a in self.actions if isinstance(a, WRITE_ACTIONS))

    def skip_counts(self) -> Counter[tuple[Side, SkipReason]]:
        return Counter((s.side, s.reason) for s in self.skips)

    def summary(self) -> str:
        """E.g. ``Plan: 3 to create, 1 to update, 0 to delete, 1 conflicts.``"""
        return (
            f"Plan: {self.count('create')} to create, {self.count('update')} to update, "
            f"{self.count('delete')} to delete, {self.count('conflict')} conflicts."
        )
