"""MOCO simulator: GET /activities paging, filters, updated_after and sort order."""

from __future__ import annotations

import re

import pytest

from syncd.simulators.moco.agency import ADMIN_KEY, BEN_ID
from tests.simulators.moco_fixtures import (
    SMALL_CUSTOMER,
    SMALL_KEY,
    SMALL_PROJECT,
    SMALL_TASK,
    SMALL_USER,
    MocoHarness,
    small_seed,
)


def links(header: str | None) -> dict[str, int]:
    """rel → page number of a Link header."""
    found = re.findall(r'<[^>]*[?&]page=(\d+)[^>]*>; rel="(\w+)"', header or "")
    return {rel: int(page) for page, rel in found}


@pytest.mark.parametrize(
    ("count", "per_page", "pages"),
    [(0, None, [0]), (100, None, [100]), (101, None, [100, 1]), (250, 100, [100, 100, 50])],
)
def test_pages_follow_next_links_until_the_last_page(
    moco_small: MocoHarness, count: int, per_page: int | None, pages: list[int]
) -> None:
    moco_small.sim.seed(small_seed(count))
    api = moco_small.client(SMALL_KEY)
    params = {"per_page": per_page} if per_page else {}
    url: str | None = "/activities"
    seen: list[int] = []
    sizes: list[int] = []
    while url is not None:
        response = api.get(url, params=params if url == "/activities" else None)
        assert response.status_code == 200
        page = len(sizes) + 1
        assert response.headers["X-Page"] == str(page)
        assert response.headers["X-Per-Page"] == "100"
        assert response.headers["X-Total"] == str(count)
        sizes.append(len(response.json()))
        seen += [a["id"] for a in response.json()]
        rels = links(response.headers.get("Link"))
        last_page = len(pages)
        if page < last_page:
            assert rels["next"] == page + 1
            assert rels["last"] == last_page
        else:
            assert "next" not in rels
        if page > 1:
            assert rels["prev"] == page - 1
            assert rels["first"] == 1
        next_link = re.search(r'<([^>]+)>; rel="next"', response.headers.get("Link", ""))
        url = next_link.group(1) if next_link else None
    assert sizes == pages
    assert len(seen) == len(set(seen)) == count
    if count <= 100:
        assert "Link" not in response.headers  # a single page carries no Link (REC)


def test_per_page_is_clamped_to_100_and_small_pages_count_cheaply(moco_small: MocoHarness) -> None:
    moco_small.sim.seed(small_seed(150))
    api = moco_small.client(SMALL_KEY)
    big = api.get("/activities", params={"per_page": 500})
    assert big.headers["X-Per-Page"] == "100"
    assert len(big.json()) == 100
    one = api.get("/activities", params={"per_page": 1})
    assert (one.headers["X-Total"], one.headers["X-Per-Page"], len(one.json())) == ("150", "1", 1)
    assert links(one.headers["Link"]) == {"next": 2, "last": 150}
    beyond = api.get("/activities", params={"page": 9})
    assert beyond.status_code == 200
    assert beyond.json() == []
    assert beyond.headers["X-Total"] == "150"
    assert "next" not in links(beyond.headers.get("Link"))


def test_date_range_is_inclusive_and_sorted_by_date_then_id(moco_small: MocoHarness) -> None:
    moco_small.sim.seed(small_seed(10))  # 2026-01-01 .. 2026-01-10
    api = moco_small.client(SMALL_KEY)
    found = api.get("/activities", params={"from": "2026-01-03", "to": "2026-01-05"}).json()
    assert [a["date"] for a in found] == ["2026-01-03", "2026-01-04", "2026-01-05"]
    only_from = api.get("/activities", params={"from": "2026-01-09"}).json()
    assert [a["date"] for a in only_from] == ["2026-01-09", "2026-01-10"]
    only_to = api.get("/activities", params={"to": "2026-01-01"}).json()
    assert [a["date"] for a in only_to] == ["2026-01-01"]


