"""Mapping suggestions: every correct pair, no wrong one as confident."""

from __future__ import annotations

from syncd.core.suggest import Catalog, Record, Suggestion, normalise, suggest

# An agency where a shared mailbox is used by two people on each side, two people
# share a name in clockodo, and projects and services share names across customers.
MOCO_USERS = (
    Record(1, "Anna Admin", email="anna@agency.example"),
    Record(2, "Ben Berger", email="team@agency.example"),
    Record(3, "Clara Chen", email="team@agency.example"),
    Record(4, "Jörg Müller", email=None),
    Record(5, "Max Meier", email="max@agency.example"),
    Record(6, "Olaf Old", active=False, email="olaf@agency.example"),
    Record(7, "Sam Smith"),
)
CLOCKODO_USERS = (
    Record(11, "Anna Admin-Schmidt", email="ANNA@agency.example "),  # e-mail wins over name
    Record(12, "Ben Berger", email="team@agency.example"),
    Record(13, "clara  chen", email="team@agency.example"),
    Record(14, "Jorg Muller"),
    Record(15, "Max Meier", email="max.meier@private.example"),
    Record(16, "Olaf Old", email="olaf@agency.example"),  # inactive in MOCO
    Record(17, "Sam Smith"),
    Record(18, "Sam Smith"),  # two of them: ambiguous
)
MOCO_PROJECTS = (
    Record(101, "Website", number="P-101", owner=1, owner_name="Beispiel AG"),
    Record(102, "Website", owner=2, owner_name="Stadtwerke"),
    Record(103, "Support", owner=2, owner_name="Stadtwerke"),
    Record(104, "Archiv", owner=3, owner_name="Alt KG", active=False),
)
CLOCKODO_PROJECTS = (
    Record(201, "Relaunch Website", number="p-101", owner=21, owner_name="Beispiel AG"),
    Record(202, "Website", owner=22, owner_name="Stadtwerke"),
    Record(203, "Support", owner=22, owner_name="Stadtwerke"),
    Record(204, "Website", owner=23, owner_name="Bäckerei"),
    Record(205, "Archiv", owner=24, owner_name="Alt KG"),
)
MOCO_TASKS = (
    Record(1001, "Design", owner=101),
    Record(1002, "Entwicklung", owner=101),
    Record(1003, "Entwicklung", owner=102),
    Record(1004, "Beratung", owner=102),
    Record(1005, "Support", owner=103, active=False),
    Record(1006, "Design", owner=104),
)
CLOCKODO_SERVICES = (
    Record(301, "Design"),
    Record(302, "entwicklung"),
    Record(303, "Beratung"),
    Record(304, "Beratung "),  # two services of one name: ambiguous
    Record(305, "Support"),
)
CATALOG = Catalog(
    MOCO_USERS,
    CLOCKODO_USERS,
    MOCO_PROJECTS,
    CLOCKODO_PROJECTS,
    MOCO_TASKS,
    CLOCKODO_SERVICES,
)


def pairs(found: list[Suggestion], confident: bool = True) -> set[tuple[str, int, int]]:
    return {(s.kind, s.moco, s.clockodo) for s in found if s.confident == confident}


def test_every_correct_pair_and_no_wrong_one() -> None:
    found = suggest(CATALOG)
    assert pairs(found) == {
        ("user", 1, 11),  # by e-mail, despite another name
        ("user", 2, 12),  # shared mailbox: by name
        ("user", 3, 13),
        ("user", 4, 14),  # accents and case
        ("user", 5, 15),  # different e-mails, same name
        ("project", 101, 201),  # identifier = number
        ("project", 102, 202),  # customer + name (not Bäckerei's "Website")
        ("project", 103, 203),
        ("task", 1001, 301),  # within the confidently matched projects
        ("task", 1002, 302),
        ("task", 1003, 302),
    }
    by_pair = {(s.kind, s.moco, s.clockodo): s for s in found}
    assert by_pair[("user", 1, 11)].reason.startswith("same e-mail")
    assert by_pair[("project", 101, 201)].customer == 21
    assert all(0 <= s.confidence <= 1 for s in found)


def test_ambiguous_names_are_offered_unsure_only() -> None:
    unsure = pairs(suggest(CATALOG), confident=False)
    assert unsure == {
        ("user", 7, 17),
        ("user", 7, 18),
        ("task", 1004, 303),
        ("task", 1004, 304),
    }
    assert all("ambiguous" in s.reason for s in suggest(CATALOG) if not s.confident)


def test_inactive_and_mapped_records_take_no_part() -> None:
    found = suggest(CATALOG)
    ids = {s.moco for s in found} | {s.clockodo for s in found}
    assert not ids & {6, 104, 1005, 1006}  # inactive user, archived project, inactive task
    mapped = Catalog(
        MOCO_USERS,
        CLOCKODO_USERS,
        MOCO_PROJECTS,
        CLOCKODO_PROJECTS,
        MOCO_TASKS,
        CLOCKODO_SERVICES,
        mapped_users={1: 12},  # Anna mapped (wrongly, but by the operator) to Ben's account
        mapped_projects={103: 203},
    )
    again = suggest(mapped)
    assert ("user", 1, 11) not in pairs(again)
    assert not any(s.clockodo == 12 for s in again if s.kind == "user")
    assert ("project", 103, 203) not in pairs(again)


def test_tasks_only_within_mapped_projects() -> None:
    no_projects = Catalog(MOCO_USERS, CLOCKODO_USERS, (), (), MOCO_TASKS, CLOCKODO_SERVICES)
    assert not [s for s in suggest(no_projects) if s.kind == "task"]


def test_normalise() -> None:
    assert normalise("  Jörg   Müller-Ost ") == "jorg muller ost"
    assert normalise(None) == ""


def test_ids_of_the_two_sides_are_never_confused() -> None:
    # MOCO user 11 is ambiguous; clockodo user 11 is confidently paired with MOCO 2.
    catalog = Catalog(
        (Record(11, "Sam Smith"), Record(2, "Anna Admin", email="anna@x.example")),
        (
            Record(11, "Anna A.", email="anna@x.example"),
            Record(17, "Sam Smith"),
            Record(18, "Sam Smith"),
        ),
    )
    found = suggest(catalog)
    assert pairs(found) == {("user", 2, 11)}
    assert pairs(found, confident=False) == {("user", 11, 17), ("user", 11, 18)}
