"""How the decision table's writes become vendor requests: one set of rules per side.

The emitter decides *what* each side must hold afterwards (:data:`Pending` writes);
the target side's rules (:mod:`syncd.core.moco`, :mod:`syncd.core.clockodo`) draft
*how* to get there: the create body, the changed fields, how to address the item,
whether billing is a write of its own, and, for clockodo, where in time a booking
lands. Both implement :class:`SideRules`; nothing else in the core knows a vendor.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from syncd.core.model import Link, Mappings, Policy, Projection, Seen, Side
from syncd.core.plan import Pair, WriteAction, WriteSource

if TYPE_CHECKING:
    from syncd.core.plan import TargetItem


@dataclass(frozen=True)
class PendingCreate:
    """Create a copy of ``source`` (its projection) on ``target``."""

    target: Side
    source: WriteSource
    replaces_link: int | None


@dataclass(frozen=True)
class PendingUpdate:
    """Make the linked item on ``target`` hold ``wanted`` (it holds ``current``).

    ``source`` is the item whose change is copied: a refusal is held under its key.
    ``wanted`` is its projection, or a merge of both sides' changes.
    """

    target: Side
    pair: Pair
    current: Projection
    wanted: Projection
    source: WriteSource


@dataclass(frozen=True)
class PendingDelete:
    """Delete the linked item on ``target`` (it holds ``current``)."""

    target: Side
    pair: Pair
    current: Projection

    @property
    def source(self) -> WriteSource:
        """A refused delete is held under the survivor itself."""
        return WriteSource(self.target, self.pair.item(self.target), self.current)


Pending = PendingCreate | PendingUpdate | PendingDelete


@dataclass(frozen=True)
class DraftContext:
    """What a side's rules may consult: its own items as read, the links, the plan's
    deletes on that side (their time is free again), the mappings and the policy."""

    items: Mapping[int, Any]
    links: Sequence[Link]
    deleted: frozenset[int]
    mappings: Mappings
    policy: Policy


@dataclass(frozen=True)
class Drafted:
    """The actions for each pending write (same order), and notes for the user."""

    actions: tuple[tuple[WriteAction, ...], ...]
    notes: tuple[str, ...] = ()


class SideRules(Protocol):
    """The pure half of a side: what its items mean, and how to write them."""

    @property
    def side(self) -> Side: ...

    def seen(self, item: Any, mappings: Mappings) -> Seen:
        """One item as the core compares it (its projection, or why it is skipped)."""
        ...

    def stamp(self, item: Any) -> str:
        """The vendor's change stamp of ``item`` (MOCO updated_at, clockodo
        time_last_change)."""
        ...

    def changed(self, item: Any) -> datetime:
        """When ``item`` last changed, by the vendor's clock (the moment ``stamp`` names)."""
        ...

    def own_user(self, moco_user: int, mappings: Mappings) -> int | None:
        """This side's id of the person a projection names (None: unmapped)."""
        ...

    def item(self, booking: Any) -> TargetItem:
        """How writes address ``booking`` (MOCO: as its user; clockodo: its start)."""
        ...

    def draft(self, pending: Sequence[Pending], context: DraftContext) -> Drafted:
        """The vendor requests for ``pending`` writes onto this side."""
        ...
