"""MOCO simulator: seed format and defaults, state, reset, faults and the frozen clock."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from syncd.simulators.moco import MocoSimulator, agency_seed
from syncd.simulators.moco.agency import ADMIN_KEY
from syncd.simulators.moco.state import DEFAULT_WEB_HOOK_KEY
from tests.simulators.moco_fixtures import (
    SMALL_KEY,
    SMALL_PROJECT,
    SMALL_TASK,
    SMALL_USER,
    MocoHarness,
    small_seed,
)


def test_seeded_activities_accept_ids_or_nested_objects_and_get_defaults(
    moco_small: MocoHarness,
) -> None:
    seed = small_seed(0)
    seed["activities"] = [
        {
            "date": "2026-03-01",
            "user_id": SMALL_USER,
            "project_id": SMALL_PROJECT,
            "task_id": SMALL_TASK,
            "seconds": 900,
        },
        {
            "id": 55,
            "date": "2026-03-02",
            "user": {"id": SMALL_USER, "firstname": "ignored", "lastname": "ignored"},
            "project": {"id": SMALL_PROJECT},
            "task": {"id": SMALL_TASK},
            "customer": {"id": 1, "name": "ignored"},
            "hours": 0.5,
            "billed": True,
            "updated_at": "2026-03-02T18:00:00+01:00",
        },
    ]
    moco_small.control("seed", seed)
    listed = moco_small.client(SMALL_KEY).get("/activities").json()
    first, second = listed
    assert first["id"] > 1_000_000  # assigned ids look like MOCO's
    assert (first["seconds"], first["worked_seconds"], first["hours"]) == (900, 900, 0.25)
    assert (first["description"], first["tag"], first["remote_service"]) == ("", "", "")
    assert (first["billed"], first["billable"], first["timer_started_at"]) == (False, True, None)
    assert first["created_at"] == first["updated_at"] == "2026-11-20T10:00:00Z"
    assert "hourly_rate" not in first  # a plain user's own view
    assert second["id"] == 55
    assert second["user"] == {"id": SMALL_USER, "firstname": "Sam", "lastname": "Small"}
    assert second["customer"] == {"id": 401, "name": "Kunde"}
    assert (second["seconds"], second["billed"]) == (1800, True)
    assert second["updated_at"] == "2026-03-02T17:00:00Z"


@pytest.mark.parametrize(
    "broken",
    [
        {"activities": [{"date": "2026-01-01", "user_id": 101, "project_id": 9, "task_id": 301}]},
        {"activities": [{"user_id": 101, "project_id": 201, "task_id": 301}]},
        {"api_keys": [{"key": "k", "user_id": 999}]},
        {"projects": [{"name": "no customer"}]},
        {"users": [{"firstname": "Only"}]},
        {"users": "not a list"},
        {"users": [{"firstname": "A", "lastname": "B", "unit": "Team"}]},
        {"companies": [{"name": "Partner", "type": "partner"}]},
        {"companies": [{"name": "Tagged", "tags": "vip"}]},
        {"unknown_section": []},
    ],
)
def test_a_bad_seed_answers_400_and_changes_nothing(
    moco_small: MocoHarness, broken: dict[str, Any]
) -> None:
    moco_small.control("seed", small_seed(2))
    before = moco_small.state()
    response = httpx.post(moco_small.running.root_url + "/_sim/seed", json=broken)
    assert response.status_code == 400
    assert "bad seed" in response.json()["error"]
    assert moco_small.state() == before


def test_state_is_a_seed_that_reproduces_the_account(moco: MocoHarness) -> None:
    moco.client(ADMIN_KEY).post(
        "/activities",
        json={"date": "2026-11-19", "project_id": 945_371_001, "task_id": 7_281_001, "seconds": 1},
    )
    moco.control("period_lock", {"date": "2026-10-31"})
    state = moco.state()
    assert state["period_lock"] == "2026-10-31"
    assert {k["key"] for k in state["api_keys"]} == {ADMIN_KEY, "moco-key-ben", "moco-key-clara"}
    copy = MocoSimulator(rate_limit=False)
    copy.clock.freeze(moco.sim.clock.now())
    copy.seed(state)
    assert copy.state() == state
    moco.control("reset")
    assert moco.state() == {
        "api_keys": [],
        "users": [],
        "companies": [],
        "projects": [],
        "activities": [],
        "period_lock": None,
        "web_hooks": [],
        "web_hook_key": DEFAULT_WEB_HOOK_KEY,
    }
    assert moco.client(ADMIN_KEY).get("/session").status_code == 401


def test_agency_seed_is_deterministic() -> None:
    assert agency_seed() == agency_seed()
    assert agency_seed(seed=8) != agency_seed()
    activities = agency_seed(days=5)["activities"]
    assert {a["date"] for a in activities} == {f"2026-11-0{d}" for d in range(2, 7)}


def test_injected_faults_answer_in_mocos_shape_and_count_by_route(moco: MocoHarness) -> None:
    api = moco.client(ADMIN_KEY)
    script = [
        {"route": "GET /api/v1/activities", "nth": 1, "fault": "status", "status": 503},
        {"route": "GET /api/v1/activities/{id}", "nth": 1, "fault": "drop"},
    ]
    moco.control("faults", {"script": script})
    failed = api.get("/activities")
    assert (failed.status_code, failed.json()) == (503, {"message": "Service Unavailable"})
    assert api.get("/activities").status_code == 200
    with pytest.raises(httpx.RemoteProtocolError):
        api.get("/activities/1015625001")
    stats = moco.control_get("stats")
    assert stats["by_route"] == {"GET /api/v1/activities": 2, "GET /api/v1/activities/{id}": 1}


def test_a_write_whose_answer_is_lost_can_be_found_by_remote_id(moco: MocoHarness) -> None:
    api = moco.client(ADMIN_KEY)
    script = [
        {"route": "POST /api/v1/activities/bulk", "nth": 1, "fault": "drop", "after_write": True}
    ]
    moco.control("faults", {"script": script})
    batch = [
        {"date": "2026-11-19", "project_id": 945_371_001, "task_id": 7_281_001, "remote_id": "x-1"}
    ]
    with pytest.raises(httpx.RemoteProtocolError):
        api.post("/activities/bulk", json={"activities": batch})
    found = api.get("/activities", params={"remote_id": "x-1"})
    assert found.headers["X-Total"] == "1"


def test_the_frozen_clock_drives_timestamps(moco: MocoHarness) -> None:
    api = moco.client(ADMIN_KEY)
    moco.control("clock", {"now": "2027-01-04T08:30:00Z"})
    created = api.post(
        "/activities", json={"date": "2027-01-04", "project_id": 945_371_001, "task_id": 7_281_001}
    ).json()
    assert created["created_at"] == created["updated_at"] == "2027-01-04T08:30:00Z"
    assert api.patch(f"/activities/{created['id']}/start_timer").json()["timer_started_at"] == (
        "2027-01-04T08:30:00Z"
    )
