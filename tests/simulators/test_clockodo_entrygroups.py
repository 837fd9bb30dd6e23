"""clockodo simulator: `GET /v2/entrygroups` totals and the PUT/DELETE confirm handshake."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from syncd.simulators.kit import utc_iso
from tests.simulators.clockodo_fixtures import (
    CUSTOMER,
    NOW,
    NY_WORKER,
    OTHER_CUSTOMER,
    OTHER_PROJECT,
    OTHER_SERVICE,
    OWNER,
    WORKER,
    ClockodoHarness,
    time_entry,
)

WEEK = {"time_since": "2026-11-16T00:00:00Z", "time_until": "2026-11-23T00:00:00Z"}
MONDAY = datetime(2026, 11, 16, 8, tzinfo=UTC)


def groups(client: httpx.Client, *grouping: str, **params: Any) -> list[dict[str, Any]]:
    answer = client.get("/v2/entrygroups", params={**WEEK, "grouping[]": list(grouping), **params})
    assert answer.status_code == 200, answer.text
    return answer.json()["groups"]  # type: ignore[no-any-return]


def seed_week(clockodo: ClockodoHarness) -> None:
    clockodo.seed(
        [
            time_entry(id=1, since=MONDAY, minutes=60, hourly_rate=100.0),
            time_entry(id=2, since=MONDAY + timedelta(days=1), minutes=30, hourly_rate=100.0),
            time_entry(
                id=3,
                since=MONDAY,
                minutes=120,
                customers_id=OTHER_CUSTOMER,
                projects_id=OTHER_PROJECT,
                services_id=OTHER_SERVICE,
                hourly_rate=80.0,
                text="Portal",
            ),
            time_entry(id=4, since=MONDAY, minutes=45, projects_id=None, billable=0, text="Intern"),
            time_entry(id=5, users_id=WORKER, since=MONDAY, minutes=15, hourly_rate=60.0),
            time_entry(id=6, since=NOW - timedelta(hours=1), time_until=None),  # running
        ]
    )


def test_groups_nest_in_request_order_with_totals(clockodo: ClockodoHarness) -> None:
    seed_week(clockodo)
    top = groups(clockodo.client(), "customers_id", "projects_id")
    assert [(g["group"], g["duration"]) for g in top] == [("10", 9000), ("11", 7200)]
    hotel = top[0]
    assert (hotel["grouped_by"], hotel["name"], hotel["number"], hotel["note"]) == (
        "customers_id",
        "Hotel Bergblick",
        "K-1",
        "VIP",
    )
    assert hotel["restrictions"] == {}
    assert hotel["revenue"] == 165.0  # 1.5 h at 100 + 0.25 h at 60; id 4 is not billable
    inner = {g["group"]: g for g in hotel["sub_groups"]}
    assert set(inner) == {"20", 0}  # 0 = without project, as a number
    assert inner["20"]["duration"] == 6300
    assert inner[0]["duration"] == 2700
    assert inner[0]["name"] == "Without project"
    assert inner["20"]["restrictions"] == {"customers_id": CUSTOMER}
    assert inner["20"]["sub_groups"] is None
    assert inner["20"]["hourly_rate"] == 94.29  # 165.0 / 1.75 h, to the cent
    assert inner["20"]["hourly_rate_is_equal_and_has_no_lumpsums"] is False


def test_time_groupings_use_the_owner_time_zone(clockodo: ClockodoHarness) -> None:
    clockodo.seed(
        [
            time_entry(id=1, users_id=NY_WORKER, since=datetime(2026, 11, 17, 3, tzinfo=UTC)),
            time_entry(id=2, users_id=OWNER, since=datetime(2026, 11, 17, 3, tzinfo=UTC)),
        ]
    )
    client = clockodo.client()
    days = groups(client, "day", "users_id")
    assert sorted(g["group"] for g in days) == ["2026-11-16", "2026-11-17"]
    by_day = {g["group"]: g["sub_groups"][0]["group"] for g in days}
    assert by_day == {"2026-11-16": str(NY_WORKER), "2026-11-17": str(OWNER)}
    (year,) = groups(client, "year")
    assert (year["group"], year["name"]) == (2026, "2026")  # a number, as observed
    (month,) = groups(client, "month")
    assert (month["group"], month["name"]) == ("202611", "November 2026")
    (week,) = groups(client, "week")
    assert week["group"] == "202647"


def test_rounding_applies_to_the_lowest_level(clockodo: ClockodoHarness) -> None:
    seed_week(clockodo)
    client = clockodo.client()
    hotel = groups(client, "customers_id", "users_id", round_to_minutes=20)[0]
    assert [g["duration"] for g in hotel["sub_groups"]] == [8400, 1200]  # 135→140, 15→20 min
    assert hotel["duration"] == 9600
    unrounded = groups(client, "customers_id", "users_id")[0]
    assert [g["duration"] for g in unrounded["sub_groups"]] == [8100, 900]


def test_other_groupings_and_filters(clockodo: ClockodoHarness) -> None:
    seed_week(clockodo)
    client = clockodo.client()
    billable = {g["group"]: g["name"] for g in groups(client, "billable")}
    assert billable == {"1": "Billable", "0": "Not billable"}
    texts = {g["name"]: g["duration"] for g in groups(client, "texts_id")}
    assert texts == {"Portal": 7200, "Intern": 2700, "Without description": 6300}
    only_worker = groups(client, "users_id", **{"filter[users_id]": WORKER})
    assert [(g["group"], g["restrictions"]) for g in only_worker] == [("2", {"users_id": WORKER})]
    own = groups(clockodo.client(WORKER), "users_id")
    assert [g["group"] for g in own] == ["2"]
    lumps = groups(client, "is_lumpsum")
    assert [(g["group"], g["name"]) for g in lumps] == [("0", "Time entries")]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({**WEEK}, "grouping"),
        ({**WEEK, "grouping[]": "months"}, "grouping"),
        ({"time_until": WEEK["time_until"], "grouping[]": "year"}, "time_since"),
        ({**WEEK, "grouping[]": "year", "filter[billable]": "12"}, "filter[billable]"),
        ({**WEEK, "grouping[]": "year", "round_to_minutes": "-5"}, "round_to_minutes"),
    ],
)
def test_bad_group_requests_are_400(
    clockodo: ClockodoHarness, params: dict[str, str], field: str
) -> None:
    answer = clockodo.client().get("/v2/entrygroups", params=params)
    assert answer.status_code == 400
    assert answer.json()["error"]["fields"] == [field]


def test_indexed_grouping_parameters_work_too(clockodo: ClockodoHarness) -> None:
    seed_week(clockodo)
    params = {**WEEK, "grouping[0]": "users_id", "grouping[1]": "customers_id"}
    top = clockodo.client().get("/v2/entrygroups", params=params).json()["groups"]
    assert [g["grouped_by"] for g in top] == ["users_id", "users_id"]
    assert top[0]["sub_groups"][0]["grouped_by"] == "customers_id"


# -- the handshake ----------------------------------------------------------------------
def bulk_body(**changes: Any) -> dict[str, Any]:
    return {**WEEK, "filter": {"customers_id": CUSTOMER}, **changes}


def billables(clockodo: ClockodoHarness) -> dict[int, int]:
    return {e["id"]: e["billable"] for e in clockodo.state()["entries"]}


def test_put_handshake_changes_nothing_until_confirmed(clockodo: ClockodoHarness) -> None:
    seed_week(clockodo)
    clockodo.sim.account.entries[2].billable = 2  # already billed
    client = clockodo.client()
    before = billables(clockodo)
    first = client.put("/v2/entrygroups", json=bulk_body(billable=2))
    assert first.status_code == 200
    key, affected = first.json()["confirm_key"], first.json()["affected_entries"]
    assert affected == 5  # ids 1, 2, 4, 5 and the running 6 of customer 10
    assert billables(clockodo) == before
    confirmed = client.put("/v2/entrygroups", json=bulk_body(billable=2, confirm_key=key))
    assert confirmed.json() == {"success": True, "edited_entries": 4}  # 2 was billed already
    assert billables(clockodo) == {1: 2, 2: 2, 3: 1, 4: 2, 5: 2, 6: 2}
    again = client.put("/v2/entrygroups", json=bulk_body(billable=2, confirm_key=key))
    assert again.status_code == 400
    assert again.json()["error"]["fields"] == ["confirm_key"]


def test_a_key_is_bound_to_its_exact_request_and_caller(clockodo: ClockodoHarness) -> None:
    seed_week(clockodo)
    client = clockodo.client()
    key = client.put("/v2/entrygroups", json=bulk_body(text="Neu")).json()["confirm_key"]
    for wrong in (
        bulk_body(text="Anders", confirm_key=key),
        {**bulk_body(text="Neu", confirm_key=key), "filter": {"customers_id": OTHER_CUSTOMER}},
        {**bulk_body(text="Neu", confirm_key=key), "time_until": "2026-11-24T00:00:00Z"},
    ):
        mismatch = client.put("/v2/entrygroups", json=wrong)
        assert mismatch.status_code == 400
        assert "different request" in mismatch.json()["error"]["message"]
    worker = clockodo.client(WORKER).put(
        "/v2/entrygroups", json=bulk_body(text="Neu", confirm_key=key)
    )
    assert worker.status_code == 400
    deleting = client.delete("/v2/entrygroups", params={**WEEK, "confirm_key": key})
    assert deleting.status_code == 400
    assert {e["text"] for e in clockodo.state()["entries"]} == {None, "Portal", "Intern"}
    done = client.put("/v2/entrygroups", json=bulk_body(text="Neu", confirm_key=key))
    assert done.json() == {"success": True, "edited_entries": 5}
    texts = {e["id"]: e["text"] for e in clockodo.state()["entries"]}
    assert texts == {1: "Neu", 2: "Neu", 3: "Portal", 4: "Neu", 5: "Neu", 6: "Neu"}


def test_put_validates_before_issuing_a_key(clockodo: ClockodoHarness) -> None:
    seed_week(clockodo)
    client = clockodo.client()
    nothing = client.put("/v2/entrygroups", json=bulk_body())
    assert nothing.status_code == 400
    no_window = client.put("/v2/entrygroups", json={"billable": 2})
    assert no_window.json()["error"]["fields"] == ["time_since", "time_until"]
    wrong_project = client.put("/v2/entrygroups", json=bulk_body(projects_id=OTHER_PROJECT))
    assert wrong_project.status_code == 422
    assert wrong_project.json()["errors"][0]["type"] == "InvalidCombination"
    assert client.put("/v2/entrygroups", json=bulk_body(billable=12)).status_code == 400
    forbidden = clockodo.client(WORKER).put("/v2/entrygroups", json=bulk_body(users_id=OWNER))
    assert forbidden.status_code == 403


def test_locked_or_billed_entries_fail_the_whole_request(clockodo: ClockodoHarness) -> None:
    seed_week(clockodo)
    client = clockodo.client()
    clockodo.control("edit_locks", {"users_id": WORKER, "date": "2026-11-16"})
    locked = client.put("/v2/entrygroups", json=bulk_body(billable=0))
    assert locked.status_code == 403
    unlocked_only = {**bulk_body(billable=0), "filter": {"users_id": OWNER}}
    key = client.put("/v2/entrygroups", json=unlocked_only).json()["confirm_key"]
    assert (
        client.put("/v2/entrygroups", json={**unlocked_only, "confirm_key": key}).status_code == 200
    )
    clockodo.sim.account.entries[3].billable = 2
    retext = {**WEEK, "filter": {"customers_id": OTHER_CUSTOMER}, "text": "x"}
    assert client.put("/v2/entrygroups", json=retext).status_code == 403
    assert billables(clockodo)[5] == 1  # the locked worker entry kept its value


def test_delete_handshake(clockodo: ClockodoHarness) -> None:
    seed_week(clockodo)
    client = clockodo.client()
    query: dict[str, str | int] = {
        **WEEK,
        "filter[customers_id]": CUSTOMER,
        "filter[users_id]": OWNER,
    }
    first = client.delete("/v2/entrygroups", params=query)
    key, affected = first.json()["confirm_key"], first.json()["affected_entries"]
    assert affected == 4
    assert len(clockodo.state()["entries"]) == 6
    other_query = {**query, "filter[users_id]": WORKER, "confirm_key": key}
    assert client.delete("/v2/entrygroups", params=other_query).status_code == 400
    done = client.delete("/v2/entrygroups", params={**query, "confirm_key": key})
    assert done.json() == {"success": True, "edited_entries": 4}
    assert sorted(e["id"] for e in clockodo.state()["entries"]) == [3, 5]
    assert client.get("/v2/entries/1").status_code == 404
    reused = client.delete("/v2/entrygroups", params={**query, "confirm_key": key})
    assert reused.status_code == 400
    clockodo.sim.account.entries[3].billable = 2
    billed: dict[str, str | int] = {**WEEK, "filter[customers_id]": OTHER_CUSTOMER}
    assert client.delete("/v2/entrygroups", params=billed).status_code == 403


def test_running_entries_count_in_no_group_total(clockodo: ClockodoHarness) -> None:
    clockodo.seed([time_entry(id=1, since=NOW - timedelta(hours=2), time_until=None)])
    window = {"time_since": utc_iso(NOW - timedelta(days=1)), "time_until": utc_iso(NOW)}
    answer = clockodo.client().get("/v2/entrygroups", params={**window, "grouping[]": "users_id"})
    assert answer.json() == {"groups": []}


def test_delete_reads_its_parameters_from_a_json_body_too(clockodo: ClockodoHarness) -> None:
    seed_week(clockodo)
    client = clockodo.client()
    body = {**WEEK, "filter": {"customers_id": CUSTOMER, "users_id": OWNER}}
    first = client.request("DELETE", "/v2/entrygroups", json=body)
    assert first.status_code == 200, first.text
    assert first.json()["affected_entries"] == 4
    key = first.json()["confirm_key"]
    # The key binds to the parameters, not to where they were sent.
    query: dict[str, str | int] = {
        **WEEK,
        "filter[customers_id]": CUSTOMER,
        "filter[users_id]": OWNER,
        "confirm_key": key,
    }
    done = client.delete("/v2/entrygroups", params=query)
    assert done.json() == {"success": True, "edited_entries": 4}
    assert sorted(e["id"] for e in clockodo.state()["entries"]) == [3, 5]
    missing = client.request("DELETE", "/v2/entrygroups", json={"filter": {"users_id": OWNER}})
    assert missing.status_code == 400
    assert missing.json()["error"]["fields"] == ["time_since", "time_until"]


def test_a_none_group_carries_number_and_note_as_null(clockodo: ClockodoHarness) -> None:
    seed_week(clockodo)
    by_project = groups(clockodo.client(), "customers_id", "projects_id")
    hotel = next(g for g in by_project if g["group"] == str(CUSTOMER))
    without = next(g for g in hotel["sub_groups"] if g["group"] == 0)
    assert (without["name"], without["number"], without["note"]) == ("Without project", None, None)
    with_project = next(g for g in hotel["sub_groups"] if g["group"] != 0)
    assert {"number", "note"} <= set(with_project)


def test_entry_group_filters_start_at_1(clockodo: ClockodoHarness) -> None:
    seed_week(clockodo)
    answer = clockodo.client().get(
        "/v2/entrygroups", params={**WEEK, "grouping[]": "users_id", "filter[projects_id]": 0}
    )
    assert answer.status_code == 400
    assert answer.json()["error"]["fields"] == ["filter[projects_id]"]
