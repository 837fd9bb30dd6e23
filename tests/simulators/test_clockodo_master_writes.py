"""clockodo simulator: writing master data, teams, subprojects and the documented user fields."""

from __future__ import annotations

from datetime import timedelta

from tests.simulators.clockodo_fixtures import (
    CUSTOMER,
    INACTIVE_CUSTOMER,
    LUMPSUM_SERVICE,
    NOW,
    OTHER_CUSTOMER,
    OWNER,
    PROJECT,
    SERVICE,
    WORKER,
    ClockodoHarness,
    time_entry,
)

WEEK = {"time_since": "2026-11-16T00:00:00Z", "time_until": "2026-11-23T00:00:00Z"}
USER_FIELDS = (
    "wage_type",
    "can_generally_see_absences",
    "can_generally_manage_absences",
    "can_add_customers",
    "work_time_regulations_id",
    "absence_managers_id",
    "default_holidays_count",
    "default_target_hours",
)


def test_co_workers_carry_the_documented_fields(clockodo: ClockodoHarness) -> None:
    client = clockodo.client()
    listed = client.get("/v3/users").json()["data"][1]
    single = client.get(f"/v3/users/{WORKER}").json()["data"]
    me = clockodo.client(WORKER).get("/v4/users/me").json()["data"]
    for user in (listed, single, me):
        assert set(USER_FIELDS) <= set(user), sorted(set(USER_FIELDS) - set(user))
    assert [single[f] for f in USER_FIELDS] == [None, False, False, False, None, [], True, True]
    assert me["support_pin"].isdigit()
    assert "support_pin" not in single
    owner = client.get(f"/v3/users/{OWNER}").json()["data"]
    assert owner["can_add_customers"] is True


def test_lump_sum_services_can_be_read_changed_and_deleted(clockodo: ClockodoHarness) -> None:
    client = clockodo.client()
    url = f"/v4/lumpSumServices/{LUMPSUM_SERVICE}"
    assert client.get(url).json()["data"]["name"] == "Anfahrt"
    changed = client.put(url, json={"price": 0.42, "unit": "km", "active": False}).json()["data"]
    assert (changed["price"], changed["unit"], changed["active"]) == (0.42, "km", False)
    assert client.get(url).json()["data"] == changed
    assert client.delete(url).json() == {"success": True}
    assert client.get(url).status_code == 404
    assert client.get("/v4/lumpSumServices/99").json()["errors"][0]["type"] == "ResourceNotFound"


def test_creates_check_the_spec_s_types_and_references(clockodo: ClockodoHarness) -> None:
    client = clockodo.client()
    made = client.post("/v4/projects", json={"name": "Neu", "customers_id": OTHER_CUSTOMER})
    assert made.status_code == 200
    project = made.json()["data"]
    assert (project["customers_id"], project["active"], project["count_subprojects"]) == (
        OTHER_CUSTOMER,
        True,
        0,
    )
    refusals = [
        ("/v4/projects", {"name": "Neu"}, 400, "Empty", "customers_id"),
        ("/v4/projects", {"name": "Neu", "customers_id": 99}, 404, "ResourceNotFound", None),
        ("/v3/customers", {"name": "x" * 101}, 400, "UnexpectedValue", "name"),
        ("/v3/customers", {"name": "Farbe", "color": 12}, 400, "UnexpectedValue", "color"),
        ("/v4/lumpSumServices", {"name": "P", "price": "1"}, 400, "UnexpectedValue", "price"),
        (
            "/v3/users",
            {"name": "A", "email": "owner@example.com", "role": "worker"},
            409,
            None,
            None,
        ),
        ("/v3/users", {"name": "A", "email": "a@b.c", "role": "boss"}, 400, None, "role"),
    ]
    for path, body, status, error_type, field in refusals:
        answer = client.post(path, json=body)
        assert answer.status_code == status, (path, body, answer.text)
        error = answer.json()["errors"][0]
        assert error_type is None or error["type"] == error_type
        assert field is None or error["path"] == field
    worker = clockodo.client(WORKER)
    assert worker.post("/v4/services", json={"name": "S"}).status_code == 403


def test_deleting_needs_an_inactive_record_without_relations(clockodo: ClockodoHarness) -> None:
    clockodo.seed([time_entry(id=1)])
    client = clockodo.client()
    active = client.delete(f"/v3/customers/{OTHER_CUSTOMER}")
    assert active.status_code == 422
    assert active.json()["errors"][0]["error"]["type"] == "HasToBeInactive"
    client.put(f"/v4/services/{SERVICE}", json={"active": False})
    used = client.delete(f"/v4/services/{SERVICE}")
    assert used.status_code == 422
    assert used.json()["errors"][0]["error"]["details"] == {"resources": ["entries"]}
    projects = client.delete(f"/v3/customers/{INACTIVE_CUSTOMER}")
    assert projects.status_code == 200  # it has no projects or entries
    client.put(f"/v3/customers/{OTHER_CUSTOMER}", json={"active": False})
    blocked = client.delete(f"/v3/customers/{OTHER_CUSTOMER}").json()["errors"][0]["error"]
    assert blocked["details"]["resources"] == ["projects"]
    new = client.post("/v3/customers", json={"name": "Kurz", "active": False}).json()["data"]
    dry = client.delete(f"/v3/customers/{new['id']}", params={"dry_run": "true"})
    assert dry.json() == {"success": True}
    assert client.get(f"/v3/customers/{new['id']}").status_code == 200


