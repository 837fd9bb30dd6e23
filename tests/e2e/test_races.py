"""No lost updates: a person's edit that lands while a run is under way survives it.

The edit goes through the vendor's API (in-process, through the same app the
simulator serves) at the moment the run has finished reading what it plans from:
MOCO is edited when syncd starts reading clockodo (MOCO's activities are read by
then); clockodo is edited when syncd asks for its first entry by id (the plan is
made by then). Without a second read right before writing, the run would copy the
other side over the person's edit and store it as agreed.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from syncd.demo import scenario
from syncd.simulators.kit import Simulator, build_app
from tests.e2e.harness import CLOCKODO_HEADERS, World, agency_world, unbilled_links

CLOCKODO_LIST = "GET /api/v2/entries"
CLOCKODO_BY_ID = "GET /api/v2/entries/{id}"


@pytest.fixture
def world(tmp_path: Path, db_url: str) -> Iterator[World]:
    with agency_world(tmp_path, db_url) as synced:
        synced.run_once()
        yield synced


def call_api(sim: Simulator, method: str, path: str, **kwargs: Any) -> httpx.Response:
    """One request to ``sim``'s own app, served on a loop of its own: the hook that
    calls this blocks the loop of the server it runs in."""

    async def send() -> httpx.Response:
        transport = httpx.ASGITransport(app=build_app(sim))
        async with httpx.AsyncClient(transport=transport, base_url="http://sim") as client:
            return await client.request(method, path, **kwargs)

    answers: list[httpx.Response] = []
    worker = threading.Thread(target=lambda: answers.append(asyncio.run(send())))
    worker.start()
    worker.join(timeout=30)
    return answers[0]


def edit_when(
    trigger: Simulator, key: str, target: Simulator, request: dict[str, Any]
) -> threading.Event:
    """Send ``request`` to ``target``'s API right before ``trigger`` serves ``key`` once."""
    done = threading.Event()

    def hook(seen: str, phase: str) -> None:
        if seen == key and phase == "before" and not done.is_set():
            done.set()
            response = call_api(target, **request)
            assert response.status_code == 200, response.text

    trigger.request_hook = hook
    return done


def test_an_edit_in_moco_during_the_run_is_not_overwritten(world: World, db_url: str) -> None:
    moco_id, clockodo_id = unbilled_links(world, db_url)[0]
    world.edit_entry(clockodo_id, text="edited in clockodo")
    user = world.activity(moco_id)["user"]["id"]
    edit_in_moco = {
        "method": "PUT",
        "path": f"/api/v1/activities/{moco_id}",
        "json": {"description": "edited in MOCO during the run"},
        "headers": {
            "Authorization": f"Token token={scenario.MOCO_KEY}",
            "X-IMPERSONATE-USER-ID": str(user),
        },
    }
    # When syncd starts reading clockodo, it has read MOCO's activities.
    edited = edit_when(world.clockodo.sim, CLOCKODO_LIST, world.moco.sim, edit_in_moco)
    done = world.run_once()
    assert edited.is_set()
    assert "stale: 1" in done.stdout
    assert world.activity(moco_id)["description"] == "edited in MOCO during the run"
    assert world.entry(clockodo_id)["text"] == "edited in clockodo"
    world.clockodo.sim.request_hook = None
    # The next run sees both edits: a conflict, parked (the default policy).
    parked = world.run_once()
    assert "conflicts: 1" in parked.stdout
    assert world.activity(moco_id)["description"] == "edited in MOCO during the run"
    assert world.entry(clockodo_id)["text"] == "edited in clockodo"


@pytest.mark.parametrize("change", ["update", "delete"])
def test_an_edit_in_clockodo_during_the_run_is_not_overwritten(
    world: World, db_url: str, change: str
) -> None:
    moco_id, clockodo_id = unbilled_links(world, db_url)[0]
    if change == "update":
        world.edit_activity(moco_id, description="edited in MOCO")
    else:
        user = world.activity(moco_id)["user"]["id"]
        world.moco_api(
            "DELETE", f"/activities/{moco_id}", headers={"X-IMPERSONATE-USER-ID": str(user)}
        )

    edit_in_clockodo = {
        "method": "PUT",
        "path": f"/api/v2/entries/{clockodo_id}",
        "json": {"text": "edited in clockodo during the run"},
        "headers": CLOCKODO_HEADERS,
    }
    # The first entry asked for by id: the re-read right before writing, after the
    # window reads the plan was made from.
    sim = world.clockodo.sim
    edited = edit_when(sim, CLOCKODO_BY_ID, sim, edit_in_clockodo)
    done = world.run_once()
    assert edited.is_set()
    entry = world.entry(clockodo_id)
    assert entry["text"] == "edited in clockodo during the run"
    assert "stale: 1" in done.stdout
    world.clockodo.sim.request_hook = None
    again = world.run_once()
    assert "conflicts: 1" in again.stdout  # changed on both sides, or deleted and changed
    assert world.entry(clockodo_id)["text"] == "edited in clockodo during the run"
