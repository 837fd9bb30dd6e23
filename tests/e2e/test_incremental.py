"""Incremental runs: MOCO is asked only for what changed, and a full read takes
over whenever the store's copy of the window cannot be trusted."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.e2e.harness import World, agency_world, links, unbilled_links

MOCO_LIST = "GET /api/v1/activities"


@pytest.fixture
def world(tmp_path: Path, db_url: str) -> Iterator[World]:
    """More than one page of MOCO activities (below that, a full read is one request)."""
    with agency_world(tmp_path, db_url, days=10, per_day=4) as synced:
        synced.run_once()  # a full read fills the store's copy and sets the watermark
        assert len(synced.activities()) > 100
        synced.reset_stats()
        yield synced


def test_an_edit_arrives_with_two_moco_reads(world: World, db_url: str) -> None:
    moco_id, clockodo_id = unbilled_links(world, db_url)[0]
    world.edit_activity(moco_id, description="nur die Änderung gelesen")
    done = world.run_once("--incremental")
    assert world.entry(clockodo_id)["text"] == "nur die Änderung gelesen"
    # The changes since the last run, and the count of the window: no page walk;
    # with users and projects, four MOCO reads in all.
    assert world.moco.sim.stats[MOCO_LIST] == 2
    assert "moco_read 4" in done.stdout
    world.reset_stats()
    world.run_once("--incremental")
    assert world.writes() == 0


def test_a_deletion_makes_the_counts_differ_and_a_full_read_proves_it(
    world: World, db_url: str
) -> None:
    moco_id, clockodo_id = unbilled_links(world, db_url)[0]
    user = world.activity(moco_id)["user"]["id"]
    world.moco_api("DELETE", f"/activities/{moco_id}", headers={"X-IMPERSONATE-USER-ID": str(user)})
    world.run_once("--incremental")
    assert clockodo_id not in {e["id"] for e in world.entries()}
    assert world.moco.sim.stats[MOCO_LIST] > 2  # fell back to reading the window


def test_a_booking_moved_out_of_the_window_is_followed(world: World, db_url: str) -> None:
    moco_id, clockodo_id = unbilled_links(world, db_url)[0]
    old = (date.today() - timedelta(days=45)).isoformat()
    world.edit_activity(moco_id, date=old)
    world.run_once("--incremental")
    assert links(db_url)[moco_id] == clockodo_id
    assert world.entry(clockodo_id)["time_since"].startswith(old)


def test_without_a_watermark_an_incremental_run_reads_fully(tmp_path: Path, db_url: str) -> None:
    with agency_world(tmp_path, db_url, days=10, per_day=4) as fresh:
        fresh.run_once("--incremental")
        assert links(db_url), "the first run synced everything"
        fresh.reset_stats()
        fresh.run_once("--incremental")
        assert fresh.writes() == 0
        assert fresh.moco.sim.stats[MOCO_LIST] == 2  # now incremental


def test_a_small_window_is_read_whole_in_one_request(tmp_path: Path, db_url: str) -> None:
    with agency_world(tmp_path, db_url) as small:
        small.run_once()
        assert len(small.activities()) <= 100
        small.reset_stats()
        small.run_once("--incremental")
        assert small.moco.sim.stats[MOCO_LIST] == 1
