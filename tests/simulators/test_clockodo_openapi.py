"""clockodo simulator: every endpoint's answers against clockodo's OpenAPI document.

The harness checks each response it sees (see `clockodo_fixtures`); these
tests drive every operation once through success and error paths, then
require that each was actually checked. Without the document they skip
(and fail under CI=true). The last tests pin the three amendments to the
document: each is needed, and only where the module docstring says.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from syncd.simulators.kit import utc_iso
from tests.simulators.clockodo_fixtures import (
    LUMPSUM_SERVICE,
    NOW,
    OTHER_CUSTOMER,
    OTHER_SERVICE,
    OWNER,
    WORKER,
    ClockodoHarness,
    load_document,
    new_entry_body,
    time_entry,
)
from tests.simulators.openapi import SpecValidator, spec_path

WEEK = {"time_since": "2026-11-16T00:00:00Z", "time_until": "2026-11-23T00:00:00Z"}
MONDAY = NOW - timedelta(days=4)


@pytest.fixture
def checked(clockodo: ClockodoHarness) -> ClockodoHarness:
    spec_path("clockodo-openapi.yaml")  # skip (or fail in CI) without the document
    assert clockodo.spec is not None
    common = {"users_id": OWNER, "customers_id": OTHER_CUSTOMER, "time_since": utc_iso(MONDAY)}
    clockodo.seed(
        [
            time_entry(id=1, since=MONDAY, hourly_rate=90.5, text="Konzept"),
            time_entry(id=2, users_id=WORKER, since=MONDAY, projects_id=None, billable=2),
            time_entry(id=3, since=NOW - timedelta(hours=1), time_until=None),
            {**common, "id": 4, "type": 2, "services_id": OTHER_SERVICE, "lumpsum": 120.0},
            {
                **common,
                "id": 5,
                "type": 3,
                "lumpsum_services_id": LUMPSUM_SERVICE,
                "lumpsum_services_amount": 10,
            },
        ]
    )
    return clockodo


def test_entries_endpoints_match_the_document(checked: ClockodoHarness) -> None:
    owner, worker = checked.client(OWNER), checked.client(WORKER)
    week_with_now = {**WEEK, "time_until": utc_iso(NOW + timedelta(hours=1))}
    for params in ({}, {"enhanced_list": "true"}, {"items_per_page": 2, "page": 2}):
        owner.get("/v2/entries", params={**week_with_now, **params})
    worker.get("/v2/entries", params={**WEEK, "enhanced_list": "true"})
    owner.get("/v2/entries", params={"time_since": "nonsense"})
    for entry_id in (1, 2, 3, 4, 5, 99):
        owner.get(f"/v2/entries/{entry_id}")
    worker.get("/v2/entries/1")
    created = owner.post("/v2/entries", json=new_entry_body()).json()["entry"]
    owner.post("/v2/entries", json=new_entry_body(billable=2))
    owner.post("/v2/entries", json=new_entry_body(customers_id=99))
    owner.post("/v2/entries", json=new_entry_body(projects_id=21))
    worker.post("/v2/entries", json=new_entry_body(users_id=OWNER))
    owner.put(f"/v2/entries/{created['id']}", json={"text": "neu", "duration": 1800})
    owner.put("/v2/entries/3", json={"text": "läuft"})
    owner.delete(f"/v2/entries/{created['id']}")
    owner.delete("/v2/entries/2")  # billed: 403
    assert_checked(
        checked,
        "GET /v2/entries 200",
        "GET /v2/entries 400",
        "GET /v2/entries/{id} 200",
        "GET /v2/entries/{id} 403 GeneralErrors",
        "GET /v2/entries/{id} 404 GeneralErrors",
        "POST /v2/entries 200",
        "POST /v2/entries 400",
        "POST /v2/entries 403",
        "POST /v2/entries 404",
        "POST /v2/entries 422 GeneralErrors",
        "PUT /v2/entries/{id} 200",
        "DELETE /v2/entries/{id} 200",
        "DELETE /v2/entries/{id} 403 GeneralErrors",
    )


def test_entrygroups_and_clock_match_the_document(checked: ClockodoHarness) -> None:
    owner = checked.client(OWNER)
    for grouping in (
        ["customers_id", "projects_id", "services_id"],
        ["users_id", "texts_id", "billable"],
        ["year", "month", "week", "day"],
        ["is_lumpsum", "lumpsum_services_id", "subprojects_id"],
    ):
        owner.get("/v2/entrygroups", params={**WEEK, "grouping[]": grouping})
    owner.get("/v2/entrygroups", params={**WEEK, "grouping[]": "years"})
    body = {**WEEK, "filter": {"users_id": OWNER}, "text": "Sammel"}
    key = owner.put("/v2/entrygroups", json=body).json()["confirm_key"]
    owner.put("/v2/entrygroups", json={**body, "confirm_key": key})
    owner.put("/v2/entrygroups", json={**body, "confirm_key": key})  # reused: 400
    query: dict[str, str | int] = {**WEEK, "filter[users_id]": OWNER}
    key = owner.delete("/v2/entrygroups", params=query).json()["confirm_key"]
    owner.delete("/v2/entrygroups", params={**query, "confirm_key": key})
    owner.get("/v2/clock")
    started = owner.post("/v2/clock", json={"customers_id": 10, "services_id": 30}).json()
    owner.post("/v2/clock", json={"customers_id": 10, "services_id": 30})  # stops the first
    owner.delete(f"/v2/clock/{started['running']['id']}")  # no longer running: 404
    owner.get("/v2/clock")
    running_id = owner.get("/v2/clock").json()["running"]["id"]
    owner.delete(f"/v2/clock/{running_id}")
    assert_checked(
        checked,
        "GET /v2/entrygroups 200",
        "GET /v2/entrygroups 400 SimpleErrorResponses",
        "PUT /v2/entrygroups 200",
        "PUT /v2/entrygroups 400 SimpleErrorResponses",
        "DELETE /v2/entrygroups 200",
        "GET /v2/clock 200",
        "POST /v2/clock 200",
        "DELETE /v2/clock/{id} 200",
        "DELETE /v2/clock/{id} 404 GeneralErrors",
    )
    assert checked.checked["PUT /v2/entrygroups 200"] == 2  # handshake and confirmation


def test_master_data_and_access_errors_match_the_document(checked: ClockodoHarness) -> None:
    owner, worker = checked.client(OWNER), checked.client(WORKER)
    for client in (owner, worker):
        for path in ("/v3/customers", "/v4/projects", "/v4/services", "/v3/users"):
            client.get(path)
        client.get("/v4/lumpSumServices")
        client.get("/v4/users/me")
        for path in ("/v3/customers/10", "/v4/projects/20", "/v4/services/30", "/v3/users/1"):
            client.get(path)
    owner.get("/v3/customers", params={"items_per_page": 6000})
    owner.get("/v3/customers/99")
    checked.client(None).get("/v2/entries", params=WEEK)
    checked.client(OWNER, app="x" * 51).get("/v4/users/me")
    checked.client(None, app=None).get("/entries")
    checked.sim.limiter.limits = [(1, 60.0)]
    owner.get("/v4/services")
    owner.get("/v4/services")
    assert_checked(
        checked,
        "GET /v3/customers 200",
        "GET /v3/customers 400",
        "GET /v3/customers/{id} 200",
        "GET /v3/customers/{id} 404 GeneralErrors",
        "GET /v4/projects 200",
        "GET /v4/projects/{id} 200",
        "GET /v4/services 200",
        "GET /v4/services 429 SimpleErrorResponses",
        "GET /v4/services/{id} 200",
        "GET /v4/lumpSumServices 200",
        "GET /v3/users 200",
        "GET /v3/users/{id} 200",
        "GET /v4/users/me 200",
        "GET /v4/users/me 400",
        "GET /v2/entries 401 GeneralErrors",
        "GET /entries 410 SimpleErrorResponses",
    )


def assert_checked(harness: ClockodoHarness, *labels: str) -> None:
    missing = [label for label in labels if label not in harness.checked]
    assert not missing, f"never checked: {missing}; checked: {sorted(harness.checked)}"


# -- the amendments -----------------------------------------------------------------
@pytest.fixture
def raw_spec() -> SpecValidator:
    return SpecValidator(load_document(spec_path("clockodo-openapi.yaml")), one_of_as_any_of=False)


def test_each_amendment_is_needed(checked: ClockodoHarness, raw_spec: SpecValidator) -> None:
    owner = checked.client(OWNER)
    no_clock = checked.client(WORKER).get("/v2/clock")
    with pytest.raises(AssertionError, match="running"):
        raw_spec.check_response(no_clock)
    by_year = owner.get("/v2/entrygroups", params={**WEEK, "grouping[]": "year"})
    assert by_year.json()["groups"][0]["group"] == 2026
    with pytest.raises(AssertionError, match="group"):
        raw_spec.check_response(by_year)
    by_customer = owner.get("/v2/entrygroups", params={**WEEK, "grouping[]": "customers_id"})
    assert by_customer.json()["groups"][0]["revenue"] == 90.5  # 1 h at 90.50
    with pytest.raises(AssertionError, match="revenue"):
        raw_spec.check_response(by_customer)


def test_everything_else_passes_the_unamended_document(
    checked: ClockodoHarness, raw_spec: SpecValidator
) -> None:
    owner = checked.client(OWNER)
    answers = [
        owner.get("/v2/entries", params={**WEEK, "enhanced_list": "true"}),
        owner.get("/v2/entries/4"),
        owner.post("/v2/entries", json=new_entry_body()),
        owner.get(  # revenue 0.0: a whole number, so valid even as "integer"
            "/v2/entrygroups",
            params={**WEEK, "grouping[]": ["users_id", "day"], "filter[users_id]": WORKER},
        ),
        owner.get("/v3/users"),
    ]
    for answer in answers:
        assert raw_spec.check_response(answer)
