"""The mass-delete guard: limit edges, the share of links, a side suddenly empty."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from syncd.core.plan import Delete, Plan
from syncd.core.reconcile import reconcile
from tests.core.factories import DAY, MAPPINGS, clockodo, is_write, link, moco, policy, proj, snap


def _world(links: int, moco_deleted: int, **policy_overrides: Any) -> Plan:
    """``links`` linked bookings; the MOCO side of the first ``moco_deleted`` is proven gone."""
    start = datetime(2026, 3, 2, 8, tzinfo=UTC)
    entries = [clockodo(1000 + i, start=start + timedelta(minutes=i)) for i in range(links)]
    activities = [moco(i) for i in range(moco_deleted, links)]
    return reconcile(
        snap(*activities, gone=tuple(range(moco_deleted))),
        snap(*entries),
        [link(i + 1, i, 1000 + i) for i in range(links)],
        MAPPINGS,
        policy(**policy_overrides),
    )


def test_exactly_at_the_minimum_runs() -> None:
    plan = _world(links=40, moco_deleted=10)
    assert plan.refused is None
    assert plan.count("delete", "clockodo") == 10


def test_one_over_the_minimum_is_refused_and_still_listed() -> None:
    plan = _world(links=40, moco_deleted=11)
    assert plan.refused == (
        "refused: would delete 11 bookings in clockodo, more than the limit of 10 (the larger "
        "of 10 and 10% of 40 linked bookings in the window); run with --allow-mass-delete to "
        "allow it"
    )
    assert sum(is_write(a, Delete, "clockodo") for a in plan.actions) == 11


def test_share_of_links_raises_the_limit() -> None:
    assert _world(links=150, moco_deleted=15).refused is None
    refused = _world(links=150, moco_deleted=16).refused
    assert refused is not None
    assert "limit of 15 " in refused


def test_allow_mass_delete_overrides() -> None:
    assert _world(links=20, moco_deleted=20, allow_mass_delete=True).refused is None


def test_limit_counts_each_side() -> None:
    entries = [clockodo(1000 + i) for i in range(3)]
    plan = reconcile(
        snap(*(moco(i) for i in range(12))),
        snap(*entries, gone=tuple(range(2000, 2011))),
        [link(i + 1, i, 1000 + i) for i in range(3)]
        + [link(100 + i, 3 + i, 2000 + i) for i in range(9)],
        MAPPINGS,
        policy(mass_delete_min=8),
    )
    assert sum(is_write(a, Delete, "moco") for a in plan.actions) == 9
    assert plan.refused is not None
    assert "in MOCO" in plan.refused


def test_links_outside_the_window_do_not_raise_the_limit() -> None:
    far = proj(date=DAY.replace(year=2020))
    start = datetime(2020, 3, 2, 8, tzinfo=UTC)
    plan = reconcile(
        snap(*(moco(i, date=far.date) for i in range(11, 200)), gone=tuple(range(11))),
        snap(*(clockodo(1000 + i, start=start) for i in range(200))),
        [link(i + 1, i, 1000 + i, far) for i in range(200)],
        MAPPINGS,
        policy(),
    )
    assert plan.count("delete") == 11
    assert plan.refused is not None
    assert "10% of 0 linked" in plan.refused


@pytest.mark.parametrize(("links", "refused"), [(2, False), (3, True)])
def test_suddenly_empty_side_is_refused(links: int, refused: bool) -> None:
    plan = reconcile(
        snap(),
        snap(*(clockodo(1000 + i) for i in range(links))),
        [link(i + 1, i, 1000 + i) for i in range(links)],
        MAPPINGS,
        policy(),
    )
    assert plan.actions == ()  # absence is not proven, nothing would be deleted anyway
    assert (plan.refused is not None) == refused
    if refused:
        assert plan.refused == (
            "refused: MOCO returned no bookings in the window although 3 linked bookings are "
            "there; run with --allow-mass-delete if they really are gone"
        )


def test_incomplete_empty_read_is_not_a_refusal_and_deletes_nothing() -> None:
    plan = reconcile(
        snap(complete=False),
        snap(*(clockodo(1000 + i) for i in range(5))),
        [link(i + 1, i, 1000 + i) for i in range(5)],
        MAPPINGS,
        policy(),
    )
    assert plan.refused is None
    assert plan.actions == ()


def test_orphans_do_not_expect_their_gone_side() -> None:
    plan = reconcile(
        snap(),
        snap(*(clockodo(1000 + i) for i in range(5))),
        [link(i + 1, i, 1000 + i, orphaned="moco") for i in range(5)],
        MAPPINGS,
        policy(),
    )
    assert plan.refused is None
