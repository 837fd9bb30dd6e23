"""Bad data from the APIs: a broken item is skipped with its reason, nothing else changes.

The simulators send the agency as usual, except that chosen items come back
mangled (missing fields, nulls, unknown values, absurd durations, invalid
dates), or a whole answer is not JSON. A mangled item that is linked keeps
its partner: unreadable is never the same as deleted.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.crash.harness import run_in_process
from tests.e2e.harness import World, agency_world, links, unbilled_links
from tests.faults.test_soak import VENDOR, set_faults

MOCO_LIST = "GET /api/v1/activities"
CLOCKODO_LIST = "GET /api/v2/entries"

Mangle = Callable[[dict[str, Any]], None]

MOCO_MANGLES: dict[str, Mangle] = {
    "missing date": lambda a: a.pop("date"),
    "null seconds": lambda a: a.update(seconds=None),
    "invalid date": lambda a: a.update(date="2026-02-30"),
    "unknown billed value": lambda a: a.update(billed="perhaps"),
    "negative seconds": lambda a: a.update(seconds=-3600, worked_seconds=-3600),
    "no user": lambda a: a.update(user=None),
}
CLOCKODO_MANGLES: dict[str, Mangle] = {
    "broken timestamp": lambda e: e.update(time_since="yesterday-ish"),
    "unknown billable": lambda e: e.update(billable=7),
    "absurd duration": lambda e: e.update(duration=5 * 86400),
    "missing user": lambda e: e.pop("users_id"),
    "unknown type": lambda e: e.update(type=9),
}


def mangling(ids: dict[int, Mangle], envelope: str | None) -> Callable[[Any], Any]:
    """A mutation of list answers that mangles the items with the given ids."""

    def mutate(body: Any) -> Any:
        items = body if envelope is None else body[envelope]
        for item in items:
            if item.get("id") in ids:
                ids[item["id"]](item)
        return body

    return mutate


@pytest.fixture
def world(tmp_path: Path, db_url: str) -> Iterator[World]:
    with agency_world(tmp_path, db_url, vendor=VENDOR) as synced:
        assert run_in_process(synced).result == "ok"
        yield synced


def test_mangled_items_are_skipped_with_reasons_and_partners_survive(
    world: World, db_url: str
) -> None:
    pairs = sorted(links(db_url).items())
    moco_victims = {m: mangle for (m, _), mangle in zip(pairs, MOCO_MANGLES.values(), strict=False)}
    rest = pairs[len(MOCO_MANGLES) :]
    clockodo_victims = {
        c: mangle for (_, c), mangle in zip(rest, CLOCKODO_MANGLES.values(), strict=False)
    }
    world.moco.sim.mutations[MOCO_LIST] = mangling(moco_victims, None)
    world.clockodo.sim.mutations[CLOCKODO_LIST] = mangling(clockodo_victims, "entries")
    # Something real changes too: it must still be synced.
    untouched_moco, untouched_clockodo = pairs[-1]
    world.edit_activity(untouched_moco, description="trotz kaputter Nachbarn")

    before_entries = {e["id"] for e in world.entries()}
    before_activities = {a["id"] for a in world.activities()}
    done = world.run_once()

    assert world.entry(untouched_clockodo)["text"] == "trotz kaputter Nachbarn"
    assert {e["id"] for e in world.entries()} == before_entries, "nothing may be deleted"
    assert {a["id"] for a in world.activities()} == before_activities
    skipped = [line for line in done.stdout.splitlines() if "invalid, skipped" in line]
    assert len(skipped) == len(moco_victims) + len(clockodo_victims), done.stdout
    for victim in [*moco_victims, *clockodo_victims]:
        assert any(f" {victim}: " in line for line in skipped), victim


def test_a_huge_description_is_synced_intact_and_nothing_else_suffers(
    world: World, db_url: str
) -> None:
    (big, big_partner), (other, other_partner) = unbilled_links(world, db_url)[:2]
    huge = "Protokoll " + "x" * 200_000
    world.edit_activity(big, description=huge)
    world.edit_activity(other, description="normal")
    world.run_once()
    assert world.entry(other_partner)["text"] == "normal"
    assert world.entry(big_partner)["text"] == huge


def test_malformed_json_makes_the_read_incomplete_and_deletes_nothing(world: World) -> None:
    before = {a["id"] for a in world.activities()}
    script = [{"route": CLOCKODO_LIST, "nth": n, "fault": "malformed"} for n in range(1, 5)]
    set_faults(world, {"script": script})
    done = world.syncd("run-once")
    assert done.returncode == 1
    assert "read problem" in done.stdout
    assert {a["id"] for a in world.activities()} == before
