"""The decision table itself, on projections: one row per case of design §3."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from syncd.core.decide import (
    GONE,
    Agree,
    ConflictNote,
    Decision,
    DeleteSurvivor,
    Drop,
    IgnoreTarget,
    Keep,
    Orphan,
    Park,
    Present,
    Propagate,
    Recreate,
    decide,
    decide_unlinked_pair,
)
from syncd.core.model import ParkedConflict, Projection
from tests.core.factories import T0, link, policy, proj

BASE = proj()
M = proj(description="moco edit")
C = proj(description="clockodo edit")
BILLED = proj(billed=True)


def present(projection: Projection, later: bool = False) -> Present:
    return Present(projection, T0 + timedelta(hours=1) if later else T0)


ROWS: list[tuple[str, Present | None, Present | None, dict[str, Any], Decision]] = [
    ("unchanged", present(BASE), present(BASE), {}, Keep()),
    ("moco changed", present(M), present(BASE), {}, Propagate("moco")),
    ("clockodo changed", present(BASE), present(C), {}, Propagate("clockodo")),
    ("both changed, equal", present(M), present(M), {}, Agree(M)),
    ("both changed, park", present(M), present(C), {}, Park(M, C, "both_changed")),
    (
        "both changed, moco wins",
        present(M),
        present(C),
        {"conflict": "moco"},
        Propagate("moco", ConflictNote(M, C, "both_changed", "moco")),
    ),
    (
        "both changed, newest",
        present(M),
        present(C, later=True),
        {"conflict": "newest"},
        Propagate("clockodo", ConflictNote(M, C, "both_changed", "clockodo")),
    ),
    (
        "both changed, newest tie",
        present(M),
        present(C),
        {"conflict": "newest"},
        Park(M, C, "both_changed_same_time"),
    ),
    ("moco gone, clockodo unchanged", GONE, present(BASE), {}, DeleteSurvivor("clockodo")),
    ("clockodo gone, moco unchanged", present(BASE), GONE, {}, DeleteSurvivor("moco")),
    ("gone, deletes off", GONE, present(BASE), {"propagate_deletes": False}, Orphan("moco")),
    ("gone, changed, park", GONE, present(C), {}, Park(None, C, "deleted_and_changed")),
    (
        "gone, changed, deleting side wins",
        GONE,
        present(C),
        {"conflict": "moco"},
        DeleteSurvivor("clockodo", ConflictNote(None, C, "deleted_and_changed", "moco")),
    ),
    (
        "gone, changed, survivor wins",
        GONE,
        present(C),
        {"conflict": "newest"},
        Recreate("moco", ConflictNote(None, C, "deleted_and_changed", "clockodo")),
    ),
    ("both gone", GONE, GONE, {}, Drop()),
    (
        "one-way, target edit",
        present(BASE),
        present(C),
        {"direction": "moco-to-clockodo"},
        IgnoreTarget("clockodo"),
    ),
    (
        "one-way, target gone",
        present(M),
        GONE,
        {"direction": "moco-to-clockodo"},
        Orphan("clockodo"),
    ),
    ("billed target", present(M), present(BILLED), {"conflict": "moco"}, Park(M, BILLED, "billed")),
]


@pytest.mark.parametrize(
    ("moco", "clockodo", "overrides", "expected"),
    [row[1:] for row in ROWS],
    ids=[row[0] for row in ROWS],
)
def test_decision_table(
    moco: Present | None, clockodo: Present | None, overrides: dict[str, Any], expected: Decision
) -> None:
    assert decide(link(1, 1, 5, BASE), moco, clockodo, policy(**overrides)) == expected


def test_parked_link_compares_with_the_parked_versions() -> None:
    parked = link(1, 1, 5, BASE, parked=ParkedConflict(M, C, "both_changed"))
    assert decide(parked, present(M), present(C), policy()) == Keep(still_parked=True)
    assert decide(parked, present(BASE), present(C), policy()) == Propagate("moco")


def test_unlinked_pair_without_base_is_a_conflict() -> None:
    assert decide_unlinked_pair(present(M), present(C), policy()) == Park(M, C, "both_changed")
    assert decide_unlinked_pair(present(M), present(C), policy(direction="clockodo-to-moco")) == (
        Propagate("clockodo", ConflictNote(M, C, "one_way", "clockodo"))
    )
