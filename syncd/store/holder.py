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
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, delete, select, text
from sqlalchemy.orm import Session

from syncd.store import journal
from syncd.store import models as rows
from syncd.store.lock import ADVISORY_KEY, FileLock, PostgresLock, writer_lock

HOLDER_MARK = "writer:holder"
STANDBY_PREFIX = "writer:standby:"  # + host:pid, refreshed by each standby daemon
STANDBY_FRESH = timedelta(seconds=60)  # a standby not seen for this long is gone
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


def _standby_mark() -> str:
    return f"{STANDBY_PREFIX}{socket.gethostname()[:HOST_CHARS]}:{os.getpid()}"


def record_standby(session: Session, since: datetime) -> None:
    """A daemon waiting for the lock says so (again, every few seconds)."""
    journal.set_watermark(session, _standby_mark(), since.strftime("%Y-%m-%dT%H:%M:%SZ"))


def forget_standby(session: Session) -> None:
    """This daemon no longer waits (it took the lock, or it stops)."""
    session.execute(delete(rows.Watermark).where(rows.Watermark.name == _standby_mark()))


def standbys(session: Session, now: datetime) -> list[Holder]:
    """Daemons seen waiting for the lock within :data:`STANDBY_FRESH`."""
    query = select(rows.Watermark).where(rows.Watermark.name.startswith(STANDBY_PREFIX))
    found = []
    for mark in session.scalars(query):
        seen = mark.updated_at if mark.updated_at.tzinfo else mark.updated_at.replace(tzinfo=UTC)
        host, _, pid = mark.name.removeprefix(STANDBY_PREFIX).rpartition(":")
        if now - seen <= STANDBY_FRESH and pid.isdigit():
            since = datetime.strptime(mark.value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
            found.append(Holder("daemon", int(pid), host, since))
    return found


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
