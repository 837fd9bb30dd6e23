"""MOCO simulator: POST /activities/bulk and the timer endpoints (frozen clock)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from syncd.simulators.moco.agency import ADMIN_KEY, BEN_ID, CLARA_ID
from tests.simulators.moco_fixtures import SMALL_KEY, MocoHarness, small_seed

WEBSITE, KONZEPTION, DESIGN, OLD_TASK = 945_371_001, 7_281_001, 7_281_002, 7_281_004


def item(n: int, **extra: Any) -> dict[str, Any]:
    return {
        "date": "2026-11-19",
        "project_id": WEBSITE,
        "task_id": KONZEPTION,
        "seconds": 60 * (n + 1),
        "remote_id": f"ck-{n}",
        **extra,
    }


@pytest.fixture
def api(moco: MocoHarness) -> httpx.Client:
    return moco.client(ADMIN_KEY)


def test_bulk_creates_100_in_order_for_the_impersonated_user(moco: MocoHarness) -> None:
    as_ben = moco.client(ADMIN_KEY, impersonate=BEN_ID)
    response = as_ben.post("/activities/bulk", json={"activities": [item(n) for n in range(100)]})
    assert response.status_code == 200
    created = response.json()
    assert len(created) == 100
    assert [a["remote_id"] for a in created] == [f"ck-{n}" for n in range(100)]
    assert [a["id"] for a in created] == sorted(a["id"] for a in created)
    assert {a["user"]["id"] for a in created} == {BEN_ID}
    assert all(a["worked_seconds"] == a["seconds"] for a in created)
    found = moco.client(ADMIN_KEY).get(
        "/activities", params={"remote_id": "ck-0,ck-99", "user_id": BEN_ID}
    )
    assert sorted(a["remote_id"] for a in found.json()) == ["ck-0", "ck-99"]


def test_bulk_of_101_is_rejected_whole(moco: MocoHarness, api: httpx.Client) -> None:
    before = len(moco.sim.account.activities)
    response = api.post("/activities/bulk", json={"activities": [item(n) for n in range(101)]})
    assert response.status_code == 422
    assert "100" in response.json()["message"]
    assert len(moco.sim.account.activities) == before


def test_one_bad_item_rejects_the_whole_batch(moco: MocoHarness, api: httpx.Client) -> None:
    before = len(moco.sim.account.activities)
    batch = [item(0), item(1, task_id=OLD_TASK), item(2, remote_service="clockodo")]
    response = api.post("/activities/bulk", json={"activities": batch})
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {
        "activities[1].task_id",
        "activities[2].remote_service",
    }
    assert len(moco.sim.account.activities) == before
    assert api.get("/activities", params={"remote_id": "ck-0"}).json() == []


def test_bulk_request_shape_errors(api: httpx.Client) -> None:
    text = api.post(
        "/activities/bulk", content=b"activities=1", headers={"Content-Type": "text/plain"}
    )
    assert (text.status_code, text.content) == (415, b"")
    missing = api.post("/activities/bulk", json={"bulk_data": [item(0)]})
    assert missing.status_code == 400
    assert "activities" in missing.json()["message"]
    assert api.post("/activities/bulk", json={"activities": [1, 2]}).status_code == 422
    empty = api.post("/activities/bulk", json={"activities": []})
    assert (empty.status_code, empty.json()) == (200, [])


def test_timer_runs_on_todays_activity_and_stop_adds_the_elapsed_time(
    moco: MocoHarness, api: httpx.Client
) -> None:
    today = api.post("/activities", json=item(0, date="2026-11-20", seconds=600)).json()
    started = api.patch(f"/activities/{today['id']}/start_timer")
    assert started.status_code == 200
    assert started.json()["timer_started_at"] == "2026-11-20T10:00:00Z"
    assert api.patch(f"/activities/{today['id']}/start_timer").status_code == 422
    moco.control("clock", {"now": "2026-11-20T10:15:30Z"})
    stopped = api.patch(f"/activities/{today['id']}/stop_timer")
    assert stopped.status_code == 200
    body = stopped.json()
    assert body["timer_started_at"] is None
    assert (body["seconds"], body["worked_seconds"]) == (600 + 930, 600 + 930)
    assert body["updated_at"] == "2026-11-20T10:15:30Z"
    again = api.patch(f"/activities/{today['id']}/stop_timer")
    assert again.status_code == 422
    assert "timer_started_at" in again.json()["errors"]


def test_timer_only_today_and_one_per_user(moco: MocoHarness, api: httpx.Client) -> None:
    yesterday = api.post("/activities", json=item(0)).json()
    refused = api.patch(f"/activities/{yesterday['id']}/start_timer")
    assert refused.status_code == 422
    assert "date" in refused.json()["errors"]
    first = api.post("/activities", json=item(1, date="2026-11-20")).json()
    second = api.post("/activities", json=item(2, date="2026-11-20")).json()
    assert api.patch(f"/activities/{first['id']}/start_timer").status_code == 200
    busy = api.patch(f"/activities/{second['id']}/start_timer")
    assert busy.status_code == 422
    assert str(first["id"]) in busy.json()["errors"]["timer_started_at"][0]
    # Another user's timer is independent.
    as_clara = moco.client(ADMIN_KEY, impersonate=CLARA_ID)
    hers = as_clara.post(
        "/activities", json={"date": "2026-11-20", "project_id": 945_371_003, "task_id": 7_281_007}
    ).json()
    assert as_clara.patch(f"/activities/{hers['id']}/start_timer").status_code == 200
    listed = api.get("/activities", params={"from": "2026-11-20", "to": "2026-11-20"}).json()
    assert sum(a["timer_started_at"] is not None for a in listed) == 2


def test_seconds_cannot_change_under_a_running_timer_unless_it_is_stopped(
    moco: MocoHarness, api: httpx.Client
) -> None:
    running = api.post("/activities", json=item(0, date="2026-11-20", seconds=0)).json()
    url = f"/activities/{running['id']}"
    api.patch(f"{url}/start_timer")
    moco.control("clock", {"now": "2026-11-20T10:10:00Z"})
    refused = api.patch(url, json={"seconds": 3600})
    assert refused.status_code == 422
    assert "seconds" in refused.json()["errors"]
    assert api.patch(url, json={"description": "still running"}).status_code == 200
    stopped = api.patch(url, json={"seconds": 3600, "stop_timer": True}).json()
    assert (stopped["seconds"], stopped["timer_started_at"]) == (3600, None)


def test_timers_with_the_real_clock_use_todays_utc_date(moco_small: MocoHarness) -> None:
    moco_small.control("clock", {})  # back to the real clock
    moco_small.sim.seed(small_seed(0))
    api = moco_small.client(SMALL_KEY)
    today = moco_small.sim.clock.now().date().isoformat()
    created = api.post("/activities", json={"date": today, "project_id": 201, "task_id": 301})
    started = api.patch(f"/activities/{created.json()['id']}/start_timer")
    assert started.status_code == 200
    assert started.json()["timer_started_at"].startswith(today)
