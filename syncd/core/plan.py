"""The Plan: what a run would do, as values the executor applies in order.

Writes are the same four actions on either side, named by their ``target``:
:class:`Create`, :class:`Update`, :class:`Bill` (mark billed, nothing else) and
:class:`Delete`. What the vendor needs to receive (a create body, field changes,
how to address the item) is drafted by the target side's rules
(:mod:`syncd.core.moco`, :mod:`syncd.core.clockodo`) and carried as values, so
the executor looks nothing up again and ``syncd plan`` shows what a run sends.

Actions that refer to a link carry a :class:`Pair` (``link_id`` None when the link
is adopted by an :class:`AdoptLink` earlier in the same plan; the ids identify it
just as well, links being one-to-one).

Executor contract (what :mod:`syncd.sync.execute` does, so that the next run sees
nothing to do; design §3 "no echo"):

- Apply ``actions`` in order of their phase; nothing when ``refused`` is set.
- Right before updates, bills and deletes are sent, re-read their targets; a target
  that changed since it was read is not written (the run reports it as stale and the
  next run decides again with both versions; creates have nothing to overwrite).
- After every successful write, store what was *sent* as the link's base (clearing
  ``parked``): ``expected`` of an update or bill, and for a create the source's
  projection as it stands right after the create (:attr:`Create.expected`: neither
  vendor creates a billed booking, so ``then_bill`` follows as its own write). If the
  vendor stored something else (rounding), the difference flows back next run.
- Creates make a new link whose origin is the side of the source item, or, with
  ``replaces_link``, point that link at the new record.
- :class:`Conflict` with resolution "parked" stores ``parked`` on the link; any other
  resolution records the losing version in the conflict history (the winner's writes
  follow in the same plan).
- A delete that succeeds (or answers 404) removes the link.
- A write refused with a 4xx other than 429 is held:
  ``held[action.source.key] = action.source.projection``; the core skips it until the
  source's projection changes. A billed or locked refusal parks the link instead.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, ClassVar, Literal, TypeAlias

from syncd.core.model import (
    NO_STAMPS,
    BySide,
    ParkedConflict,
    Projection,
    Side,
    Skip,
    SkipReason,
)

if TYPE_CHECKING:
    from syncd.core.clockodo import ClockodoEntryDraft, ClockodoItem, ClockodoValue
    from syncd.core.moco import Disregard, MocoActivityDraft, MocoItem, MocoValue

    CreateDraft: TypeAlias = MocoActivityDraft | ClockodoEntryDraft
    TargetItem: TypeAlias = MocoItem | ClockodoItem
    FieldValue: TypeAlias = MocoValue | ClockodoValue

Kind = Literal["create", "update", "delete", "conflict", "link"]
Resolution = Literal["parked", "moco", "clockodo", "merged"]


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
class Pair:
    """A link as actions refer to it (``link_id`` None: adopted in this plan)."""

    link_id: int | None
    moco_id: int
    clockodo_id: int
    origin: Side

    def item(self, side: Side) -> int:
        return self.moco_id if side == Side.MOCO else self.clockodo_id

    @property
    def existing_id(self) -> int:
        if self.link_id is None:
            raise ValueError("this decision needs a stored link")
        return self.link_id


class _OnPair:
    """Ids of an action that refers to a link."""

    pair: Pair

    @property
    def link_id(self) -> int | None:
        return self.pair.link_id

    @property
    def moco_id(self) -> int | None:
        return self.pair.moco_id

    @property
    def clockodo_id(self) -> int | None:
        return self.pair.clockodo_id

    @property
    def ids(self) -> BySide[int | None]:
        return BySide(self.pair.moco_id, self.pair.clockodo_id)


@dataclass(frozen=True)
class Create:
    """Mirror ``source`` onto ``target``; bill the copy afterwards when ``then_bill``
    (MOCO through ``billing``, a disregard; clockodo needs nothing more)."""

    kind: ClassVar[Kind] = "create"
    target: Side
    source: WriteSource
    draft: CreateDraft
    then_bill: bool
    billing: Disregard | None = None
    replaces_link: int | None = None

    @property
    def side(self) -> Side:
        return self.target

    @property
    def expected(self) -> Projection:
        """What the target holds right after the create (billing is a second write)."""
        if not self.then_bill:
            return self.source.projection
        return replace(self.source.projection, billed=False)

    @property
    def link_id(self) -> int | None:
        return self.replaces_link

    @property
    def ids(self) -> BySide[int | None]:
        source = self.source
        return BySide(
            source.id if source.side == Side.MOCO else None,
            source.id if source.side == Side.CLOCKODO else None,
        )

    @property
    def moco_id(self) -> int | None:
        return self.ids.moco

    @property
    def clockodo_id(self) -> int | None:
        return self.ids.clockodo


@dataclass(frozen=True)
class Update(_OnPair):
    """Change ``changes`` (the target vendor's field names) of the linked item on
    ``target``, addressed through ``item``; afterwards both sides hold ``expected``."""

    kind: ClassVar[Kind] = "update"
    target: Side
    pair: Pair
    changes: dict[str, FieldValue]
    expected: Projection
    item: TargetItem
    source: WriteSource

    @property
    def side(self) -> Side:
        return self.target


@dataclass(frozen=True)
class Bill(_OnPair):
    """Mark the linked item on ``target`` billed and change nothing else
    (MOCO: a disregard; clockodo: ``billable = 2``, several at once through entry
    groups). Counted as an update."""

    kind: ClassVar[Kind] = "update"
    target: Side
    pair: Pair
    billing: Disregard | None
    expected: Projection
    item: TargetItem
    source: WriteSource

    @property
    def side(self) -> Side:
        return self.target


@dataclass(frozen=True)
class Delete(_OnPair):
    """Delete the linked item on ``target``: its partner is proven gone."""

    kind: ClassVar[Kind] = "delete"
    target: Side
    pair: Pair
    projection: Projection
    item: TargetItem
    source: WriteSource

    @property
    def side(self) -> Side:
        return self.target


@dataclass(frozen=True)
class RecordBase(_OnPair):
    """Both sides agree on ``base`` without a write; store it (and unpark the link),
    with the items' ``stamps`` as read."""

    kind: ClassVar[Kind] = "link"
    side: ClassVar[Side | None] = None
    pair: Pair
    base: Projection
    stamps: BySide[str | None] = NO_STAMPS


@dataclass(frozen=True)
class RecordStamps(_OnPair):
    """Both items still hold the base, under new stamps: store them (so the next run
    can tell the pair unchanged without projecting it)."""

    kind: ClassVar[Kind] = "link"
    side: ClassVar[Side | None] = None
    pair: Pair
    stamps: BySide[str | None]


@dataclass(frozen=True)
class AdoptLink(_OnPair):
    """Link two existing items without writing (remote_id match or equal projections)."""

    kind: ClassVar[Kind] = "link"
    side: ClassVar[Side | None] = None
    pair: Pair
    base: Projection
    stamps: BySide[str | None] = NO_STAMPS

    @property
    def origin(self) -> Side:
        return self.pair.origin


@dataclass(frozen=True)
class DropLink(_OnPair):
    """Both sides are gone (or the survivor of an orphan is): forget the link."""

    kind: ClassVar[Kind] = "link"
    side: ClassVar[Side | None] = None
    pair: Pair


@dataclass(frozen=True)
class MarkOrphaned(_OnPair):
    """``gone`` is deleted and the deletion is not propagated; keep the link."""

    kind: ClassVar[Kind] = "link"
    side: ClassVar[Side | None] = None
    pair: Pair
    gone: Side


@dataclass(frozen=True)
class Conflict(_OnPair):
    """Both sides disagree in a way the table cannot settle alone.

    ``resolution`` "parked": nothing is written; store ``parked`` on the link.
    "moco"/"clockodo": that side won; "merged": both sides' edits were combined. The
    writes follow in this plan; store both versions in the conflict history. ``None``
    for a version means that side is gone.
    """

    kind: ClassVar[Kind] = "conflict"
    side: ClassVar[Side | None] = None
    pair: Pair
    moco: Projection | None
    clockodo: Projection | None
    reason: str
    resolution: Resolution

    @property
    def parked(self) -> ParkedConflict:
        return ParkedConflict(self.moco, self.clockodo, self.reason)


WriteAction = Create | Update | Bill | Delete
Bookkeeping = RecordBase | RecordStamps | AdoptLink | DropLink | MarkOrphaned | Conflict
Action = WriteAction | Bookkeeping
WRITE_ACTIONS = (Create, Update, Bill, Delete)
BOOKKEEPING = (AdoptLink, Conflict, RecordBase, RecordStamps, MarkOrphaned, DropLink)


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

    def write_counts(self) -> Counter[tuple[Kind, Side]]:
        """The writes a run sends, per kind and side: a create that is billed right
        after (``then_bill``) is also an update of its target, as the run counts it."""
        counts: Counter[tuple[Kind, Side]] = Counter((a.kind, a.side) for a in self.writes)
        for action in self.writes:
            if isinstance(action, Create) and action.then_bill:
                counts["update", action.target] += 1
        return counts

    def follow_ups(self) -> int:
        """Creates followed by a bill of the new copy (each one write more)."""
        return sum(1 for a in self.writes if isinstance(a, Create) and a.then_bill)

    def skip_counts(self) -> Counter[tuple[Side, SkipReason]]:
        return Counter((s.side, s.reason) for s in self.skips)

    def summary(self) -> str:
        """E.g. ``Plan: 3 to create, 2 to update (1 bill after a create), 0 to delete,
        1 conflicts.`` The counts are the writes a run sends."""
        counts: Counter[str] = Counter()
        for (kind, _), n in self.write_counts().items():
            counts[kind] += n
        follow = self.follow_ups()
        after = ""
        if follow:
            after = (
                " (1 bill after a create)" if follow == 1 else f" ({follow} bills after creates)"
            )
        return (
            f"Plan: {counts['create']} to create, {counts['update']} to update{after}, "
            f"{counts['delete']} to delete, {self.count('conflict')} conflicts."
        )
