"""Recovery under trouble: an intent that cannot be resolved yet holds back creates,
billing waits for the correction it belongs to, and partial answers of batch
writes are taken at their word."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests import clock
from tests.crash.harness import run_in_process
from tests.e2e.harness import World, agency_world, links, unbilled_links
from tests.faults.test_soak import VENDOR, set_faults

ENTRIES_LIST, ENTRY_CREATE = "GET /api/v2/entries", "POST /api/v2/entries"


@pytest.fixture
def world(tmp_path: Path, db_url: str) -> Iterator[World]:
    with agency_world(tmp_path, db_url, vendor=VENDOR) as synced:
        assert run_in_process(synced).result == "ok"
        yield synced


def book_billed_in_moco(world: World, like: dict[str, Any], text: str) -> None:
    """A new booking in MOCO that is billed at once (so its copy needs two writes)."""
    headers = {"X-IMPERSONATE-USER-ID": str(like["user"]["id"])}
    created = world.moco_api(
        "POST",
        "/activities",
        headers=headers,
        json={
            "date": clock.today().isoformat(),
            "project_id": like["project"]["id"],
            "task_id": like["task"]["id"],
            "seconds": 3600,
            "description": text,
        },
    ).json()
    world.moco_api(
        "POST",
        "/activities/disregard",
        json={
            "activity_ids": [created["id"]],
            "reason": "R-9",
            "company_id": like["customer"]["id"],
            "project_id": like["project"]["id"],
        },
    )


def test_an_unresolved_create_holds_back_all_creates_until_it_is_resolved(
    world: World, db_url: str
) -> None:
    moco_id, _ = unbilled_links(world, db_url)[0]
    book_billed_in_moco(world, world.activity(moco_id), "neu und schon abgerechnet")
    # Run 1: the create's answer is lost after it was applied, and the look-up fails.
    script = [
        {"route": ENTRY_CREATE, "nth": 1, "fault": "status", "status": 500, "after_write": True}
    ]
    script += [
        {"route": ENTRIES_LIST, "nth": n, "fault": "status", "status": 503} for n in range(2, 6)
    ]
    set_faults(world, {"script": script})
    assert run_in_process(world).result == "partial"
    # Run 2: recovery's look-up fails again; the window read after it works.
    script = [
        {"route": ENTRIES_LIST, "nth": n, "fault": "status", "status": 503} for n in range(1, 5)
    ]
    set_faults(world, {"script": script})
    second = run_in_process(world)
    assert second.recovered.unresolved == 1
    assert second.result == "partial"
    assert "not resolved yet" in " ".join(r.detail for r in second.results.items)
    # Run 3: recovery finds the entry and links it; nothing was created twice.
    set_faults(world, {})
    assert run_in_process(world).result == "ok"
    copies = [e for e in world.entries() if e["text"] == "neu und schon abgerechnet"]
    originals = [a for a in world.activities() if a["description"] == "neu und schon abgerechnet"]
    assert (len(copies), len(originals)) == (1, 1)
    assert copies[0]["billable"] == 2
    assert links(db_url)[originals[0]["id"]] == copies[0]["id"]


def test_billing_waits_for_the_correction_it_belongs_to(world: World, db_url: str) -> None:
    moco_id, clockodo_id = unbilled_links(world, db_url)[0]
    # The office corrects the text in clockodo and bills the entry in one go.
    world.edit_entry(clockodo_id, text="korrigiert, dann abgerechnet", billable=2)
    set_faults(
        world, {"error_rate": 1.0, "statuses": [503], "routes": ["PUT /api/v1/activities/{id}"]}
    )
    first = run_in_process(world)
    assert first.result == "partial"
    assert world.activity(moco_id)["billed"] is False, "billed before its correction"
    set_faults(world, {})
    assert run_in_process(world).result == "ok"
    activity = world.activity(moco_id)
    assert (activity["description"], activity["billed"]) == ("korrigiert, dann abgerechnet", True)


def test_an_activity_moco_did_not_disregard_is_held_not_resent(world: World, db_url: str) -> None:
    pairs = unbilled_links(world, db_url)[:2]
    for _, clockodo_id in pairs:
        world.edit_entry(clockodo_id, billable=2)
    refused = pairs[0][0]
    world.moco.sim.mutations["POST /api/v1/activities/disregard"] = lambda ids: [
        i for i in ids if i != refused
    ]
    first = run_in_process(world)
    held = [r for r in first.results.items if str(r.status) == "held"]
    assert [r.action.moco_id for r in held] == [refused]  # type: ignore[union-attr]
    world.reset_stats()
    assert run_in_process(world).result == "ok"
    assert world.writes() == 0, "a refused disregard must not be sent on every run"


def test_a_group_billing_that_changed_fewer_entries_is_not_counted_as_done(
    world: World, db_url: str
) -> None:
    activities = {a["id"]: a for a in world.activities()}
    by_group: dict[tuple[int, int], list[int]] = {}
    for moco_id, _ in unbilled_links(world, db_url):
        activity = activities[moco_id]
        by_group.setdefault((activity["user"]["id"], activity["project"]["id"]), []).append(moco_id)
    (_, project), ids = max(by_group.items(), key=lambda item: len(item[1]))
    assert len(ids) >= 3
    world.moco_api(
        "POST",
        "/activities/disregard",
        json={
            "activity_ids": ids,
            "reason": "R-10",
            "company_id": activities[ids[0]]["customer"]["id"],
            "project_id": project,
        },
    )

    def fewer(body: dict[str, Any]) -> dict[str, Any]:
        if "edited_entries" in body:
            return {**body, "edited_entries": body["edited_entries"] - 1}
        return body

    world.clockodo.sim.mutations["PUT /api/v2/entrygroups"] = fewer
    report = run_in_process(world)
    assert {str(r.status) for r in report.results.items} == {"unknown"}
    world.clockodo.sim.mutations.clear()
    world.reset_stats()
    assert run_in_process(world).result == "ok"  # the next run sees they are billed
    assert world.writes() == 0
