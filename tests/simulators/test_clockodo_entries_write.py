"""clockodo simulator: creating, updating and deleting entries, with the rules."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from tests.simulators.clockodo_fixtures import (
    COMPLETED_PROJECT,
    CUSTOMER,
    INACTIVE_CUSTOMER,
    INACTIVE_PROJECT,
    INACTIVE_SERVICE,
    INACTIVE_USER,
    LUMPSUM_SERVICE,
    NY_WORKER,
    OTHER_CUSTOMER,
    OTHER_PROJECT,
    OWNER,
    WORKER,
    ClockodoHarness,
    new_entry_body,
    time_entry,
)

MONDAY_9 = datetime(2026, 11, 16, 9, tzinfo=UTC)  # 10:00 in Berlin


def create(client: httpx.Client, **fields: Any) -> dict[str, Any]:
    answer = client.post("/v2/entries", json=new_entry_body(**fields))
    assert answer.status_code == 200, answer.text
    entry: dict[str, Any] = answer.json()["entry"]
    return entry


def error_of(answer: httpx.Response) -> dict[str, Any]:
    (error,) = answer.json()["errors"]
    return error  # type: ignore[no-any-return]


def test_create_answers_the_stored_entry_exactly(clockodo: ClockodoHarness) -> None:
    text = "  Zeile 1\n\tZeile 2 – äöü  "
    entry = create(clockodo.client(), text=text, hourly_rate=95.5)
    assert entry == {
        "id": entry["id"],
        "customers_id": CUSTOMER,
        "projects_id": 20,
        "subprojects_id": None,
        "users_id": OWNER,
        "billable": 1,
        "texts_id": entry["texts_id"],
        "text": text,
        "time_since": "2026-11-16T08:00:00Z",
        "time_until": "2026-11-16T09:00:00Z",
        "time_insert": "2026-11-20T10:00:00Z",
        "time_last_change": "2026-11-20T10:00:00Z",
        "test_data": False,
        "type": 1,
        "services_id": 30,
        "duration": 3600,
        "time_last_change_work_time": "2026-11-20T10:00:00Z",
        "time_clocked_since": None,
        "clocked": False,
        "clocked_offline": False,
        "hourly_rate": 95.5,
    }
    assert clockodo.client().get(f"/v2/entries/{entry['id']}").json()["entry"] == entry


def test_milliseconds_and_offsets_are_normalised_to_utc_seconds(clockodo: ClockodoHarness) -> None:
    entry = create(
        clockodo.client(),
        time_since="2026-11-16T09:00:00.750+01:00",
        time_until="2026-11-16T10:30:00+01:00",
    )
    assert (entry["time_since"], entry["time_until"]) == (
        "2026-11-16T08:00:00Z",
        "2026-11-16T09:30:00Z",
    )
    assert entry["duration"] == 5400


def test_identical_texts_share_a_text_id_and_empty_text_is_null(clockodo: ClockodoHarness) -> None:
    client = clockodo.client()
    first, second = create(client, text="Review"), create(client, text="Review")
    other = create(client, text="review")
    assert first["texts_id"] == second["texts_id"] != other["texts_id"]
    empty = create(client, text="")
    assert (empty["text"], empty["texts_id"]) == (None, None)


def test_owner_books_for_others_workers_only_for_themselves(clockodo: ClockodoHarness) -> None:
    assert create(clockodo.client(OWNER), users_id=NY_WORKER)["users_id"] == NY_WORKER
    worker = clockodo.client(WORKER)
    assert create(worker)["users_id"] == WORKER
    assert create(worker, users_id=WORKER)["users_id"] == WORKER
    refused = worker.post("/v2/entries", json=new_entry_body(users_id=OWNER))
    assert refused.status_code == 403
    assert error_of(refused)["type"] == "Forbidden"
    unknown = clockodo.client().post("/v2/entries", json=new_entry_body(users_id=99))
    assert (unknown.status_code, error_of(unknown)["path"]) == (404, "users_id")
    inactive = clockodo.client().post("/v2/entries", json=new_entry_body(users_id=INACTIVE_USER))
    assert (inactive.status_code, error_of(inactive)["type"]) == (422, "HasToBeActive")


@pytest.mark.parametrize("missing", ["customers_id", "services_id", "billable", "time_since"])
def test_create_needs_the_documented_fields(clockodo: ClockodoHarness, missing: str) -> None:
    body = new_entry_body()
    del body[missing]
    answer = clockodo.client().post("/v2/entries", json=body)
    assert answer.status_code == 400
    assert answer.json()["error"]["fields"] == [missing]


@pytest.mark.parametrize(
    ("fields", "bad"),
    [
        ({"billable": 2}, "billable"),  # billed cannot be set on create
        ({"time_until": "tomorrow"}, "time_until"),
        ({"customers_id": "ten"}, "customers_id"),
        ({"text": 5}, "text"),
        ({"hourly_rate": -1}, "hourly_rate"),
    ],
)
def test_malformed_fields_are_400(
    clockodo: ClockodoHarness, fields: dict[str, Any], bad: str
) -> None:
    answer = clockodo.client().post("/v2/entries", json=new_entry_body(**fields))
    assert answer.status_code == 400
    assert answer.json()["error"]["fields"] == [bad]


def test_a_body_must_be_a_json_object(clockodo: ClockodoHarness) -> None:
    client = clockodo.client()
    for content in (b"[1, 2]", b"{not json"):
        answer = client.post("/v2/entries", content=content)
        assert answer.status_code == 400
        assert answer.json()["error"]["fields"] == ["body"]


@pytest.mark.parametrize(
    ("fields", "status", "error_type", "path"),
    [
        ({"customers_id": 99}, 404, "ResourceNotFound", "customers_id"),
        ({"projects_id": 99}, 404, "ResourceNotFound", "projects_id"),
        ({"services_id": 99}, 404, "ResourceNotFound", "services_id"),
        ({"subprojects_id": 5}, 404, "ResourceNotFound", "subprojects_id"),
        (
            {"customers_id": INACTIVE_CUSTOMER, "projects_id": None},
            422,
            "HasToBeActive",
            "customers_id",
        ),
        ({"projects_id": INACTIVE_PROJECT}, 422, "HasToBeActive", "projects_id"),
        ({"services_id": INACTIVE_SERVICE}, 422, "HasToBeActive", "services_id"),
        ({"projects_id": COMPLETED_PROJECT}, 422, "ProjectIsCompleted", "projects_id"),
        ({"projects_id": OTHER_PROJECT}, 422, "InvalidCombination", "projects_id"),
        ({"time_until": "2026-11-16T07:59:59Z"}, 422, "EndBeforeStart", "time_until"),
        ({"duration": 3599}, 422, "InvalidCombination", "duration"),
    ],
)
def test_semantic_errors_use_the_spec_error_types(
    clockodo: ClockodoHarness, fields: dict[str, Any], status: int, error_type: str, path: str
) -> None:
    answer = clockodo.client().post("/v2/entries", json=new_entry_body(**fields))
    assert answer.status_code == status
    error = error_of(answer)
    assert (error["type"], error["path"]) == (error_type, path)
    assert clockodo.state()["entries"] == []


def test_lump_sums_can_be_created(clockodo: ClockodoHarness) -> None:
    client = clockodo.client()
    value = client.post(
        "/v2/entries",
        json={
            "customers_id": CUSTOMER,
            "services_id": 30,
            "billable": 1,
            "time_since": "2026-11-16T12:00:00Z",
            "lumpsum": 99.5,
        },
    ).json()["entry"]
    assert (value["type"], value["lumpsum"], value["time_until"]) == (2, 99.5, value["time_since"])
    service = client.post(
        "/v2/entries",
        json={
            "customers_id": CUSTOMER,
            "lumpsum_services_id": LUMPSUM_SERVICE,
            "lumpsum_services_amount": 3,
            "billable": 0,
            "time_since": "2026-11-16T12:00:00Z",
        },
    ).json()["entry"]
    assert (service["type"], service["lumpsum_services_amount"]) == (3, 3.0)
    missing = client.post(
        "/v2/entries",
        json={"customers_id": CUSTOMER, "lumpsum_services_id": LUMPSUM_SERVICE, "billable": 0},
    )
    assert missing.json()["error"]["fields"] == ["lumpsum_services_amount", "time_since"]


# -- updates ------------------------------------------------------------------------
def put(client: httpx.Client, entry_id: int, **body: Any) -> httpx.Response:
    return client.put(f"/v2/entries/{entry_id}", json=body)


def test_partial_update_changes_only_what_it_names(clockodo: ClockodoHarness) -> None:
    client = clockodo.client()
    entry = create(client, text="alt")
    clockodo.control("clock", {"now": "2026-11-20T11:00:00Z"})
    answer = put(client, entry["id"], text="neu", billable=0)
    assert answer.status_code == 200
    assert answer.json()["running"] is None
    updated = answer.json()["entry"]
    assert {k for k in entry if entry[k] != updated[k]} == {
        "text",
        "texts_id",
        "billable",
        "time_last_change",
    }
    assert updated["time_last_change"] == "2026-11-20T11:00:00Z"
    assert updated["time_last_change_work_time"] == entry["time_last_change_work_time"]
    cleared = put(client, entry["id"], text="").json()["entry"]
    assert (cleared["text"], cleared["texts_id"]) == (None, None)


def test_a_no_op_update_keeps_time_last_change(clockodo: ClockodoHarness) -> None:
    client = clockodo.client()
    entry = create(client)
    clockodo.control("clock", {"now": "2026-11-20T11:00:00Z"})
    same = put(client, entry["id"], text=entry["text"], billable=1, id=entry["id"]).json()["entry"]
    assert same == entry  # read-only fields such as `id` are ignored


def test_times_stay_linked_to_the_duration(clockodo: ClockodoHarness) -> None:
    client = clockodo.client()
    entry_id = create(client)["id"]  # 08:00-09:00
    by_duration = put(client, entry_id, duration=1800).json()["entry"]
    assert (by_duration["time_until"], by_duration["duration"]) == ("2026-11-16T08:30:00Z", 1800)
    by_end = put(client, entry_id, time_until="2026-11-16T10:00:00Z").json()["entry"]
    assert by_end["duration"] == 7200
    by_start = put(client, entry_id, time_since="2026-11-16T09:00:00Z").json()["entry"]
    assert (by_start["time_until"], by_start["duration"]) == ("2026-11-16T10:00:00Z", 3600)
    assert by_start["time_last_change_work_time"] == "2026-11-20T10:00:00Z"
    both = put(client, entry_id, time_until="2026-11-16T09:30:00Z", duration=1800).json()
    assert both["entry"]["duration"] == 1800
    clash = put(client, entry_id, time_until="2026-11-16T11:00:00Z", duration=60)
    assert (clash.status_code, error_of(clash)["type"]) == (422, "InvalidCombination")
    backwards = put(client, entry_id, time_until="2026-11-16T08:00:00Z")
    assert (backwards.status_code, error_of(backwards)["type"]) == (422, "EndBeforeStart")
    not_running = put(client, entry_id, time_until=None)
    assert not_running.json()["error"]["fields"] == ["time_until"]


def test_update_validates_changed_references(clockodo: ClockodoHarness) -> None:
    client = clockodo.client()
    entry_id = create(client)["id"]
    mismatch = put(client, entry_id, customers_id=OTHER_CUSTOMER)
    assert (mismatch.status_code, error_of(mismatch)["type"]) == (422, "InvalidCombination")
    moved = put(client, entry_id, customers_id=OTHER_CUSTOMER, projects_id=OTHER_PROJECT)
    assert moved.json()["entry"]["projects_id"] == OTHER_PROJECT
    assert put(client, entry_id, services_id=INACTIVE_SERVICE).status_code == 422
    assert put(client, entry_id, users_id=WORKER).json()["entry"]["users_id"] == WORKER
    lumpsum_field = put(client, entry_id, lumpsum=5)
    assert lumpsum_field.json()["error"]["fields"] == ["lumpsum"]
    assert put(client, 999, text="x").status_code == 404


def test_workers_cannot_move_entries_to_others(clockodo: ClockodoHarness) -> None:
    worker = clockodo.client(WORKER)
    entry_id = create(worker)["id"]
    assert put(worker, entry_id, users_id=OWNER).status_code == 403
    clockodo.seed([time_entry(id=50, users_id=OWNER)])
    assert put(worker, 50, text="mine now").status_code == 403


def test_billed_entries_only_accept_unbilling(clockodo: ClockodoHarness) -> None:
    client = clockodo.client()
    entry_id = create(client)["id"]
    assert put(client, entry_id, billable=2).json()["entry"]["billable"] == 2
    refused = put(client, entry_id, text="nachträglich")
    assert refused.status_code == 403
    assert "billed" in error_of(refused)["message"]
    assert client.delete(f"/v2/entries/{entry_id}").status_code == 403
    assert put(client, entry_id, billable=2, text="Konzept").status_code == 200  # no change
    assert put(client, entry_id, billable=1).json()["entry"]["billable"] == 1
    assert put(client, entry_id, text="nachträglich").status_code == 200


def test_edit_lock_blocks_create_change_and_delete_on_or_before_its_date(
    clockodo: ClockodoHarness,
) -> None:
    clockodo.seed([time_entry(id=1, since=MONDAY_9), time_entry(id=2)])
    lock = clockodo.control("edit_locks", {"users_id": OWNER, "date": "2026-11-16"})
    assert lock.json() == {"users_id": OWNER, "edit_lock": "2026-11-16"}
    client = clockodo.client()
    assert client.get("/v3/users/1").json()["data"]["edit_lock"] == "2026-11-16"
    # 2026-11-16T23:30Z is already the 17th in Berlin: not locked.
    late_sunday_utc = new_entry_body(
        time_since="2026-11-16T23:30:00Z", time_until="2026-11-17T00:30:00Z"
    )
    assert client.post("/v2/entries", json=late_sunday_utc).status_code == 200
    refused = [
        client.post("/v2/entries", json=new_entry_body()),
        put(client, 1, text="x"),
        client.delete("/v2/entries/1"),
        put(client, 2, time_since="2026-11-16T10:00:00Z"),  # moving into the lock
    ]
    for answer in refused:
        assert answer.status_code == 403
        assert error_of(answer)["path"] == "time_since"
        assert "edit lock" in error_of(answer)["message"]
    assert client.post("/v2/entries", json=new_entry_body(users_id=WORKER)).status_code == 200
    clockodo.control("edit_locks", {"users_id": OWNER, "date": None})
    assert put(client, 1, text="x").status_code == 200
    bad = clockodo.control("edit_locks", {"users_id": 99, "date": "2026-11-16"})
    assert bad.status_code == 404


def test_delete_removes_the_entry_for_good(clockodo: ClockodoHarness) -> None:
    client = clockodo.client()
    entry_id = create(client)["id"]
    deleted = client.delete(f"/v2/entries/{entry_id}")
    assert (deleted.status_code, deleted.json()) == (200, {"success": True})
    assert client.get(f"/v2/entries/{entry_id}").status_code == 404
    assert client.delete(f"/v2/entries/{entry_id}").status_code == 404
    assert create(client)["id"] != entry_id  # ids are never reused
