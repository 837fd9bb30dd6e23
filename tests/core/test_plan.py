"""Plan helpers: counts per kind and side, the summary line, skip counts."""

from __future__ import annotations

from collections import Counter

from syncd.core.model import SkipReason
from syncd.core.reconcile import reconcile
from tests.core.factories import MAPPINGS, clockodo, kinds, link, moco, policy, snap


def test_counts_and_summary() -> None:
    plan = reconcile(
        snap(
            moco(1),
            moco(2, description="edited"),
            moco(3, description="m"),
            moco(4, user_id=9),
            gone=(12,),
        ),
        snap(clockodo(5, text="fresh"), clockodo(6), clockodo(7, text="c"), clockodo(8), gone=(9,)),
        [link(1, 2, 6), link(2, 3, 7), link(3, 10, 8), link(4, 12, 9)],
        MAPPINGS,
        policy(),
    )
    assert kinds(plan) == [
        "Conflict",
        "DropLink",
        "Update:clockodo",
        "Create:clockodo",
        "Create:moco",
    ]
    assert (plan.count("create", "moco"), plan.count("create", "clockodo")) == (1, 1)
    assert (plan.count("update", "clockodo"), plan.count("update", "moco")) == (1, 0)
    assert plan.count("link") == 1
    assert plan.summary() == "Plan: 2 to create, 1 to update, 0 to delete, 1 conflicts."
    assert len(plan.writes) == 3
    assert plan.skip_counts() == Counter(
        {("moco", SkipReason.ABSENCE_UNPROVEN): 1, ("moco", SkipReason.UNMAPPED_USER): 1}
    )


def test_a_billed_create_counts_its_follow_up_bill_as_an_update() -> None:
    plan = reconcile(snap(moco(1, billed=True), moco(2)), snap(), [], MAPPINGS, policy())
    assert (plan.count("create", "clockodo"), plan.follow_ups()) == (2, 1)
    assert plan.write_counts() == Counter({("create", "clockodo"): 2, ("update", "clockodo"): 1})
    assert plan.summary() == (
        "Plan: 2 to create, 1 to update (1 bill after a create), 0 to delete, 0 conflicts."
    )
