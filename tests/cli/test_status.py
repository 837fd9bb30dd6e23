"""`syncd status` in-process against a store: runs, waiting work, watermarks, the lock."""

from __future__ import annotations

import json
import os
from datetime import timedelta
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import select

from syncd import config as config_module
from syncd.cli import main
from syncd.service.daemon import Daemon
from syncd.service.notify import Notifier
from syncd.store import db, holder, journal
from syncd.store.lock import HeldLock, writer_lock
from syncd.store.models import Watermark
from tests.cli.test_conflict_commands import store_with_conflicts


def status(config: Path, *args: str) -> str:
    done = CliRunner().invoke(main, ["-c", str(config), "status", *args])
    assert done.exit_code == 0, done.output
    return done.output


def test_status_shows_runs_waiting_work_watermarks_and_the_writer(tmp_path: Path) -> None:
    config, url = store_with_conflicts(tmp_path, 2)
    engine = db.make_engine(url)
    with db.transaction(db.session_factory(engine)) as session:
        journal.start_run(session, "r1", "run-once")
        journal.finish_run(
            session, "r1", "ok", {"done": {"create_moco": 3}, "requests": {"moco_read": 2}}
        )
        intent = journal.add_intent(session, "create_clockodo", {})
        intent.created_at -= timedelta(minutes=90)
        journal.set_watermark(session, "webhooks:moco:last_event", "2026-11-30T10:00:00Z")
        holder.record_holder(session, "daemon")
    found = json.loads(status(config, "--output", "json"))
    assert found["schema"]["current"] == found["schema"]["head"]
    assert (found["open_conflicts"], found["pending_intents"], found["links"]) == (2, 1, 2)
    assert 90 * 60 <= found["oldest_intent_age_seconds"] < 100 * 60
    assert found["watermarks"]["webhooks:moco:last_event"]["value"] == "2026-11-30T10:00:00Z"
    assert holder.HOLDER_MARK not in found["watermarks"]
    (run,) = found["runs"]
    assert (run["mode"], run["result"], run["done"]) == ("run-once", "ok", {"create_moco": 3})
    assert found["writer"]["held"] is False
    assert found["writer"]["role"] == "daemon"
    with HeldLock(writer_lock(engine)):
        text = status(config)
        assert json.loads(status(config, "--output", "json"))["writer"]["held"] is True
    engine.dispose()
    assert "Writer:     held by daemon pid" in text
    assert "Intents:    1 pending, oldest 1 h 30 min old" in text
    assert "webhooks:moco:last_event: 2026-11-30T10:00:00Z" in text
    assert "done: create moco 3" in text


def test_status_of_a_store_without_schema_says_what_to_do(tmp_path: Path) -> None:
    config, url = store_with_conflicts(tmp_path, 0)
    engine = db.make_engine(url)
    db.downgrade(engine)
    engine.dispose()
    assert "Schema:     empty (needs " in status(config)
    assert json.loads(status(config, "--output", "json"))["schema"]["current"] is None


def test_status_lists_daemons_waiting_in_standby_while_they_are_seen(tmp_path: Path) -> None:
    config, url = store_with_conflicts(tmp_path, 0)
    settings = config_module.load(str(config), {})
    daemon = Daemon(settings, lambda: settings, Notifier(None))
    try:
        daemon._mark_standby(waiting=True)
        (waiting,) = json.loads(status(config, "--output", "json"))["writer"]["standby"]
        assert waiting["pid"] == os.getpid()
        assert f"Standby:    daemon pid {os.getpid()} on " in status(config)
        engine = db.make_engine(url)
        with db.transaction(db.session_factory(engine)) as session:
            for mark in session.scalars(select(Watermark)):
                mark.updated_at -= holder.STANDBY_FRESH * 2  # not seen for two minutes
        engine.dispose()
        assert json.loads(status(config, "--output", "json"))["writer"]["standby"] == []
        daemon._mark_standby(waiting=True)
        daemon._mark_standby(waiting=False)  # it took the lock, or stopped
        assert json.loads(status(config, "--output", "json"))["writer"]["standby"] == []
        assert "writer:" not in " ".join(
            json.loads(status(config, "--output", "json"))["watermarks"]
        )
    finally:
        daemon.store.dispose()
