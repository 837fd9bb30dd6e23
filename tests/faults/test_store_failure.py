"""The database goes away mid-run: the run fails cleanly, the next one recovers.

PostgreSQL is "restarted" from syncd's point of view by terminating every
server session of its database right after a write took effect at the
vendor — the answer arrives, but the session that would record it, and the
one holding the writer lock, are gone.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from syncd.exitcodes import ExitCode
from tests.crash.harness import (
    change_both_sides,
    clockodo_bookings,
    moco_bookings,
    run_in_process,
)
from tests.e2e.harness import World, agency_world, links


class CutDatabase:
    """A simulator hook that drops every session of one database at the n-th write."""

    def __init__(self, admin: Engine, db_url: str, at_write: int) -> None:
        self.admin, self.database, self.at_write = admin, make_url(db_url).database, at_write
        self.writes = 0
        self.cut = False

    def __call__(self, route: str, phase: str) -> None:
        if phase != "after":
            return
        self.writes += 1
        if self.writes == self.at_write:
            with self.admin.connect() as connection:
                connection.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = :name AND pid <> pg_backend_pid()"
                    ),
                    {"name": self.database},
                )
            self.cut = True


def test_database_restart_mid_run_fails_cleanly_and_the_next_run_recovers(
    tmp_path: Path, pg_url: str, pg_admin: Engine
) -> None:
    with agency_world(tmp_path / "ref", f"sqlite:///{tmp_path}/ref.db") as reference:
        assert run_in_process(reference).result == "ok"
        change_both_sides(reference, links(f"sqlite:///{tmp_path}/ref.db"))
        assert run_in_process(reference).result == "ok"
        expected = (moco_bookings(reference), clockodo_bookings(reference))

    with agency_world(tmp_path / "cut", pg_url) as world:
        assert run_in_process(world).result == "ok"
        change_both_sides(world, links(pg_url))
        cutter = CutDatabase(pg_admin, pg_url, at_write=5)
        install_hook(world, cutter)
        failed = world.syncd("run-once")
        assert cutter.cut
        assert failed.returncode == ExitCode.FAILED, failed.stdout + failed.stderr
        assert "Traceback" not in failed.stderr
        assert "lost" in failed.stdout or "database unavailable" in failed.stderr
        install_hook(world, None)
        world.run_once()
        assert moco_bookings(world) == expected[0]
        assert clockodo_bookings(world) == expected[1]
        world.reset_stats()
        world.run_once()
        assert world.writes() == 0


def install_hook(world: World, hook: CutDatabase | None) -> None:
    world.moco.sim.request_hook = hook
    world.clockodo.sim.request_hook = hook
