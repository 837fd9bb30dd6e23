"""clockodo simulator: entry events reach subscribed web hooks as ids, with the token, later."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from syncd.simulators.kit import utc_iso
from tests.simulators.clockodo_fixtures import (
    CUSTOMER,
    NOW,
    OWNER,
    SERVICE,
    ClockodoHarness,
    new_entry_body,
    time_entry,
)
from tests.simulators.receiver import Receiver, receiving

WEEK = {"time_since": "2026-11-16T00:00:00Z", "time_until": "2026-11-23T00:00:00Z"}


@pytest.fixture
def hooked(clockodo: ClockodoHarness) -> Any:
    with receiving() as receiver:
        registered = clockodo.control("webhooks", {"url": receiver.url, "secret": "tok"}).json()
        clockodo.control("webhooks/settings", {"retry_base": 0.01})
        handshake = receiver.wait_for(1)[0]
        assert handshake.json == {"secret": registered["secret"]}
        receiver.calls.clear()
        yield clockodo, receiver


def events(receiver: Receiver, count: int) -> list[tuple[str, int]]:
    return [
        (c.json["event_name"], c.json["payload"]["entry"]["id"]) for c in receiver.wait_for(count)
    ]


def test_entry_changes_are_delivered_as_ids(hooked: tuple[ClockodoHarness, Receiver]) -> None:
    clockodo, receiver = hooked
    client = clockodo.client(OWNER)
    entry = client.post("/v2/entries", json=new_entry_body()).json()["entry"]
    client.put(f"/v2/entries/{entry['id']}", json={"text": "neu"})
    client.put(f"/v2/entries/{entry['id']}", json={"text": "neu"})  # unchanged: nothing
    client.delete(f"/v2/entries/{entry['id']}")
    assert events(receiver, 3) == [
        ("entry.created", entry["id"]),
        ("entry.updated", entry["id"]),
        ("entry.deleted", entry["id"]),
    ]
    first = receiver.calls[0].json
    assert first == {
        "subscription_id": 1,
        "company_id": 1,
        "occurred_at": utc_iso(NOW),
        "payload": {"entry": {"id": entry["id"]}},
        "event_name": "entry.created",
        "token": "tok",
    }
    assert receiver.calls[0].headers["Content-Type"] == "application/json"
    assert clockodo.sim.webhooks.wait_idle(10)
    assert len(receiver.calls) == 3


def test_the_clock_starts_and_stops_entries(hooked: tuple[ClockodoHarness, Receiver]) -> None:
    clockodo, receiver = hooked
    client = clockodo.client(OWNER)
    start = {"customers_id": CUSTOMER, "services_id": SERVICE}
    first = client.post("/v2/clock", json=start).json()["running"]["id"]
    second = client.post("/v2/clock", json=start).json()["running"]["id"]
    client.put(f"/v2/clock/{second}", json={"duration": 600})
    client.delete(f"/v2/clock/{second}")
    assert events(receiver, 7) == [
        ("entry.created", first),
        ("entry.started", first),
        ("entry.stopped", first),
        ("entry.created", second),
        ("entry.started", second),
        ("entry.updated", second),
        ("entry.stopped", second),
    ]


def test_bulk_changes_send_one_event_per_entry(clockodo: ClockodoHarness) -> None:
    clockodo.seed([time_entry(id=1, text="a"), time_entry(id=2, text="b")])  # silent
    client = clockodo.client(OWNER)
    with receiving() as receiver:
        clockodo.control("webhooks", {"url": receiver.url, "events": ["entry.deleted"]})
        receiver.wait_for(1)  # the secret
        body = {**WEEK, "text": "x"}
        key = client.put("/v2/entrygroups", json=body).json()["confirm_key"]
        client.put("/v2/entrygroups", json={**body, "confirm_key": key})  # updates: not subscribed
        key = client.delete("/v2/entrygroups", params=WEEK).json()["confirm_key"]
        client.delete("/v2/entrygroups", params={**WEEK, "confirm_key": key})
        calls = receiver.wait_for(3)
        assert clockodo.sim.webhooks.wait_idle(10)
    assert sorted(c.json["payload"]["entry"]["id"] for c in calls[1:]) == [1, 2]
    assert {c.json["event_name"] for c in calls[1:]} == {"entry.deleted"}
    assert len(receiver.calls) == 3


def test_failed_requests_send_nothing_and_deliveries_are_listed(
    hooked: tuple[ClockodoHarness, Receiver],
) -> None:
    clockodo, receiver = hooked
    client = clockodo.client(OWNER)
    assert client.post("/v2/entries", json=new_entry_body(customers_id=99)).status_code == 404
    receiver.statuses = [502]
    client.post("/v2/entries", json=new_entry_body())
    receiver.wait_for(2)
    assert clockodo.sim.webhooks.wait_idle(10)
    listed = httpx.get(f"{clockodo.running.root_url}/_sim/webhooks").json()
    assert [t["url"] for t in listed["targets"]] == [receiver.url]
    secret, created = listed["deliveries"]
    assert (secret["event"], secret["state"]) == ("secret", "delivered")
    assert (created["event"], created["attempts"]) == ("entry.created", 2)
    assert [a["status"] for a in created["answers"]] == [502, 200]


def test_shuffled_delivery_reorders_events(hooked: tuple[ClockodoHarness, Receiver]) -> None:
    clockodo, receiver = hooked
    clockodo.control("webhooks/settings", {"paused": True, "shuffle": True, "seed": 5})
    client = clockodo.client(OWNER)
    made = [
        client.post("/v2/entries", json=new_entry_body()).json()["entry"]["id"] for _ in range(8)
    ]
    clockodo.control("webhooks/settings", {"paused": False})
    arrived = [entry_id for _, entry_id in events(receiver, 8)]
    assert sorted(arrived) == made
    assert arrived != made
