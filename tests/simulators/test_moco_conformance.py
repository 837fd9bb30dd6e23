"""MOCO simulator against MOCO's OpenAPI document, operation by operation.

Every documented operation is either served, answering as documented (the
harness validates each response), or listed in the simulator's one
`NOT_SIMULATED` table and answering MOCO's 404. Served answers carry every
documented field.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from syncd.simulators.moco import MocoSimulator
from syncd.simulators.moco.agency import ADMIN_KEY, BEN_KEY
from tests.simulators.conformance import (
    concrete,
    coverage_gaps,
    documented_operations,
    served_operations,
)
from tests.simulators.moco_fixtures import MocoHarness
from tests.simulators.openapi import SpecValidator, missing_fields, spec_path

WEBSITE, KONZEPTION, BEISPIEL = 945_371_001, 7_281_001, 760_896_001
CONTRACT = 3_301_001
TODAY = "2026-11-20"  # the harness's frozen clock
HOOK = {"target": "Activity", "event": "create", "hook": "https://example.com/moco"}


@pytest.fixture
def spec(moco: MocoHarness) -> SpecValidator:
    spec_path("moco-openapi.json")  # skip (or fail in CI) without the document
    assert moco.spec is not None
    return moco.spec


def booking(**extra: Any) -> dict[str, Any]:
    return {"date": TODAY, "project_id": WEBSITE, "task_id": KONZEPTION, **extra}


def test_each_documented_operation_is_served_or_listed_as_not_simulated(
    spec: SpecValidator,
) -> None:
    sim = MocoSimulator()
    assert coverage_gaps(spec, sim) == {
        "neither served nor listed": [],
        "served and listed": [],
        "listed but not documented": [],
    }
    assert served_operations(sim) <= documented_operations(spec)


def _exercise_activities(admin: httpx.Client, leader: httpx.Client) -> None:
    admin.get("/activities", params={"from": TODAY, "to": TODAY})
    one = admin.post("/activities", json=booking(seconds=900)).json()["id"]
    bulk = admin.post("/activities/bulk", json={"activities": [booking(), booking()]}).json()
    url = f"/activities/{one}"
    admin.get(url)
    admin.put(url, json={"seconds": 1800})
    admin.patch(url, json={"description": "PATCH"})
    admin.patch(f"{url}/start_timer")
    admin.patch(f"{url}/stop_timer")
    leader.patch(f"{url}/billable_seconds", json={"seconds": 600})
    disregard = {"activity_ids": [bulk[0]["id"]], "reason": "Kulanz", "company_id": BEISPIEL}
    admin.post("/activities/disregard", json=disregard)
    admin.delete(url)


def _exercise_master_data(admin: httpx.Client) -> None:
    for path in ("/session", "/profile", "/users", "/projects", "/projects/assigned"):
        admin.get(path)
    for path in (f"/users/{admin.get('/session').json()['id']}", f"/companies/{BEISPIEL}"):
        admin.get(path)
    admin.get("/companies")
    admin.get(f"/projects/{WEBSITE}", params={"include_company": "true"})
    admin.get(f"/projects/{WEBSITE}/tasks")
    admin.get(f"/projects/{WEBSITE}/tasks/{KONZEPTION}")
    admin.get(f"/projects/{WEBSITE}/contracts")
    admin.get(f"/projects/{WEBSITE}/contracts/{CONTRACT}")


def _exercise_web_hooks(admin: httpx.Client) -> None:
    hook = admin.post("/account/web_hooks", json=HOOK).json()["id"]
    url = f"/account/web_hooks/{hook}"
    admin.get("/account/web_hooks")
    admin.get(url)
    admin.put(url, json={"hook": "https://example.com/moco2"})
    admin.patch(url, json={"hook": "https://example.com/moco3"})
    admin.put(f"{url}/disable")
    admin.put(f"{url}/enable")
    admin.delete(url)


def test_each_served_operation_answers_as_documented(
    moco: MocoHarness, spec: SpecValidator
) -> None:
    admin, leader = moco.client(ADMIN_KEY), moco.client(BEN_KEY)
    _exercise_activities(admin, leader)
    _exercise_master_data(admin)
    _exercise_web_hooks(admin)
    answered = set()
    for label in moco.labels:
        method, template, status = label.split(" ")
        if status.startswith("2"):
            answered.add((method, template))
    assert sorted(served_operations(moco.sim) - answered) == []


def test_not_simulated_and_unknown_routes_answer_moco_s_404(
    moco: MocoHarness, spec: SpecValidator
) -> None:
    admin = moco.client(ADMIN_KEY)
    skipped = documented_operations(spec) - served_operations(moco.sim)
    assert len(skipped) > 250
    for method, template in sorted(skipped):
        answer = admin.request(method, concrete(template), json={})
        assert answer.status_code == 404, (method, template)
        assert answer.json()["message"].startswith("Not Found (not simulated: ")
    for method, path in (("GET", "/nothing/here"), ("POST", "/activities/1"), ("GET", "/users/x")):
        answer = admin.request(method, path)
        assert (answer.status_code, answer.json()) == (404, {"message": "Not Found"})


def test_served_answers_carry_every_documented_field(
    moco: MocoHarness, spec: SpecValidator
) -> None:
    admin = moco.client(ADMIN_KEY)
    admin.post("/account/web_hooks", json=HOOK)
    reads = [
        ("/activities", {}),
        ("/session", {}),
        ("/profile", {}),
        ("/users", {}),
        ("/projects", {}),
        ("/projects", {"include_company": "true"}),
        (f"/projects/{WEBSITE}", {}),
        ("/projects/assigned", {}),
        (f"/projects/{WEBSITE}/tasks", {}),
        (f"/projects/{WEBSITE}/contracts/{CONTRACT}", {}),
        ("/companies", {}),
        ("/account/web_hooks", {}),
    ]
    for path, params in reads:
        answer = admin.get(path, params=params)
        assert answer.status_code == 200, answer.text
        template = spec.template_for(answer.request.url.path)
        assert missing_fields(spec, ("GET", template, 200), answer.json()) == [], path
