"""The decision table of design §3, row by row, through reconcile()."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from syncd.core.moco import Disregard
from syncd.core.model import BySide, ParkedConflict, SkipReason
from syncd.core.plan import (
    AdoptLink,
    Bill,
    Conflict,
    Create,
    Delete,
    DropLink,
    MarkOrphaned,
    Plan,
    RecordBase,
    RecordStamps,
    Update,
)
from syncd.core.reconcile import reconcile
from tests.core.factories import (
    MAPPINGS,
    STAMPS,
    T0,
    clockodo,
    is_write,
    kinds,
    link,
    moco,
    pair,
    policy,
    proj,
    reasons,
    run,
    snap,
)

LATER = T0 + timedelta(hours=1)


# --- both present ---------------------------------------------------------------------


def test_nothing_changed_plans_nothing() -> None:
    plan = run([moco(1)], [clockodo(5)], [link(1, 1, 5)])
    assert plan.actions == ()
    assert plan.skips == ()


def test_moco_changed_updates_clockodo() -> None:
    plan = run([moco(1, description="new", billable=False)], [clockodo(5)], [link(1, 1, 5)])
    (update,) = plan.actions
    assert is_write(update, Update, "clockodo")
    assert dict(update.changes) == {"text": "new", "billable": 0}
    assert (update.link_id, update.moco_id, update.clockodo_id) == (1, 1, 5)
    assert update.expected == proj(description="new", billable=False)
    assert update.source.key == ("moco", 1)


def test_clockodo_changed_updates_moco() -> None:
    plan = run([moco(1)], [clockodo(5, text="new", services_id=201)], [link(1, 1, 5)])
    (update,) = plan.actions
    assert is_write(update, Update, "moco")
    assert dict(update.changes) == {"description": "new", "task_id": 21}
    assert update.item.user_id == 1
    assert update.expected == proj(description="new", task=21)


def test_project_change_sends_all_ids() -> None:
    plan = run([moco(1, project_id=11, task_id=22)], [clockodo(5)], [link(1, 1, 5)])
    (update,) = plan.actions
    assert is_write(update, Update, "clockodo")
    assert dict(update.changes) == {"customers_id": 501, "projects_id": 1001}
    plan = run([moco(1)], [clockodo(5, customers_id=501, projects_id=1001)], [link(1, 1, 5)])
    (back,) = plan.actions
    assert is_write(back, Update, "moco")
    assert dict(back.changes) == {"project_id": 11, "task_id": 22}


def test_both_changed_equal_records_the_base() -> None:
    plan = run([moco(1, description="same")], [clockodo(5, text="same")], [link(1, 1, 5)])
    assert plan.actions == (RecordBase(pair(1, 1, 5), proj(description="same"), STAMPS),)


def _both_changed(**policy_overrides: Any) -> Plan:
    return run(
        [moco(1, description="moco", updated_at=policy_overrides.pop("moco_at", T0))],
        [clockodo(5, text="clockodo", time_last_change=policy_overrides.pop("clockodo_at", T0))],
        [link(1, 1, 5)],
        **policy_overrides,
    )


def test_conflict_parks_by_default() -> None:
    plan = _both_changed()
    assert plan.actions == (
        Conflict(
            pair(1, 1, 5),
            proj(description="moco"),
            proj(description="clockodo"),
            "both_changed",
            "parked",
        ),
    )
    assert plan.summary() == "Plan: 0 to create, 0 to update, 0 to delete, 1 conflicts."


@pytest.mark.parametrize(
    ("overrides", "winner"),
    [
        ({"conflict": "moco"}, "moco"),
        ({"conflict": "clockodo"}, "clockodo"),
        ({"conflict": "newest", "moco_at": LATER}, "moco"),
        ({"conflict": "newest", "clockodo_at": LATER}, "clockodo"),
    ],
)
def test_conflict_policy_picks_a_winner(overrides: dict[str, Any], winner: str) -> None:
    plan = _both_changed(**overrides)
    conflict, write = plan.actions
    assert isinstance(conflict, Conflict)
    assert conflict.resolution == winner
    assert conflict.moco == proj(description="moco")
    assert conflict.clockodo == proj(description="clockodo")
    if winner == "moco":
        assert is_write(write, Update, "clockodo")
        assert dict(write.changes) == {"text": "moco"}
    else:
        assert is_write(write, Update, "moco")
        assert dict(write.changes) == {"description": "clockodo"}


def test_newest_with_equal_times_parks() -> None:
    plan = _both_changed(conflict="newest")
    (conflict,) = plan.actions
    assert isinstance(conflict, Conflict)
    assert conflict.resolution == "parked"


# --- deletions ------------------------------------------------------------------------


def test_moco_gone_and_clockodo_unchanged_deletes_in_clockodo() -> None:
    plan = run([], [clockodo(5)], [link(1, 1, 5)], moco_gone=(1,))
    (delete,) = plan.actions
    assert is_write(delete, Delete, "clockodo")
    assert (delete.pair, delete.projection) == (pair(1, 1, 5), proj())
    assert plan.writes[0].source.key == ("clockodo", 5)


def test_clockodo_gone_and_moco_unchanged_deletes_in_moco() -> None:
    plan = run([moco(1)], [], [link(1, 1, 5)], clockodo_gone=(5,))
    (delete,) = plan.actions
    assert is_write(delete, Delete, "moco")
    assert (delete.moco_id, delete.item.user_id, delete.projection) == (1, 1, proj())


def test_gone_and_changed_parks() -> None:
    plan = run([], [clockodo(5, text="edited")], [link(1, 1, 5)], moco_gone=(1,))
    assert plan.actions == (
        Conflict(pair(1, 1, 5), None, proj(description="edited"), "deleted_and_changed", "parked"),
    )


def test_gone_and_changed_deleting_side_wins() -> None:
    plan = run([], [clockodo(5, text="edited")], [link(1, 1, 5)], moco_gone=(1,), conflict="moco")
    assert kinds(plan) == ["Conflict", "Delete:clockodo"]
    conflict = plan.actions[0]
    assert isinstance(conflict, Conflict)
    assert conflict.resolution == "moco"


@pytest.mark.parametrize("conflict", ["clockodo", "newest"])
def test_gone_and_changed_survivor_wins_and_is_recreated(conflict: str) -> None:
    plan = run([], [clockodo(5, text="edited")], [link(1, 1, 5)], moco_gone=(1,), conflict=conflict)
    assert kinds(plan) == ["Conflict", "Create:moco"]
    create = plan.actions[1]
    assert is_write(create, Create, "moco")
    assert create.replaces_link == 1
    assert create.draft.remote_id == "clockodo:5"
    assert create.draft.description == "edited"


def test_survivor_recreated_in_clockodo_is_placed() -> None:
    plan = run(
        [moco(1, description="edited")], [], [link(1, 1, 5)], clockodo_gone=(5,), conflict="moco"
    )
    create = plan.actions[1]
    assert is_write(create, Create, "clockodo")
    assert create.replaces_link == 1
    assert create.draft.time_since == datetime(2026, 3, 2, 8, tzinfo=UTC)


@pytest.mark.parametrize("conflict", ["park", "moco"])
def test_gone_and_billed_survivor_is_never_deleted(conflict: str) -> None:
    billed = proj(billed=True)
    plan = run(
        [], [clockodo(5, billable=2)], [link(1, 1, 5, billed)], moco_gone=(1,), conflict=conflict
    )
    (parked,) = plan.actions
    assert isinstance(parked, Conflict)
    assert (parked.reason, parked.resolution) == ("billed", "parked")


def test_both_gone_drops_the_link() -> None:
    plan = run([], [], [link(1, 1, 5)], moco_gone=(1,), clockodo_gone=(5,))
    assert plan.actions == (DropLink(pair(1, 1, 5)),)


def test_deletes_switched_off_orphan_the_link() -> None:
    plan = run([], [clockodo(5)], [link(1, 1, 5)], moco_gone=(1,), propagate_deletes=False)
    assert plan.actions == (MarkOrphaned(pair(1, 1, 5), "moco"),)


def test_deleting_side_wins_but_deletes_are_off() -> None:
    plan = run(
        [],
        [clockodo(5, text="x")],
        [link(1, 1, 5)],
        moco_gone=(1,),
        conflict="moco",
        propagate_deletes=False,
    )
    assert kinds(plan) == ["MarkOrphaned"]


def test_orphan_is_inert_until_its_survivor_goes() -> None:
    orphan = link(1, 1, 5, orphaned="moco")
    assert run([], [clockodo(5, text="edited")], [orphan]).actions == ()
    assert run([], [], [orphan]).actions == ()  # survivor missing but not proven gone
    assert run([], [], [orphan], clockodo_gone=(5,)).actions == (DropLink(pair(1, 1, 5)),)


def test_orphaned_survivor_is_not_recreated_as_unlinked() -> None:
    plan = run([], [clockodo(5)], [link(1, 1, 5, orphaned="moco")])
    assert plan.actions == ()
    assert plan.skips == ()


# --- proof of absence -----------------------------------------------------------------


@pytest.mark.parametrize("complete", [True, False])
def test_plain_absence_never_deletes(complete: bool) -> None:
    plan = reconcile(
        snap(complete=complete),
        snap(clockodo(5), complete=complete),
        [link(1, 1, 5)],
        MAPPINGS,
        policy(),
    )
    assert plan.actions == ()
    assert reasons(plan) == [("moco", 1, SkipReason.ABSENCE_UNPROVEN)]


def test_unparseable_linked_item_holds_the_link() -> None:
    plan = reconcile(
        snap(invalid=(1,)), snap(clockodo(5, text="x")), [link(1, 1, 5)], MAPPINGS, policy()
    )
    assert plan.actions == ()
    assert reasons(plan) == [("moco", 1, SkipReason.INVALID)]


def test_unparseable_unlinked_item_is_reported() -> None:
    plan = reconcile(snap(invalid=(3,)), snap(), [], MAPPINGS, policy())
    assert reasons(plan) == [("moco", 3, SkipReason.INVALID)]


def test_skip_on_a_linked_item_holds_the_link() -> None:
    plan = run(
        [moco(1, description="new")], [clockodo(5, time_until=None, duration=None)], [link(1, 1, 5)]
    )
    assert plan.actions == ()
    assert reasons(plan) == [("clockodo", 5, SkipReason.RUNNING)]


# --- parked links ---------------------------------------------------------------------

PARKED = ParkedConflict(proj(description="m"), proj(description="c"), "both_changed")


def test_parked_link_without_edits_stays_parked() -> None:
    plan = run([moco(1, description="m")], [clockodo(5, text="c")], [link(1, 1, 5, parked=PARKED)])
    assert plan.actions == ()
    assert reasons(plan) == [("moco", 1, SkipReason.PARKED)]


def test_edit_after_a_conflict_resolves_it_for_that_side() -> None:
    parked = [link(1, 1, 5, parked=PARKED)]
    plan = run([moco(1, description="m2")], [clockodo(5, text="c")], parked)
    (update,) = plan.actions
    assert is_write(update, Update, "clockodo")
    assert dict(update.changes) == {"text": "m2"}
    plan = run([moco(1, description="m")], [clockodo(5, text="c2")], parked)
    (back,) = plan.actions
    assert is_write(back, Update, "moco")


def test_parked_sides_becoming_equal_record_the_base() -> None:
    plan = run([moco(1, description="c")], [clockodo(5, text="c")], [link(1, 1, 5, parked=PARKED)])
    assert plan.actions == (RecordBase(pair(1, 1, 5), proj(description="c"), STAMPS),)


def test_parked_deletion_resolved_by_editing_the_survivor() -> None:
    parked = ParkedConflict(None, proj(description="c"), "deleted_and_changed")
    still = run([], [clockodo(5, text="c")], [link(1, 1, 5, parked=parked)], moco_gone=(1,))
    assert still.actions == ()
    assert reasons(still) == [("clockodo", 5, SkipReason.PARKED)]
    plan = run([], [clockodo(5, text="c2")], [link(1, 1, 5, parked=parked)], moco_gone=(1,))
    (create,) = plan.actions
    assert is_write(create, Create, "moco")
    assert create.replaces_link == 1


# --- billed ---------------------------------------------------------------------------


def test_moco_billed_bills_clockodo() -> None:
    plan = run([moco(1, billed=True)], [clockodo(5)], [link(1, 1, 5)])
    (update,) = plan.actions
    # Billing is all that changes: a bill, which can go with others through entry groups.
    assert is_write(update, Bill, "clockodo")
    assert update.expected == proj(billed=True)
    assert (update.item.users_id, update.item.time_since) == (101, clockodo(5).time_since)


def test_clockodo_billed_disregards_in_moco() -> None:
    plan = run(
        [moco(1, billable=False)], [clockodo(5, billable=2)], [link(1, 1, 5, proj(billable=False))]
    )
    (disregard,) = plan.actions
    assert is_write(disregard, Bill, "moco")
    assert disregard.billing == Disregard(company_id=50, project_id=10)
    assert (disregard.moco_id, disregard.item.user_id) == (1, 1)


def test_clockodo_billed_and_edited_updates_before_disregarding() -> None:
    plan = run([moco(1)], [clockodo(5, billable=2, text="final")], [link(1, 1, 5)])
    update, disregard = plan.actions
    assert is_write(update, Update, "moco")
    assert is_write(disregard, Bill, "moco")
    assert dict(update.changes) == {"description": "final"}
    assert not update.expected.billed
    assert disregard.expected == proj(description="final", billed=True)


@pytest.mark.parametrize("conflict", ["park", "moco", "clockodo", "newest"])
def test_edit_arriving_at_a_billed_item_parks_whatever_the_policy(conflict: str) -> None:
    billed = proj(billed=True)
    plan = run(
        [moco(1, billed=True)],
        [clockodo(5, billable=1, text="late edit", time_last_change=LATER)],
        [link(1, 1, 5, billed)],
        conflict=conflict,
    )
    (parked,) = plan.actions
    assert isinstance(parked, Conflict)
    assert (parked.reason, parked.resolution) == ("billed", "parked")


def test_billing_and_a_concurrent_edit_conflict() -> None:
    plan = run(
        [moco(1, billed=True)], [clockodo(5, text="edit")], [link(1, 1, 5)], conflict="clockodo"
    )
    (parked,) = plan.actions
    assert isinstance(parked, Conflict)
    assert parked.reason == "billed"
    plan = run([moco(1, billed=True)], [clockodo(5, text="edit")], [link(1, 1, 5)], conflict="moco")
    assert kinds(plan) == ["Conflict", "Update:clockodo"]
    update = plan.actions[1]
    assert is_write(update, Update, "clockodo")
    assert dict(update.changes) == {"text": "work", "billable": 2}


def test_user_cannot_be_moved_in_moco() -> None:
    plan = run(
        [moco(1)],
        [clockodo(5, users_id=102, start=datetime(2026, 3, 2, 14, tzinfo=UTC))],
        [link(1, 1, 5)],
    )
    (parked,) = plan.actions
    assert isinstance(parked, Conflict)
    assert parked.reason == "user_changed"


# --- direction ------------------------------------------------------------------------


def test_one_way_ignores_target_edits() -> None:
    plan = run([moco(1)], [clockodo(5, text="x")], [link(1, 1, 5)], direction="moco-to-clockodo")
    assert plan.actions == ()
    assert reasons(plan) == [("clockodo", 5, SkipReason.IGNORED_DIRECTION)]


def test_one_way_source_wins_when_both_changed() -> None:
    plan = run(
        [moco(1, description="m")],
        [clockodo(5, text="c")],
        [link(1, 1, 5)],
        direction="moco-to-clockodo",
        conflict="clockodo",
    )
    assert kinds(plan) == ["Conflict", "Update:clockodo"]
    conflict = plan.actions[0]
    assert isinstance(conflict, Conflict)
    assert (conflict.reason, conflict.resolution) == ("one_way", "moco")


def test_one_way_creates_only_on_the_target() -> None:
    plan = run([moco(1)], [clockodo(5, text="other")], [], direction="clockodo-to-moco")
    assert kinds(plan) == ["Create:moco"]
    assert reasons(plan) == [("moco", 1, SkipReason.IGNORED_DIRECTION)]


def test_one_way_target_deletion_orphans() -> None:
    plan = run([moco(1)], [], [link(1, 1, 5)], clockodo_gone=(5,), direction="moco-to-clockodo")
    assert plan.actions == (MarkOrphaned(pair(1, 1, 5), "clockodo"),)


def test_one_way_source_deletion_deletes_the_target() -> None:
    plan = run(
        [], [clockodo(5, text="x")], [link(1, 1, 5)], moco_gone=(1,), direction="moco-to-clockodo"
    )
    assert kinds(plan) == ["Conflict", "Delete:clockodo"]


def test_one_way_never_disregards_the_source() -> None:
    plan = run([moco(1)], [clockodo(5, billable=2)], [link(1, 1, 5)], direction="moco-to-clockodo")
    assert plan.actions == ()
    plan = run([moco(1)], [clockodo(5, billable=2)], [link(1, 1, 5)], direction="clockodo-to-moco")
    assert kinds(plan) == ["Bill:moco"]


# --- determinism and input checks -----------------------------------------------------


def test_same_inputs_give_the_same_plan_in_any_input_order() -> None:
    items = [moco(i, description=f"m{i}") for i in range(1, 8)]
    entries = [clockodo(i + 10, text=f"c{i}") for i in range(1, 8)]
    links = [link(i, i, i + 10) for i in range(1, 4)]
    first = reconcile(snap(*items), snap(*entries), links, MAPPINGS, policy(conflict="moco"))
    second = reconcile(
        snap(*reversed(items)),
        snap(*reversed(entries)),
        list(reversed(links)),
        MAPPINGS,
        policy(conflict="moco"),
    )
    assert first == second
    assert len(first.actions) > 5


def test_links_must_be_one_to_one() -> None:
    with pytest.raises(ValueError, match="one-to-one"):
        run([moco(1)], [clockodo(5), clockodo(6)], [link(1, 1, 5), link(2, 1, 6)])


# --- trusted stamps ---------------------------------------------------------------------


def test_with_trusted_stamps_a_pair_under_its_recorded_stamps_is_not_looked_at() -> None:
    # The base says "old" but both items still carry the stamps recorded with it: the
    # shell vouches that nothing changed, so nothing is projected or written.
    stamped = replace(link(1, 1, 5, proj(description="old")), stamps=STAMPS)
    assert run([moco(1)], [clockodo(5)], [stamped], trust_stamps=True).actions == ()
    # Not trusted: compared, and both sides are found to agree on something new.
    assert kinds(run([moco(1)], [clockodo(5)], [stamped])) == ["RecordBase"]


def test_a_new_stamp_means_the_pair_is_compared_and_its_stamps_recorded() -> None:
    later = moco(1, updated_at=LATER)  # saved again, nothing synced changed
    stamped = replace(link(1, 1, 5), stamps=STAMPS)
    plan = run([later], [clockodo(5)], [stamped], trust_stamps=True)
    assert plan.actions == (RecordStamps(pair(1, 1, 5), BySide(LATER.isoformat(), T0.isoformat())),)
    edited = moco(1, description="new", updated_at=LATER)
    changed = run([edited], [clockodo(5)], [stamped], trust_stamps=True)
    assert kinds(changed) == ["Update:clockodo"]


def test_a_stamp_not_yet_settled_is_not_recorded() -> None:
    # Stamps have whole seconds: an item seen under stamp T may change again within
    # second T. Recording T would let a later run trust it and miss that change.
    later = moco(1, updated_at=LATER)
    stamped = replace(link(1, 1, 5), stamps=STAMPS)
    at_cutoff = run(
        [later], [clockodo(5)], [stamped], trust_stamps=True, stamps_settled_before=LATER
    )
    assert at_cutoff.actions == ()
    settled = LATER + timedelta(seconds=1)
    plan = run([later], [clockodo(5)], [stamped], trust_stamps=True, stamps_settled_before=settled)
    assert kinds(plan) == ["RecordStamps"]


def test_an_adopted_pair_keeps_only_its_settled_stamps() -> None:
    # Equal twins are adopted; the MOCO item changed too recently for its stamp to count.
    plan = run([moco(1, updated_at=LATER)], [clockodo(5)], [], stamps_settled_before=LATER)
    (adopt,) = plan.actions
    assert isinstance(adopt, AdoptLink)
    assert adopt.stamps == BySide(None, T0.isoformat())
