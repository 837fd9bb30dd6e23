"""Targeted runs (what a webhook triggers): only the named bookings, their partners
and their person-days are read; creates, updates and deletes follow the same rules as
in a full run, and nothing outside that scope is touched."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from syncd import config
from syncd.core.model import BySide
from syncd.sync.engine import Engine, RunOptions, RunReport
from tests import clock
from tests.e2e.harness import PERSON_BY_CLOCKODO, World, agency_world, links, unbilled_links


@pytest.fixture
def world(tmp_path: Path, db_url: str) -> Iterator[World]:
    with agency_world(tmp_path, db_url) as synced:
        synced.run_once()
        synced.reset_stats()
        yield synced


def targeted(
    world: World, moco: set[int] = frozenset(), clockodo: set[int] = frozenset()
) -> RunReport:  # type: ignore[assignment]
    engine = Engine(config.load(world.config, {}))
    try:
        targets = BySide(frozenset(moco), frozenset(clockodo))
        return engine.run(RunOptions(targets=targets, mode="webhook"))
    finally:
        engine.close()


def test_an_edit_is_copied_reading_only_the_booking_its_partner_and_their_day(
    world: World, db_url: str
) -> None:
    moco_id, clockodo_id = unbilled_links(world, db_url)[0]
    world.edit_activity(moco_id, description="per Webhook")
    world.reset_stats()
    report = targeted(world, moco={moco_id})
    assert report.result == "ok"
    assert world.entry(clockodo_id)["text"] == "per Webhook"
    moco_reads = sum(n for k, n in world.moco.sim.stats.items() if k.startswith("GET"))
    # The person-day of the link's base, which holds the activity: no read by id
    # (master data comes from the store).
    assert moco_reads == 1
    # The same person-day, which holds the partner, and the re-read before the write.
    clockodo_reads = sum(n for k, n in world.clockodo.sim.stats.items() if k.startswith("GET"))
    assert clockodo_reads == 2
    assert world.writes() == 1


def new_activity(world: World, like: dict[str, Any], text: str) -> dict[str, Any]:
    body = {
        "date": clock.today().isoformat(),
        "project_id": like["project"]["id"],
        "task_id": like["task"]["id"],
        "seconds": 1800,
        "description": text,
    }
    headers = {"X-IMPERSONATE-USER-ID": str(like["user"]["id"])}
    created: dict[str, Any] = world.moco_api(
        "POST", "/activities", json=body, headers=headers
    ).json()
    return created


def test_a_new_booking_is_created_once(world: World, db_url: str) -> None:
    like = world.activity(unbilled_links(world, db_url)[0][0])
    created = new_activity(world, like, "neu per Webhook")
    assert targeted(world, moco={created["id"]}).result == "ok"
    copies = [e for e in world.entries() if e["text"] == "neu per Webhook"]
    assert len(copies) == 1
    assert links(db_url)[created["id"]] == copies[0]["id"]
    world.reset_stats()  # the event of syncd's own write: nothing to write back
    assert targeted(world, clockodo={copies[0]["id"]}).result == "ok"
    assert world.writes() == 0


def test_a_new_booking_made_in_both_tools_is_adopted_not_copied(world: World, db_url: str) -> None:
    moco_id, clockodo_id = unbilled_links(world, db_url)[0]
    like, twin_of = world.activity(moco_id), world.entry(clockodo_id)
    created = new_activity(world, like, "in beiden gebucht")
    zone = PERSON_BY_CLOCKODO[twin_of["users_id"]].timezone
    start = datetime.combine(clock.today(), time(6), ZoneInfo(zone)).astimezone(UTC)
    twin = {
        key: twin_of[key] for key in ("users_id", "customers_id", "projects_id", "services_id")
    } | {
        "billable": 1,
        "text": "in beiden gebucht",
        "time_since": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "time_until": (start + timedelta(seconds=1800)).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    entry = world.clockodo_api("POST", "/v2/entries", json=twin).json()["entry"]
    world.reset_stats()
    assert targeted(world, moco={created["id"]}).result == "ok"
    assert links(db_url)[created["id"]] == entry["id"]
    assert world.writes() == 0


def test_a_deletion_is_followed_only_after_proof(world: World, db_url: str) -> None:
    moco_id, clockodo_id = unbilled_links(world, db_url)[0]
    user = world.activity(moco_id)["user"]["id"]
    world.moco_api("DELETE", f"/activities/{moco_id}", headers={"X-IMPERSONATE-USER-ID": str(user)})
    report = targeted(world, moco={moco_id})
    assert report.result == "ok"
    assert clockodo_id not in {e["id"] for e in world.entries()}
    assert world.moco.sim.stats["GET /api/v1/activities/{id}"] == 1  # the 404


def test_bookings_outside_the_named_ones_days_are_left_to_the_poll(
    world: World, db_url: str
) -> None:
    moco_id, clockodo_id = unbilled_links(world, db_url)[0]
    activity = world.activity(moco_id)
    other_day = next(a for a in world.activities() if a["date"] != activity["date"])
    lonely = {
        "date": other_day["date"],
        "project_id": other_day["project"]["id"],
        "task_id": other_day["task"]["id"],
        "seconds": 900,
        "description": "noch nicht gemeldet",
    }
    headers = {"X-IMPERSONATE-USER-ID": str(other_day["user"]["id"])}
    world.moco_api("POST", "/activities", json=lonely, headers=headers)
    world.edit_activity(moco_id, description="gemeldet")
    targeted(world, moco={moco_id})
    assert world.entry(clockodo_id)["text"] == "gemeldet"
    assert not [e for e in world.entries() if e["text"] == "noch nicht gemeldet"]
    world.run_once()  # the poll catches up
    assert [e for e in world.entries() if e["text"] == "noch nicht gemeldet"]