def test_sort_by_fields_and_directions(moco_small: MocoHarness) -> None:
    moco_small.sim.seed(small_seed(5))
    api = moco_small.client(SMALL_KEY)
    default = [a["id"] for a in api.get("/activities").json()]
    by_date_desc = [a["id"] for a in api.get("/activities", params={"sort_by": "date desc"}).json()]
    assert by_date_desc == default[::-1]
    by_seconds = api.get("/activities", params={"sort_by": "seconds desc"}).json()
    assert [a["seconds"] for a in by_seconds] == [300, 240, 180, 120, 60]
    assert [a["id"] for a in api.get("/activities", params={"sort_by": "id"}).json()] == sorted(
        default
    )
    moco_small.sim.clock.freeze(moco_small.sim.clock.now().replace(hour=11))
    api.patch(f"/activities/{default[2]}", json={"description": "touched"})
    by_update = api.get("/activities", params={"sort_by": "updated_at desc"}).json()
    assert by_update[0]["id"] == default[2]
    bad = api.get("/activities", params={"sort_by": "colour"})
    assert bad.status_code == 400
    assert "message" in bad.json()


def test_updated_after_is_strict_and_sees_changes(moco_small: MocoHarness) -> None:
    moco_small.sim.seed(small_seed(3))  # created at the frozen NOW (10:00:00)
    api = moco_small.client(SMALL_KEY)
    assert api.get("/activities", params={"updated_after": "2026-11-20T09:59:59Z"}).json()
    assert api.get("/activities", params={"updated_after": "2026-11-20T10:00:00Z"}).json() == []
    target = api.get("/activities").json()[1]
    moco_small.control("clock", {"now": "2026-11-20T10:05:00Z"})
    api.put(f"/activities/{target['id']}", json={"seconds": 999})
    changed = api.get("/activities", params={"updated_after": "2026-11-20T10:00:00Z"}).json()
    assert [a["id"] for a in changed] == [target["id"]]
    assert changed[0]["updated_at"] == "2026-11-20T10:05:00Z"
    assert api.get("/activities", params={"updated_after": "yesterday"}).status_code == 400


def test_each_filter(moco: MocoHarness) -> None:
    api = moco.client(ADMIN_KEY)
    everything = api.get("/activities").json()
    assert len(everything) > 20

    def ids(**params: object) -> set[int]:
        response = api.get("/activities", params=params)  # type: ignore[arg-type]
        assert response.status_code == 200
        return {a["id"] for a in response.json()}

    def expected(predicate: object) -> set[int]:
        return {a["id"] for a in everything if predicate(a)}  # type: ignore[operator]

    sample = everything[7]
    assert ids(user_id=BEN_ID) == expected(lambda a: a["user"]["id"] == BEN_ID)
    project = sample["project"]["id"]
    assert ids(project_id=project) == expected(lambda a: a["project"]["id"] == project)
    task = sample["task"]["id"]
    assert ids(task_id=task) == expected(lambda a: a["task"]["id"] == task)
    company = sample["customer"]["id"]
    assert ids(company_id=company) == expected(lambda a: a["customer"]["id"] == company)
    assert ids(billable="false") == expected(lambda a: not a["billable"])
    assert ids(billable="true") == expected(lambda a: a["billable"])
    assert ids(ids=f"{everything[0]['id']},{everything[3]['id']}") == {
        everything[0]["id"],
        everything[3]["id"],
    }
    assert ids(tag="meeting,remote") == expected(lambda a: a["tag"] in ("meeting", "remote"))
    assert ids(term="REVIEW") == expected(lambda a: "review" in a["description"].lower())
    assert ids(deal_id="5") == set()
    billed = api.post(
        "/activities/disregard",
        json={"activity_ids": [sample["id"]], "reason": "x", "company_id": company},
    )
    assert billed.status_code == 200
    assert ids(billed="true") == {sample["id"]}
    assert sample["id"] not in ids(billed="false")
    assert api.get("/activities", params={"user_id": "abc"}).status_code == 400
    assert api.get("/activities", params={"from": "2026-02-30"}).status_code == 400


def test_remote_id_lookup_finds_created_records(moco_small: MocoHarness) -> None:
    moco_small.sim.seed(small_seed(5))
    api = moco_small.client(SMALL_KEY)
    found = api.get("/activities", params={"remote_id": "r1,r3,missing"}).json()
    assert sorted(a["remote_id"] for a in found) == ["r1", "r3"]
    term = api.get("/activities", params={"term": "r4"}).json()
    assert [a["remote_id"] for a in term] == ["r4"]
    single = api.get("/activities", params={"remote_id": "r2"})
    assert single.headers["X-Total"] == "1"
    assert single.json()[0]["customer"]["id"] == SMALL_CUSTOMER
    assert single.json()[0]["project"]["id"] == SMALL_PROJECT
    assert single.json()[0]["task"]["id"] == SMALL_TASK
    assert single.json()[0]["user"]["id"] == SMALL_USER
