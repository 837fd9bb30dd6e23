"""clockodo simulator: seed format and defaults, state, reset, and the agency seed."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from syncd.simulators.clockodo import ClockodoSimulator, agency_seed
from tests.simulators.clockodo_fixtures import (
    OTHER_PROJECT,
    OWNER,
    ClockodoHarness,
    new_entry_body,
    small_seed,
    time_entry,
)


def test_seed_defaults_and_assigned_ids() -> None:
    sim = ClockodoSimulator()
    seed = small_seed([time_entry(text="a"), time_entry(id=7, text="a"), time_entry(text="")])
    seed["users"].append({"name": "Neu Ling"})
    sim.seed(seed)
    state = sim.state()
    newcomer = state["users"][-1]
    assert newcomer["id"] == 5  # max given id + 1
    assert (newcomer["role"], newcomer["timezone"], newcomer["active"]) == (
        "worker",
        "Europe/Berlin",
        True,
    )
    assert "email" not in newcomer  # optional and never null
    entries = {e["id"]: e for e in state["entries"]}
    assert sorted(entries) == [7, 8, 9]
    first = entries[8]
    assert (first["billable"], first["duration"], first["type"], first["clocked"]) == (
        1,
        3600,
        1,
        False,
    )
    assert first["time_insert"] == first["time_since"]
    assert first["time_last_change"] == first["time_until"]
    assert entries[7]["texts_id"] == first["texts_id"] is not None
    assert (entries[9]["text"], entries[9]["texts_id"]) == (None, None)
    assert state["texts"] == {str(first["texts_id"]): "a"}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"entries": [time_entry(customers_id=99)]}, "unknown customer"),
        ({"entries": [time_entry(projects_id=OTHER_PROJECT)]}, "another customer"),
        ({"entries": [time_entry(services_id=99)]}, "unknown service"),
        ({"entries": [time_entry(users_id=99)]}, "unknown user"),
        ({"entries": [time_entry(duration=5)]}, "duration"),
        ({"entries": [time_entry(subprojects_id=3)]}, "subprojects"),
        ({"entries": [time_entry(billable=5)]}, "billable"),
        ({"edit_locks": {"99": "2026-10-31"}}, "unknown user"),
        ({"api_users": [{"email": "x@y.z", "key": "k", "users_id": 99}]}, "unknown user"),
        ({"users": [{"id": 1, "name": "A"}, {"id": 1, "name": "B"}]}, "duplicate"),
        ({"users": [{"name": "Z", "timezone": "Mars/Olympus"}]}, "time zone"),
        ({"projects": [{"customers_id": 99, "name": "P"}]}, "unknown customer"),
        ({"bookings": []}, "unknown seed keys"),
    ],
)
def test_bad_seeds_are_refused_with_a_reason(
    clockodo: ClockodoHarness, change: dict[str, Any], message: str
) -> None:
    answer = httpx.post(clockodo.running.root_url + "/_sim/seed", json={**small_seed(), **change})
    assert answer.status_code == 400
    assert message in answer.json()["error"]


def test_state_is_json_and_keeps_keys_secret(clockodo: ClockodoHarness) -> None:
    clockodo.seed([time_entry(id=1, text="x")])
    clockodo.control("edit_locks", {"users_id": OWNER, "date": "2026-10-31"})
    state = clockodo.state()
    assert state["api_users"][0] == {"email": "owner@example.com", "users_id": OWNER}
    assert "owner-key" not in json.dumps(state)
    assert state["edit_locks"] == {str(OWNER): "2026-10-31"}
    assert [e["id"] for e in state["entries"]] == [1]


def test_seed_replaces_and_reset_empties(clockodo: ClockodoHarness) -> None:
    client = clockodo.client()
    assert client.post("/v2/entries", json=new_entry_body()).status_code == 200
    assert len(clockodo.state()["entries"]) == 1
    assert (
        httpx.post(clockodo.running.root_url + "/_sim/seed", json=small_seed()).status_code == 200
    )
    assert clockodo.state()["entries"] == []
    assert clockodo.control("reset").status_code == 200
    assert clockodo.state()["users"] == []
    assert client.get("/v4/users/me").status_code == 401


def test_agency_seed_is_deterministic_and_realistic(clockodo: ClockodoHarness) -> None:
    seed = agency_seed()
    assert json.dumps(seed, sort_keys=True) == json.dumps(agency_seed(), sort_keys=True)
    assert httpx.post(clockodo.running.root_url + "/_sim/seed", json=seed).status_code == 200
    owner = clockodo.client(login=("lena@nordlicht.example", "owner-key"))
    users = owner.get("/v3/users").json()["data"]
    assert {u["timezone"] for u in users} >= {"Europe/Berlin", "Europe/Lisbon", "Asia/Kolkata"}
    assert [u["role"] for u in users if u["id"] == 1] == ["owner"]
    window = {"time_since": "2026-11-01T00:00:00Z", "time_until": "2026-12-01T00:00:00Z"}
    entries = owner.get("/v2/entries", params=window).json()["entries"]
    assert {e["type"] for e in entries} == {1, 2, 3}
    assert len({e["users_id"] for e in entries}) == 4
    assert any(e["billable"] == 2 for e in entries)
    running = owner.get("/v2/clock", params={"users_id": 2}).json()["running"]
    assert running["time_until"] is None
    booked = owner.post(
        "/v2/entries",
        json={
            "users_id": 4,
            "customers_id": 1,
            "projects_id": 11,
            "services_id": 21,
            "billable": 1,
            "time_since": "2026-11-20T04:00:00Z",
            "time_until": "2026-11-20T05:00:00Z",
        },
    )
    assert booked.status_code == 200
    worker = clockodo.client(login=("jonas@nordlicht.example", "jonas-key"))
    assert worker.get("/v4/users/me").json()["data"]["role"] == "worker"
