"""The simulators' indexes answer exactly as a plain scan would, before and after writes.

Both simulators page through big windows on sorted keys (by date or start,
per person) instead of scanning every booking. These tests seed a few
thousand bookings and compare pages, totals and orders with what a scan of
the account's state says, also after writes that move bookings between
keys. Speed is measured by `bench/sim_scale.py`, not here.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest

from syncd.simulators.clockodo import ClockodoSimulator
from syncd.simulators.kit import serve_in_thread, utc_iso
from syncd.simulators.moco import MocoSimulator

PEOPLE, BOOKINGS = 7, 3000
FIRST_DAY = date(2026, 1, 1)
NOW = datetime(2026, 6, 30, 12, tzinfo=UTC)


def moco_seed() -> dict[str, Any]:
    users = [{"id": 100 + n, "firstname": f"P{n}", "lastname": "Scale"} for n in range(PEOPLE)]
    return {
        "users": users,
        "api_keys": [{"key": "k", "user_id": 100, "impersonate": True}],
        "companies": [{"id": 1, "name": "Kunde"}],
        "projects": [
            {
                "id": 10,
                "name": "P",
                "customer_id": 1,
                "tasks": [{"id": 11, "name": "T"}],
                "contracts": [{"user_id": u["id"]} for u in users],
            }
        ],
        "activities": [
            {
                "id": 5000 + n,
                "date": (FIRST_DAY + timedelta(days=(n * 37) % 90)).isoformat(),
                "user_id": 100 + (n * 3) % PEOPLE,
                "project_id": 10,
                "task_id": 11,
                "seconds": 60,
                "remote_id": f"r{n}",
                "updated_at": utc_iso(NOW - timedelta(minutes=n % 500)),
            }
            for n in range(BOOKINGS)
        ],
    }


@pytest.fixture
def moco() -> Iterator[httpx.Client]:
    sim = MocoSimulator(rate_limit=False)
    sim.clock.freeze(NOW)
    sim.seed(moco_seed())
    with (
        serve_in_thread(sim) as running,
        httpx.Client(
            base_url=running.base_url, headers={"Authorization": "Token token=k"}
        ) as client,
    ):
        yield client


def moco_scan(client: httpx.Client, **wanted: Any) -> list[int]:
    """Ids a plain scan of the state selects for a window (and user), in (date, id) order."""
    root = str(client.base_url).rstrip("/").removesuffix("/api/v1")
    state = httpx.get(root + "/_sim/state").json()
    return [
        a["id"]
        for a in state["activities"]  # the state lists activities by (date, id)
        if wanted["from"] <= a["date"] <= wanted["to"]
        and wanted.get("user_id") in (None, a["user"]["id"])
    ]


def moco_pages(client: httpx.Client, per_page: int, **params: Any) -> tuple[list[int], int]:
    found, page = [], 1
    while True:
        answer = client.get("/activities", params={**params, "per_page": per_page, "page": page})
        assert answer.status_code == 200, answer.text
        found += [a["id"] for a in answer.json()]
        if 'rel="next"' not in answer.headers.get("Link", ""):
            return found, int(answer.headers["X-Total"])
        page += 1


@pytest.mark.parametrize(
    "wanted",
    [
        {"from": "2026-01-01", "to": "2026-12-31"},
        {"from": "2026-02-03", "to": "2026-02-17"},
        {"from": "2026-02-03", "to": "2026-02-17", "user_id": 103},
        {"from": "2026-05-01", "to": "2026-05-31"},  # after the last booking
    ],
)
def test_moco_window_pages_match_a_scan(moco: httpx.Client, wanted: dict[str, Any]) -> None:
    expected = moco_scan(moco, **wanted)
    assert moco_pages(moco, 100, **wanted) == (expected, len(expected))
    assert moco_pages(moco, 7, **wanted)[0] == expected


def test_moco_other_filters_use_the_smallest_candidates(moco: httpx.Client) -> None:
    window = {"from": "2026-01-01", "to": "2026-03-31"}
    recent = moco.get(
        "/activities", params={**window, "updated_after": utc_iso(NOW - timedelta(minutes=3))}
    )
    assert sorted(a["id"] for a in recent.json()) == sorted(
        5000 + n for n in range(BOOKINGS) if n % 500 < 3
    )
    by_remote = moco.get("/activities", params={"remote_id": "r7,r2999,nope"}).json()
    assert sorted(a["remote_id"] for a in by_remote) == ["r2999", "r7"]
    ids = moco.get("/activities", params={**window, "ids": "5001,5002,1"}).json()
    assert [a["id"] for a in ids] == sorted([5001, 5002], key=lambda i: (moco_date(moco, i), i))
    newest = moco.get("/activities", params={**window, "sort_by": "id desc", "per_page": 3})
    assert [a["id"] for a in newest.json()] == [7999, 7998, 7997]


def moco_date(client: httpx.Client, activity_id: int) -> str:
    return str(client.get(f"/activities/{activity_id}").json()["date"])


def test_moco_writes_keep_the_indexes_current(moco: httpx.Client) -> None:
    root = str(moco.base_url).rstrip("/").removesuffix("/api/v1")
    later = utc_iso(NOW + timedelta(hours=1))
    assert httpx.post(f"{root}/_sim/clock", json={"now": later}).status_code == 200
    feb = {"from": "2026-02-01", "to": "2026-02-28"}
    mover = moco_pages(moco, 100, **feb)[0][0]
    assert moco.patch(f"/activities/{mover}", json={"date": "2026-04-15"}).status_code == 200
    assert moco.delete(f"/activities/{moco_pages(moco, 100, **feb)[0][0]}").status_code == 200
    booking = {"date": "2026-02-10", "project_id": 10, "task_id": 11, "remote_id": "neu"}
    created = moco.post("/activities", json=booking).json()["id"]
    pages = moco_pages(moco, 100, **feb)
    assert pages == (moco_scan(moco, **feb), len(moco_scan(moco, **feb)))
    assert created in pages[0]
    assert mover in moco_pages(moco, 100, **{"from": "2026-04-15", "to": "2026-04-15"})[0]
    assert [a["id"] for a in moco.get("/activities", params={"remote_id": "neu"}).json()] == [
        created
    ]
    changed = moco.get("/activities", params={"updated_after": utc_iso(NOW)})
    assert {a["id"] for a in changed.json()} == {mover, created}


def test_moco_seeding_adds_replaces_and_refuses_atomically() -> None:
    sim = MocoSimulator(rate_limit=False)
    sim.seed(moco_seed())
    moved = {**moco_seed()["activities"][0], "date": "2026-09-09"}
    sim.seed({"activities": [moved]})
    with pytest.raises(ValueError, match="unknown project"):
        sim.seed({"activities": [{**moved, "id": 1, "project_id": 99}]})
    state = sim.state()["activities"]
    assert len(state) == BOOKINGS
    assert (state[-1]["id"], state[-1]["date"]) == (5000, "2026-09-09")


# -- clockodo -----------------------------------------------------------------------
def clockodo_seed() -> dict[str, Any]:
    start = datetime(2026, 1, 1, 8, tzinfo=UTC)
    entries = [
        {
            "id": n + 1,
            "users_id": (n * 3) % PEOPLE + 1,
            "customers_id": 1,
            "services_id": 1,
            "time_since": utc_iso(since := start + timedelta(minutes=(n * 7919) % 200_000)),
            "time_until": utc_iso(since + timedelta(minutes=15)),
        }
        for n in range(BOOKINGS)
    ]
    running = {"users_id": 2, "customers_id": 1, "services_id": 1, "time_until": None}
    entries.append({**running, "id": 9999, "time_since": utc_iso(NOW - timedelta(days=200))})
    return {
        "api_users": [
            {"email": "o@x.y", "key": "owner", "users_id": 1},
            {"email": "w@x.y", "key": "worker", "users_id": 2},
        ],
        "users": [
            {"id": n + 1, "name": f"P{n} S", "role": "owner" if n == 0 else "worker"}
            for n in range(PEOPLE)
        ],
        "customers": [{"id": 1, "name": "Kunde"}],
        "services": [{"id": 1, "name": "Arbeit"}],
        "entries": entries,
    }


@pytest.fixture
def clockodo() -> Iterator[tuple[ClockodoSimulator, str]]:
    sim = ClockodoSimulator(rate_limit=False)
    sim.clock.freeze(NOW)
    sim.seed(clockodo_seed())
    with serve_in_thread(sim) as running:
        yield sim, running.base_url


def clockodo_client(base_url: str, login: tuple[str, str]) -> httpx.Client:
    headers = {
        "X-ClockodoApiUser": login[0],
        "X-ClockodoApiKey": login[1],
        "X-Clockodo-External-Application": "tests;t@x.y",
    }
    return httpx.Client(base_url=base_url, headers=headers)


def clockodo_scan(
    sim: ClockodoSimulator, since: str, until: str, users_id: int | None
) -> list[int]:
    """A plain scan: entries starting in the window, and running ones if it covers now."""
    covers_now = since <= utc_iso(NOW) < until
    return [
        e["id"]
        for e in sim.state()["entries"]  # ordered by (time_since, id)
        if (since <= e["time_since"] < until or (covers_now and e["time_until"] is None))
        and users_id in (None, e["users_id"])
    ]


def clockodo_pages(client: httpx.Client, size: int, **params: Any) -> tuple[list[int], int]:
    found, page, pages = [], 1, 1
    while page <= pages:
        query = {**params, "items_per_page": size, "page": page}
        answer = client.get("/v2/entries", params=query).json()
        found += [e["id"] for e in answer["entries"]]
        pages, page = answer["paging"]["count_pages"], page + 1
    return found, answer["paging"]["count_items"]


@pytest.mark.parametrize(
    ("since", "until", "users_id"),
    [
        ("2025-12-01T00:00:00Z", "2026-12-31T00:00:00Z", None),  # covers now: the clock too
        ("2026-02-01T00:00:00Z", "2026-02-15T00:00:00Z", None),
        ("2026-02-01T00:00:00Z", "2026-07-01T00:00:00Z", 2),
        ("2026-02-01T00:00:00Z", "2026-02-15T00:00:00Z", 5),
    ],
)
def test_clockodo_window_pages_match_a_scan(
    clockodo: tuple[ClockodoSimulator, str], since: str, until: str, users_id: int | None
) -> None:
    sim, url = clockodo
    expected = clockodo_scan(sim, since, until, users_id)
    window: dict[str, Any] = {"time_since": since, "time_until": until}
    if users_id is not None:
        window["filter[users_id]"] = users_id
    with clockodo_client(url, ("o@x.y", "owner")) as owner:
        assert clockodo_pages(owner, 1000, **window) == (expected, len(expected))
        assert clockodo_pages(owner, 333, **window)[0] == expected
    with clockodo_client(url, ("w@x.y", "worker")) as worker:
        own = clockodo_scan(sim, since, until, 2)
        assert clockodo_pages(worker, 1000, **{**window, "filter[users_id]": 2})[0] == own
        unfiltered = {k: v for k, v in window.items() if k != "filter[users_id]"}
        assert clockodo_pages(worker, 250, **unfiltered)[0] == own


def test_clockodo_writes_keep_the_indexes_current(clockodo: tuple[ClockodoSimulator, str]) -> None:
    sim, url = clockodo
    window = {"time_since": "2026-02-01T00:00:00Z", "time_until": "2026-03-01T00:00:00Z"}
    with clockodo_client(url, ("o@x.y", "owner")) as owner:
        first, second = clockodo_pages(owner, 1000, **window)[0][:2]
        may = {"time_since": "2026-05-05T08:00:00Z", "time_until": "2026-05-05T09:00:00Z"}
        moved = owner.put(f"/v2/entries/{first}", json=may)
        assert moved.status_code == 200, moved.text
        assert owner.delete(f"/v2/entries/{second}").json() == {"success": True}
        stopped = owner.delete("/v2/clock/9999").json()["stopped"]  # the running clock
        assert stopped["duration"] == 86399  # capped at 23:59:59
        started = owner.post("/v2/clock", json={"customers_id": 1, "services_id": 1}).json()
        clock = started["running"]["id"]
        assert owner.get("/v2/clock").json()["running"]["id"] == clock
        assert owner.put(f"/v2/clock/{clock}", json={"duration": 7200}).status_code == 200
        for since, until in (
            (window["time_since"], window["time_until"]),
            ("2026-05-05T00:00:00Z", "2026-05-06T00:00:00Z"),
            ("2026-06-30T09:00:00Z", "2026-06-30T11:00:00Z"),  # the moved clock, not now
            ("2026-06-01T00:00:00Z", "2026-07-01T00:00:00Z"),  # now, not the stopped clock
            ("2025-12-01T00:00:00Z", "2026-12-31T00:00:00Z"),
        ):
            expected = clockodo_scan(sim, since, until, None)
            query = {"time_since": since, "time_until": until}
            assert clockodo_pages(owner, 1000, **query) == (expected, len(expected))
