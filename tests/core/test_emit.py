"""Actions from decisions: held writes, and clockodo times fixed by placement."""

from __future__ import annotations

from datetime import UTC, date, datetime

from syncd.core.model import SkipReason
from syncd.core.plan import (
    Create,
    Update,
)
from tests.core.factories import (
    clockodo,
    is_write,
    kinds,
    link,
    moco,
    proj,
    reasons,
    run,
)

# --- held failures --------------------------------------------------------------------


def test_held_write_is_not_planned_again_until_the_source_changes() -> None:
    edited = [moco(1, description="new")], [clockodo(5)], [link(1, 1, 5)]
    held = {("moco", 1): proj(description="new")}
    plan = run(*edited, held=held)
    assert plan.actions == ()
    assert reasons(plan) == [("moco", 1, SkipReason.HELD_AFTER_ERROR)]
    plan = run([moco(1, description="newer")], [clockodo(5)], [link(1, 1, 5)], held=held)
    assert kinds(plan) == ["Update:clockodo"]


def test_held_create_and_held_conflict_resolution() -> None:
    held = {("moco", 1): proj()}
    assert run([moco(1)], [], [], held=held).actions == ()
    plan = run(
        [moco(1, description="moco")],
        [clockodo(5, text="clockodo")],
        [link(1, 1, 5)],
        conflict="clockodo",
        held={("clockodo", 5): proj(description="clockodo")},
    )
    assert plan.actions == ()  # not even the conflict record: a second run is quiet
    assert reasons(plan) == [("clockodo", 5, SkipReason.HELD_AFTER_ERROR)]


# --- placement through reconcile ------------------------------------------------------


def test_moco_date_change_replaces_the_entry_on_the_new_date() -> None:
    busy = clockodo(6, start=datetime(2026, 3, 5, 8, tzinfo=UTC))
    plan = run(
        [moco(1, date=date(2026, 3, 5)), moco(2, date=date(2026, 3, 5))],
        [clockodo(5), busy],
        [link(1, 1, 5), link(2, 2, 6, proj(date=date(2026, 3, 5)))],
    )
    (update,) = plan.actions
    assert is_write(update, Update, "clockodo")
    assert dict(update.changes) == {
        "time_since": datetime(2026, 3, 5, 9, tzinfo=UTC),
        "time_until": datetime(2026, 3, 5, 10, tzinfo=UTC),
    }


def test_longer_entry_keeps_its_start_when_free_else_moves() -> None:
    plan = run([moco(1, seconds=7200)], [clockodo(5)], [link(1, 1, 5)])
    (update,) = plan.actions
    assert is_write(update, Update, "clockodo")
    assert dict(update.changes) == {"time_until": datetime(2026, 3, 2, 10, tzinfo=UTC)}
    neighbour = clockodo(6, start=datetime(2026, 3, 2, 9, tzinfo=UTC))
    plan = run(
        [moco(1, seconds=7200), moco(2)], [clockodo(5), neighbour], [link(1, 1, 5), link(2, 2, 6)]
    )
    (moved,) = plan.actions
    assert is_write(moved, Update, "clockodo")
    assert dict(moved.changes) == {
        "time_since": datetime(2026, 3, 2, 10, tzinfo=UTC),
        "time_until": datetime(2026, 3, 2, 12, tzinfo=UTC),
    }


def test_entries_their_authors_placed_keep_their_time() -> None:
    own = clockodo(5, start=datetime(2026, 3, 2, 13, 15, tzinfo=UTC))
    mirrored = clockodo(6, start=datetime(2026, 3, 2, 14, tzinfo=UTC))
    plan = run(
        [moco(1, seconds=7200), moco(2)],
        [own, mirrored],
        [link(1, 1, 5, origin="clockodo"), link(2, 2, 6)],
    )
    (update,) = plan.actions
    assert is_write(update, Update, "clockodo")
    assert dict(update.changes) == {"time_until": datetime(2026, 3, 2, 15, 15, tzinfo=UTC)}
    plan = run([moco(1, date=date(2026, 3, 30))], [own], [link(1, 1, 5, origin="clockodo")])
    (moved,) = plan.actions
    assert is_write(moved, Update, "clockodo")
    assert moved.changes["time_since"] == datetime(2026, 3, 30, 12, 15, tzinfo=UTC)  # 14:15 CEST


def test_a_deleted_entry_frees_its_time_for_a_create() -> None:
    plan = run([moco(2)], [clockodo(5)], [link(1, 1, 5)], moco_gone=(1,))
    assert kinds(plan) == ["Delete:clockodo", "Create:clockodo"]
    create = plan.actions[1]
    assert is_write(create, Create, "clockodo")
    assert create.draft.time_since == datetime(2026, 3, 2, 8, tzinfo=UTC)


def test_overfull_day_is_noted() -> None:
    plan = run([moco(i, seconds=6 * 3600) for i in range(1, 6)], [], [])
    assert len(plan.notes) == 1
    assert "MOCO activity 5" in plan.notes[0]


def test_creates_on_one_day_are_stacked_in_id_order() -> None:
    plan = run([moco(3), moco(1, user_id=2), moco(2)], [], [])
    starts = {
        a.moco_id: a.draft.time_since for a in plan.actions if is_write(a, Create, "clockodo")
    }
    assert starts == {
        2: datetime(2026, 3, 2, 8, tzinfo=UTC),
        3: datetime(2026, 3, 2, 9, tzinfo=UTC),
        1: datetime(2026, 3, 2, 14, tzinfo=UTC),  # New York
    }
