"""End-to-end stories: `syncd run-once` as a process against both simulators.

Each story seeds the agency, syncs, changes something through a vendor's API,
syncs again and checks both vendors' state — and that a further run writes
nothing (no echo).
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import func, select

from syncd.demo import scenario
from syncd.store import db
from syncd.store import models as rows
from tests import clock
from tests.e2e.harness import (
    PERSON_BY_CLOCKODO,
    World,
    agency_world,
    entry_date,
    links,
    parse,
    unbilled_links,
)

PERSON_BY_MOCO = {p.moco: p for p in scenario.PEOPLE}


@pytest.fixture
def world(tmp_path: Path, db_url: str) -> Iterator[World]:
    with agency_world(tmp_path, db_url) as synced:
        synced.run_once()
        yield synced


def assert_agree(world: World, db_url: str) -> dict[int, int]:
    """Every link joins an activity and an entry that say the same; returns the links."""
    pairs = links(db_url)
    assert len(set(pairs.values())) == len(pairs), "links must be one-to-one"
    activities = {a["id"]: a for a in world.activities()}
    entries = {e["id"]: e for e in world.entries()}
    for moco_id, clockodo_id in pairs.items():
        activity, entry = activities[moco_id], entries[clockodo_id]
        assert activity["date"] == entry_date(entry)
        assert activity["seconds"] == entry["duration"]
        assert (activity["description"] or "") == (entry["text"] or "")
        assert PERSON_BY_MOCO[activity["user"]["id"]].clockodo == entry["users_id"]
        assert activity["billed"] == (entry["billable"] == 2)
    return pairs


def test_first_sync_mirrors_both_ways_without_duplicates(world: World, db_url: str) -> None:
    pairs = assert_agree(world, db_url)
    activities, entries = world.activities(), world.entries()
    mapped_entries = [
        e
        for e in entries
        if e["type"] == 1
        and e["time_until"] is not None
        and e["users_id"] in PERSON_BY_CLOCKODO
        and e["projects_id"] != scenario.UNMAPPED_CLOCKODO_PROJECT
    ]
    # Every booking exists once on each side, and nothing unmapped was copied.
    assert len(pairs) == len(activities) == len(mapped_entries)
    assert set(pairs.values()) == {e["id"] for e in mapped_entries}
    copied = [a for a in activities if (a["remote_id"] or "").startswith("clockodo:")]
    assert {int(a["remote_id"].split(":")[1]) for a in copied} <= set(pairs.values())
    # The mappings in use are stored.
    assert stored_mapping_counts(db_url) == (4, 4, 7)
    # Bookings made in both tools before the first sync were paired, not copied.
    seeded = len(world.scenario.moco_seed["activities"]) + len(
        world.scenario.clockodo_seed["entries"]
    )
    assert len(activities) + len(entries) < seeded * 2


def stored_mapping_counts(db_url: str) -> tuple[int, ...]:
    engine = db.make_engine(db_url)
    try:
        with engine.connect() as connection:
            return tuple(
                connection.scalar(select(func.count()).select_from(table)) or 0
                for table in (rows.UserMapping, rows.ProjectMapping, rows.TaskMapping)
            )
    finally:
        engine.dispose()


def test_mirrored_entries_start_at_day_start_and_do_not_overlap(world: World, db_url: str) -> None:
    seeded_texts = {
        (e["users_id"], e["time_since"]) for e in world.scenario.clockodo_seed["entries"]
    }
    mirrored = [e for e in world.entries() if (e["users_id"], e["time_since"]) not in seeded_texts]
    assert mirrored
    by_day: dict[tuple[int, str], list[dict[str, Any]]] = {}
    for entry in mirrored:
        by_day.setdefault((entry["users_id"], entry_date(entry)), []).append(entry)
    for (user, day), day_entries in by_day.items():
        zone = ZoneInfo(PERSON_BY_CLOCKODO[user].timezone)
        spans = sorted((parse(e["time_since"]), parse(e["time_until"])) for e in day_entries)
        assert spans[0][0].astimezone(zone).time() == time(9, 0), (user, day)
        for (_, end), (start, _) in itertools.pairwise(spans):
            assert end <= start, f"mirrored entries overlap on {day} for user {user}"


def test_second_run_writes_nothing(world: World) -> None:
    world.reset_stats()
    world.run_once()
    assert world.writes() == 0


def test_edit_in_moco_follows_in_clockodo(world: World, db_url: str) -> None:
    moco_id, clockodo_id = next(iter(links(db_url).items()))
    world.edit_activity(moco_id, seconds=5400, description="Neu: Workshop vorbereitet")
    world.run_once()
    entry = world.entry(clockodo_id)
    assert entry["duration"] == 5400
    assert entry["text"] == "Neu: Workshop vorbereitet"
    assert_agree(world, db_url)
    world.reset_stats()
    world.run_once()
    assert world.writes() == 0


def test_edit_in_clockodo_follows_in_moco_even_to_another_day(world: World, db_url: str) -> None:
    moco_id, clockodo_id = next(iter(links(db_url).items()))
    entry = world.entry(clockodo_id)
    start = parse(entry["time_since"]) - timedelta(days=1)
    world.edit_entry(
        clockodo_id,
        time_since=start.strftime("%Y-%m-%dT%H:%M:%SZ"),
        time_until=(start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        text="Am Vortag erledigt",
    )
    world.run_once()
    activity = world.activity(moco_id)
    assert activity["date"] == entry_date(world.entry(clockodo_id))
    assert activity["seconds"] == 7200
    assert activity["description"] == "Am Vortag erledigt"
    world.reset_stats()
    world.run_once()
    assert world.writes() == 0


def test_delete_in_moco_deletes_in_clockodo(world: World, db_url: str) -> None:
    moco_id, clockodo_id = next(iter(links(db_url).items()))
    user = world.activity(moco_id)["user"]["id"]
    world.moco_api("DELETE", f"/activities/{moco_id}", headers={"X-IMPERSONATE-USER-ID": str(user)})
    world.run_once()
    assert clockodo_id not in {e["id"] for e in world.entries()}
    assert moco_id not in links(db_url)
    assert_agree(world, db_url)


def test_delete_in_clockodo_deletes_in_moco(world: World, db_url: str) -> None:
    moco_id, clockodo_id = unbilled_links(world, db_url)[-1]  # a billed entry cannot go
    world.clockodo_api("DELETE", f"/v2/entries/{clockodo_id}")
    world.run_once()
    assert moco_id not in {a["id"] for a in world.activities()}
    assert_agree(world, db_url)


def test_billed_in_moco_bills_clockodo(world: World, db_url: str) -> None:
    moco_id, clockodo_id = next(
        (m, c) for m, c in links(db_url).items() if not world.activity(m)["billed"]
    )
    activity = world.activity(moco_id)
    world.moco_api(
        "POST",
        "/activities/disregard",
        json={
            "activity_ids": [moco_id],
            "reason": "Rechnung 2026-117",
            "company_id": activity["customer"]["id"],
        },
    )
    world.run_once()
    assert world.entry(clockodo_id)["billable"] == 2
    world.reset_stats()
    world.run_once()
    assert world.writes() == 0


def test_billed_in_clockodo_disregards_in_moco(world: World, db_url: str) -> None:
    moco_id, clockodo_id = next(
        (m, c) for m, c in links(db_url).items() if world.entry(c)["billable"] != 2
    )
    world.edit_entry(clockodo_id, billable=2)
    world.run_once()
    assert world.activity(moco_id)["billed"] is True
    world.reset_stats()
    world.run_once()
    assert world.writes() == 0


def test_billed_group_goes_through_entrygroups_handshake(world: World, db_url: str) -> None:
    pairs = links(db_url)
    by_project: dict[tuple[int, int], list[int]] = {}
    for moco_id, _clockodo_id in pairs.items():
        activity = world.activity(moco_id)
        if not activity["billed"]:
            key = (activity["user"]["id"], activity["project"]["id"])
            by_project.setdefault(key, []).append(moco_id)
    (_user, project), ids = max(by_project.items(), key=lambda item: len(item[1]))
    company = world.activity(ids[0])["customer"]["id"]
    world.moco_api(
        "POST",
        "/activities/disregard",
        json={"activity_ids": ids, "reason": "R-1", "company_id": company, "project_id": project},
    )
    world.reset_stats()
    world.run_once()
    assert all(world.entry(pairs[m])["billable"] == 2 for m in ids)
    assert len(ids) >= 3, "the scenario should hold a billable period of several bookings"
    stats = world.clockodo.sim.stats
    assert stats["PUT /api/v2/entrygroups"] == 2  # the handshake: ask, then confirm
    assert stats["PUT /api/v2/entries/{id}"] == 0
    assert_agree(world, db_url)


@pytest.mark.parametrize("policy", ["park", "moco", "clockodo", "newest"])
def test_both_sides_edited(tmp_path: Path, db_url: str, policy: str) -> None:
    with agency_world(tmp_path, db_url, conflict=policy) as world:
        world.run_once()
        moco_id, clockodo_id = next(iter(links(db_url).items()))
        # MOCO is edited a minute before clockodo (stamps have whole seconds).
        earlier = clock.now() - timedelta(minutes=2)
        world.freeze_clocks(moco=earlier, clockodo=earlier + timedelta(minutes=1))
        world.edit_activity(moco_id, description="MOCO sagt A")
        world.edit_entry(clockodo_id, text="clockodo sagt B")
        world.freeze_clocks(moco=None, clockodo=None)
        world.run_once()
        moco_text = world.activity(moco_id)["description"]
        clockodo_text = world.entry(clockodo_id)["text"]
        expected = {
            "park": ("MOCO sagt A", "clockodo sagt B"),
            "moco": ("MOCO sagt A", "MOCO sagt A"),
            "clockodo": ("clockodo sagt B", "clockodo sagt B"),
            "newest": ("clockodo sagt B", "clockodo sagt B"),  # clockodo was edited last
        }[policy]
        assert (moco_text, clockodo_text) == expected
        plan = world.syncd("plan", "--output", "json")
        assert plan.returncode == 0, plan.stderr
        world.reset_stats()
        world.run_once()
        assert world.writes() == 0


def test_period_lock_parks_the_booking_and_it_is_not_retried(world: World, db_url: str) -> None:
    moco_id, clockodo_id = next(iter(links(db_url).items()))
    locked_until = world.activity(moco_id)["date"]
    # The lock is account configuration: set through the simulator's control API.
    httpx.post(world.moco.root_url + "/_sim/period_lock", json={"date": locked_until})
    world.edit_entry(clockodo_id, text="Nachträglich geändert")
    first = world.run_once()
    assert world.activity(moco_id)["description"] != "Nachträglich geändert"
    assert "conflicts" in first.stdout
    world.reset_stats()
    world.run_once()
    assert world.writes() == 0, "a locked booking must not be retried every run"


def test_unmapped_and_special_bookings_are_skipped_and_reported(world: World) -> None:
    done = world.run_once()
    assert "unmapped_project 1" in done.stdout
    assert "unmapped_user 1" in done.stdout
    assert "lump_sum 1" in done.stdout
    assert "running 1" in done.stdout
    texts = {a["description"] for a in world.activities()}
    assert not texts & {"Pitch-Deck", "Altsystem geprüft", "Pauschale Hosting", "Läuft noch"}


def test_the_agency_books_before_today(world: World) -> None:
    assert world.scenario.last_day < clock.today()
    assert world.scenario.last_day.weekday() < 5


@pytest.mark.parametrize("policy", ["park", "clockodo"])
def test_deleted_in_moco_but_edited_in_clockodo(tmp_path: Path, db_url: str, policy: str) -> None:
    with agency_world(tmp_path, db_url, conflict=policy) as world:
        world.run_once()
        moco_id, clockodo_id = unbilled_links(world, db_url)[0]
        user = world.activity(moco_id)["user"]["id"]
        world.moco_api(
            "DELETE", f"/activities/{moco_id}", headers={"X-IMPERSONATE-USER-ID": str(user)}
        )
        world.edit_entry(clockodo_id, text="in clockodo noch gebraucht")
        world.run_once()
        assert world.entry(clockodo_id)["text"] == "in clockodo noch gebraucht"  # never deleted
        copies = [a for a in world.activities() if a["remote_id"] == f"clockodo:{clockodo_id}"]
        if policy == "park":
            assert copies == []
        else:  # clockodo wins: the booking comes back in MOCO, linked to the same entry
            (copy,) = copies
            assert copy["description"] == "in clockodo noch gebraucht"
            assert links(db_url)[copy["id"]] == clockodo_id
        world.reset_stats()
        world.run_once()
        assert world.writes() == 0


def test_plan_shows_what_a_run_would_do_and_writes_nothing(tmp_path: Path, db_url: str) -> None:
    with agency_world(tmp_path, db_url) as world:
        text = world.syncd("plan", "--detailed-exitcode")
        assert text.returncode == 2, text.stderr  # changes pending
        lines = text.stdout.splitlines()
        creates = [line for line in lines if line.startswith("  + ")]
        assert creates
        assert any("+ clockodo" in line for line in creates)
        assert any("+ moco" in line for line in creates)
        assert any(' h  "' in line for line in creates)  # hours and a description excerpt
        assert "= clockodo" in text.stdout  # skipped items, with their reason
        summary = lines[-1]
        billed = [line for line in creates if line.endswith("(then billed: one more write)")]
        assert len(billed) == 2  # the run bills each such copy right after creating it
        assert summary == (
            f"Plan: {len(creates)} to create, 2 to update (2 bills after creates), "
            "0 to delete, 0 conflicts."
        )
        as_json = world.syncd("plan", "--output", "json")
        data = json.loads(as_json.stdout)
        assert data["summary"]["create"] == len(creates)
        assert {a["kind"] for a in data["actions"] if a["side"]} == {"create"}
        for action in (a for a in data["actions"] if a["side"]):  # names next to the ids
            assert action["booking"] in text.stdout  # the line `plan` prints
            assert not action["user_name"].startswith("user "), action["user_name"]
            assert not action["project_name"].startswith("project "), action["project_name"]
        assert {s["reason"] for s in data["skips"]} >= {"lump_sum", "unmapped_project"}
        assert world.writes() == 0, "planning must not write"
        ran = json.loads(world.run_once("--output", "json").stdout)["done"]
        planned = {k: v for k, v in data["summary"].items() if k in ("create", "update", "delete")}
        assert {kind: sum(n for k, n in ran.items() if k.startswith(kind)) for kind in planned} == (
            planned
        ), "the plan's counts are the run's writes"
        after = world.syncd("plan", "--detailed-exitcode")
        assert after.returncode == 0
        assert "Plan: 0 to create, 0 to update, 0 to delete, 0 conflicts." in after.stdout


def test_a_booking_moved_out_of_the_window_and_back_is_followed_both_ways(
    world: World, db_url: str
) -> None:
    moco_id, clockodo_id = unbilled_links(world, db_url)[0]
    entry = world.entry(clockodo_id)
    start, length = parse(entry["time_since"]), timedelta(seconds=entry["duration"])

    def move_entry(to: datetime) -> None:
        world.edit_entry(
            clockodo_id,
            time_since=to.strftime("%Y-%m-%dT%H:%M:%SZ"),
            time_until=(to + length).strftime("%Y-%m-%dT%H:%M:%SZ"),
        )

    move_entry(start - timedelta(days=60))  # out of the 30-day window
    world.run_once()
    assert world.activity(moco_id)["date"] == entry_date(world.entry(clockodo_id))
    move_entry(start)  # and back: its MOCO partner is now the one outside the window
    world.run_once()
    assert world.activity(moco_id)["date"] == entry_date(world.entry(clockodo_id))
    world.reset_stats()
    world.run_once()
    assert world.writes() == 0
