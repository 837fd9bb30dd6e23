"""`syncd webhooks install|list|remove` against the MOCO simulator's /account/web_hooks."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from syncd.core import hook_setup
from tests.e2e.harness import World, agency_world

OTHERS = "https://other.example.com/hooks/moco-activities"


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    with agency_world(tmp_path, f"sqlite:///{tmp_path}/syncd.db") as seeded:
        yield seeded


def hooks(world: World) -> list[dict[str, Any]]:
    return list(world.moco_api("GET", "/account/web_hooks").json())


def test_install_is_idempotent_follows_a_new_url_and_never_touches_other_hooks(
    world: World,
) -> None:
    other = {"target": "Activity", "event": "update", "hook": OTHERS}
    world.moco_api("POST", "/account/web_hooks", json=other)
    done = world.syncd("webhooks", "install", "--url", "https://sync.example.com/")
    assert done.returncode == 0, done.stderr
    assert "https://sync.example.com/webhooks/clockodo" in done.stdout
    mine = [h for h in hooks(world) if h["hook"] == "https://sync.example.com/webhooks/moco"]
    assert sorted(h["event"] for h in mine) == ["create", "delete", "update"]

    again = world.syncd("webhooks", "install", "--url", "https://sync.example.com")
    assert again.returncode == 0, again.stderr
    assert again.stdout.count("already in place") == 3
    assert len(hooks(world)) == 4

    first = mine[0]["id"]
    world.moco_api("PUT", f"/account/web_hooks/{first}/disable")
    moved = world.syncd("webhooks", "install", "--url", "https://new.example.com")
    assert moved.returncode == 0, moved.stderr
    after = {h["id"]: h for h in hooks(world)}
    assert len(after) == 4
    assert {h["hook"] for h in after.values()} == {"https://new.example.com/webhooks/moco", OTHERS}
    assert not after[first]["disabled"]

    listed = world.syncd("webhooks", "list")
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.count("\tsyncd\t") == 3
    assert listed.stdout.count("\tother\t") == 1

    removed = world.syncd("webhooks", "remove")
    assert removed.returncode == 0, removed.stderr
    assert [h["hook"] for h in hooks(world)] == [OTHERS]


def test_a_bad_public_url_is_refused_with_exit_code_2(world: World) -> None:
    done = world.syncd("webhooks", "install", "--url", "sync.example.com")
    assert done.returncode == 2
    assert "not an http(s) URL" in done.stderr
    assert hooks(world) == []


class H:
    def __init__(self, id: int, event: str, hook: str, *, target: str = "Activity") -> None:
        self.id, self.event, self.hook, self.target, self.disabled = id, event, hook, target, False


def test_plan_install_removes_own_duplicates_and_keeps_other_targets() -> None:
    url = "https://s.example.com/webhooks/moco"
    existing = [
        H(1, "create", url),
        H(2, "create", url),
        H(3, "update", url, target="Project"),
        H(4, "delete", "https://elsewhere.example.com/webhooks/moco"),
    ]
    steps = hook_setup.plan_install(existing, "https://s.example.com")
    assert [(s.action, s.event, s.hook_id) for s in steps] == [
        ("keep", "create", 1),
        ("delete", "create", 2),
        ("create", "update", None),
        ("update", "delete", 4),
    ]
