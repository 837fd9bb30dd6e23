"""Who holds the writer lock: recorded by the holder, probed by `syncd status`.

The holder writes one watermark (role, pid, host, since) when it takes the lock;
whether the lock is held right now is asked of the lock itself (PostgreSQL's
``pg_locks``, or a non-blocking probe of the lock file), never by taking it.
"""

from __future__ import annotations

import fcntl
import os
import socket
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from syncd.store import journal
from syncd.store.lock import ADVISORY_KEY, FileLock, PostgresLock, writer_lock

HOLDER_MARK = "writer:holder"
HOST_CHARS = 28  # the watermark's value holds 64 characters


@dataclass(frozen=True)
class Holder:
    role: str  # daemon | run-once
    pid: int
    host: str
    since: datetime


def record_holder(session: Session, role: str, since: datetime | None = None) -> None:
    moment = (since or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")
    host = socket.gethostname()[:HOST_CHARS]
    journal.set_watermark(session, HOLDER_MARK, f"{role}|{os.getpid()}|{host}|{moment}")


def recorded_holder(session: Session) -> Holder | None:
    value = journal.get_watermark(session, HOLDER_MARK)
    try:
        role, pid, host, since = (value or "").split("|")
        moment = datetime.strptime(since, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        return Holder(role, int(pid), host, moment)
    except ValueError:
        return None


def lock_held(engine: Engine) -> bool | None:
    """Whether some process holds the writer lock now (None: an in-memory database)."""
    lock = writer_lock(engine)
    if isinstance(lock, PostgresLock):
        query = text(
            "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted"
            " AND classid = :high AND objid = :low AND objsubid = 1)"
        )
        key = {"high": ADVISORY_KEY >> 32, "low": ADVISORY_KEY & 0xFFFFFFFF}
        with engine.connect() as connection:
            return bool(connection.execute(query, key).scalar_one())
    if isinstance(lock, FileLock):
        return _file_locked(lock.path)
    return None


def _file_locked(path: Path) -> bool:
    if not path.exists():
        return False
    with path.open("rb") as handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
    return False
