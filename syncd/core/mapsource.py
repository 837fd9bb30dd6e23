"""Where mappings come from: the config's `[mappings]` and the store, merged (pure).

The one rule every command and the daemon follow: the mappings in use are the
config's, plus those stored in the database (`syncd mappings add/apply/import`)
that do not clash with them. The config wins a clash: a stored mapping is left
out when the config maps the same MOCO id, or the same clockodo user or
project, of its kind.

Also here: the CSV form of mappings (`syncd mappings export/import`).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Literal

from syncd.config import (
    MappingSettings,
    ProjectMappingSettings,
    TaskMappingSettings,
    UserMappingSettings,
)

Kind = Literal["user", "project", "task"]
KINDS: tuple[Kind, ...] = ("user", "project", "task")
CSV_HEADER = ("kind", "moco", "clockodo", "clockodo_customer")


@dataclass(frozen=True, order=True)
class Entry:
    """One mapping in a flat form (CSV rows, store rows); `customer` only for projects."""

    kind: Kind
    moco: int
    clockodo: int
    customer: int | None = None


def entries(mappings: MappingSettings) -> list[Entry]:
    return (
        [Entry("user", u.moco, u.clockodo) for u in mappings.users]
        + [
            Entry("project", p.moco, p.clockodo_project, p.clockodo_customer)
            for p in mappings.projects
        ]
        + [Entry("task", t.moco, t.clockodo_service) for t in mappings.tasks]
    )


def settings_of(found: list[Entry]) -> MappingSettings:
    return MappingSettings(
        users=[
            UserMappingSettings(moco=e.moco, clockodo=e.clockodo) for e in found if e.kind == "user"
        ],
        projects=[
            ProjectMappingSettings(
                moco=e.moco, clockodo_customer=e.customer or 0, clockodo_project=e.clockodo
            )
            for e in found
            if e.kind == "project"
        ],
        tasks=[
            TaskMappingSettings(moco=e.moco, clockodo_service=e.clockodo)
            for e in found
            if e.kind == "task"
        ],
    )


def merge(configured: MappingSettings, stored: list[Entry]) -> MappingSettings:
    """The mappings in use: the config's, then each stored one the config does not contradict."""
    from_config = entries(configured)
    taken_moco = {(e.kind, e.moco) for e in from_config}
    taken_clockodo = {(e.kind, e.clockodo) for e in from_config if e.kind != "task"}
    added = [
        e
        for e in sorted(set(stored))
        if (e.kind, e.moco) not in taken_moco and (e.kind, e.clockodo) not in taken_clockodo
    ]
    return settings_of(from_config + added)


def overridden(configured: MappingSettings, stored: list[Entry]) -> list[Entry]:
    """Stored mappings the config overrides (left out by :func:`merge`)."""
    kept = set(entries(merge(configured, stored)))
    return [e for e in stored if e not in kept]


# -- CSV ---------------------------------------------------------------------------


class CsvProblem(ValueError):
    """A CSV file that cannot be imported; the message names the line."""


def to_csv(found: list[Entry]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for e in found:
        writer.writerow([e.kind, e.moco, e.clockodo, "" if e.customer is None else e.customer])
    return out.getvalue()


def from_csv(text: str) -> list[Entry]:
    """Every line, or CsvProblem for the first bad one ("line N: problem")."""
    rows = list(csv.reader(io.StringIO(text)))
    if not rows or tuple(cell.strip() for cell in rows[0]) != CSV_HEADER:
        raise CsvProblem(f"line 1: the header must be {','.join(CSV_HEADER)}")
    found: list[Entry] = []
    seen: dict[tuple[str, int], int] = {}
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        entry = _row(number, row)
        if (entry.kind, entry.moco) in seen:
            first = seen[(entry.kind, entry.moco)]
            raise CsvProblem(
                f"line {number}: MOCO {entry.kind} {entry.moco} already on line {first}"
            )
        seen[(entry.kind, entry.moco)] = number
        found.append(entry)
    return found


def _row(number: int, row: list[str]) -> Entry:
    if len(row) != len(CSV_HEADER):
        raise CsvProblem(f"line {number}: {len(row)} fields, expected {len(CSV_HEADER)}")
    kind, *numbers = (cell.strip() for cell in row)
    if kind not in KINDS:
        raise CsvProblem(f"line {number}: kind {kind!r} is not one of {', '.join(KINDS)}")
    values: list[int | None] = []
    for name, cell in zip(CSV_HEADER[1:], numbers, strict=True):
        if not cell:
            values.append(None)
        elif cell.isdigit() and int(cell) > 0:
            values.append(int(cell))
        else:
            raise CsvProblem(f"line {number}: {name} {cell!r} is not a positive whole number")
    moco, clockodo, customer = values
    if moco is None or clockodo is None:
        raise CsvProblem(f"line {number}: moco and clockodo are required")
    if (kind == "project") != (customer is not None):
        need = "needs" if kind == "project" else "takes no"
        raise CsvProblem(f"line {number}: a {kind} mapping {need} clockodo_customer")
    return Entry(kind, moco, clockodo, customer)
