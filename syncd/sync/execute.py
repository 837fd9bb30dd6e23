"""Apply a Plan through the two sides (the contract is in :mod:`syncd.core.plan`).

Order: bookkeeping, then deletes, updates, bills and creates, each side batching
what its API lets it batch (MOCO creates per user, disregards per project; clockodo
billing through entry groups). One failing item never stops the others.

Read, verify, write: neither vendor offers a conditional write, so right before the
first update, bill or delete, their targets are read again (one request per 100 MOCO
activities; for clockodo the cheaper of one GET each and one listing). A target that
changed since the plan read it is not written: the run reports it as ``stale`` and
the next run decides with both versions (a conflict, under the configured policy).
What remains open is the moment between that read and the write.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from syncd.core import model as core
from syncd.core import plan as p
from syncd.core.model import SIDES, BySide, Projection, Side
from syncd.sides.base import Failed, Fetched, Lost, Outcome, VendorSide, Written
from syncd.sync.intents import CreateIntent, DeleteIntent
from syncd.sync.ledger import Ledger
from syncd.sync.outcomes import Results, Status

A = TypeVar("A")
Sides = BySide[VendorSide[Any]]


def _of(actions: Sequence[p.Action], kind: type[A], side: Side | None = None) -> list[A]:
    return [
        a
        for a in actions
        if isinstance(a, kind) and (side is None or getattr(a, "target", None) == side)
    ]


@dataclass
class Executor:
    """Applies one plan; ``snapshots`` are the items the plan was made from."""

    ledger: Ledger
    sides: Sides
    mappings: core.Mappings
    snapshots: BySide[Mapping[int, Any]]
    stopping: Callable[[], bool]
    no_creates: str | None = None  # why creates must wait this run (None: they may go)
    results: Results = field(default_factory=Results)

    def execute(self, plan: p.Plan) -> Results:
        """Run every action of `plan` (nothing when it was refused); return the results."""
        if plan.refused:
            return self.results
        actions = plan.actions
        self.ledger.record([a for a in actions if isinstance(a, p.BOOKKEEPING)])
        fresh = self._reread(plan)
        for delete in _of(actions, p.Delete):
            if self.stopping():
                break
            self._delete(delete, fresh[delete.target])
        for side in SIDES:
            for update in _of(actions, p.Update, side):
                if self.stopping():
                    break
                self._update(update, fresh[side])
        for side in SIDES:
            self._bill(side, self._after_corrections(_of(actions, p.Bill, side)), fresh[side])
        if self.no_creates is None:
            for side in SIDES:
                self._create(side, _of(actions, p.Create, side))
        self._mark_not_run(plan)
        for side in SIDES:
            self.results.notes.extend(self.sides[side].notes)
        return self.results

    # -- verify -----------------------------------------------------------------------
    def _reread(self, plan: p.Plan) -> BySide[Fetched[Any]]:
        """The targets of updates, bills and deletes as they are now (skipped for a side
        with none: the cost is one request per 100 MOCO targets, or fewer)."""
        fetched = []
        for side in SIDES:
            targets = {
                a.pair.item(side)
                for a in plan.actions
                if isinstance(a, p.Update | p.Bill | p.Delete) and a.target == side
            }
            fetched.append(self.sides[side].fetch(sorted(targets)) if targets else Fetched({}))
        return BySide(*fetched)

    def _changed(self, action: p.Update | p.Bill | p.Delete, fresh: Fetched[Any]) -> str | None:
        """Why ``action`` must not be sent now (None: its target is as the plan read it)."""
        side, target = self.sides[action.target], action.pair.item(action.target)
        if target in fresh.proven_gone:
            return "gone"
        now, then = fresh.items.get(target), self.snapshots[action.target].get(target)
        if now is None:
            return "unverified"
        if then is not None and side.stamp(now) == side.stamp(then):
            return None
        projected = side.rules.seen(now, self.mappings).state
        before = None if then is None else side.rules.seen(then, self.mappings).state
        unchanged = (
            isinstance(projected, core.Present)
            and isinstance(before, core.Present)
            and projected.projection == before.projection
        )
        return None if unchanged else "changed"  # unchanged: only what is not synced changed

    def _hold_back(self, action: p.Update | p.Bill | p.Delete, fresh: Fetched[Any]) -> bool:
        """Report a target that may not be written now; True when it was held back."""
        why = self._changed(action, fresh)
        if why is None or (why == "gone" and isinstance(action, p.Delete)):
            return False
        label = self.sides[action.target].side.label
        if why == "changed":
            detail = f"edited in {label} since it was read; decided again next run"
            self.results.add(action, Status.STALE, detail)
        elif why == "gone":
            self.results.add(action, Status.GONE, f"deleted in {label} since it was read")
        else:
            detail = f"could not be read again before writing: {fresh.problem or 'not found'}"
            self.results.add(action, Status.FAILED, detail)
        return True

    # -- writes -----------------------------------------------------------------------
    def _delete(self, action: p.Delete, fresh: Fetched[Any]) -> None:
        if self._hold_back(action, fresh):
            return
        gone_side = Side(action.target).other
        pair = action.pair
        intent = DeleteIntent(
            action.target, pair.item(action.target), pair.item(gone_side), pair.existing_id
        )
        intent_id = self.ledger.announce([intent])[0]
        already = action.pair.item(action.target) in fresh.proven_gone
        outcome = Written[Any]() if already else self.sides[action.target].delete(action)
        if isinstance(outcome, Failed):
            self.ledger.abandon([intent_id])
            self._refused(action, outcome)
            return
        self.ledger.deleted(intent_id, action.pair.existing_id, action.source)
        self.results.add(action, Status.DONE)

    def _update(self, action: p.Update, fresh: Fetched[Any]) -> None:
        if self._hold_back(action, fresh):
            return
        outcome = self.sides[action.target].update(action)
        if not isinstance(outcome, Written):
            self._refused(action, outcome)
            return
        base = self._agreed(action.target, action.expected, outcome)
        self._record_agreed(action, base)
        self.results.add(action, Status.DONE)

    def _after_corrections(self, bills: list[p.Bill]) -> list[p.Bill]:
        """Billing follows the corrections it belongs to: when an update of the same
        booking did not go through, billing it now would invoice the uncorrected hours."""
        failed = {
            (r.action.target, r.action.pair.item(r.action.target))
            for r in self.results.items
            if isinstance(r.action, p.Update) and r.status != Status.DONE
        }
        ready = []
        for bill in bills:
            if (bill.target, bill.pair.item(bill.target)) in failed:
                detail = "its correction failed; billed once it is done"
                self.results.add(bill, Status.NOT_RUN, detail)
            else:
                ready.append(bill)
        return ready

    def _bill(self, side: Side, bills: list[p.Bill], fresh: Fetched[Any] | None) -> None:
        """``fresh`` None: the targets were just created by this run, nothing to verify."""
        ready = [bill for bill in bills if fresh is None or not self._hold_back(bill, fresh)]
        vendor = self.sides[side]
        for batch in vendor.bill_batches(ready) if ready else []:
            if self.stopping():
                return
            for bill, outcome in zip(batch, vendor.bill(batch), strict=True):
                self._billed(bill, outcome)

    def _billed(self, bill: p.Bill, outcome: Outcome[Any]) -> None:
        """The base after billing is what the vendor holds when it said so (its billing
        answers carry no record otherwise); billed or not, the next run reads it."""
        if not isinstance(outcome, Written):
            self._refused(bill, outcome)
            return
        base = bill.expected
        if outcome.record is not None:
            base = _projected(self.sides[bill.target], outcome.record, self.mappings) or base
        self._record_agreed(bill, base)
        if base.billed:
            self.results.add(bill, Status.DONE)
        else:
            label = self.sides[bill.target].side.label
            self.results.add(bill, Status.FAILED, f"{label} did not mark it billed")

    def _record_agreed(self, action: p.Update | p.Bill, base: Projection) -> None:
        self.ledger.agreed(action.pair.link_id, action.pair.moco_id, base, source=action.source)

    def _create(self, side: Side, creates: list[p.Create]) -> None:
        vendor = self.sides[side]
        billed: list[p.Bill] = []
        for batch in vendor.create_batches(creates) if creates else []:
            if self.stopping():
                break
            intents = [self._create_intent(vendor, create) for create in batch]
            intent_ids = self.ledger.announce(intents)
            outcomes = vendor.create(batch)
            for create, intent_id, outcome in zip(batch, intent_ids, outcomes, strict=True):
                bill = self._created(create, intent_id, outcome)
                if bill is not None:
                    billed.append(bill)
        if billed:
            self._bill(side, billed, None)

    @staticmethod
    def _create_intent(vendor: VendorSide[Any], create: p.Create) -> CreateIntent:
        return CreateIntent(
            create.target,
            create.source.id,
            create.expected,
            create.replaces_link,
            vendor.locator(create),
        )

    def _created(self, create: p.Create, intent_id: int, outcome: Outcome[Any]) -> p.Bill | None:
        """Record a create; the bill that must follow it, if any."""
        if isinstance(outcome, Lost):
            self.results.add(create, Status.UNKNOWN, outcome.detail)  # the intent stays
            return None
        if isinstance(outcome, Failed):
            self.ledger.abandon([intent_id])
            if outcome.status == Status.HELD:
                status = outcome.error.status if outcome.error else None
                self.ledger.held(create.source, status, outcome.detail)
            self.results.add(create, outcome.status, outcome.detail)
            return None
        assert outcome.id is not None, "a create answers the id it made"
        source, target = create.source, create.target
        ids = core.by_side(target, outcome.id, source.id)
        self.ledger.created(
            intent_id,
            ids=ids,
            origin=source.side,
            base=self._agreed(target, create.expected, outcome),
            replaces_link=create.replaces_link,
        )
        vendor = self.sides[target]
        self.results.add(create, Status.DONE, f"{vendor.side.label} {vendor.noun} {outcome.id}")
        if not create.then_bill or outcome.record is None:
            return None
        pair = p.Pair(None, ids.moco, ids.clockodo, source.side)
        item = vendor.rules.item(outcome.record)
        return p.Bill(target, pair, create.billing, source.projection, item, source)

    # -- outcomes ---------------------------------------------------------------------
    def _agreed(self, side: Side, expected: Projection, outcome: Written[Any]) -> Projection:
        """The base after a write is what syncd sent. If the vendor stored something
        else (e.g. account rounding), the difference flows back on the next run and
        both sides converge; taking the stored value as base would instead rewrite
        the vendor with the original value on every run."""
        vendor = self.sides[side]
        stored = (
            None if outcome.record is None else _projected(vendor, outcome.record, self.mappings)
        )
        if stored != expected:
            self.results.notes.append(
                f"{vendor.side.label} {vendor.noun} {outcome.id or ''} was stored differently "
                "from what was sent (the difference is synced back next run)".replace("  ", " ")
            )
        return expected

    def _refused(self, action: p.Update | p.Bill | p.Delete, outcome: Failed | Lost) -> None:
        """Billed/locked parks the link, other 4xx hold the source until it changes,
        transient failures are simply tried next run."""
        if isinstance(outcome, Lost):
            self.results.add(action, Status.UNKNOWN, outcome.detail)
            return
        if outcome.status == Status.PARKED:
            label = Side(action.target).label
            reason = f"{label} refused the change (billed or locked): {outcome.detail}"
            self.ledger.parked(action.pair, reason, self._versions(action.pair))
        elif outcome.status == Status.HELD:
            status = outcome.error.status if outcome.error else None
            self.ledger.held(action.source, status, outcome.detail)
        self.results.add(action, outcome.status, outcome.detail)

    def _versions(self, pair: p.Pair) -> BySide[Projection | None]:
        """Both sides as read this run (None: gone or not projectable)."""
        versions = []
        for side in SIDES:
            item = self.snapshots[side].get(pair.item(side))
            state = None if item is None else self.sides[side].rules.seen(item, self.mappings).state
            versions.append(state.projection if isinstance(state, core.Present) else None)
        return BySide(*versions)

    def _mark_not_run(self, plan: p.Plan) -> None:
        """Writes never attempted (stopped, or creates held back) are reported, not lost."""
        attempted = {id(result.action) for result in self.results.items}
        for action in plan.writes:
            if id(action) not in attempted:
                reason = self.no_creates if isinstance(action, p.Create) else None
                self.results.add(action, Status.NOT_RUN, reason or "stopped before this write")


def _projected(vendor: VendorSide[Any], record: Any, mappings: core.Mappings) -> Projection | None:
    state = vendor.rules.seen(record, mappings).state
    return state.projection if isinstance(state, core.Present) else None
