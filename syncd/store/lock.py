"""One writer at a time per database.

PostgreSQL: a session-level advisory lock on a connection held open for the
lock's lifetime; the server frees it when the process dies, so a standby can
take over. SQLite: a file lock beside the database file (the OS frees it when
the process dies).
"""

from __future__ import annotations

import time
from pathlib import Path
from types import TracebackType
from typing import Protocol, Self

import filelock
from sqlalchemy import Connection, Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

# Any constant works; this one spells "syncd" and keeps clear of other apps' keys.
ADVISORY_KEY = 0x73796E6364


class LockHeld(Exception):
    """Another syncd process holds the writer lock."""


class WriterLock(Protocol):
    def try_acquire(self) -> bool: ...

    def release(self) -> None: ...

    def describe(self) -> str: ...

    def is_alive(self) -> bool:
        """Whether the lock is still ours (a PostgreSQL session can be cut off)."""
        ...


class PostgresLock:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._connection: Connection | None = None

    def try_acquire(self) -> bool:
        if self._connection is not None:
            return True
        connection = self._engine.connect()
        got = connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": ADVISORY_KEY})
        if got.scalar_one():
            connection.commit()
            self._connection = connection
            return True
        connection.close()
        return False

    def is_alive(self) -> bool:
        """Whether the lock's connection (and with it the lock) still stands."""
        if self._connection is None:
            return False
        try:
            self._connection.execute(text("SELECT 1"))
            self._connection.commit()
        except Exception:  # any failure means the session, and the lock, are gone
            return False
        return True

    def release(self) -> None:
        if self._connection is None:
            return
        connection, self._connection = self._connection, None
        try:
            connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_KEY})
            connection.commit()
        except SQLAlchemyError:
            pass  # the session is gone, and the server dropped its lock with it
        finally:
            connection.close()

    def describe(self) -> str:
        return "the PostgreSQL advisory lock of this database"


class FileLock:
    def __init__(self, path: Path) -> None:
        self.path = path
        # Not thread-local: the daemon takes the lock in one thread and its runs
        # (in the scheduler's thread) must see that it is held.
        self._lock = filelock.FileLock(str(path), timeout=0, thread_local=False)

    def try_acquire(self) -> bool:
        try:
            self._lock.acquire(timeout=0)
        except filelock.Timeout:
            return False
        return True

    def release(self) -> None:
        if self._lock.is_locked:
            self._lock.release()

    def describe(self) -> str:
        return f"the lock file {self.path}"

    def is_alive(self) -> bool:
        return bool(self._lock.is_locked)  # the OS keeps it while this process lives


class NoLock:
    """An in-memory SQLite database cannot be shared between processes."""

    def try_acquire(self) -> bool:
        return True

    def release(self) -> None:
        return None

    def describe(self) -> str:
        return "no lock (in-memory database)"

    def is_alive(self) -> bool:
        return True


def writer_lock(engine: Engine) -> WriterLock:
    url = make_url(str(engine.url))
    if url.get_backend_name() == "postgresql":
        return PostgresLock(engine)
    if url.database in (None, "", ":memory:"):
        return NoLock()
    return FileLock(Path(url.database).with_name(Path(url.database).name + ".lock"))


class HeldLock:
    """Context manager: acquire (waiting up to `wait` seconds) or raise LockHeld."""

    def __init__(self, lock: WriterLock, wait: float = 0.0, poll: float = 0.5) -> None:
        self.lock, self.wait, self.poll = lock, wait, poll

    def __enter__(self) -> Self:
        deadline = time.monotonic() + self.wait
        while not self.lock.try_acquire():
            if time.monotonic() >= deadline:
                raise LockHeld(f"another syncd process holds {self.lock.describe()}")
            time.sleep(self.poll)
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.lock.release()
