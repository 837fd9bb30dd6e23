"""`conflicts show` and `resolve --all` in-process against a store (no vendor is asked)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from types import SimpleNamespace

import tomli_w
from click.testing import CliRunner, Result

from syncd import config
from syncd.cli import main
from syncd.core import model as core
from syncd.service.daemon import Daemon, State
from syncd.service.notify import Notifier
from syncd.store import db, repo
from syncd.sync import conflicts
from tests.e2e.harness import config_for

BASE = core.Projection(1, date(2026, 11, 2), 3600, "base", True, False, 10, 100)


def store_with_conflicts(tmp_path: Path, count: int) -> tuple[Path, str]:
    url = f"sqlite:///{tmp_path}/syncd.db"
    engine = db.make_engine(url)
    db.upgrade(engine)
    with db.transaction(db.session_factory(engine)) as session:
        for n in range(count):
            link = repo.add_link(
                session, moco_id=n + 1, clockodo_id=n + 101, origin="moco", base=BASE
            )
            repo.open_conflict(
                session,
                link_id=link.id,
                moco_id=n + 1,
                clockodo_id=n + 101,
                reason="both changed",
                moco=core.Projection(1, BASE.date, 3600, f"moco {n}", True, False, 10, 100),
                clockodo=core.Projection(1, BASE.date, 5400, f"clockodo {n}", True, False, 10, 100),
                base=BASE,
            )
    engine.dispose()
    path = tmp_path / "syncd.toml"
    settings = config_for("http://127.0.0.1:9/api/v1", "http://127.0.0.1:9/api", url, {})
    path.write_text(tomli_w.dumps(settings), encoding="utf-8")
    return path, url


def cli(config: Path, *args: str, given: str | None = None) -> Result:
    return CliRunner().invoke(main, ["-c", str(config), *args], input=given)


def open_ones(url: str) -> list[conflicts.OpenConflict]:
    engine = db.make_engine(url)
    try:
        with db.session_factory(engine)() as session:
            return conflicts.open_conflicts(session)
    finally:
        engine.dispose()


def test_show_marks_the_fields_that_differ(tmp_path: Path) -> None:
    config, url = store_with_conflicts(tmp_path, 1)
    (conflict,) = open_ones(url)
    shown = cli(config, "conflicts", "show", str(conflict.id))
    assert shown.exit_code == 0, shown.output
    marked = {line.split()[1] for line in shown.output.splitlines() if line.startswith("* ")}
    assert marked == {"seconds", "description"}
    assert "1.00 h" in shown.output
    assert "1.50 h" in shown.output
    assert cli(config, "conflicts", "show", "999").exit_code == 2


def test_resolve_all_asks_then_records_decisions_the_writer_applies(tmp_path: Path) -> None:
    config, url = store_with_conflicts(tmp_path, 2)
    refused = cli(config, "conflicts", "resolve", "--all", "--keep", "clockodo", given="n\n")
    assert refused.exit_code == 1
    assert [c.decided for c in open_ones(url)] == [None, None]
    done = cli(config, "conflicts", "resolve", "--all", "--keep", "clockodo", given="y\n")
    assert done.exit_code == 0, done.output
    assert [c.decided for c in open_ones(url)] == ["clockodo", "clockodo"]
    assert "decided: keep clockodo" in cli(config, "conflicts", "list").output
    assert cli(config, "conflicts", "resolve", "--keep", "moco").exit_code == 2  # no id, no --all
    engine = db.make_engine(url)
    with db.transaction(db.session_factory(engine)) as session:
        applied = conflicts.apply_decisions(session)
    engine.dispose()
    assert [outcome for _, outcome in applied] == [
        "the clockodo version will be copied to moco"
    ] * 2
    assert open_ones(url) == []


class FakeJob:
    def __init__(self) -> None:
        self.changes: list[dict[str, object]] = []

    def modify(self, **changes: object) -> None:
        self.changes.append(changes)


def test_an_active_daemon_runs_at_once_when_a_decision_waits(tmp_path: Path) -> None:
    config_path, _ = store_with_conflicts(tmp_path, 1)
    settings = config.load(str(config_path), {})
    daemon = Daemon(settings, lambda: settings, Notifier(None))
    job = FakeJob()
    daemon.scheduler = SimpleNamespace(get_job=lambda _: job)  # type: ignore[assignment]
    try:
        daemon.state = State.ACTIVE
        daemon._check_decisions()
        assert job.changes == [], "no decision: the schedule stays"
        assert cli(config_path, "conflicts", "resolve", "1", "--keep", "moco").exit_code == 0
        daemon.state = State.STANDBY
        daemon._check_decisions()
        assert job.changes == [], "a standby daemon does not run"
        daemon.state = State.ACTIVE
        daemon._check_decisions()
        (change,) = job.changes
        assert set(change) == {"next_run_time"}
    finally:
        daemon.store.dispose()
