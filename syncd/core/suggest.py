"""Mapping suggestions from both accounts' master data (pure: values in, values out).

People are paired by e-mail, then by normalised full name; projects by MOCO
identifier = clockodo number, then by customer and normalised name; a MOCO
task with the clockodo service of the same normalised name, within a project
that is mapped (or confidently suggested). A pair is only suggested when the
key is unique on both sides; a name shared by several records is offered with
a low confidence and the reason, never as confident. Inactive, archived and
already mapped records take no part.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Literal

Kind = Literal["user", "project", "task"]
CONFIDENT = 0.8  # `mappings apply` takes suggestions at or above this


@dataclass(frozen=True)
class Record:
    """One user, project, task or service as the suggester sees it."""

    id: int
    name: str
    active: bool = True
    email: str | None = None
    number: str | None = None  # MOCO project identifier / clockodo project number
    owner: int | None = None  # clockodo project: its customer; MOCO task: its project
    owner_name: str = ""  # the customer's name (projects)


@dataclass(frozen=True)
class Catalog:
    """Both accounts' master data, and what is mapped already (by MOCO id and partner)."""

    moco_users: tuple[Record, ...] = ()
    clockodo_users: tuple[Record, ...] = ()
    moco_projects: tuple[Record, ...] = ()
    clockodo_projects: tuple[Record, ...] = ()
    moco_tasks: tuple[Record, ...] = ()
    clockodo_services: tuple[Record, ...] = ()
    mapped_users: dict[int, int] = field(default_factory=dict)
    mapped_projects: dict[int, int] = field(default_factory=dict)  # MOCO -> clockodo project
    mapped_tasks: dict[int, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Suggestion:
    kind: Kind
    moco: int
    clockodo: int  # user, project or service id
    confidence: float
    reason: str
    moco_name: str = ""
    clockodo_name: str = ""
    customer: int | None = None  # clockodo customer of a project

    @property
    def confident(self) -> bool:
        return self.confidence >= CONFIDENT


def normalise(text: str | None) -> str:
    """No case, accents, punctuation or extra spaces: "Jörg  Müller-Ost" → "jorg muller ost"."""
    if not text:
        return ""
    plain = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(char for char in plain if not unicodedata.combining(char))
    return " ".join(re.sub(r"[^\w]+", " ", plain).split())


def _index(records: Iterable[Record], key: Callable[[Record], str]) -> dict[str, list[Record]]:
    found: dict[str, list[Record]] = {}
    for record in records:
        value = key(record)
        if value:
            found.setdefault(value, []).append(record)
    return found


@dataclass(frozen=True)
class _Rule:
    key: Callable[[Record], str]
    confidence: float
    reason: str  # formatted with {value}


def _match(
    kind: Kind, moco: list[Record], clockodo: list[Record], rules: list[_Rule]
) -> list[Suggestion]:
    """Apply the rules in order; each pairs records unique by its key on both sides."""
    found: list[Suggestion] = []
    unsure: list[Suggestion] = []
    for rule in rules:
        left, right = _index(moco, rule.key), _index(clockodo, rule.key)
        paired_moco: set[int] = set()
        paired_clockodo: set[int] = set()
        for value, mine in left.items():
            theirs = right.get(value, [])
            if len(mine) == 1 and len(theirs) == 1:
                found.append(
                    _suggest(kind, mine[0], theirs[0], rule.confidence, rule=rule, value=value)
                )
                paired_moco.add(mine[0].id)
                paired_clockodo.add(theirs[0].id)
            elif theirs:
                shared = f"{len(mine)} in MOCO, {len(theirs)} in clockodo"
                unsure += [
                    _suggest(
                        kind, m, t, 0.3, rule=rule, value=value, note=f" (ambiguous: {shared})"
                    )
                    for m in mine
                    for t in theirs
                ]
        moco = [r for r in moco if r.id not in paired_moco]
        clockodo = [r for r in clockodo if r.id not in paired_clockodo]
    paired_moco = {s.moco for s in found}
    paired_clockodo = {s.clockodo for s in found}
    left_over = [
        s for s in unsure if s.moco not in paired_moco and s.clockodo not in paired_clockodo
    ]
    return found + _dedupe(left_over)


def _dedupe(suggestions: list[Suggestion]) -> list[Suggestion]:
    seen: set[tuple[int, int]] = set()
    kept = []
    for suggestion in suggestions:
        if (suggestion.moco, suggestion.clockodo) not in seen:
            seen.add((suggestion.moco, suggestion.clockodo))
            kept.append(suggestion)
    return kept


def _suggest(
    kind: Kind,
    mine: Record,
    theirs: Record,
    confidence: float,
    *,
    rule: _Rule,
    value: str,
    note: str = "",
) -> Suggestion:
    return Suggestion(
        kind,
        mine.id,
        theirs.id,
        confidence,
        rule.reason.format(value=value) + note,
        mine.name,
        theirs.name,
        theirs.owner if kind == "project" else None,
    )


def _open(records: Iterable[Record], mapped: Iterable[int]) -> list[Record]:
    taken = set(mapped)
    return [r for r in records if r.active and r.id not in taken]


def suggest_users(catalog: Catalog) -> list[Suggestion]:
    moco = _open(catalog.moco_users, catalog.mapped_users)
    clockodo = _open(catalog.clockodo_users, catalog.mapped_users.values())
    rules = [
        _Rule(lambda r: (r.email or "").strip().casefold(), 1.0, "same e-mail {value}"),
        _Rule(lambda r: normalise(r.name), 0.9, 'same full name "{value}"'),
    ]
    return _match("user", moco, clockodo, rules)


def suggest_projects(catalog: Catalog) -> list[Suggestion]:
    moco = _open(catalog.moco_projects, catalog.mapped_projects)
    clockodo = _open(catalog.clockodo_projects, catalog.mapped_projects.values())
    rules = [
        _Rule(lambda r: normalise(r.number), 1.0, "MOCO identifier = clockodo number {value}"),
        _Rule(
            lambda r: f"{normalise(r.owner_name)} / {normalise(r.name)}" if r.owner_name else "",
            0.9,
            'same customer and name "{value}"',
        ),
    ]
    return _match("project", moco, clockodo, rules)


def suggest_tasks(catalog: Catalog, projects: Iterable[int]) -> list[Suggestion]:
    """Tasks of the MOCO `projects` (mapped ones) with the service of the same name."""
    services = [s for s in catalog.clockodo_services if s.active]
    found: list[Suggestion] = []
    for project in sorted(set(projects)):
        tasks = [t for t in catalog.moco_tasks if t.owner == project]
        rule = _Rule(lambda r: normalise(r.name), 0.9, 'same name "{value}" in MOCO project')
        matched = _match("task", _open(tasks, catalog.mapped_tasks), services, [rule])
        found += [
            Suggestion(
                s.kind,
                s.moco,
                s.clockodo,
                s.confidence,
                f"{s.reason} {project}",
                s.moco_name,
                s.clockodo_name,
            )
            for s in matched
        ]
    return found


def suggest(catalog: Catalog) -> list[Suggestion]:
    """All suggestions: confident ones first within each kind, then the unsure ones."""
    projects = suggest_projects(catalog)
    mapped = set(catalog.mapped_projects) | {p.moco for p in projects if p.confident}
    found = suggest_users(catalog) + projects + suggest_tasks(catalog, mapped)
    order = {"user": 0, "project": 1, "task": 2}
    return sorted(found, key=lambda s: (order[s.kind], not s.confident, s.moco, s.clockodo))
