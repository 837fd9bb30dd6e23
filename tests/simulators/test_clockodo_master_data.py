"""clockodo simulator: customers, projects, services, lump-sum services and users."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.simulators.clockodo_fixtures import (
    COMPLETED_PROJECT,
    CUSTOMER,
    INACTIVE_CUSTOMER,
    INACTIVE_PROJECT,
    INACTIVE_SERVICE,
    INACTIVE_USER,
    NY_WORKER,
    OTHER_CUSTOMER,
    OTHER_PROJECT,
    OTHER_SERVICE,
    OWNER,
    PROJECT,
    SERVICE,
    WORKER,
    ClockodoHarness,
)


def data_ids(client: httpx.Client, path: str, **params: Any) -> list[int]:
    answer = client.get(path, params=params)
    assert answer.status_code == 200, answer.text
    return [item["id"] for item in answer.json()["data"]]


def test_lists_have_the_paging_envelope(clockodo: ClockodoHarness) -> None:
    answer = clockodo.client().get("/v3/customers").json()
    assert answer["paging"] == {
        "items_per_page": 1000,
        "current_page": 1,
        "count_pages": 1,
        "count_items": 3,
    }
    hotel = answer["data"][0]
    assert hotel == {
        "id": CUSTOMER,
        "name": "Hotel Bergblick",
        "number": "K-1",
        "active": True,
        "color": 1,
        "billable_default": True,
        "note": "VIP",
        "test_data": False,
        "service_assignments": [],
    }


def test_active_fulltext_and_owner_filters(clockodo: ClockodoHarness) -> None:
    client = clockodo.client()
    assert data_ids(client, "/v3/customers", **{"filter[active]": "true"}) == [
        CUSTOMER,
        OTHER_CUSTOMER,
    ]
    assert data_ids(client, "/v3/customers", **{"filter[active]": "0"}) == [INACTIVE_CUSTOMER]
    assert data_ids(client, "/v3/customers", **{"filter[fulltext]": "stadt"}) == [OTHER_CUSTOMER]
    assert data_ids(client, "/v4/projects", **{"filter[customers_id]": CUSTOMER}) == [
        PROJECT,
        INACTIVE_PROJECT,
        COMPLETED_PROJECT,
    ]
    assert data_ids(client, "/v4/projects", **{"filter[completed]": "true"}) == [COMPLETED_PROJECT]
    assert data_ids(client, "/v4/services", **{"filter[active]": "false"}) == [INACTIVE_SERVICE]
    assert data_ids(client, "/v3/users", **{"filter[active]": "true"}) == [
        OWNER,
        WORKER,
        NY_WORKER,
    ]


def test_sorting_and_small_pages(clockodo: ClockodoHarness) -> None:
    client = clockodo.client()
    by_name = data_ids(client, "/v4/services", **{"sort[]": "name"})
    assert by_name == [INACTIVE_SERVICE, OTHER_SERVICE, SERVICE]
    assert data_ids(client, "/v4/services", **{"sort[]": "-name"}) == by_name[::-1]
    second = client.get("/v4/projects", params={"items_per_page": 3, "page": 2}).json()
    assert [p["id"] for p in second["data"]] == [COMPLETED_PROJECT]
    assert second["paging"]["count_pages"] == 2


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/v3/customers", {"items_per_page": "5001"}),
        ("/v3/users", {"items_per_page": "1001"}),
        ("/v4/projects", {"filter[active]": "maybe"}),
        ("/v4/services", {"sort[]": "number"}),
    ],
)
def test_bad_master_data_parameters_are_400_general_errors(
    clockodo: ClockodoHarness, path: str, params: dict[str, str]
) -> None:
    answer = clockodo.client().get(path, params=params)
    assert answer.status_code == 400
    assert answer.json()["errors"][0]["type"] == "UnexpectedValue"


def test_projects_services_and_users_carry_their_fields(clockodo: ClockodoHarness) -> None:
    client = clockodo.client()
    project = client.get(f"/v4/projects/{OTHER_PROJECT}").json()["data"]
    assert (project["customers_id"], project["completed"], project["count_subprojects"]) == (
        OTHER_CUSTOMER,
        False,
        0,
    )
    completed = client.get(f"/v4/projects/{COMPLETED_PROJECT}").json()["data"]
    assert completed["completed"] is True
    service = client.get(f"/v4/services/{SERVICE}").json()["data"]
    assert (service["name"], service["number"]) == ("Entwicklung", "S-1")
    users = {u["id"]: u for u in client.get("/v3/users").json()["data"]}
    assert users[NY_WORKER]["timezone"] == "America/New_York"
    assert users[OWNER]["timezone"] == "Europe/Berlin"
    assert (users[OWNER]["role"], users[WORKER]["role"]) == ("owner", "worker")
    assert users[INACTIVE_USER]["active"] is False
    assert users[NY_WORKER]["initials"] == "NY"
    lump = client.get("/v4/lumpSumServices").json()["data"]
    assert [(item["name"], item["price"]) for item in lump] == [("Anfahrt", 0.5)]


def test_me_and_single_items(clockodo: ClockodoHarness) -> None:
    me = clockodo.client(WORKER).get("/v4/users/me").json()["data"]
    assert (me["id"], me["email"], me["role"]) == (WORKER, "worker@example.com", "worker")
    client = clockodo.client()
    assert client.get(f"/v3/users/{NY_WORKER}").json()["data"]["name"] == "Nora York"
    for path in ("/v3/customers/99", "/v4/projects/99", "/v4/services/x", "/v3/users/99"):
        missing = client.get(path)
        assert missing.status_code == 404
        assert missing.json()["errors"][0]["type"] == "ResourceNotFound"


def test_notes_need_the_owner_role(clockodo: ClockodoHarness) -> None:
    worker_view = clockodo.client(WORKER).get(f"/v3/customers/{CUSTOMER}").json()["data"]
    assert "note" not in worker_view
    owner_view = clockodo.client().get(f"/v3/customers/{CUSTOMER}").json()["data"]
    assert owner_view["note"] == "VIP"
