"""MOCO simulator: session, profile, users, projects, assigned projects, tasks, companies."""

from __future__ import annotations

from datetime import date, timedelta

import httpx
import pytest

from syncd.simulators.moco.agency import (
    ADMIN_ID,
    ADMIN_KEY,
    BEN_ID,
    BEN_KEY,
    CLARA_ID,
    DAVID_ID,
    EMMA_ID,
)
from tests.simulators.moco_fixtures import MocoHarness

WEBSITE, APP, INTERN, ARCHIVED = 945_371_001, 945_371_003, 945_371_004, 945_371_005


@pytest.fixture
def api(moco: MocoHarness) -> httpx.Client:
    return moco.client(ADMIN_KEY)


def test_session_and_profile(moco: MocoHarness, api: httpx.Client) -> None:
    session = api.get("/session").json()
    assert session["id"] == ADMIN_ID
    assert len(session["uuid"]) == 36
    profile = moco.client(BEN_KEY).get("/profile").json()
    assert profile | {"created_at": "", "updated_at": ""} == {
        "id": BEN_ID,
        "email": "ben.berger@example.com",
        "full_name": "Ben Berger",
        "first_name": "Ben",
        "last_name": "Berger",
        "active": True,
        "external": False,
        "avatar_url": None,
        "unit": {"id": 1, "name": "Team"},
        "created_at": "",
        "updated_at": "",
    }
    assert moco.client(ADMIN_KEY, impersonate=EMMA_ID).get("/profile").json()["external"] is True


def test_users_hide_deactivated_unless_asked(api: httpx.Client) -> None:
    response = api.get("/users")
    assert response.headers["X-Total"] == "5"
    assert response.headers["X-Page"] == "1"
    ids = [u["id"] for u in response.json()]
    assert DAVID_ID not in ids
    assert ids == sorted(ids)
    everyone = api.get("/users", params={"include_archived": "true"}).json()
    assert DAVID_ID in [u["id"] for u in everyone]
    emma = next(u for u in everyone if u["id"] == EMMA_ID)
    assert (emma["extern"], emma["firstname"], emma["lastname"]) == (True, "Emma", "Extern")
    by_mail = api.get("/users", params={"email": "clara.chen@example.com"}).json()
    assert [u["id"] for u in by_mail] == [CLARA_ID]
    paged = api.get("/users", params={"per_page": 2, "page": 2})
    assert [u["id"] for u in paged.json()] == ids[2:4]
    assert 'rel="next"' in paged.headers["Link"]
    assert api.get("/users", params={"ids": f"{BEN_ID},{CLARA_ID}"}).headers["X-Total"] == "2"


def test_projects_embed_tasks_and_contracts_and_hide_archived(api: httpx.Client) -> None:
    response = api.get("/projects")
    assert response.status_code == 200
    projects = {p["id"]: p for p in response.json()}
    assert ARCHIVED not in projects
    assert response.headers["X-Total"] == "4"
    website = projects[WEBSITE]
    assert website["customer"] == {"id": 760_896_001, "name": "Beispiel AG"}
    assert website["leader"] == {"id": BEN_ID, "firstname": "Ben", "lastname": "Berger"}
    assert [t["name"] for t in website["tasks"]] == [
        "Konzeption",
        "Design",
        "Entwicklung",
        "Altlasten",
    ]
    assert [t["active"] for t in website["tasks"]] == [True, True, True, False]
    assert {c["user_id"] for c in website["contracts"]} >= {ADMIN_ID, BEN_ID, DAVID_ID}
    contract = next(c for c in website["contracts"] if c["user_id"] == BEN_ID)
    assert (contract["firstname"], contract["lastname"], contract["active"]) == (
        "Ben",
        "Berger",
        True,
    )
    assert projects[INTERN]["billable"] is False
    archived = api.get("/projects", params={"include_archived": "true"}).json()
    old = next(p for p in archived if p["id"] == ARCHIVED)
    assert (old["active"], old["archived_on"]) == (False, "2025-12-31T00:00:00Z")
    by_customer = api.get("/projects", params={"company_id": 760_896_003}).json()
    assert [p["id"] for p in by_customer] == [APP]
    led = api.get("/projects", params={"leader_id": BEN_ID}).json()
    assert [p["id"] for p in led] == [WEBSITE]
    assert [p["id"] for p in api.get("/projects", params={"identifier": "P-000"}).json()] == [
        INTERN
    ]


