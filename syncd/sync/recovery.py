"""Resolving write intents left pending by a crash or a lost answer (design §4).

Runs before anything is read. A pending create is looked for with its side's
locator: found, it is adopted (linked, with the base it was sent with); not
found, it never happened and the intent is closed, so the ordinary reconcile
plans the write afresh. A create not found yet is abandoned only once it is
older than ``settle``: a request sent just before its sender died may still be
landing at the vendor. Unresolved intents stay pending; while any exists, the
engine creates nothing (an unlinked booking could be that create's result). A
pending delete is done when the item answers 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from syncd import log
from syncd.adapters import errors
from syncd.adapters.listing import IncompleteRead
from syncd.core.model import BySide, Side, by_side
from syncd.sides.base import VendorSide
from syncd.store import journal, repo
from syncd.store import models as rows
from syncd.store.db import transaction
from syncd.sync.intents import CreateIntent, DeleteIntent, decode
from syncd.sync.ledger import Ledger

logger = log.get_logger("syncd.recovery")


@dataclass(frozen=True)
class Recovered:
    adopted: int = 0
    abandoned: int = 0
    deleted: int = 0
    unresolved: int = 0
    # The earliest moment a create too young to judge now can be judged (a run after
    # it may create again); None when there is none.
    settles_at: datetime | None = None

    def total(self) -> int:
        return self.adopted + self.abandoned + self.deleted + self.unresolved


@dataclass(frozen=True)
class _Pending:
    id: int
    kind: str
    payload: dict[str, Any]
    created_at: datetime


def recover(
    ledger: Ledger, sides: BySide[VendorSide[Any]], settle: timedelta, now: datetime
) -> Recovered:
    """Resolve every pending intent; what could not be resolved stays pending."""
    with transaction(ledger.sessions) as session:
        pending = [
            _Pending(i.id, i.kind, dict(i.payload), _aware(i.created_at))
            for i in journal.pending_intents(session)
        ]
    counts = {"adopted": 0, "abandoned": 0, "deleted": 0, "unresolved": 0}
    settles: list[datetime] = []
    for intent in pending:
        young = intent.created_at > now - settle
        try:
            outcome = _resolve(ledger, sides, intent, young=young)
            counts[outcome] += 1
            if outcome == "unresolved":  # too young to judge: not found *yet*
                settles.append(intent.created_at + settle)
        except (errors.ApiError, IncompleteRead):
            counts["unresolved"] += 1  # the look-up failed: retried next start
        except Exception:  # one broken intent must not stop the others or the run
            logger.exception("could not resolve a write intent", intent=intent.id)
            counts["unresolved"] += 1
    return Recovered(**counts, settles_at=min(settles, default=None))


def _resolve(
    ledger: Ledger, sides: BySide[VendorSide[Any]], pending: _Pending, *, young: bool
) -> str:
    """What became of one intent: adopted, abandoned, deleted or unresolved."""
    try:
        intent = decode(pending.kind, pending.payload)
    except (ValueError, KeyError, TypeError):
        _close(ledger, pending.id)
        return "abandoned"
    if isinstance(intent, DeleteIntent):
        return _resolve_delete(ledger, sides[intent.target], pending.id, intent)
    return _resolve_create(ledger, sides[intent.target], pending.id, intent, young=young)


def _resolve_create(
    ledger: Ledger, side: VendorSide[Any], intent_id: int, intent: CreateIntent, *, young: bool
) -> str:
    target = Side(intent.target)
    found = side.find_created(intent.locator)
    with transaction(ledger.sessions) as session:
        free = [b for b in found if not repo.is_linked_on(session, target, b.id)]
    if not free:
        if young:  # it may still be landing at the vendor
            return "unresolved"
        _close(ledger, intent_id)
        return "abandoned"
    booking = free[0]
    ledger.created(
        intent_id,
        ids=by_side(target, booking.id, intent.source_id),
        origin=target.other,
        base=intent.expected,
        replaces_link=intent.replaces_link,
    )  # no stamps: the booking may have just landed (Policy.stamps_settled_before)
    return "adopted"


def _resolve_delete(
    ledger: Ledger, side: VendorSide[Any], intent_id: int, intent: DeleteIntent
) -> str:
    if side.exists(intent.target_id):
        _close(ledger, intent_id)  # still there: the delete did not happen
        return "abandoned"
    with transaction(ledger.sessions) as session:
        if session.get(rows.Link, intent.link_id) is not None:
            repo.drop_link(session, intent.link_id)
        journal.finish_intent(session, intent_id)
    return "deleted"


def _close(ledger: Ledger, intent_id: int) -> None:
    with transaction(ledger.sessions) as session:
        journal.finish_intent(session, intent_id, state="abandoned")


def _aware(moment: datetime) -> datetime:
    """SQLite gives timestamps back without their zone; they were stored in UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
