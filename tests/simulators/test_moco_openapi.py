"""Every MOCO simulator endpoint answers in the shapes of MOCO's OpenAPI document.

Also tests the validation helper itself (tests/simulators/openapi.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from syncd.simulators.moco.agency import ADMIN_KEY, BEN_ID, BEN_KEY
from tests.simulators.moco_fixtures import MocoHarness
from tests.simulators.openapi import SpecValidator, spec_path

WEBSITE, KONZEPTION, BEISPIEL = 945_371_001, 7_281_001, 760_896_001


@pytest.fixture
def spec() -> SpecValidator:
    return SpecValidator.load(spec_path("moco-openapi.json"))


def booking(**extra: Any) -> dict[str, Any]:
    return {"date": "2026-11-20", "project_id": WEBSITE, "task_id": KONZEPTION, **extra}


def test_every_endpoint_validates_including_errors(moco: MocoHarness, spec: SpecValidator) -> None:
    admin, leader, stranger = moco.client(ADMIN_KEY), moco.client(BEN_KEY), moco.client("nope")
    as_ben = moco.client(ADMIN_KEY, impersonate=BEN_ID)
    answers: list[httpx.Response] = []

    def call(client: httpx.Client, method: str, url: str, **kwargs: Any) -> httpx.Response:
        answers.append(client.request(method, url, **kwargs))
        return answers[-1]

    one = "/activities/{}".format(call(admin, "POST", "/activities", json=booking()).json()["id"])
    spare = "/activities/{}".format(
        call(as_ben, "POST", "/activities", json=booking()).json()["id"]
    )
    call(admin, "GET", "/activities", params={"per_page": 5})
    call(as_ben, "GET", "/activities")
    call(admin, "POST", "/activities", json={})
    call(admin, "POST", "/activities", content=b"{", headers={"Content-Type": "application/json"})
    call(admin, "POST", "/activities/bulk", json={"activities": [booking()]})
    call(admin, "POST", "/activities/bulk", json={"activities": [{}]})
    call(admin, "POST", "/activities/bulk", json={})
    call(admin, "GET", one)
    call(admin, "PUT", one, json={"seconds": 120})
    call(admin, "PATCH", one, json={"description": "x"})
    call(admin, "PATCH", one, json={"seconds": -1})
    for action in ("start_timer", "start_timer", "stop_timer", "stop_timer"):
        call(admin, "PATCH", f"{one}/{action}")  # the second of each answers 422
    call(leader, "PATCH", f"{one}/billable_seconds", json={"seconds": 30})
    call(leader, "PATCH", f"{one}/billable_seconds", json={})
    call(admin, "POST", "/activities/disregard", json={})
    disregard = {"activity_ids": [int(one.split("/")[-1])], "reason": "r", "company_id": BEISPIEL}
    call(admin, "POST", "/activities/disregard", json=disregard)
    call(admin, "DELETE", one)  # billed now: 422
    call(admin, "DELETE", spare)
    for path in ("/session", "/profile", "/projects/assigned", f"/projects/{WEBSITE}/tasks"):
        call(admin, "GET", path)
    for path in ("/users", "/projects", "/companies"):
        call(admin, "GET", path, params={"include_archived": "true"})
    call(stranger, "GET", "/session")
    call(stranger, "GET", "/projects")

    statuses = {(a.request.method, a.status_code) for a in answers}
    assert {("POST", 200), ("POST", 422), ("POST", 400), ("DELETE", 422), ("GET", 401)} <= statuses
    for answer in answers:
        assert spec.check_response(answer), f"{answer.request.url}: nothing to check"
    # The harness validated each of them as well (and every answer of the other tests).
    assert moco.checked >= len(answers)


def test_undeclared_answers_are_not_checked_but_unknown_operations_fail(
    spec: SpecValidator,
) -> None:
    assert spec.check("GET", "/activities/{id}", 404, {"message": "Not Found"}) is False
    assert spec.check("POST", "/activities/bulk", 415, None) is False
    with pytest.raises(AssertionError, match="not in the OpenAPI document"):
        spec.check("POST", "/activities/{id}", 200, {})
    assert spec.template_for("/api/v1/activities/bulk") == "/activities/bulk"
    assert spec.template_for("/api/v1/activities/7") == "/activities/{id}"
    with pytest.raises(AssertionError, match="no path"):
        spec.template_for("/api/v1/nothing/here")


def test_mismatches_raise_a_readable_assertion(spec: SpecValidator) -> None:
    with pytest.raises(AssertionError) as failure:
        spec.check(
            "GET",
            "/activities/{id}",
            200,
            {"id": "7", "date": "2026-02-30", "remote_service": "clockodo", "user": {"id": None}},
        )
    message = str(failure.value)
    assert message.startswith("GET /activities/{id} → 200")
    for where in ("at id:", "at date:", "at remote_service:", "at user/id:"):
        assert where in message


def test_overlapping_one_of_is_validated_as_any_of(moco: MocoHarness, spec: SpecValidator) -> None:
    projects = moco.client(ADMIN_KEY).get("/projects").json()
    assert spec.check("GET", "/projects", 200, projects)
    strict = SpecValidator.load(spec_path("moco-openapi.json"), one_of_as_any_of=False)
    with pytest.raises(AssertionError, match="customer"):
        strict.check("GET", "/projects", 200, projects)


def test_references_of_a_3_1_document_are_resolved() -> None:
    clockodo = SpecValidator.load(spec_path("clockodo-openapi.yaml"))
    assert clockodo.base_path == "/api"
    assert clockodo.template_for("/api/v2/entries/12") == "/v2/entries/{id}"
    with pytest.raises(AssertionError, match="paging"):
        clockodo.check("GET", "/v2/entries", 200, {"entries": []})


def test_an_absent_spec_skips_locally_and_fails_in_ci(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SYNCD_SPECS_DIR", str(tmp_path))
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="absent"):
        spec_path("moco-openapi.json")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="absent"):
        spec_path("moco-openapi.json")
    (tmp_path / "moco-openapi.json").write_text("{}", encoding="utf-8")
    assert spec_path("moco-openapi.json") == tmp_path / "moco-openapi.json"
