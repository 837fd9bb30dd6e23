"""clockodo simulator: `GET /v2/entries` (window, paging, filters) and `GET /v2/entries/{id}`."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest

from syncd.simulators.kit import utc_iso
from tests.simulators.clockodo_fixtures import (
    LUMPSUM_SERVICE,
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
MONDAY = NOW - timedelta(days=4)


def ids(answer: httpx.Response) -> list[int]:
    assert answer.status_code == 200, answer.text
    return [entry["id"] for entry in answer.json()["entries"]]


def listing(client: httpx.Client, **params: Any) -> httpx.Response:
    return client.get("/v2/entries", params={**WEEK, **params})


def test_window_holds_entries_starting_in_it_half_open(clockodo: ClockodoHarness) -> None:
    start = MONDAY.replace(hour=0)
    clockodo.seed(
        [
            time_entry(id=1, since=start - timedelta(seconds=1)),  # starts before, ends inside
            time_entry(id=2, since=start),
            time_entry(id=3, since=start + timedelta(days=7) - timedelta(seconds=1)),
            time_entry(id=4, since=start + timedelta(days=7)),
        ]
    )
    assert ids(listing(clockodo.client())) == [2, 3]


def test_order_is_time_since_then_id(clockodo: ClockodoHarness) -> None:
    clockodo.seed(
        [
            time_entry(id=9, since=MONDAY + timedelta(hours=2)),
            time_entry(id=7, since=MONDAY),
            time_entry(id=5, since=MONDAY + timedelta(hours=2)),
        ]
    )
    assert ids(listing(clockodo.client())) == [7, 5, 9]


def test_a_running_entry_shows_whenever_the_window_covers_now(clockodo: ClockodoHarness) -> None:
    started = NOW - timedelta(days=2)
    clockodo.seed([time_entry(id=1, since=started, time_until=None)])
    client = clockodo.client()
    around_now = {"time_since": utc_iso(NOW - timedelta(hours=1)), "time_until": utc_iso(NOW)}
    assert ids(client.get("/v2/entries", params=around_now)) == []  # now is excluded
    around_now["time_until"] = utc_iso(NOW + timedelta(hours=1))
    (running,) = client.get("/v2/entries", params=around_now).json()["entries"]
    assert (running["time_until"], running["duration"], running["clocked"]) == (None, None, True)
    assert running["time_clocked_since"] == running["time_since"] == utc_iso(started)
    earlier = {"time_since": utc_iso(started), "time_until": utc_iso(NOW - timedelta(days=1))}
    assert ids(client.get("/v2/entries", params=earlier)) == [1]


@pytest.mark.parametrize(
    ("params", "fields"),
    [
        ({}, ["time_since", "time_until"]),
        ({"time_since": "2026-11-16T00:00:00Z"}, ["time_until"]),
        ({"time_since": "yesterday", "time_until": "2026-11-17T00:00:00Z"}, ["time_since"]),
        (
            {"time_since": "2026-11-16T00:00:00", "time_until": "2026-11-17T00:00:00Z"},
            ["time_since"],
        ),
        (
            {"time_since": "2026-11-17T00:00:00Z", "time_until": "2026-11-16T00:00:00Z"},
            ["time_until"],
        ),
        ({**WEEK, "items_per_page": "1001"}, ["items_per_page"]),
        ({**WEEK, "items_per_page": "0"}, ["items_per_page"]),
        ({**WEEK, "page": "0"}, ["page"]),
        ({**WEEK, "filter[billable]": "3"}, ["filter[billable]"]),
        ({**WEEK, "filter[users_id]": "me"}, ["filter[users_id]"]),
        ({**WEEK, "enhanced_list": "maybe"}, ["enhanced_list"]),
    ],
)
def test_bad_list_parameters_are_400_naming_them(
    clockodo: ClockodoHarness, params: dict[str, str], fields: list[str]
) -> None:
    answer = clockodo.client().get("/v2/entries", params=params)
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == 400
    assert answer.json()["error"]["fields"] == fields


def test_empty_window_is_one_empty_page(clockodo: ClockodoHarness) -> None:
    answer = listing(clockodo.client())
    assert answer.json() == {
        "paging": {"items_per_page": 1000, "current_page": 1, "count_pages": 1, "count_items": 0},
        "entries": [],
    }


def _many(count: int) -> list[dict[str, Any]]:
    return [time_entry(since=MONDAY + timedelta(minutes=n), minutes=1) for n in range(count)]


def test_exactly_1000_entries_fill_one_page(clockodo: ClockodoHarness) -> None:
    clockodo.seed(_many(1000))
    answer = listing(clockodo.client(validate=False), items_per_page=1000)
    assert answer.json()["paging"] == {
        "items_per_page": 1000,
        "current_page": 1,
        "count_pages": 1,
        "count_items": 1000,
    }
    assert len(answer.json()["entries"]) == 1000


def test_1001_entries_take_two_pages_of_the_default_size(clockodo: ClockodoHarness) -> None:
    clockodo.seed(_many(1001))
    client = clockodo.client(validate=False)
    first = listing(client).json()  # the default page size is 1000
    second = listing(client, page=2).json()
    assert first["paging"]["count_pages"] == second["paging"]["count_pages"] == 2
    assert (len(first["entries"]), len(second["entries"])) == (1000, 1)
    assert second["paging"]["current_page"] == 2
    all_ids = [e["id"] for e in first["entries"] + second["entries"]]
    assert len(set(all_ids)) == 1001


def test_small_pages_walk_every_entry_once(clockodo: ClockodoHarness) -> None:
    clockodo.seed(_many(5))
    client = clockodo.client()
    pages = [listing(client, items_per_page=2, page=n).json() for n in (1, 2, 3, 4)]
    assert [len(p["entries"]) for p in pages] == [2, 2, 1, 0]  # past the end: empty
    assert {p["paging"]["count_pages"] for p in pages} == {3}
    walked = [e["id"] for p in pages for e in p["entries"]]
    assert walked == ids(listing(client))


def test_filters(clockodo: ClockodoHarness) -> None:
    clockodo.seed(
        [
            time_entry(id=1, text="Konzept Startseite", billable=0),
            time_entry(id=2, text="konzept Footer", billable=1, projects_id=None),
            time_entry(
                id=3,
                customers_id=OTHER_CUSTOMER,
                projects_id=OTHER_PROJECT,
                services_id=OTHER_SERVICE,
                billable=2,
                text="Konzept Startseite",
            ),
            time_entry(id=4, users_id=WORKER),
            {
                "id": 5,
                "type": 3,
                "users_id": OWNER,
                "customers_id": OTHER_CUSTOMER,
                "lumpsum_services_id": LUMPSUM_SERVICE,
                "lumpsum_services_amount": 12,
                "time_since": utc_iso(MONDAY),
            },
        ]
    )
    client = clockodo.client()
    texts_id = client.get("/v2/entries/1").json()["entry"]["texts_id"]
    cases = {
        "users_id": (WORKER, [4]),
        "customers_id": (OTHER_CUSTOMER, [3, 5]),
        "projects_id": (OTHER_PROJECT, [3]),
        "services_id": (OTHER_SERVICE, [3]),
        "lumpsum_services_id": (LUMPSUM_SERVICE, [5]),
        "texts_id": (texts_id, [1, 3]),
        "text": ("KONZEPT", [1, 2, 3]),
    }
    for key, (value, expected) in cases.items():
        assert sorted(ids(listing(client, **{f"filter[{key}]": value}))) == expected, key
    by_billable = {
        b: sorted(ids(listing(client, **{"filter[billable]": b}))) for b in (0, 1, 2, 12)
    }
    assert by_billable == {0: [1], 1: [2, 4, 5], 2: [3], 12: [2, 3, 4, 5]}
    assert ids(listing(client, **{"filter[projects_id]": 0})) == [5, 2]  # 0 = without project
    both = listing(client, **{"filter[customers_id]": OTHER_CUSTOMER, "filter[billable]": 2})
    assert ids(both) == [3]


def test_enhanced_list_adds_names_and_revenue(clockodo: ClockodoHarness) -> None:
    clockodo.seed([time_entry(id=1, minutes=90, hourly_rate=100.0, text="x")])
    plain = listing(clockodo.client()).json()["entries"][0]
    assert "customers_name" not in plain
    assert plain["hourly_rate"] == 100.0
    assert plain["text"] == "x"
    enhanced = listing(clockodo.client(), enhanced_list="true").json()["entries"][0]
    assert enhanced["customers_name"] == "Hotel Bergblick"
    assert enhanced["projects_name"] == "Relaunch"
    assert enhanced["services_name"] == "Entwicklung"
    assert enhanced["users_name"] == "Olga Owner"
    assert enhanced["revenue"] == 150.0


def test_lump_sums_are_readable_with_their_own_fields(clockodo: ClockodoHarness) -> None:
    common = {"users_id": OWNER, "customers_id": OTHER_CUSTOMER, "time_since": utc_iso(MONDAY)}
    clockodo.seed(
        [
            {**common, "id": 1, "type": 2, "services_id": OTHER_SERVICE, "lumpsum": 250.0},
            {
                **common,
                "id": 2,
                "type": 3,
                "lumpsum_services_id": LUMPSUM_SERVICE,
                "lumpsum_services_amount": 84,
            },
        ]
    )
    value, service = listing(clockodo.client(), enhanced_list=1).json()["entries"]
    assert (value["type"], value["lumpsum"], value["revenue"]) == (2, 250.0, 250.0)
    assert "duration" not in value
    assert value["time_until"] == value["time_since"]
    assert (service["type"], service["lumpsum_services_amount"]) == (3, 84.0)
    assert service["lumpsum_services_price"] == 0.5
    assert service["revenue"] == 42.0


def test_workers_see_only_their_own_entries(clockodo: ClockodoHarness) -> None:
    clockodo.seed(
        [
            time_entry(id=1, users_id=OWNER),
            time_entry(id=2, users_id=WORKER, hourly_rate=80.0),
            time_entry(id=3, users_id=NY_WORKER),
        ]
    )
    worker = clockodo.client(WORKER)
    entries = listing(worker).json()["entries"]
    assert [e["id"] for e in entries] == [2]
    assert "hourly_rate" not in entries[0]  # rates need rights
    assert ids(listing(worker, **{"filter[users_id]": OWNER})) == []
    assert worker.get("/v2/entries/2").status_code == 200
    other = worker.get("/v2/entries/1")
    assert other.status_code == 403
    assert other.json()["errors"][0]["type"] == "Forbidden"
    assert ids(listing(clockodo.client(OWNER))) == [1, 2, 3]


def test_get_one_entry_and_404_for_unknown_ids(clockodo: ClockodoHarness) -> None:
    clockodo.seed([time_entry(id=7, text="Zeile 1\nZeile 2 – äöü")])
    client = clockodo.client()
    entry = client.get("/v2/entries/7").json()["entry"]
    assert entry["text"] == "Zeile 1\nZeile 2 – äöü"
    assert (entry["duration"], entry["type"], entry["test_data"]) == (3600, 1, False)
    for missing in ("8", "abc"):
        answer = client.get(f"/v2/entries/{missing}")
        assert answer.status_code == 404
        assert answer.json()["errors"][0]["type"] == "ResourceNotFound"
