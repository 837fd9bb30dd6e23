"""Stored mappings on both backends, read back through the one loader."""

from __future__ import annotations

from syncd.config import MappingSettings
from syncd.core.mapsource import Entry, entries, merge
from syncd.store import db, mapstore
from syncd.sync import mapload


def test_put_replace_remove_and_load(db_url: str) -> None:
    engine = db.make_engine(db_url)
    try:
        assert mapload.stored(engine) == []  # no table yet: nothing, and nothing created
        db.upgrade(engine)
        sessions = db.session_factory(engine)
        with db.transaction(sessions) as session:
            mapstore.put(session, [Entry("user", 1, 11), Entry("project", 2, 22, 3)], "add")
        with db.transaction(sessions) as session:
            mapstore.put(session, [Entry("user", 1, 12)], "import")  # replaces by MOCO id
        assert mapload.stored(engine) == [Entry("project", 2, 22, 3), Entry("user", 1, 12)]
        with db.transaction(sessions) as session:
            assert mapstore.remove(session, "user", 1)
            assert not mapstore.remove(session, "user", 1)
        configured = MappingSettings.model_validate({"tasks": [{"moco": 5, "clockodo_service": 6}]})
        merged = entries(merge(configured, mapload.stored(engine)))
        assert merged == [Entry("project", 2, 22, 3), Entry("task", 5, 6)]
    finally:
        engine.dispose()
