"""Settling a conflict rearranges the link so that the next run carries out the choice."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from sqlalchemy.orm import Session

from syncd.core import model as core
from syncd.store import db, repo
from syncd.sync import conflicts

BASE = core.Projection(1, date(2026, 11, 2), 3600, "base", True, False, 10, 100)
MOCO = core.Projection(1, date(2026, 11, 2), 3600, "moco", True, False, 10, 100)
CLOCKODO = core.Projection(1, date(2026, 11, 2), 3600, "clockodo", True, False, 10, 100)
WINDOW = (date(2026, 11, 1), date(2026, 11, 30))


@pytest.fixture
def session(tmp_path: object) -> Iterator[Session]:
    engine = db.make_engine(f"sqlite:///{tmp_path}/c.db")
    db.upgrade(engine)
    with db.session_factory(engine)() as session:
        yield session
    engine.dispose()


def parked(session: Session, moco: core.Projection | None, clockodo: core.Projection | None) -> int:
    link = repo.add_link(session, moco_id=1, clockodo_id=2, origin="moco", base=BASE)
    conflict = repo.open_conflict(
        session,
        link_id=link.id,
        moco_id=1,
        clockodo_id=2,
        reason="both changed",
        moco=moco,
        clockodo=clockodo,
        base=BASE,
    )
    return conflict.id


def test_both_present_the_loser_becomes_the_base(session: Session) -> None:
    conflict = parked(session, MOCO, CLOCKODO)
    assert [c.id for c in conflicts.open_conflicts(session)] == [conflict]
    outcome = conflicts.resolve(session, conflict, "moco")
    assert outcome == "the moco version will be copied to clockodo"
    (link,) = repo.load_links(session, WINDOW)
    assert (link.base, link.parked) == (CLOCKODO, None)  # only MOCO differs from it now
    assert conflicts.open_conflicts(session) == []


def test_keeping_a_deletion_makes_the_survivor_unchanged(session: Session) -> None:
    conflict = parked(session, None, CLOCKODO)
    assert "deleted" in conflicts.resolve(session, conflict, "moco")
    (link,) = repo.load_links(session, WINDOW)
    assert link.base == CLOCKODO


def test_keeping_the_survivor_forgets_the_link(session: Session) -> None:
    conflict = parked(session, None, CLOCKODO)
    assert "created again in moco" in conflicts.resolve(session, conflict, "clockodo")
    assert repo.load_links(session, WINDOW) == []


def test_unknown_or_settled_conflicts_are_refused(session: Session) -> None:
    conflict = parked(session, MOCO, CLOCKODO)
    conflicts.resolve(session, conflict, "clockodo")
    with pytest.raises(conflicts.ConflictNotFound):
        conflicts.resolve(session, conflict, "moco")
    with pytest.raises(conflicts.ConflictNotFound):
        conflicts.resolve(session, 4242, "moco")
