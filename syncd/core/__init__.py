"""The functional core of syncd: pure functions from values to a Plan (design §2, §3).

No network, no database, no clock, no logging, no randomness; standard library only.
The I/O shell builds the inputs, calls :func:`reconcile`, and applies the returned
:class:`Plan` as described in :mod:`syncd.core.plan`.

Modules: ``model`` (inputs), ``projection`` (what "equal" means), ``placement`` (where
MOCO bookings land in clockodo time), ``decide`` (the per-link table), ``unlinked``
(adopt, pair, create), ``emit`` and ``writes`` (actions and payloads), ``guard``
(mass-delete guard), ``plan`` (outputs), ``mappings`` (config problems).
"""

from syncd.core.mappings import mapping_problems
from syncd.core.model import (
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
    ClockodoEntryDraft,
    Conflict,
    CreateInClockodo,
    CreateInMoco,
    DeleteInClockodo,
    DeleteInMoco,
    Disregard,
    DisregardInMoco,
    DropLink,
    MarkOrphaned,
    MocoActivityDraft,
    Plan,
    RecordBase,
    UpdateClockodo,
    UpdateMoco,
    WriteAction,
    WriteSource,
)
from syncd.core.projection import normalize_description, project_clockodo, project_moco
from syncd.core.reconcile import reconcile
from syncd.core.writes import clockodo_id_from_remote, remote_id_for

__all__ = [
    "Action",
    "AdoptLink",
    "ClockodoBooking",
    "ClockodoEntryDraft",
    "Conflict",
    "ConflictPolicy",
    "CreateInClockodo",
    "CreateInMoco",
    "DeleteInClockodo",
    "DeleteInMoco",
    "Direction",
    "Disregard",
    "DisregardInMoco",
    "DropLink",
    "HeldFailures",
    "Link",
    "Mappings",
    "MarkOrphaned",
    "MocoActivityDraft",
    "MocoBooking",
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
    "UpdateClockodo",
    "UpdateMoco",
    "UserMapping",
    "WriteAction",
    "WriteSource",
    "clockodo_id_from_remote",
    "mapping_problems",
    "normalize_description",
    "project_clockodo",
    "project_moco",
    "reconcile",
    "remote_id_for",
]
