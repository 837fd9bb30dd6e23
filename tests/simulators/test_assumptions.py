"""Switchable assumptions: each guess can be run either way, from a seed or the control API."""

from __future__ import annotations

import httpx
import pytest

from syncd.simulators.assumptions import Assumption, Assumptions
from syncd.simulators.moco.agency import ADMIN_KEY
from tests.simulators.clockodo_fixtures import (
    OWNER,
    ClockodoHarness,
    new_entry_body,
    small_seed,
    time_entry,
)
from tests.simulators.moco_fixtures import MocoHarness


def test_the_table_checks_names_and_choices() -> None:
    table = Assumptions([Assumption("flag", True, (True, False), "why")], {"flag": False})
    assert table["flag"] is False  # the initial value overrides the default
    with pytest.raises(ValueError, match="unknown assumption"):
        table.update({"other": 1})
    with pytest.raises(ValueError, match="takes one of"):
        table.update({"flag": 1})  # 1 == True, but not a bool
    table.update({"flag": True})
    table.reset()
    assert table["flag"] is False
    assert table.describe()[0] | {"why": ""} == {
        "name": "flag",
        "value": False,
        "default": True,
        "choices": [True, False],
        "why": "",
    }


def test_clockodo_billed_entries_are_read_only_unless_switched(clockodo: ClockodoHarness) -> None:
    clockodo.seed([time_entry(id=1, billable=2), time_entry(id=2, billable=2)])
    client = clockodo.client(OWNER)
    assert client.delete("/v2/entries/1").status_code == 403
    assert client.put("/v2/entries/1", json={"text": "neu"}).status_code == 403
    switched = clockodo.control("assumptions", {"billed_entries_read_only": False})
    assert {a["name"]: a["value"] for a in switched.json()}["billed_entries_read_only"] is False
    assert client.put("/v2/entries/1", json={"text": "neu"}).status_code == 200
    assert client.delete("/v2/entries/1").json() == {"success": True}
    clockodo.control("reset")
    clockodo.seed([time_entry(id=2, billable=2)])
    assert client.delete("/v2/entries/2").status_code == 403  # reset restores the default


def test_clockodo_create_with_billable_2_from_a_seed(clockodo: ClockodoHarness) -> None:
    client = clockodo.client(OWNER)
    refused = client.post("/v2/entries", json=new_entry_body(billable=2))
    assert (refused.status_code, refused.json()["error"]["fields"]) == (400, ["billable"])
    seed = {**small_seed(), "assumptions": {"create_accepts_billed": True}}
    assert httpx.post(f"{clockodo.running.root_url}/_sim/seed", json=seed).status_code == 200
    accepted = client.post("/v2/entries", json=new_entry_body(billable=2))
    assert accepted.json()["entry"]["billable"] == 2
    bad = {**small_seed(), "assumptions": {"create_accepts_billed": "yes"}}
    answer = httpx.post(f"{clockodo.running.root_url}/_sim/seed", json=bad)
    assert answer.status_code == 400
    assert "takes one of" in answer.json()["error"]


def test_moco_delete_status_is_switchable(moco: MocoHarness) -> None:
    api = moco.client(ADMIN_KEY)
    listed = moco.control_get("assumptions")
    assert [a["name"] for a in listed] == ["delete_status"]
    booking = {"date": "2026-11-20", "project_id": 945_371_001, "task_id": 7_281_001}
    first, second = (api.post("/activities", json=booking).json()["id"] for _ in range(2))
    assert api.delete(f"/activities/{first}").status_code == 200
    moco.control("assumptions", {"delete_status": 204})
    gone = api.delete(f"/activities/{second}")
    assert (gone.status_code, gone.content) == (204, b"")
