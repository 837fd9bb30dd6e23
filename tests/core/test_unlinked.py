"""Unlinked items: adoption by remote_id, pairing of equal bookings, creates."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from syncd.core.moco import Disregard
from syncd.core.model import Link, SkipReason
from syncd.core.plan import (
    AdoptLink,
    Create,
    Update,
)
from syncd.core.reconcile import reconcile
from tests.core.factories import (
    MAPPINGS,
    STAMPS,
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

# --- unlinked items -------------------------------------------------------------------


def test_unlinked_items_are_created_with_complete_payloads() -> None:
    plan = run([moco(1, billed=True)], [clockodo(5, text="c", billable=2)], [])
    create_c, create_m = plan.actions
    assert is_write(create_c, Create, "clockodo")
    assert is_write(create_m, Create, "moco")
    assert create_c.then_bill
    assert create_c.draft.billable == 1
    assert (
        create_c.draft.customers_id,
        create_c.draft.projects_id,
        create_c.draft.services_id,
    ) == (500, 1000, 200)
    assert create_m.then_bill
    assert create_m.billing == Disregard(50, 10)
    assert create_m.draft.remote_id == "clockodo:5"
    assert plan.summary() == (
        "Plan: 2 to create, 2 to update (2 bills after creates), 0 to delete, 0 conflicts."
    )


def test_remote_id_adopts_instead_of_creating() -> None:
    plan = run([moco(1, remote_id="clockodo:5")], [clockodo(5)], [])
    assert plan.actions == (AdoptLink(pair(None, 1, 5, "clockodo"), proj(), STAMPS),)


def test_remote_id_adoption_with_differing_versions_is_a_conflict() -> None:
    items: tuple[list[Any], list[Any], list[Link]] = (
        [moco(1, remote_id="clockodo:5", description="m")],
        [clockodo(5, text="c")],
        [],
    )
    parked = run(*items)
    assert kinds(parked) == ["AdoptLink", "Conflict"]
    resolved = run(*items, conflict="moco")
    assert kinds(resolved) == ["AdoptLink", "Conflict", "Update:clockodo"]
    adopt, _, update = resolved.actions
    assert isinstance(adopt, AdoptLink)
    assert adopt.base == proj(description="c")  # the loser: a failed write is retried
    assert is_write(update, Update, "clockodo")
    assert update.link_id is None
    assert (update.moco_id, update.clockodo_id) == (1, 5)


def test_remote_id_naming_an_unseen_entry_is_not_mirrored_again() -> None:
    plan = run([moco(1, remote_id="clockodo:77")], [], [])
    assert plan.actions == ()
    assert reasons(plan) == [("moco", 1, SkipReason.UNRESOLVED_REMOTE)]


def test_remote_id_naming_a_linked_entry_is_an_ordinary_activity() -> None:
    plan = run(
        [moco(1), moco(2, remote_id="clockodo:5", description="copy")],
        [clockodo(5)],
        [link(1, 1, 5)],
    )
    assert kinds(plan) == ["Create:clockodo"]


def test_equal_projections_are_paired_by_id_order() -> None:
    plan = run(
        [moco(3), moco(2)],
        [clockodo(9), clockodo(8, start=datetime(2026, 3, 2, 12, tzinfo=UTC))],
        [],
    )
    assert plan.actions == (
        AdoptLink(pair(None, 2, 8, "clockodo"), proj(), STAMPS),
        AdoptLink(pair(None, 3, 9, "clockodo"), proj(), STAMPS),
    )
    plan = run([moco(3), moco(2)], [clockodo(9)], [])
    assert kinds(plan) == ["AdoptLink", "Create:clockodo"]
    assert plan.actions[0] == AdoptLink(pair(None, 2, 9, "clockodo"), proj(), STAMPS)


def test_unlinked_outside_the_window_is_ignored() -> None:
    plan = run(
        [moco(1, date=date(2025, 1, 1), user_id=9)],
        [clockodo(5, start=datetime(2025, 1, 1, tzinfo=UTC))],
        [],
    )
    assert plan.actions == ()
    assert plan.skips == ()


def test_unlinked_skipped_items_are_reported() -> None:
    plan = run([moco(1, user_id=9)], [clockodo(5, type=2)], [])
    assert reasons(plan) == [
        ("moco", 1, SkipReason.UNMAPPED_USER),
        ("clockodo", 5, SkipReason.LUMP_SUM),
    ]


def test_no_creates_into_a_side_read_incompletely() -> None:
    plan = reconcile(
        snap(moco(1)), snap(clockodo(5, text="c"), complete=False), [], MAPPINGS, policy()
    )
    assert kinds(plan) == ["Create:moco"]  # what was read of clockodo may still be mirrored
    assert reasons(plan) == [("moco", 1, SkipReason.INCOMPLETE_READ)]


def test_stale_remote_id_still_pairs_with_an_equal_entry() -> None:
    """An activity relinked to a re-created entry keeps naming the old one; after a lost
    store it must pair with the new entry instead of being mirrored again."""
    plan = run([moco(1, remote_id="clockodo:4")], [clockodo(5)], [])
    assert plan.actions == (AdoptLink(pair(None, 1, 5, "clockodo"), proj(), STAMPS),)