def test_teams_hold_co_workers(clockodo: ClockodoHarness) -> None:
    client = clockodo.client()
    team = client.post("/v3/teams", json={"name": "Dev", "leader": OWNER, "user_ids": "1,2"})
    assert team.json()["data"] == {"id": 1, "name": "Dev", "leader": OWNER, "user_ids": [1, 2]}
    assert client.get(f"/v3/users/{WORKER}").json()["data"]["teams_id"] == 1
    in_team = client.get("/v3/users", params={"filter[teams_id]": 1}).json()["data"]
    assert [u["id"] for u in in_team] == [OWNER, WORKER]
    client.put("/v3/teams/1", json={"user_ids": [WORKER]})
    assert client.get("/v3/teams/1").json()["data"]["user_ids"] == [WORKER]
    without = client.get("/v3/users", params={"filter[teams_id]": 0}).json()["data"]
    assert OWNER in [u["id"] for u in without]
    assert client.delete("/v3/teams/1").json() == {"success": True}
    assert client.get(f"/v3/users/{WORKER}").json()["data"]["teams_id"] is None


def test_subprojects_belong_to_a_project_and_take_entries(clockodo: ClockodoHarness) -> None:
    client = clockodo.client()
    sub = client.post("/v3/subprojects", json={"name": "Phase 1", "projects_id": PROJECT})
    subproject = sub.json()["data"]
    assert (subproject["projects_id"], subproject["completed"]) == (PROJECT, False)
    assert client.get(f"/v4/projects/{PROJECT}").json()["data"]["count_subprojects"] == 1
    body = {
        "customers_id": CUSTOMER,
        "projects_id": PROJECT,
        "subprojects_id": subproject["id"],
        "services_id": SERVICE,
        "billable": 1,
        "time_since": "2026-11-16T08:00:00Z",
        "time_until": "2026-11-16T09:00:00Z",
    }
    entry = client.post("/v2/entries", json=body)
    assert entry.json()["entry"]["subprojects_id"] == subproject["id"]
    wrong = client.post("/v2/entries", json={**body, "projects_id": None})
    assert wrong.json()["errors"][0]["type"] == "InvalidCombination"
    client.put(f"/v3/subprojects/{subproject['id']}/complete", json={"completed": True})
    done = client.post("/v2/entries", json=body)
    assert done.json()["errors"][0]["type"] == "SubprojectIsCompleted"
    listed = client.get("/v2/entries", params={**WEEK, "enhanced_list": "true"}).json()
    assert listed["entries"][0]["subprojects_name"] == "Phase 1"


def test_project_filters_take_any_customer_id(clockodo: ClockodoHarness) -> None:
    client = clockodo.client()
    none = client.get("/v4/projects", params={"filter[customers_id]": -1})
    assert (none.status_code, none.json()["data"]) == (200, [])
    counted = client.get("/v3/customers/countProjects", params={"customers_id": "10,11"})
    assert counted.json()["data"] == [
        {"customers_id": CUSTOMER, "active": 2, "inactive": 1},
        {"customers_id": OTHER_CUSTOMER, "active": 1, "inactive": 0},
    ]
    assert client.get("/v3/customers/countProjects").json()["paging"]["count_items"] == 3


def test_entry_texts_list_what_the_caller_may_see(clockodo: ClockodoHarness) -> None:
    monday = NOW - timedelta(days=4)
    clockodo.seed(
        [
            time_entry(id=1, since=monday, text="Konzept"),
            time_entry(id=2, since=monday, text="Konzept"),
            time_entry(id=3, users_id=WORKER, since=monday, text="Review"),
            time_entry(id=4, since=NOW - timedelta(days=30), text="Alt"),
        ]
    )
    owner = clockodo.client()

    def texts(**params: str) -> list[str]:
        answer = owner.get("/v3/entriesTexts", params={"mode": "add", **params})
        assert answer.status_code == 200, answer.text
        return [t["value"] for t in answer.json()["data"]]

    assert texts() == ["Alt", "Konzept", "Review"]
    assert texts(term="kon") == ["Konzept"]
    assert texts(**{"filter[users_id]": str(WORKER)}) == ["Review"]
    assert texts(**{"filter[time_since]": "2026-11-01"}) == ["Konzept", "Review"]
    assert texts(items="1") == ["Alt"]
    worker = clockodo.client(WORKER).get("/v3/entriesTexts", params={"mode": "edit"}).json()
    assert [t["label"] for t in worker["data"]] == ["Review"]
    assert owner.get("/v3/entriesTexts").status_code == 400  # mode is required
    assert owner.get("/v3/entriesTexts", params={"mode": "add", "items": 801}).status_code == 400
