"""MOCO simulator: creating, reading, changing and deleting single activities."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from syncd.simulators.kit import serve_in_thread
from syncd.simulators.moco import MocoSimulator, agency_seed
from syncd.simulators.moco.agency import ADMIN_ID, ADMIN_KEY, BEN_ID, BEN_KEY, CLARA_ID, CLARA_KEY
from tests.simulators.moco_fixtures import MocoHarness

WEBSITE, SUPPORT, APP, ARCHIVED = 945_371_001, 945_371_002, 945_371_003, 945_371_005
KONZEPTION, DESIGN, OLD_TASK, SUPPORT_TASK = 7_281_001, 7_281_002, 7_281_004, 7_281_005
APP_DEV, APP_TEST, ARCHIVED_TASK = 7_281_007, 7_281_008, 7_281_010
BEISPIEL, NORDLICHT = 760_896_001, 760_896_002


def booking(**extra: Any) -> dict[str, Any]:
    return {"date": "2026-11-19", "project_id": WEBSITE, "task_id": KONZEPTION, **extra}


@pytest.fixture
def api(moco: MocoHarness) -> httpx.Client:
    return moco.client(ADMIN_KEY)


def test_create_answers_200_with_the_documented_activity(api: httpx.Client) -> None:
    response = api.post(
        "/activities",
        json=booking(
            seconds=4500,
            description="Workshop",
            tag="consulting",
            remote_service="jira",
            remote_id="PROJ-1",
            remote_url="https://jira.example.com/PROJ-1",
            billable=False,
            unknown_field="ignored",
        ),
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    body = response.json()
    assert list(body) == [
        "id", "date", "hours", "seconds", "worked_seconds", "description", "billed",
        "invoice_id", "billable", "tag", "remote_service", "remote_id", "remote_url",
        "project", "task", "customer", "user", "deal", "hourly_rate", "timer_started_at",
        "created_at", "updated_at",
    ]  # fmt: skip
    assert body | {"id": 0} == {
        "id": 0,
        "date": "2026-11-19",
        "hours": 1.25,
        "seconds": 4500,
        "worked_seconds": 4500,
        "description": "Workshop",
        "billed": False,
        "invoice_id": None,
        "billable": False,
        "tag": "consulting",
        "remote_service": "jira",
        "remote_id": "PROJ-1",
        "remote_url": "https://jira.example.com/PROJ-1",
        "project": {
            "id": WEBSITE,
            "identifier": "P-101",
            "name": "Website Relaunch",
            "billable": True,
        },
        "task": {"id": KONZEPTION, "name": "Konzeption", "billable": True},
        "customer": {"id": BEISPIEL, "name": "Beispiel AG"},
        "user": {"id": ADMIN_ID, "firstname": "Anna", "lastname": "Admin"},
        "deal": None,
        "hourly_rate": 120.0,
        "timer_started_at": None,
        "created_at": "2026-11-20T10:00:00Z",
        "updated_at": "2026-11-20T10:00:00Z",
    }
    assert api.get(f"/activities/{body['id']}").json() == body


def test_defaults_and_derived_values(moco: MocoHarness, api: httpx.Client) -> None:
    plain = api.post("/activities", json=booking()).json()
    assert (plain["seconds"], plain["worked_seconds"], plain["hours"]) == (0, 0, 0.0)
    assert (plain["tag"], plain["remote_service"], plain["remote_id"]) == ("", "", None)
    assert plain["billable"] is True
    internal = api.post(
        "/activities", json=booking(project_id=945_371_004, task_id=7_281_009, seconds=8280)
    ).json()
    assert internal["billable"] is False  # project and task are not billable
    assert internal["hours"] == 2.3
    deprecated = api.post("/activities", json=booking(hours=1.5)).json()
    assert (deprecated["seconds"], deprecated["worked_seconds"]) == (5400, 5400)
    both = api.post("/activities", json=booking(hours=1.5, seconds=60)).json()
    assert both["seconds"] == 60
    as_clara = moco.client(ADMIN_KEY, impersonate=CLARA_ID)  # she leads "App MVP"
    per_task = as_clara.post("/activities", json=booking(project_id=APP, task_id=APP_TEST))
    assert per_task.json()["hourly_rate"] == 90.0  # billing variant "task"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"date": None}, "date"),
        ({"date": "2026-02-30"}, "date"),
        ({"date": "20.11.2026"}, "date"),
        ({"project_id": None}, "project_id"),
        ({"project_id": 1}, "project_id"),
        ({"project_id": ARCHIVED, "task_id": ARCHIVED_TASK}, "project_id"),
        ({"project_id": APP, "task_id": APP_DEV}, "project_id"),  # Anna has no contract
        ({"task_id": None}, "task_id"),
        ({"task_id": SUPPORT_TASK}, "task_id"),  # a task of another project
        ({"task_id": OLD_TASK}, "task_id"),  # inactive task
        ({"seconds": -1}, "seconds"),
        ({"seconds": "lots"}, "seconds"),
        ({"remote_service": "clockodo"}, "remote_service"),
        ({"company_id": NORDLICHT}, "company_id"),
        ({"billable": "yes"}, "billable"),
        ({"description": 5}, "description"),
    ],
)
def test_create_validation_failures_answer_422_naming_the_field(
    moco: MocoHarness, api: httpx.Client, changes: dict[str, Any], field: str
) -> None:
    before = len(moco.sim.account.activities)
    response = api.post("/activities", json={**booking(), **changes})
    assert response.status_code == 422
    assert field in response.json()["errors"], response.json()
    assert len(moco.sim.account.activities) == before


def test_missing_contract_and_inactive_contract(moco: MocoHarness) -> None:
    moco.sim.account.projects[WEBSITE].contract_of(BEN_ID).active = False  # type: ignore[union-attr]
    response = moco.client(BEN_KEY).post("/activities", json=booking())
    assert response.status_code == 422
    assert "contract" in response.json()["errors"]["project_id"][0]


def test_malformed_bodies(moco: MocoHarness, api: httpx.Client) -> None:
    broken = api.post("/activities", content=b"{nope", headers={"Content-Type": "application/json"})
    assert (broken.status_code, broken.json()) == (422, {"message": "Invalid payload"})
    not_json = api.post(
        "/activities", content=b"date=2026-11-19", headers={"Content-Type": "text/plain"}
    )
    assert not_json.status_code == 422  # MOCO does not parse it: everything is blank
    assert set(not_json.json()["errors"]) == {"date", "project_id", "task_id"}


def test_put_and_patch_change_only_what_they_send(moco: MocoHarness, api: httpx.Client) -> None:
    created = api.post("/activities", json=booking(seconds=600, description="a", tag="t")).json()
    moco.control("clock", {"now": "2026-11-20T11:00:00Z"})
    put = api.put(f"/activities/{created['id']}", json={"seconds": 7200})
    assert put.status_code == 200
    assert (put.json()["seconds"], put.json()["worked_seconds"], put.json()["hours"]) == (
        7200,
        7200,
        2.0,
    )
    assert (put.json()["description"], put.json()["tag"]) == ("a", "t")
    assert put.json()["updated_at"] == "2026-11-20T11:00:00Z"
    assert put.json()["created_at"] == "2026-11-20T10:00:00Z"
    moco.control("clock", {"now": "2026-11-20T12:00:00Z"})
    patch = api.patch(
        f"/activities/{created['id']}",
        json={"task_id": DESIGN, "date": "2026-11-18", "remote_service": None},
    )
    assert patch.status_code == 200
    assert (patch.json()["task"]["name"], patch.json()["date"]) == ("Design", "2026-11-18")
    assert patch.json()["updated_at"] == "2026-11-20T12:00:00Z"
    moco.control("clock", {"now": "2026-11-20T13:00:00Z"})
    same = api.patch(f"/activities/{created['id']}", json={"seconds": 7200})
    assert same.json()["updated_at"] == "2026-11-20T12:00:00Z"  # nothing changed
    moved = api.patch(
        f"/activities/{created['id']}", json={"project_id": SUPPORT, "task_id": SUPPORT_TASK}
    )
    assert moved.json()["customer"]["name"] == "Nordlicht GmbH"
    assert moved.json()["hourly_rate"] == 95.0


def test_update_validation_failures(api: httpx.Client) -> None:
    created = api.post("/activities", json=booking()).json()
    url = f"/activities/{created['id']}"
    assert api.patch(url, json={"project_id": SUPPORT}).status_code == 422  # task not in project
    assert api.patch(url, json={"task_id": OLD_TASK}).status_code == 422
    assert api.patch(url, json={"seconds": -5}).status_code == 422
    assert api.put(url, json={"date": "tomorrow"}).status_code == 422
    assert api.get(url).json() == created


def test_unknown_ids_answer_404(api: httpx.Client) -> None:
    for method in ("GET", "PUT", "PATCH", "DELETE"):
        assert api.request(method, "/activities/123", json={}).status_code == 404
        assert api.request(method, "/activities/abc", json={}).status_code == 404
    for action in ("start_timer", "stop_timer", "billable_seconds"):
        assert api.patch(f"/activities/123/{action}", json={"seconds": 1}).status_code == 404


def test_delete_answers_200_with_the_deleted_activity(api: httpx.Client) -> None:
    created = api.post("/activities", json=booking(seconds=60)).json()
    deleted = api.delete(f"/activities/{created['id']}")
    assert (deleted.status_code, deleted.json()) == (200, created)
    assert api.get(f"/activities/{created['id']}").status_code == 404
    assert api.delete(f"/activities/{created['id']}").status_code == 404


def test_delete_may_answer_204_like_the_2022_api() -> None:
    sim = MocoSimulator(rate_limit=False, delete_status=204)
    sim.seed(agency_seed())
    with serve_in_thread(sim) as running:
        auth = {"Authorization": f"Token token={ADMIN_KEY}"}
        created = httpx.post(running.base_url + "/activities", json=booking(), headers=auth)
        deleted = httpx.delete(
            f"{running.base_url}/activities/{created.json()['id']}", headers=auth
        )
        assert (deleted.status_code, deleted.content) == (204, b"")
    with pytest.raises(ValueError, match="delete_status"):
        MocoSimulator(delete_status=202)


def test_billed_activities_cannot_be_changed_or_deleted(api: httpx.Client) -> None:
    created = api.post("/activities", json=booking()).json()
    disregarded = api.post(
        "/activities/disregard",
        json={"activity_ids": [created["id"]], "reason": "billed", "company_id": BEISPIEL},
    )
    assert disregarded.json() == [created["id"]]
    for response in (
        api.patch(f"/activities/{created['id']}", json={"description": "late"}),
        api.delete(f"/activities/{created['id']}"),
        api.patch(f"/activities/{created['id']}/start_timer"),
    ):
        assert response.status_code == 422
        assert "billed" in response.json()["errors"]
    assert api.get(f"/activities/{created['id']}").json()["description"] == ""


def test_period_lock_blocks_creating_changing_and_deleting(
    moco: MocoHarness, api: httpx.Client
) -> None:
    inside = api.post("/activities", json=booking(date="2026-10-30")).json()
    outside = api.post("/activities", json=booking(date="2026-11-02")).json()
    assert moco.control("period_lock", {"date": "2026-10-31"}).json() == {
        "period_lock": "2026-10-31"
    }
    refused = api.post("/activities", json=booking(date="2026-10-31"))
    assert refused.status_code == 422
    assert "locked" in refused.json()["errors"]["date"][0]
    assert api.patch(f"/activities/{inside['id']}", json={"seconds": 1}).status_code == 422
    assert api.delete(f"/activities/{inside['id']}").status_code == 422
    assert api.patch(f"/activities/{outside['id']}", json={"date": "2026-10-01"}).status_code == 422
    assert api.patch(f"/activities/{outside['id']}", json={"seconds": 1}).status_code == 200
    assert api.post("/activities", json=booking(date="2026-11-01")).status_code == 200
    moco.control("period_lock", {"date": None})
    assert api.delete(f"/activities/{inside['id']}").status_code == 200
    assert (
        httpx.post(moco.running.root_url + "/_sim/period_lock", json={"date": "x"}).status_code
        == 400
    )


def test_billable_seconds_only_for_project_leaders(moco: MocoHarness, api: httpx.Client) -> None:
    created = api.post("/activities", json=booking(seconds=3600)).json()
    url = f"/activities/{created['id']}/billable_seconds"
    assert api.patch(url, json={"seconds": 1800}).status_code == 403  # Anna is not the leader
    assert moco.client(CLARA_KEY).patch(url, json={"seconds": 1800}).status_code == 404
    leader = moco.client(BEN_KEY)  # Ben leads "Website Relaunch"
    changed = leader.patch(url, json={"seconds": 1800, "description": "ignored"})
    assert changed.status_code == 200
    assert (changed.json()["seconds"], changed.json()["worked_seconds"]) == (1800, 3600)
    assert changed.json()["hours"] == 0.5
    assert changed.json()["description"] == ""
    assert changed.json()["hourly_rate"] == 120.0  # leaders see their project's rates
    assert leader.patch(url, json={"seconds": -1}).status_code == 422
    assert leader.patch(url, json={}).status_code == 422


def test_disregard_validation(api: httpx.Client) -> None:
    created = api.post("/activities", json=booking()).json()
    good = {"activity_ids": [created["id"]], "reason": "done", "company_id": BEISPIEL}
    for broken, field in (
        ({**good, "activity_ids": []}, "activity_ids"),
        ({**good, "reason": ""}, "reason"),
        ({key: v for key, v in good.items() if key != "company_id"}, "company_id"),
        ({**good, "company_id": NORDLICHT}, "activity_ids"),
        ({**good, "activity_ids": [1]}, "activity_ids"),
        ({**good, "project_id": SUPPORT}, "activity_ids"),
    ):
        response = api.post("/activities/disregard", json=broken)
        assert response.status_code == 422
        assert field in response.json()["errors"]
    assert api.get(f"/activities/{created['id']}").json()["billed"] is False
    alias = {"activity_ids": [created["id"]], "reason": "done", "customer_id": BEISPIEL}
    assert api.post("/activities/disregard", json={**alias, "project_id": WEBSITE}).json() == [
        created["id"]
    ]
    assert api.get(f"/activities/{created['id']}").json()["billed"] is True
