"""Alembic owns the schema: upgrade, downgrade, and agreement with the models."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from syncd.store import db
from syncd.store.models import Base

TABLES = {
    "user_mappings",
    "project_mappings",
    "task_mappings",
    "links",
    "intents",
    "watermarks",
    "runs",
    "conflicts",
    "held_failures",
    "moco_seen",
}


def test_upgrade_from_empty_to_head_and_back_to_base(db_url: str) -> None:
    engine = db.make_engine(db_url)
    assert db.current_revision(engine) is None
    with pytest.raises(db.SchemaOutOfDate, match="syncd db upgrade"):
        db.require_current(engine)
    db.upgrade(engine)
    assert db.current_revision(engine) == db.head_revision(engine)
    db.require_current(engine)
    assert set(inspect(engine).get_table_names()) >= TABLES
    db.downgrade(engine, "base")
    assert db.current_revision(engine) is None
    assert not TABLES & set(inspect(engine).get_table_names())
    engine.dispose()


def test_the_quick_revision_reads_agree_with_alembic(db_url: str) -> None:
    # syncd reads the head from the scripts and the current revision from the table
    # itself (no alembic import on every start); alembic must read the same.
    engine = db.make_engine(db_url)
    scripts = ScriptDirectory.from_config(db.alembic_config(engine))
    assert db.head_revision(engine) == scripts.get_current_head()
    db.upgrade(engine, "0002")
    with engine.connect() as connection:
        assert (
            db.current_revision(engine)
            == MigrationContext.configure(connection).get_current_revision()
        )
    assert db.current_revision(engine) == "0002"
    engine.dispose()


def test_models_and_migrations_agree(db_url: str) -> None:
    engine = db.make_engine(db_url)
    db.upgrade(engine)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []
    engine.dispose()


def test_out_of_date_message_hides_the_password() -> None:
    engine = db.make_engine("postgresql://syncd:hunter2secret@db.invalid/syncd")
    assert "hunter2secret" not in db.safe_url(engine)
    assert db.normalize_url("postgresql://h/d") == "postgresql+psycopg://h/d"
