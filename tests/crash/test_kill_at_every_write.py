"""Exactly once under SIGKILL: kill `syncd run-once` at every write in turn.

Between two syncs the agency changes on both sides (creates, updates,
deletes, bills). A fault-free sync of those changes gives the reference end
state and the number N of write requests it needs. Then, for every k in
1..N, the same situation is rebuilt, syncd is killed right after its k-th
write took effect, restarted until it finishes, and both accounts must hold
exactly the reference bookings: nothing twice, nothing lost, links one to
one, and a further run plans nothing. (`make test` kills at a sample of the
writes, `make test-crash` at every one.)
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from tests.conftest import create_pg_database, drop_pg_database
from tests.crash.harness import (
    Booking,
    Killer,
    change_both_sides,
    clockodo_bookings,
    complete,
    install,
    moco_bookings,
    run_and_kill,
    run_in_process,
)
from tests.e2e.harness import World, agency_world, links

DAYS, PER_DAY = 8, 4  # 4 people x 8 workdays x 4 slots: over 50 bookings per side
# Which writes syncd is killed at: SYNCD_CRASH_WRITES=all (every one: `make
# test-crash`), quick (the first, a middle and the last: the calendar runs), or by
# default a sample (the first, the quartiles and the last: `make test`).
MODE = os.environ.get("SYNCD_CRASH_WRITES", "sample")


def kill_points(total: int) -> list[int]:
    if MODE == "all":
        return list(range(1, total + 1))
    parts = 2 if MODE == "quick" else 4
    return sorted({1, total} | {max(1, total * i // parts) for i in range(1, parts)})


NewDatabase = Callable[[], str]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def new_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[NewDatabase]:
    """A factory of empty databases of one backend."""
    made: list[str] = []
    admin: Engine | None = None
    if request.param == "postgres":
        admin = request.getfixturevalue("pg_admin")

    def new() -> str:
        if admin is None:
            url = f"sqlite:///{tmp_path}/crash-{len(made)}.db"
        else:
            url = create_pg_database(admin)
        made.append(url)
        return url

    yield new
    if admin is not None:
        for url in made:
            drop_pg_database(admin, url)


def prepared(world: World, db_url: str) -> None:
    """Synced once, then changed on both sides."""
    assert run_in_process(world).result == "ok"
    change_both_sides(world, links(db_url))


def check(world: World, db_url: str, reference: tuple[Counter[Booking], Counter[Booking]]) -> None:
    moco, clockodo = moco_bookings(world), clockodo_bookings(world)
    assert moco == reference[0], f"MOCO differs: {(moco - reference[0]) + (reference[0] - moco)}"
    assert clockodo == reference[1], "clockodo differs"
    pairs = links(db_url)
    activities = {a["id"] for a in world.activities()}
    entries = {e["id"] for e in world.entries()}
    assert set(pairs) <= activities
    assert set(pairs.values()) <= entries
    assert len(set(pairs.values())) == len(pairs)
    plan = run_in_process(world, dry_run=True).plan
    assert plan is not None
    assert plan.writes == ()


def test_killed_at_every_write_ends_with_every_booking_exactly_once(
    tmp_path: Path, new_database: NewDatabase
) -> None:
    # The fault-free reference.
    url = new_database()
    with agency_world(tmp_path / "ref", url, days=DAYS, per_day=PER_DAY) as world:
        prepared(world, url)
        counter = Killer()
        install(world, counter)
        assert run_in_process(world).result == "ok"
        total = counter.writes
        reference = (moco_bookings(world), clockodo_bookings(world))
    assert reference[0] == reference[1], "the fault-free sync must agree on both sides"
    assert sum(reference[0].values()) >= 50
    assert total >= 20, f"the scenario should need many writes, got {total}"

    for k in kill_points(total):
        url = new_database()
        with agency_world(tmp_path / f"k{k}", url, days=DAYS, per_day=PER_DAY) as world:
            prepared(world, url)
            killer = Killer()
            install(world, killer)
            run_and_kill(world, killer, k)  # asserts that write k was reached
            install(world, Killer())
            complete(world)
            check(world, url, reference)
