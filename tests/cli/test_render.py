"""Plan lines: names instead of ids, skips folded per side and reason unless asked."""

from __future__ import annotations

from syncd.cli.render import plan_text
from syncd.core.names import Names
from syncd.core.plan import Plan
from syncd.core.reconcile import reconcile
from tests.core.factories import MAPPINGS, moco, policy, snap

NAMES = Names(
    users={1: "Anna Amsel"},
    projects={10: "Website"},
    tasks={20: "Design"},
    clockodo={("user", 101): "Anna A.", ("project", 1000): "Website (clockodo)"},
)


def a_plan() -> Plan:
    return reconcile(
        snap(moco(1, billed=True), moco(2, user_id=9), moco(3, user_id=9)),
        snap(),
        [],
        MAPPINGS,
        policy(),
    )


def test_lines_name_people_projects_and_tasks() -> None:
    text = plan_text(a_plan(), NAMES)
    (create,) = [line for line in text.splitlines() if line.startswith("  + ")]
    assert "Anna Amsel  Website / Design  1.00 h" in create
    assert create.endswith("(then billed: one more write)")
    assert "user 1" not in text
    assert plan_text(a_plan(), Names()).count("user 1  project 10 / task 20") == 1


def test_skips_are_folded_per_reason_unless_shown() -> None:
    folded = plan_text(a_plan(), NAMES).splitlines()
    assert "  = MOCO      2 skipped: unmapped_user" in folded
    shown = plan_text(a_plan(), NAMES, show_skipped=True).splitlines()
    skipped = [line for line in shown if line.startswith("  = ")]
    assert len(skipped) == 2
    assert all("skipped, unmapped_user" in line for line in skipped)


def test_ids_in_prose_are_named_where_a_name_is_known() -> None:
    text = "MOCO user 1, MOCO user 9, clockodo project 1000, clockodo service 7, MOCO task 20"
    assert NAMES.in_text(text) == (
        "MOCO user Anna Amsel, MOCO user 9, clockodo project Website (clockodo), "
        "clockodo service 7, MOCO task Design"
    )
    shown = plan_text(a_plan(), Names(users={9: "Zoe Zett"}), show_skipped=True)
    assert "(MOCO user Zoe Zett)" in shown
