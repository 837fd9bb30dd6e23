"""The functional core of syncd: pure functions from values to a Plan (design §2, §3).

No network, no database, no clock, no logging, no randomness; standard library only.
The I/O shell builds the inputs, calls :func:`reconcile`, and applies the returned
:class:`Plan` as described in :mod:`syncd.core.plan`.

Modules: ``model`` (inputs), ``projection`` (what "equal" means), ``codec`` (the one
stored form of a projection), ``decide`` (the per-link table) and ``policies`` (what
it does with conflicts), ``unlinked`` (adopt, pair, create), ``emit`` (decisions to
actions), ``drafting`` (the interface of a side's rules) with ``moco`` and
``clockodo`` (each vendor's rules: payloads, and for clockodo ``placement`` in
time), ``guard`` (mass-delete guard), ``plan`` (outputs), ``mappings`` (config
problems).
"""

from syncd.core.mappings import mapping_problems
from syncd.core.model import (
    NO_STAMPS,
    SIDES,
    BySide,
    ClockodoBooking,
    ConflictPolicy,
    Direction,
    HeldFailures,
    Link,
    Mappings,
    MocoBooking,
    ParkedConflict,
    Policy,
    Projection,
    ProjectMapping,
    Side,
    SideSnapshot,
    Skip,
    SkipReason,
    TaskMapping,
    UserMapping,
)
from syncd.core.plan import (
    Action,
    AdoptLink,
    Bill,
    Conflict,
    Create,
    Delete,
    DropLink,
    MarkOrphaned,
    Pair,
    Plan,
    RecordBase,
    Update,
    WriteAction,
    WriteSource,
)
from syncd.core.projection import normalize_description, project_clockodo, project_moco
from syncd.core.reconcile import reconcile

__all__ = [
    "NO_STAMPS",
    "SIDES",
    "Action",
    "AdoptLink",
    "Bill",
    "BySide",
    "ClockodoBooking",
    "Conflict",
    "ConflictPolicy",
    "Create",
    "Delete",
    "Direction",
    "DropLink",
    "HeldFailures",
    "Link",
    "Mappings",
    "MarkOrphaned",
    "MocoBooking",
    "Pair",
    "ParkedConflict",
    "Plan",
    "Policy",
    "ProjectMapping",
    "Projection",
    "RecordBase",
    "Side",
    "SideSnapshot",
    "Skip",
    "SkipReason",
    "TaskMapping",
    "Update",
    "UserMapping",
    "WriteAction",
    "WriteSource",
    "mapping_problems",
    "normalize_description",
    "project_clockodo",
    "project_moco",
    "reconcile",
]
