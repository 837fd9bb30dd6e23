"""What read-only commands take from the store without asking the vendors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from syncd.core.names import Names
from syncd.sync import mastercache
from syncd.sync.masterdata import names_of

ANY_AGE = timedelta(days=365 * 100)  # names are for reading: old ones beat ids


def stored_names(sessions: sessionmaker[Session]) -> Names:
    """Names from the master data the last real run kept (ids when there is none)."""
    cached = mastercache.load(sessions, datetime.now(UTC), ANY_AGE)
    return Names() if cached is None else names_of(cached[0])
