"""The mappings in use, read the one way every command and the daemon read them:
the config's `[mappings]` merged with the store's (syncd.core.mapsource.merge)."""

from __future__ import annotations

from sqlalchemy import Engine, inspect
from sqlalchemy.orm import Session

from syncd.config import MappingSettings, Settings
from syncd.core.mapsource import Entry, merge
from syncd.store import db, mapstore


def stored(engine: Engine) -> list[Entry]:
    """The store's mappings; none when there is no database (or table) yet, which
    read-only commands must not create."""
    if db.missing_file(engine) is not None:
        return []
    with engine.connect() as connection:
        if not inspect(connection).has_table("stored_mappings"):
            return []
    with db.transaction(db.session_factory(engine)) as session:
        return mapstore.load(session)


def effective(settings: Settings, engine: Engine) -> MappingSettings:
    return merge(settings.mappings, stored(engine))


def effective_in(settings: Settings, session: Session) -> MappingSettings:
    """:func:`effective` inside a transaction on a store known to be current."""
    return merge(settings.mappings, mapstore.load(session))


def read(settings: Settings) -> MappingSettings:
    """:func:`effective` for commands that have no database engine of their own."""
    engine = db.make_engine(settings.database.url)
    try:
        return effective(settings, engine)
    finally:
        engine.dispose()