def test_assigned_projects_are_per_user_and_not_paginated(moco: MocoHarness) -> None:
    as_emma = moco.client(ADMIN_KEY, impersonate=EMMA_ID).get("/projects/assigned")
    assert as_emma.status_code == 200
    assert "X-Page" not in as_emma.headers
    assert "X-Total" not in as_emma.headers
    assigned = as_emma.json()
    assert [p["id"] for p in assigned] == [WEBSITE, APP, INTERN]
    assert all(p["contract"] == {"user_id": EMMA_ID, "active": True} for p in assigned)
    app = assigned[1]
    assert app["tasks"] == [
        {"id": 7_281_007, "name": "Entwicklung", "active": True, "billable": True},
        {"id": 7_281_008, "name": "Testing", "active": True, "billable": True},
    ]
    admin = moco.client(ADMIN_KEY)
    everything = [p["id"] for p in admin.get("/projects/assigned").json()]
    assert ARCHIVED in everything
    assert ARCHIVED not in [p["id"] for p in admin.get("/projects/assigned?active=true").json()]
    assert [p["id"] for p in admin.get("/projects/assigned?active=false").json()] == [ARCHIVED]


def test_project_tasks(moco: MocoHarness, api: httpx.Client) -> None:
    response = api.get(f"/projects/{WEBSITE}/tasks")
    assert response.status_code == 200
    assert response.headers["X-Total"] == "4"
    tasks = response.json()
    assert tasks[0] | {"created_at": "", "updated_at": ""} == {
        "id": 7_281_001,
        "name": "Konzeption",
        "billable": True,
        "active": True,
        "budget": None,
        "hourly_rate": 0.0,
        "description": None,
        "revenue_category": None,
        "created_at": "",
        "updated_at": "",
    }
    assert api.get("/projects/1/tasks").status_code == 404
    task = moco.sim.account.projects[WEBSITE].tasks[2]
    task.updated_at = task.updated_at.replace(year=2027)
    newer = api.get(f"/projects/{WEBSITE}/tasks", params={"updated_after": "2026-12-01T00:00:00Z"})
    assert [t["id"] for t in newer.json()] == [task.id]


def test_companies(api: httpx.Client) -> None:
    customers = api.get("/companies", params={"type": "customer"})
    assert customers.status_code == 200
    assert customers.headers["X-Total"] == "4"
    beispiel = customers.json()[0]
    assert (beispiel["name"], beispiel["type"], beispiel["identifier"]) == (
        "Beispiel AG",
        "customer",
        "K-001",
    )
    assert beispiel["projects"] == [
        {
            "id": WEBSITE,
            "identifier": "P-101",
            "name": "Website Relaunch",
            "active": True,
            "billable": True,
        }
    ]
    assert api.get("/companies", params={"type": "supplier"}).json() == []
    with_archived = api.get("/companies", params={"include_archived": "true"})
    assert with_archived.headers["X-Total"] == "5"
    assert [c["name"] for c in api.get("/companies", params={"term": "nord"}).json()] == [
        "Nordlicht GmbH"
    ]


def test_single_records_and_their_404s(api: httpx.Client) -> None:
    listed = {u["id"]: u for u in api.get("/users").json()}
    assert api.get(f"/users/{BEN_ID}").json() == listed[BEN_ID]
    project = api.get(f"/projects/{ARCHIVED}").json()  # archived ones too
    assert project["archived_on"] is not None
    full = api.get(f"/projects/{WEBSITE}", params={"include_company": "true"}).json()
    assert full["customer"]["identifier"] == "K-001"
    assert full["customer"] == api.get(f"/companies/{full['customer']['id']}").json()
    task = api.get(f"/projects/{WEBSITE}/tasks/7281002").json()
    assert (task["name"], task["revenue_category"]) == ("Design", None)
    contracts = api.get(f"/projects/{WEBSITE}/contracts").json()
    assert contracts[0]["project"] == {"id": WEBSITE, "name": "Website Relaunch"}
    assert api.get(f"/projects/{WEBSITE}/contracts/{contracts[1]['id']}").json() == contracts[1]
    for path in (
        "/users/1",
        "/projects/1",
        f"/projects/{WEBSITE}/tasks/1",
        f"/projects/{WEBSITE}/contracts/1",
        "/companies/1",
    ):
        assert api.get(path).status_code == 404, path


def test_documented_list_filters(api: httpx.Client) -> None:
    def ids(path: str, **params: str) -> list[int]:
        answer = api.get(path, params=params)
        assert answer.status_code == 200, answer.text
        return [r["id"] for r in answer.json()]

    assert ids("/projects", term="beispiel") == [WEBSITE]  # the customer's name
    assert ids("/projects", term="P-103") == [APP]
    created = date.fromisoformat(api.get(f"/projects/{WEBSITE}").json()["created_at"][:10])
    assert ids("/projects", created_from=str(created + timedelta(days=1))) == []
    assert ids("/projects", updated_to=str(created), created_from=str(created)) == ids("/projects")
    assert ids("/projects", retainer="true") == []
    assert ids("/projects", deal_id="5") == []
    assert ids("/projects", sort_by="name desc") == [WEBSITE, 945_371_002, INTERN, APP]
    assert ids("/users", sort_by="firstname desc")[-1] == ADMIN_ID  # Anna
    assert ids("/users", **{"custom_properties[Team]": "A"}) == []
    assert api.get("/users", params={"sort_by": "iban"}).status_code == 400
    assert api.get("/companies", params={"type": "partner"}).status_code == 400
