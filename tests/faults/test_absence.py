"""Nothing is deleted without proof: a failed page, a booking moved out of the
window, and a window that suddenly comes back empty never delete anything on
the other side; too many deletes at once are refused (the mass-delete guard).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from syncd.exitcodes import ExitCode
from tests.crash.harness import run_in_process
from tests.e2e.harness import World, agency_world, links, parse
from tests.faults.test_soak import VENDOR, set_faults

MOCO_LIST = "GET /api/v1/activities"


@pytest.fixture
def world(tmp_path: Path, db_url: str) -> Iterator[World]:
    """The agency synced once, with 113 activities (two MOCO pages), on any date."""
    with agency_world(tmp_path, db_url, days=7, per_day=4, vendor=VENDOR) as synced:
        assert run_in_process(synced).result == "ok"
        assert len(synced.activities()) == 113
        yield synced


def test_a_failing_page_deletes_nothing(world: World, db_url: str) -> None:
    entries_before = {e["id"] for e in world.entries()}
    # Page 2 of the MOCO listing fails on every attempt (1 + 3 retries).
    script = [{"route": MOCO_LIST, "nth": n, "fault": "status", "status": 503} for n in range(2, 6)]
    set_faults(world, {"script": script})
    done = world.run_once(expect=ExitCode.FAILED)
    assert "read problem" in done.stdout
    assert {e["id"] for e in world.entries()} == entries_before
    set_faults(world, {})
    world.reset_stats()
    world.run_once()
    assert world.writes() == 0, "after the failed read the accounts still agree"


def test_a_booking_moved_out_of_the_window_is_updated_not_deleted(
    world: World, db_url: str
) -> None:
    moco_id, clockodo_id = next(iter(links(db_url).items()))
    entry = world.entry(clockodo_id)
    start = parse(entry["time_since"]) - timedelta(days=60)  # the window is 30 days
    world.edit_entry(
        clockodo_id,
        time_since=start.strftime("%Y-%m-%dT%H:%M:%SZ"),
        time_until=(start + timedelta(seconds=entry["duration"])).strftime("%Y-%m-%dT%H:%M:%SZ"),
    )
    world.run_once()
    activity = world.activity(moco_id)
    assert activity["date"] == start.date().isoformat()
    assert links(db_url)[moco_id] == clockodo_id


def test_a_suddenly_empty_side_is_refused(world: World, db_url: str) -> None:
    entries_before = len(world.entries())
    # MOCO answers every listing with nothing, and every activity by id with 404:
    # the account looks wiped (a wrong account, a lost permission, an outage).
    world.moco.sim.mutations[MOCO_LIST] = lambda body: []
    world.moco.sim.account.activities.clear()
    done = world.syncd("run-once")
    assert done.returncode == ExitCode.REFUSED, done.stdout + done.stderr
    assert "--allow-mass-delete" in done.stdout
    assert len(world.entries()) == entries_before


def test_mass_delete_is_refused_with_the_limit_and_flag_named(world: World, db_url: str) -> None:
    billed = {a["id"] for a in world.activities() if a["billed"]}
    pairs = sorted(links(db_url).items())
    limit = max(10, len(pairs) // 10)
    doomed = [(m, c) for m, c in pairs if m not in billed][: limit + 1]
    for moco_id, _ in doomed:
        user = world.activity(moco_id)["user"]["id"]
        world.moco_api(
            "DELETE", f"/activities/{moco_id}", headers={"X-IMPERSONATE-USER-ID": str(user)}
        )
    refused = world.syncd("run-once")
    assert refused.returncode == ExitCode.REFUSED
    assert "--allow-mass-delete" in refused.stdout
    assert str(limit) in refused.stdout
    entries = {e["id"] for e in world.entries()}
    assert all(clockodo_id in entries for _, clockodo_id in doomed)
    world.run_once("--allow-mass-delete")
    entries = {e["id"] for e in world.entries()}
    assert not any(clockodo_id in entries for _, clockodo_id in doomed)


def test_deletes_at_the_limit_pass(world: World, db_url: str) -> None:
    billed = {e["id"] for e in world.entries() if e["billable"] == 2}
    pairs = sorted(links(db_url).items())
    limit = max(10, len(pairs) // 10)
    pairs = [(m, c) for m, c in pairs if c not in billed]
    for _, clockodo_id in pairs[:limit]:
        world.clockodo_api("DELETE", f"/v2/entries/{clockodo_id}")
    world.run_once()
    remaining = {a["id"] for a in world.activities()}
    assert not any(moco_id in remaining for moco_id, _ in pairs[:limit])
