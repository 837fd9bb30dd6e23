"""MOCO simulator: activity changes reach web hooks signed, with MOCO's headers, later."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

import httpx
import pytest

from syncd.simulators.moco import deliveries
from syncd.simulators.moco.agency import ADMIN_KEY, BEN_ID, BEN_KEY
from tests.simulators.moco_fixtures import NOW, MocoHarness
from tests.simulators.receiver import Receiver, receiving

SECRET = "c0ffee00c0ffee00c0ffee00c0ffee00"
BOOKING = {"date": "2026-11-20", "project_id": 945_371_001, "task_id": 7_281_001}


@pytest.fixture
def hooked(moco: MocoHarness) -> Any:
    with receiving() as receiver:
        registered = moco.control("webhooks", {"url": receiver.url, "secret": SECRET}).json()
        assert [h["event"] for h in registered["web_hooks"]] == ["create", "update", "delete"]
        moco.control("webhooks/settings", {"retry_base": 0.01})
        yield moco, receiver


def signed(body: bytes) -> str:
    return hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()


def test_create_update_delete_are_delivered_signed(hooked: tuple[MocoHarness, Receiver]) -> None:
    moco, receiver = hooked
    as_ben = moco.client(ADMIN_KEY, impersonate=BEN_ID)
    created = as_ben.post("/activities", json=BOOKING).json()
    url = f"/activities/{created['id']}"
    as_ben.patch(url, json={"description": "geändert"})
    as_ben.patch(url, json={"description": "geändert"})  # no change: nothing sent
    as_ben.delete(url)
    calls = receiver.wait_for(3)
    assert [c.headers["X-Moco-Event"] for c in calls] == ["create", "update", "delete"]
    for call in calls:
        assert call.headers["X-Moco-Signature"] == signed(call.body)
        assert call.headers["X-Moco-Target"] == "Activity"
        assert call.headers["X-Moco-Origin"] == "api"
        assert call.headers["X-Moco-User-Id"] == str(BEN_ID)
        assert call.headers["X-Moco-Timestamp"] == str(int(NOW.timestamp() * 1000))
        assert call.headers["X-Moco-Account-Url"] == deliveries.ACCOUNT_URL
    assert calls[0].json == created  # the activity as the API showed it (rates visible)
    assert calls[1].json["description"] == "geändert"
    assert calls[2].json == {"id": created["id"]}
    # The receiver has the last call before the dispatcher has recorded its answer.
    assert moco.sim.webhooks.wait_idle(10)
    listed = moco.control_get("webhooks")
    assert [(d["state"], d["attempts"], d["status"]) for d in listed["deliveries"]] == [
        ("delivered", 1, 200)
    ] * 3
    assert len(receiver.calls) == 3


def test_the_api_answers_before_the_delivery_and_failures_are_retried(
    hooked: tuple[MocoHarness, Receiver],
) -> None:
    moco, receiver = hooked
    moco.control("webhooks/settings", {"paused": True})
    receiver.statuses = [500]
    answer = moco.client(ADMIN_KEY).post("/activities", json=BOOKING)
    assert answer.status_code == 200
    assert moco.control_get("webhooks")["deliveries"][0]["state"] == "pending"
    assert receiver.calls == []
    moco.control("webhooks/settings", {"paused": False})
    first, second = receiver.wait_for(2)
    assert first.body == second.body
    assert first.headers["X-Moco-Signature"] == second.headers["X-Moco-Signature"]
    assert moco.sim.webhooks.wait_idle(10)
    (delivery,) = moco.control_get("webhooks")["deliveries"]
    assert [a["status"] for a in delivery["answers"]] == [500, 200]


def test_timers_bulk_and_disregard_send_one_event_per_change(
    hooked: tuple[MocoHarness, Receiver],
) -> None:
    moco, receiver = hooked
    api = moco.client(ADMIN_KEY)
    one, two = api.post("/activities/bulk", json={"activities": [BOOKING, BOOKING]}).json()
    api.patch(f"/activities/{one['id']}/start_timer")
    api.patch(f"/activities/{one['id']}/stop_timer")
    disregard = {"activity_ids": [two["id"]], "reason": "Kulanz", "company_id": 760_896_001}
    api.post("/activities/disregard", json=disregard)
    api.post("/activities/disregard", json=disregard)  # already billed: nothing new
    calls = receiver.wait_for(5)
    assert moco.sim.webhooks.wait_idle(10)
    events = [(c.headers["X-Moco-Event"], c.json["id"]) for c in receiver.calls]
    assert events == [
        ("create", one["id"]),
        ("create", two["id"]),
        ("update", one["id"]),
        ("update", one["id"]),
        ("update", two["id"]),
    ]
    assert calls[4].json["billed"] is True


def test_hooks_made_through_the_api_deliver_only_their_event(moco: MocoHarness) -> None:
    api = moco.client(ADMIN_KEY)
    with receiving() as receiver:
        hook = {"target": "Activity", "event": "delete", "hook": receiver.url}
        made = api.post("/account/web_hooks", json=hook).json()
        api.post("/account/web_hooks", json={**hook, "event": "create"})
        disabled = api.post("/account/web_hooks", json={**hook, "event": "create"}).json()
        api.put(f"/account/web_hooks/{disabled['id']}/disable")
        moco.sim.seed({"activities": [{**BOOKING, "user_id": BEN_ID}]})  # seeding: silent
        created = api.post("/activities", json=BOOKING).json()
        api.delete(f"/activities/{created['id']}")
        calls = receiver.wait_for(2)
        assert moco.sim.webhooks.wait_idle(10)
    assert [c.headers["X-Moco-Event"] for c in receiver.calls] == ["create", "delete"]
    key = moco.state()["web_hook_key"]  # the account's own key signs
    assert (
        calls[1].headers["X-Moco-Signature"]
        == hmac.new(key.encode(), calls[1].body, hashlib.sha256).hexdigest()
    )
    assert made["event"] == "delete"


def test_a_hook_failing_again_and_again_is_disabled(
    moco: MocoHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("syncd.simulators.moco.simulator.DISABLE_AFTER", 3)
    with receiving() as receiver:
        receiver.statuses = [500] * 10
        moco.control("webhooks", {"url": receiver.url, "events": ["create"]})
        moco.control("webhooks/settings", {"retry_base": 0.01, "max_attempts": 3})
        moco.client(ADMIN_KEY).post("/activities", json=BOOKING)
        assert moco.sim.webhooks.wait_idle(10)
        (hook,) = moco.client(ADMIN_KEY).get("/account/web_hooks").json()
        assert (hook["disabled"], len(receiver.calls)) == (True, 3)
        moco.client(ADMIN_KEY).post("/activities", json=BOOKING)
        assert moco.sim.webhooks.wait_idle(10)
        assert len(receiver.calls) == 3  # a disabled hook gets nothing


def test_registration_is_checked(moco: MocoHarness) -> None:
    root = moco.running.root_url
    for body in ({"secret": "x"}, {"url": "ftp://x"}, {"url": "http://x", "events": ["move"]}):
        assert httpx.post(f"{root}/_sim/webhooks", json=body).status_code == 400
    assert moco.client(BEN_KEY).get("/account/web_hooks").status_code == 403
