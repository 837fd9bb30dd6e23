"""Incremental runs: MOCO is asked only for what changed, and a full read takes
over whenever the store's copy of the window cannot be trusted."""

from __future__ import annotations

import time
import tomllib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import tomli_w
from sqlalchemy import select

from syncd import config
from syncd.store import db, journal, seen
from syncd.store import models as rows
from syncd.sync import reading
from syncd.sync.engine import MAPPINGS_MARK, Engine, RunOptions, RunReport
from tests import clock
from tests.e2e.harness import World, agency_world, links, unbilled_links

MOCO_LIST = "GET /api/v1/activities"


@pytest.fixture
def world(tmp_path: Path, db_url: str) -> Iterator[World]:
    """More than one page of MOCO activities (below that, a full read is one request),
    synced twice, so that the store's copy holds the window as it is now.

    7 workdays x 4 people x 4 bookings + the billed extra = 113 activities, on any date.
    """
    with agency_world(tmp_path, db_url, days=7, per_day=4) as synced:
        synced.run_once()
        synced.run_once()  # the first run's creates are in this full read
        assert len(synced.activities()) == 113
        synced.reset_stats()
        yield synced


def test_an_edit_arrives_with_two_moco_reads(
    world: World, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Without the 10-minute lookback (it would return the fixture's own recent
    # writes as changes too), one edit is one changed activity.
    monkeypatch.setattr(reading, "LOOKBACK", timedelta(0))
    assert run(world).result == "ok"  # a full read: the watermark is now
    time.sleep(1.1)  # MOCO's stamps have whole seconds
    moco_id, clockodo_id = unbilled_links(world, db_url)[0]
    world.edit_activity(moco_id, description="nur die Änderung gelesen")
    world.reset_stats()
    report = run(world, read="incremental", mode="daemon-incr")
    assert report.moco_read == "incremental"
    assert world.entry(clockodo_id)["text"] == "nur die Änderung gelesen"
    # The changes since the last run (one page) and the count of the window,
    # where a full read of this window takes two pages.
    assert world.moco.sim.stats[MOCO_LIST] == 2
    world.reset_stats()
    again = world.run_once("--incremental")  # the command line does the same
    assert "(MOCO read: incremental)" in again.stdout
    assert world.writes() == 0


def test_a_deletion_makes_the_counts_differ_and_only_the_part_is_read_again(
    world: World, db_url: str
) -> None:
    moco_id, clockodo_id = unbilled_links(world, db_url)[0]
    user = world.activity(moco_id)["user"]["id"]
    world.moco_api("DELETE", f"/activities/{moco_id}", headers={"X-IMPERSONATE-USER-ID": str(user)})
    world.reset_stats()
    done = world.run_once("--incremental")
    assert "(MOCO read: recounted)" in done.stdout  # the counts differed
    assert clockodo_id not in {e["id"] for e in world.entries()}
    # The changes and the window's count; then one count per halving of the 32-day
    # window (at most 5) until the part that differs holds at most 100 activities,
    # that part read again; then the proof: the missing activity by id, and a GET.
    assert world.moco.sim.stats[MOCO_LIST] <= 2 + 5 + 1 + 1
    assert world.moco.sim.stats["GET /api/v1/activities/{id}"] == 1


def test_a_booking_moved_out_of_the_window_is_followed(world: World, db_url: str) -> None:
    moco_id, clockodo_id = unbilled_links(world, db_url)[0]
    old = (clock.today() - timedelta(days=45)).isoformat()
    world.edit_activity(moco_id, date=old)
    world.run_once("--incremental")
    assert links(db_url)[moco_id] == clockodo_id
    assert world.entry(clockodo_id)["time_since"].startswith(old)


def test_without_a_watermark_an_incremental_run_reads_fully(tmp_path: Path, db_url: str) -> None:
    with agency_world(tmp_path, db_url, days=7, per_day=4) as fresh:
        first = fresh.run_once("--incremental")
        assert "(MOCO read: full)" in first.stdout
        assert links(db_url), "the first run synced everything"


def test_a_small_window_is_read_whole_in_one_request(tmp_path: Path, db_url: str) -> None:
    with agency_world(tmp_path, db_url) as small:
        small.run_once()
        assert len(small.activities()) <= 100
        small.reset_stats()
        done = small.run_once("--incremental")
        assert "(MOCO read: full)" in done.stdout
        assert small.moco.sim.stats[MOCO_LIST] == 1


def run(world: World, **options: object) -> RunReport:
    engine = Engine(config.load(world.config, {}))
    try:
        return engine.run(RunOptions(**options))  # type: ignore[arg-type]
    finally:
        engine.close()


@pytest.mark.parametrize("between", ["plan", "narrow"])
def test_dry_and_narrow_runs_do_not_move_the_watermark(
    world: World, db_url: str, monkeypatch: pytest.MonkeyPatch, between: str
) -> None:
    monkeypatch.setattr(reading, "LOOKBACK", timedelta(0))  # no 10-minute wait
    moco_id, clockodo_id = unbilled_links(world, db_url)[0]
    assert run(world).result == "ok"  # the watermark is now
    time.sleep(1.1)  # MOCO's stamps have whole seconds
    world.edit_activity(moco_id, description="muss ankommen")
    time.sleep(1.1)
    today = clock.today()
    if between == "plan":
        assert run(world, dry_run=True, mode="plan").result == "planned"
    else:
        assert run(world, since=today, until=today).result == "ok"
    report = run(world, read="incremental", mode="daemon-incr")
    assert report.moco_read == "incremental"
    assert world.entry(clockodo_id)["text"] == "muss ankommen"


def test_a_window_beyond_the_stored_copy_is_read_fully(world: World, db_url: str) -> None:
    assert run(world, read="incremental", mode="daemon-incr").moco_read == "incremental"
    # As after midnight: the copy ends a day before the window does.
    engine = db.make_engine(db_url)
    with db.transaction(db.session_factory(engine)) as session:
        first, last = seen.covered(session) or (clock.today(), clock.today())
        value = f"{first.isoformat()}..{(last - timedelta(days=1)).isoformat()}"
        journal.set_watermark(session, seen.COVERED, value)
    engine.dispose()
    assert run(world, read="incremental", mode="daemon-incr").moco_read == "full"
    assert run(world, read="incremental", mode="daemon-incr").moco_read == "incremental"


def test_an_edit_in_the_same_second_as_syncds_write_is_still_seen(
    world: World, db_url: str
) -> None:
    # Stamps have whole seconds. Both vendors' clocks stand still, so syncd's own
    # write and a person's edit right after it carry the same stamp: a stamp that
    # recent must not be remembered, or the next incremental run would trust it.
    now = datetime.now(UTC)
    world.freeze_clocks(moco=now, clockodo=now)
    moco_id, clockodo_id = unbilled_links(world, db_url)[0]
    world.edit_activity(moco_id, description="in MOCO geändert")
    assert run(world, read="incremental").result == "ok"
    assert world.entry(clockodo_id)["text"] == "in MOCO geändert"
    # Found equal under stamps this recent: compared, not remembered.
    assert run(world, read="incremental").result == "ok"
    world.edit_entry(clockodo_id, text="gleich danach in clockodo")
    report = run(world, read="incremental")
    assert report.moco_read == "incremental"  # a run that trusts remembered stamps
    assert world.activity(moco_id)["description"] == "gleich danach in clockodo"


def test_the_mappings_in_use_are_stored_again_only_when_they_change(
    world: World, db_url: str
) -> None:
    def stored() -> tuple[str | None, object, int]:
        engine = db.make_engine(db_url)
        with db.transaction(db.session_factory(engine)) as session:
            mark = session.get(rows.Watermark, MAPPINGS_MARK)
            tasks = len(session.scalars(select(rows.TaskMapping)).all())
        engine.dispose()
        assert mark is not None
        return mark.value, mark.updated_at, tasks

    before = stored()
    assert run(world).result == "ok"
    assert stored() == before  # the same mappings: not written again
    settings = tomllib.loads(world.config.read_text(encoding="utf-8"))
    settings["mappings"]["tasks"].pop()
    world.config.write_text(tomli_w.dumps(settings), encoding="utf-8")
    assert run(world).result == "ok"
    fingerprint, _, tasks = stored()
    assert fingerprint != before[0]  # stamps are not trusted across the change
    assert tasks == before[2] - 1
