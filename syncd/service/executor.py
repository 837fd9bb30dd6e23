"""Apply a Plan: bookkeeping first, then deletes, updates and creates.

The plan's actions arrive in the core's phase order; within a phase the
executor batches what the APIs let it batch (MOCO creates in one bulk
request per user, MOCO disregards per customer and project, clockodo
billing through entry groups). One failing item never stops the others.
"""

from __future__ import annotations

from typing import TypeVar

from syncd.core import plan as p
from syncd.service.outcomes import Results, Status
from syncd.service.write_clockodo import ClockodoWriter
from syncd.service.write_moco import MocoWriter
from syncd.service.writing import WriteContext

BOOKKEEPING = (p.AdoptLink, p.Conflict, p.RecordBase, p.MarkOrphaned, p.DropLink)


A = TypeVar("A")


def _of(actions: tuple[p.Action, ...], kind: type[A]) -> list[A]:
    return [action for action in actions if isinstance(action, kind)]


def execute(
    plan: p.Plan, context: WriteContext, moco: MocoWriter, clockodo: ClockodoWriter
) -> Results:
    """Run every action of `plan` (nothing when it was refused); return the results."""
    results = context.results
    if plan.refused:
        return results
    actions = plan.actions
    for action in actions:
        if isinstance(action, BOOKKEEPING):
            context.ledger.record(action)
    for delete in actions:
        if context.stopping():
            break
        if isinstance(delete, p.DeleteInMoco):
            moco.delete(delete)
        elif isinstance(delete, p.DeleteInClockodo):
            clockodo.delete(delete)
    for update in _of(actions, p.UpdateMoco):
        if context.stopping():
            break
        moco.update(update)
    clockodo.update(_of(actions, p.UpdateClockodo))
    moco.disregard(_billable_after_updates(_of(actions, p.DisregardInMoco), results))
    if context.no_creates is None:
        moco.create(_of(actions, p.CreateInMoco))
        for create in _of(actions, p.CreateInClockodo):
            if context.stopping():
                break
            clockodo.create(create)
    _mark_not_run(plan, results, context.no_creates)
    return results


def _billable_after_updates(
    disregards: list[p.DisregardInMoco], results: Results
) -> list[p.DisregardInMoco]:
    """Billing follows the corrections it belongs to: when a MOCO update of the same
    booking did not go through, billing it now would invoice the uncorrected hours."""
    failed = {
        r.action.moco_id
        for r in results.items
        if isinstance(r.action, p.UpdateMoco) and r.status != Status.DONE
    }
    for action in disregards:
        if action.moco_id in failed:
            results.add(action, Status.NOT_RUN, "its correction failed; billed once it is done")
    return [action for action in disregards if action.moco_id not in failed]


def _mark_not_run(plan: p.Plan, results: Results, reason: str | None) -> None:
    """Writes never attempted (stopped, or creates held back) are reported, not lost."""
    attempted = {id(result.action) for result in results.items}
    for action in plan.writes:
        if id(action) not in attempted:
            results.add(action, Status.NOT_RUN, reason or "stopped before this write")
