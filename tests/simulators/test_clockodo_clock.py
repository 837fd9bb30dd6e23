"""clockodo simulator: `/v2/clock` (one running clock per user, stop and cap)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx

from syncd.simulators.kit import utc_iso
from tests.simulators.clockodo_fixtures import (
    CUSTOMER,
    NOW,
    OTHER_CUSTOMER,
    OWNER,
    PROJECT,
    SERVICE,
    WORKER,
    ClockodoHarness,
    time_entry,
)


def start(client: httpx.Client, **fields: Any) -> httpx.Response:
    return client.post(
        "/v2/clock", json={"customers_id": CUSTOMER, "services_id": SERVICE, **fields}
    )


def test_no_clock_running(clockodo: ClockodoHarness) -> None:
    answer = clockodo.client().get("/v2/clock")
    assert answer.json() == {"running": None, "stopped": None, "current_time": utc_iso(NOW)}


def test_start_then_read_the_running_clock(clockodo: ClockodoHarness) -> None:
    client = clockodo.client()
    started = start(client, projects_id=PROJECT, text="Standup").json()
    assert (started["stopped"], started["stopped_has_been_truncated"]) == (None, False)
    running = started["running"]
    assert (running["time_since"], running["time_until"], running["duration"]) == (
        utc_iso(NOW),
        None,
        None,
    )
    assert (running["clocked"], running["time_clocked_since"]) == (True, utc_iso(NOW))
    assert running["billable"] == 1  # the project's billable_default
    assert client.get("/v2/clock").json()["running"] == running
    assert client.get(f"/v2/entries/{running['id']}").json()["entry"] == running


def test_starting_a_clock_stops_the_previous_one(clockodo: ClockodoHarness) -> None:
    client = clockodo.client()
    first = start(client, time_since=utc_iso(NOW - timedelta(minutes=30))).json()["running"]
    clockodo.control("clock", {"now": utc_iso(NOW + timedelta(minutes=10))})
    second = start(client, customers_id=OTHER_CUSTOMER).json()
    stopped = second["stopped"]
    assert stopped["id"] == first["id"]
    assert (stopped["time_until"], stopped["duration"]) == (
        utc_iso(NOW + timedelta(minutes=10)),
        2400,
    )
    assert stopped["clocked"] is True  # stays true after the clock stopped
    assert second["running"]["billable"] == 0  # no project: the customer's default
    runners = [e for e in clockodo.state()["entries"] if e["time_until"] is None]
    assert [e["id"] for e in runners] == [second["running"]["id"]]


def test_stop_with_and_without_an_end_and_the_cap(clockodo: ClockodoHarness) -> None:
    clockodo.seed(
        [
            time_entry(id=1, since=NOW - timedelta(hours=2), time_until=None),
            time_entry(id=2, users_id=WORKER, since=NOW - timedelta(days=2), time_until=None),
        ]
    )
    client = clockodo.client()
    end = utc_iso(NOW - timedelta(hours=1))
    stopped = client.delete("/v2/clock/1", params={"time_until": end}).json()
    assert (stopped["running"], stopped["stopped_has_been_truncated"]) == (None, False)
    assert (stopped["stopped"]["time_until"], stopped["stopped"]["duration"]) == (end, 3600)
    capped = client.delete("/v2/clock/2").json()
    assert capped["stopped_has_been_truncated"] is True
    assert capped["stopped"]["duration"] == 86399
    assert capped["stopped"]["time_until"] == utc_iso(
        NOW - timedelta(days=2) + timedelta(seconds=86399)
    )
    not_running = client.delete("/v2/clock/1")
    assert (not_running.status_code, not_running.json()["errors"][0]["type"]) == (
        404,
        "ResourceNotFound",
    )
    assert client.delete("/v2/clock/99").status_code == 404


def test_clock_rights_and_validation(clockodo: ClockodoHarness) -> None:
    clockodo.seed([time_entry(id=1, since=NOW - timedelta(hours=2), time_until=None)])
    worker = clockodo.client(WORKER)
    assert worker.get("/v2/clock", params={"users_id": OWNER}).status_code == 403
    assert worker.delete("/v2/clock/1").status_code == 403
    assert start(worker, users_id=OWNER).status_code == 403
    owner = clockodo.client()
    assert owner.get("/v2/clock", params={"users_id": OWNER}).json()["running"]["id"] == 1
    assert owner.get("/v2/clock", params={"users_id": WORKER}).json()["running"] is None
    missing = owner.post("/v2/clock", json={"customers_id": CUSTOMER})
    assert missing.json()["error"]["fields"] == ["services_id"]
    future = start(owner, time_since=utc_iso(NOW + timedelta(minutes=1)))
    assert future.json()["error"]["fields"] == ["time_since"]
    too_long = start(owner, text="x" * 1001)
    assert too_long.json()["error"]["fields"] == ["text"]
    early = owner.delete("/v2/clock/1", params={"time_until": utc_iso(NOW - timedelta(hours=3))})
    assert early.json()["errors"][0]["type"] == "EndBeforeStart"
    assert start(owner, services_id=99).status_code == 404
    worker_clock = start(worker).json()["running"]
    assert worker_clock["users_id"] == WORKER
    assert "hourly_rate" not in worker_clock


def test_put_moves_the_running_clock_s_start(clockodo: ClockodoHarness) -> None:
    client = clockodo.client()
    running = start(client).json()["running"]
    url = f"/v2/clock/{running['id']}"
    changed = client.put(url, json={"duration": 1800, "duration_before": 0})
    assert changed.status_code == 200, changed.text
    body = changed.json()
    assert body["updated"]["time_since"] == utc_iso(NOW - timedelta(minutes=30))
    assert body["updated"]["time_clocked_since"] == utc_iso(NOW - timedelta(minutes=30))
    assert (body["running"], body["overlapping_correction"]) == (body["updated"], None)
    assert body["current_time"] == utc_iso(NOW)
    earlier = utc_iso(NOW - timedelta(hours=2))
    assert client.put(url, json={"time_since": earlier}).json()["running"]["time_since"] == earlier
    stopped = client.delete(url).json()["stopped"]
    assert stopped["duration"] == 7200  # the moved start counts when stopping


def test_put_refuses_bad_changes_and_stopped_entries(clockodo: ClockodoHarness) -> None:
    clockodo.seed([time_entry(id=1)])
    client = clockodo.client()
    url = "/v2/clock/{}".format(start(client).json()["running"]["id"])
    future = utc_iso(NOW + timedelta(minutes=5))
    for body, field in (({"time_since": future}, "time_since"), ({}, "duration")):
        answer = client.put(url, json=body)
        assert answer.status_code == 400
        assert field in answer.json()["error"]["fields"]
    assert client.put(url, json={"duration": -1}).status_code == 400
    assert client.put("/v2/clock/1", json={"duration": 60}).status_code == 404  # stopped
    assert clockodo.client(WORKER).put(url, json={"duration": 60}).status_code == 403
