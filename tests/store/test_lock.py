"""One writer per database: a second process waits or is refused."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from syncd.store import db
from syncd.store.lock import FileLock, HeldLock, LockHeld, NoLock, PostgresLock, writer_lock

HOLD_AND_REPORT = textwrap.dedent(
    """
    import sys
    from syncd.store import db
    from syncd.store.lock import writer_lock
    lock = writer_lock(db.make_engine(sys.argv[1]))
    print("got" if lock.try_acquire() else "refused", flush=True)
    """
)


def other_process_tries(url: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", HOLD_AND_REPORT, url], capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def test_lock_kind_follows_the_database(db_url: str) -> None:
    lock = writer_lock(db.make_engine(db_url))
    expected = PostgresLock if db_url.startswith("postgresql") else FileLock
    assert isinstance(lock, expected)
    assert isinstance(writer_lock(db.make_engine("sqlite://")), NoLock)


def test_second_process_is_refused_while_the_first_holds_the_lock(db_url: str) -> None:
    lock = writer_lock(db.make_engine(db_url))
    assert other_process_tries(db_url) == "got"  # free: the other process takes and ends
    with HeldLock(lock):
        assert other_process_tries(db_url) == "refused"
    assert other_process_tries(db_url) == "got"


def test_held_lock_raises_after_waiting(db_url: str) -> None:
    engine = db.make_engine(db_url)
    with HeldLock(writer_lock(engine)):
        second = writer_lock(db.make_engine(db_url))
        with (
            pytest.raises(LockHeld, match="another syncd process holds"),
            HeldLock(second, wait=0.3, poll=0.1),
        ):
            pass


def test_lock_dies_with_its_process(db_url: str) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_AND_REPORT + "import time; time.sleep(60)\n", db_url],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "got"
        assert other_process_tries(db_url) == "refused"
    finally:
        holder.kill()
        holder.wait()
    assert other_process_tries(db_url) == "got"


def test_a_held_lock_is_alive_seen_from_another_thread(db_url: str) -> None:
    import threading

    lock = writer_lock(db.make_engine(db_url))
    with HeldLock(lock):
        seen: list[bool] = []
        if isinstance(lock, FileLock):  # a PostgreSQL connection belongs to one thread
            thread = threading.Thread(target=lambda: seen.append(lock.is_alive()))
            thread.start()
            thread.join()
            assert seen == [True]
        assert lock.is_alive()
    assert not lock.is_alive()
