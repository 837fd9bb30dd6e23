"""`syncd conflicts`: list parked bookings with both versions, settle one by hand."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from syncd.exitcodes import ExitCode
from tests.e2e.harness import World, agency_world, unbilled_links


def park_one(world: World, db_url: str) -> tuple[int, int, int]:
    """Change one booking differently on both sides; returns (conflict id, MOCO, clockodo)."""
    world.run_once()
    moco_id, clockodo_id = unbilled_links(world, db_url)[0]
    world.edit_activity(moco_id, description="MOCO sagt A")
    world.edit_entry(clockodo_id, text="clockodo sagt B")
    world.run_once()
    listing = world.syncd("conflicts")
    assert listing.returncode == 0, listing.stderr
    assert "1 open conflicts." in listing.stdout
    assert '"MOCO sagt A"' in listing.stdout
    assert '"clockodo sagt B"' in listing.stdout
    match = re.search(r"^#(\d+)  MOCO (\d+) / clockodo (\d+)", listing.stdout, re.MULTILINE)
    assert match is not None
    assert (int(match[2]), int(match[3])) == (moco_id, clockodo_id)
    return int(match[1]), moco_id, clockodo_id


@pytest.mark.parametrize("keep", ["moco", "clockodo"])
def test_settling_a_conflict_copies_the_kept_version(
    tmp_path: Path, db_url: str, keep: str
) -> None:
    with agency_world(tmp_path, db_url) as world:
        conflict, moco_id, clockodo_id = park_one(world, db_url)
        world.reset_stats()
        settled = world.syncd("conflicts", "resolve", str(conflict), "--keep", keep)
        assert settled.returncode == 0, settled.stderr
        assert world.writes() == 0, "settling writes nothing to the vendors"
        world.run_once()
        text = "MOCO sagt A" if keep == "moco" else "clockodo sagt B"
        assert world.activity(moco_id)["description"] == text
        assert world.entry(clockodo_id)["text"] == text
        assert "No open conflicts." in world.syncd("conflicts").stdout
        world.reset_stats()
        world.run_once()
        assert world.writes() == 0


def test_settling_an_unknown_conflict_is_one_line_and_exit_2(tmp_path: Path, db_url: str) -> None:
    with agency_world(tmp_path, db_url) as world:
        done = world.syncd("conflicts", "resolve", "999", "--keep", "moco")
        assert done.returncode == ExitCode.CONFIG
        assert done.stderr == "syncd: no open conflict 999 (see `syncd conflicts`)\n"
