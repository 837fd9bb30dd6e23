"""clockodo simulator: authentication, client identification, retired paths,
rate limits, injected faults and the frozen clock, over real HTTP."""

from __future__ import annotations

import httpx
import pytest

from tests.simulators.clockodo_fixtures import (
    INACTIVE_USER,
    KEYS,
    OWNER,
    WORKER,
    ClockodoHarness,
    new_entry_body,
)


def test_headers_and_basic_auth_both_identify_the_user(clockodo: ClockodoHarness) -> None:
    for basic in (False, True):
        me = clockodo.client(WORKER, basic=basic).get("/v4/users/me")
        assert me.status_code == 200
        assert me.headers["content-type"] == "application/json"
        assert me.json()["data"]["id"] == WORKER


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"X-ClockodoApiUser": KEYS[OWNER][0]},
        {"X-ClockodoApiUser": KEYS[OWNER][0], "X-ClockodoApiKey": "wrong-key"},
        {"X-ClockodoApiUser": "nobody@example.com", "X-ClockodoApiKey": KEYS[OWNER][1]},
        {"X-ClockodoApiUser": KEYS[INACTIVE_USER][0], "X-ClockodoApiKey": KEYS[INACTIVE_USER][1]},
        {"Authorization": "Basic bm90LWJhc2U2NA=="},  # "not-base64" has no colon
        {"Authorization": "Bearer owner-key"},
    ],
    ids=["none", "no-key", "wrong-key", "unknown-user", "inactive-user", "bad-basic", "bearer"],
)
def test_bad_credentials_are_401_general_errors(
    clockodo: ClockodoHarness, headers: dict[str, str]
) -> None:
    client = clockodo.client(None)
    answer = client.get("/v2/entries", headers=headers)
    assert answer.status_code == 401
    (error,) = answer.json()["errors"]
    assert error["type"] == "Unauthorized"
    assert "owner-key" not in answer.text  # the key never comes back


def test_external_application_header_is_required_and_at_most_50_chars(
    clockodo: ClockodoHarness,
) -> None:
    missing = clockodo.client(OWNER, app=None).get("/v4/users/me")
    assert missing.status_code == 401
    assert "X-Clockodo-External-Application" in missing.json()["errors"][0]["message"]
    fifty = "a" * 36 + ";" + "b@example.com"
    assert len(fifty) == 50
    assert clockodo.client(OWNER, app=fifty).get("/v4/users/me").status_code == 200
    too_long = clockodo.client(OWNER, app=fifty + "x").get("/v4/users/me")
    assert too_long.status_code == 400
    assert too_long.json()["errors"][0]["path"] == "X-Clockodo-External-Application"
    # The documented `name;email` format is not enforced (seen live in 2023).
    assert clockodo.client(OWNER, app="syncd").get("/v4/users/me").status_code == 200


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/entries"),
        ("POST", "/entries"),
        ("DELETE", "/entries/5"),
        ("GET", "/entrygroups"),
        ("GET", "/v2/users"),
        ("GET", "/users/me"),
        ("GET", "/v2/projects"),
    ],
)
def test_retired_paths_are_gone(clockodo: ClockodoHarness, method: str, path: str) -> None:
    answer = clockodo.client(None, app=None).request(method, path)
    assert answer.status_code == 410
    assert answer.json()["error"]["code"] == 410
    stats = httpx.get(clockodo.running.root_url + "/_sim/stats").json()
    assert stats["total"] == 1


def test_rate_limit_per_user_answers_429_with_retry_after(clockodo: ClockodoHarness) -> None:
    limiter = clockodo.sim.limiter
    assert limiter.limits[:3] == [(900, 60.0), (2250, 900.0), (4500, 3600.0)]
    for _ in range(899):  # use up the minute's budget in-process, quickly
        assert limiter.check(f"user:{OWNER}") is None
    owner = clockodo.client(OWNER)
    assert owner.get("/v4/users/me").status_code == 200  # the 900th request
    limited = owner.get("/v4/users/me")
    assert limited.status_code == 429
    assert 1 <= int(limited.headers["retry-after"]) <= 60
    assert limited.json()["error"]["code"] == 429
    # Limits count per user: the worker and anonymous callers are unaffected.
    assert clockodo.client(WORKER).get("/v4/users/me").status_code == 200
    assert clockodo.client(None).get("/v4/users/me").status_code == 401


def test_rate_limit_can_be_switched_off(clockodo: ClockodoHarness) -> None:
    clockodo.sim.limiter.enabled = False
    for _ in range(1000):
        clockodo.sim.limiter.check(f"user:{OWNER}")
    assert clockodo.client(OWNER).get("/v4/users/me").status_code == 200


def test_injected_errors_use_the_simple_error_shape(clockodo: ClockodoHarness) -> None:
    script = [
        {"route": "GET /api/v2/entries/{id}", "nth": 1, "status": 503},
        {"route": "GET /api/v2/entries/{id}", "nth": 2, "status": 429},
    ]
    assert clockodo.control("faults", {"script": script, "retry_after": 7}).status_code == 200
    client = clockodo.client()
    unavailable = client.get("/v2/entries/1")
    assert unavailable.status_code == 503
    assert unavailable.json() == {
        "error": {"code": 503, "message": "The service is temporarily unavailable."}
    }
    throttled = client.get("/v2/entries/1")
    assert (throttled.status_code, throttled.headers["retry-after"]) == (429, "7")
    assert client.get("/v2/entries/1").status_code == 404  # faults used up


def test_a_lost_answer_after_a_create_leaves_the_entry_created(clockodo: ClockodoHarness) -> None:
    script = [{"route": "POST /api/v2/entries", "nth": 1, "fault": "drop", "after_write": True}]
    clockodo.control("faults", {"script": script})
    client = clockodo.client(validate=False)
    with pytest.raises(httpx.RemoteProtocolError):
        client.post("/v2/entries", json=new_entry_body(text="lost answer"))
    found = clockodo.client().get(
        "/v2/entries",
        params={
            "time_since": "2026-11-16T00:00:00Z",
            "time_until": "2026-11-17T00:00:00Z",
            "filter[text]": "lost answer",
        },
    )
    assert [e["text"] for e in found.json()["entries"]] == ["lost answer"]


def test_the_frozen_clock_stamps_writes_and_clock_answers(clockodo: ClockodoHarness) -> None:
    client = clockodo.client()
    created = client.post("/v2/entries", json=new_entry_body()).json()["entry"]
    assert created["time_insert"] == created["time_last_change"] == "2026-11-20T10:00:00Z"
    assert client.get("/v2/clock").json()["current_time"] == "2026-11-20T10:00:00Z"
    clockodo.control("clock", {"now": "2026-11-21T08:30:00Z"})
    edited = client.put(f"/v2/entries/{created['id']}", json={"text": "later"}).json()["entry"]
    assert edited["time_last_change"] == "2026-11-21T08:30:00Z"
    assert edited["time_insert"] == "2026-11-20T10:00:00Z"
    clockodo.control("clock", {})
    assert client.get("/v2/clock").json()["current_time"] != "2026-11-21T08:30:00Z"
