"""clockodo simulator against clockodo's OpenAPI document, operation by operation.

Every documented operation is either served, answering as documented (the
harness validates each response), or listed in the simulator's one
`NOT_SIMULATED` table and answering clockodo's 404. Served answers carry
every documented field, except the few left out on purpose (`LEFT_OUT`).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest

from syncd.simulators.clockodo import ClockodoSimulator
from syncd.simulators.clockodo.simulator import RETIRED_PATHS
from syncd.simulators.kit import utc_iso
from tests.simulators.clockodo_fixtures import (
    CUSTOMER,
    NOW,
    OTHER_PROJECT,
    OWNER,
    PROJECT,
    WORKER,
    ClockodoHarness,
    check_error_shape,
    new_entry_body,
    time_entry,
)
from tests.simulators.conformance import (
    concrete,
    coverage_gaps,
    documented_operations,
    served_operations,
)
from tests.simulators.openapi import SpecValidator, missing_fields, spec_path

WEEK = {"time_since": "2026-11-16T00:00:00Z", "time_until": "2026-11-23T00:00:00Z"}
# Documented fields the simulator leaves out, and why.
LEFT_OUT = {
    "bill_service_id": "shown only when a billing application is linked; none is",
    "nonbusinessgroups_id": "deprecated non-null alias, left out while no group is set",
    "support_pin": "a co-worker's own support PIN: only in /v4/users/me",
    "email": "optional on co-workers and never null: left out when unknown",
}
ENHANCED = {"customers_name", "projects_name", "subprojects_name", "users_name"}
ENHANCED |= {"services_name", "revenue"}  # only with enhanced_list=true, as documented
NEW_RECORDS: dict[str, tuple[str, dict[str, Any]]] = {
    "customers": ("/v3/customers", {"name": "Neukunde"}),
    "projects": ("/v4/projects", {"name": "Neu", "customers_id": CUSTOMER}),
    "subprojects": ("/v3/subprojects", {"name": "Phase 1", "projects_id": PROJECT}),
    "services": ("/v4/services", {"name": "Beratung"}),
    "lumpsum_services": ("/v4/lumpSumServices", {"name": "Pauschale", "price": 10}),
    "users": ("/v3/users", {"name": "Neu Ling", "email": "neu@example.com", "role": "worker"}),
    "teams": ("/v3/teams", {"name": "Team A", "user_ids": [WORKER]}),
}


@pytest.fixture
def spec(clockodo: ClockodoHarness) -> SpecValidator:
    spec_path("clockodo-openapi.yaml")  # skip (or fail in CI) without the document
    assert clockodo.spec is not None
    return clockodo.spec


def test_each_documented_operation_is_served_or_listed_as_not_simulated(
    spec: SpecValidator,
) -> None:
    sim = ClockodoSimulator()
    assert coverage_gaps(spec, sim) == {
        "neither served nor listed": [],
        "served and listed": [],
        "listed but not documented": [],
    }
    undocumented = served_operations(sim) - documented_operations(spec)
    retired = {(m, p) for p in RETIRED_PATHS for m in ("GET", "POST", "PUT", "DELETE")}
    assert undocumented == retired  # the legacy paths, which answer 410


def _exercise_bookings(owner: httpx.Client) -> None:
    owner.get("/v2/entries", params=WEEK)
    entry = owner.post("/v2/entries", json=new_entry_body()).json()["entry"]
    owner.get(f"/v2/entries/{entry['id']}")
    owner.put(f"/v2/entries/{entry['id']}", json={"text": "Neu"})
    owner.get("/v2/entrygroups", params={**WEEK, "grouping[]": ["customers_id", "services_id"]})
    owner.put("/v2/entrygroups", json={**WEEK, "filter": {"users_id": OWNER}, "text": "Sammel"})
    owner.delete("/v2/entrygroups", params={**WEEK, "filter[users_id]": OWNER})
    owner.delete(f"/v2/entries/{entry['id']}")
    owner.get("/v2/clock")
    running = owner.post("/v2/clock", json={"customers_id": CUSTOMER, "services_id": 30}).json()
    clock_id = running["running"]["id"]
    owner.put(f"/v2/clock/{clock_id}", json={"duration": 600, "duration_before": 0})
    owner.delete(f"/v2/clock/{clock_id}")
    owner.get("/v3/entriesTexts", params={"mode": "add"})


def _exercise_master_data(owner: httpx.Client) -> None:
    owner.get("/v4/users/me")
    owner.get("/v3/customers/countProjects")
    owner.put(f"/v4/projects/{OTHER_PROJECT}/complete", json={"completed": True})
    owner.put(f"/v3/projects/{OTHER_PROJECT}/setBilled", json={"billed": True, "billed_money": 5})
    for kind, (path, body) in NEW_RECORDS.items():
        record = owner.post(path, json=body).json()["data"]
        item = f"{path}/{record['id']}"
        owner.get(path)
        owner.get(item)
        if kind == "subprojects":
            owner.put(f"{item}/complete", json={"completed": True})
        owner.put(item, json={"name": "Umbenannt"} if kind == "teams" else {"active": False})
        assert owner.delete(item).json() == {"success": True}


def test_each_served_operation_answers_as_documented(
    clockodo: ClockodoHarness, spec: SpecValidator
) -> None:
    clockodo.seed([time_entry(id=1, since=NOW - timedelta(days=3), text="Konzept")])
    owner = clockodo.client(OWNER)
    _exercise_bookings(owner)
    _exercise_master_data(owner)
    answered = set()
    for label in clockodo.checked:
        method, template, status = label.split(" ")[:3]
        if status.startswith("2"):
            answered.add((method, template))
    expected = served_operations(clockodo.sim) & documented_operations(spec)
    assert sorted(expected - answered) == []


def test_not_simulated_and_unknown_routes_answer_clockodo_s_404(
    clockodo: ClockodoHarness, spec: SpecValidator
) -> None:
    owner = clockodo.client(OWNER)
    skipped = documented_operations(spec) - served_operations(clockodo.sim)
    assert len(skipped) > 50
    for method, template in sorted(skipped):
        answer = owner.request(method, concrete(template), json={})
        assert answer.status_code == 404, (method, template)
        assert check_error_shape(spec, answer.json()) == "GeneralErrors"
        assert "not simulated" in answer.json()["errors"][0]["message"]
    unknown = owner.get("/v9/nothing/here")
    assert unknown.status_code == 404
    assert unknown.json()["errors"][0]["type"] == "ResourceNotFound"
    wrong_method = owner.patch("/v2/entries/1", json={})
    assert wrong_method.status_code == 405
    assert wrong_method.headers["Allow"] == "DELETE, GET, PUT"


def test_served_answers_carry_every_documented_field(
    clockodo: ClockodoHarness, spec: SpecValidator
) -> None:
    clockodo.seed([time_entry(id=1, text="a"), time_entry(id=2, since=NOW, time_until=None)])
    owner = clockodo.client(OWNER)
    owner.post("/v3/teams", json={"name": "Team A", "user_ids": [OWNER]})
    owner.post("/v3/subprojects", json={"name": "Phase 1", "projects_id": PROJECT})
    reads = [
        ("/v3/users", {}),
        (f"/v3/users/{OWNER}", {}),
        ("/v4/users/me", {}),
        ("/v3/customers", {}),
        (f"/v3/customers/{CUSTOMER}", {}),
        ("/v4/projects", {}),
        ("/v4/services", {}),
        ("/v4/lumpSumServices", {}),
        ("/v3/teams", {}),
        ("/v3/subprojects", {}),
        ("/v3/customers/countProjects", {}),
        ("/v3/entriesTexts", {"mode": "reports"}),
        ("/v2/entries", {**WEEK, "time_until": utc_iso(NOW + timedelta(hours=1))}),
        ("/v2/entries", {**WEEK, "enhanced_list": "true"}),
        ("/v2/clock", {}),
        ("/v2/entrygroups", {**WEEK, "grouping[]": ["customers_id", "projects_id"]}),
    ]
    plain = frozenset(LEFT_OUT) | ENHANCED
    for path, params in reads:
        answer = owner.get(path, params=params)
        assert answer.status_code == 200, answer.text
        ignore = frozenset(LEFT_OUT) if params.get("enhanced_list") else plain
        template = spec.template_for(answer.request.url.path)
        assert missing_fields(spec, ("GET", template, 200), answer.json(), ignore) == [], path
