"""The store in the core's terms: links with bases, conflicts, held failures, mappings."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from syncd.core import model as core
from syncd.store import db, journal, repo
from syncd.store import models as rows

BASE = core.Projection(1, date(2026, 11, 2), 3600, "Code Review\nmit Team", True, False, 10, 100)


@pytest.fixture
def session(db_url: str) -> Iterator[Session]:
    engine = db.make_engine(db_url)
    db.upgrade(engine)
    with db.session_factory(engine)() as session:
        yield session
    engine.dispose()


def test_projection_json_round_trip() -> None:
    assert repo.projection_from_json(repo.projection_to_json(BASE)) == BASE


def test_link_lifecycle(session: Session) -> None:
    link = repo.add_link(session, moco_id=5_000_000_001, clockodo_id=42, origin="moco", base=BASE)
    (loaded,) = repo.load_links(session, (date(2026, 11, 1), date(2026, 11, 30)))
    assert (loaded.moco_id, loaded.clockodo_id, loaded.origin, loaded.base) == (
        5_000_000_001,  # beyond 32 bits: ids are 64-bit in PostgreSQL
        42,
        "moco",
        BASE,
    )
    assert repo.load_links(session, (date(2026, 12, 1), date(2026, 12, 31))) == []
    assert repo.load_links(session, (date(2026, 12, 1), date(2026, 12, 31)), clockodo_ids=[42])
    newer = core.Projection(1, date(2026, 11, 3), 1800, "", True, True, 10, 100)
    repo.record_base(session, link.id, newer)
    assert repo.load_links(session, (date(2026, 11, 3), date(2026, 11, 3)))[0].base == newer
    repo.mark_orphaned(session, link.id, "moco")
    assert repo.load_links(session, (date(2026, 11, 3), date(2026, 11, 3)))[0].orphaned == "moco"
    repo.drop_link(session, link.id)
    assert repo.load_links(session, (date(2026, 11, 1), date(2026, 11, 30))) == []


def test_a_parked_conflict_comes_back_with_both_versions(session: Session) -> None:
    link = repo.add_link(session, moco_id=1, clockodo_id=2, origin="clockodo", base=BASE)
    theirs = core.Projection(1, date(2026, 11, 2), 3600, "A", True, False, 10, 100)
    ours = core.Projection(1, date(2026, 11, 2), 3600, "B", True, False, 10, 100)
    repo.open_conflict(
        session,
        link_id=link.id,
        moco_id=1,
        clockodo_id=2,
        reason="both changed",
        moco=theirs,
        clockodo=ours,
        base=BASE,
    )
    (loaded,) = repo.load_links(session, (date(2026, 11, 2), date(2026, 11, 2)))
    assert loaded.parked == core.ParkedConflict(theirs, ours, "both changed")
    assert len(repo.open_conflicts(session)) == 1
    repo.record_base(session, link.id, theirs)  # agreeing ends the conflict
    assert repo.open_conflicts(session) == []
    assert repo.load_links(session, (date(2026, 11, 2), date(2026, 11, 2)))[0].parked is None


def test_held_failures_replace_each_other(session: Session) -> None:
    repo.hold_failure(session, "moco", 7, BASE, status=422, reason="locked")
    repo.hold_failure(session, "moco", 7, BASE, status=403, reason="forbidden")
    assert repo.load_held(session) == {("moco", 7): BASE}
    repo.release_failure(session, "moco", 7)
    assert repo.load_held(session) == {}


def test_stored_mappings_leave_out_ambiguous_ones(session: Session) -> None:
    mappings = core.Mappings(
        users=(
            core.UserMapping(1, 11, "Europe/Berlin"),
            core.UserMapping(2, 12, "Europe/Lisbon"),
            core.UserMapping(2, 13, "Europe/Lisbon"),  # MOCO user 2 mapped twice
        ),
        projects=(core.ProjectMapping(10, 7, 70, 700),),
        tasks=(core.TaskMapping(100, 10, 5),),
    )
    repo.replace_mappings(session, mappings)
    repo.replace_mappings(session, mappings)  # replaces, never duplicates
    users = session.scalars(select(rows.UserMapping.moco_user_id)).all()
    assert users == [1]
    assert session.scalar(select(func.count()).select_from(rows.TaskMapping)) == 1


def test_intents_and_runs(session: Session) -> None:
    intent = journal.add_intent(session, "create_moco", {"remote_id": "clockodo:1"}, run_id="r1")
    assert [i.id for i in journal.pending_intents(session)] == [intent.id]
    journal.finish_intent(session, intent.id, target_id=99)
    assert journal.pending_intents(session) == []
    journal.start_run(session, "r1", "run-once")
    journal.finish_run(session, "r1", "ok", {"created": 1})
    (run,) = journal.last_runs(session)
    assert (run.result, run.counts, run.finished_at is not None) == ("ok", {"created": 1}, True)
    journal.set_watermark(session, "moco", "2026-11-20T10:00:00Z")
    journal.set_watermark(session, "moco", "2026-11-21T10:00:00Z")
    assert journal.get_watermark(session, "moco") == "2026-11-21T10:00:00Z"
