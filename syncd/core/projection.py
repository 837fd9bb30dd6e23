"""One projection function per side: the only place where "equal" is defined (design §2).

Choices where the vendors are silent:

- Zero seconds are skipped (``zero_duration``) on both sides: a 0-second MOCO activity
  is a placeholder (MOCO once started a timer for it) and a clockodo time entry of zero
  length is of doubtful validity; neither is worth a write.
- A duration above 24 h, a negative one, or a clockodo entry ending before it starts is
  ``invalid`` (absurd data is reported, never synced).
- clockodo ``duration`` is the worked time; it need not equal ``time_until - time_since``
  (the account setting ``force_linked_entry_times`` may be off).
- A MOCO task whose (project, service) pair is ambiguous is skipped as
  ``ambiguous_task`` on the MOCO side too: its clockodo copy could never be read back.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date

from syncd.core.model import (
    MAX_BOOKING_SECONDS,
    ClockodoBooking,
    Mappings,
    MocoBooking,
    Projection,
    ProjectMapping,
    Side,
    Skip,
    SkipReason,
    TaskMapping,
    UserMapping,
)

CLOCKODO_TIME_ENTRY = 1
CLOCKODO_LUMP_SUM_TYPES = frozenset({2, 3})
CLOCKODO_BILLABILITY_HIDDEN = -1
CLOCKODO_NOT_BILLABLE, CLOCKODO_BILLABLE, CLOCKODO_BILLED = 0, 1, 2


def normalize_description(text: str | None) -> str:
    """None -> "", CRLF and lone CR -> LF, trailing whitespace of each line and trailing
    blank lines removed. Idempotent."""
    if text is None:
        return ""
    unified = text.replace("\r\n", "\n").replace("\r", "\n")
    return "\n".join(line.rstrip() for line in unified.split("\n")).rstrip("\n")


def clockodo_billable(billable: bool, billed: bool) -> int:
    """The clockodo ``billable`` value for a projection's flags."""
    if billed:
        return CLOCKODO_BILLED
    return CLOCKODO_BILLABLE if billable else CLOCKODO_NOT_BILLABLE


def clockodo_local_date(entry: ClockodoBooking, mappings: Mappings) -> date:
    """The local date of ``time_since`` in the user's zone (UTC when the user is unmapped)."""
    user = mappings.user_by_clockodo(entry.users_id)
    zone = UTC if user is None else user.zone
    return entry.time_since.astimezone(zone).date()


def _duration_problem(seconds: int) -> tuple[SkipReason, str] | None:
    if seconds < 0 or seconds > MAX_BOOKING_SECONDS:
        return SkipReason.INVALID, f"{seconds} s"
    if seconds == 0:
        return SkipReason.ZERO_DURATION, ""
    return None


def _moco_problems(activity: MocoBooking, mappings: Mappings) -> Iterator[tuple[SkipReason, str]]:
    """Why ``activity`` cannot be projected, most basic reason first."""
    task = mappings.task_by_moco(activity.task_id)
    if activity.running:
        yield SkipReason.RUNNING, "timer running"
    elif (duration := _duration_problem(activity.seconds)) is not None:
        yield duration
    elif mappings.user_by_moco(activity.user_id) is None:
        yield SkipReason.UNMAPPED_USER, f"MOCO user {activity.user_id}"
    elif mappings.project_by_moco(activity.project_id) is None:
        yield SkipReason.UNMAPPED_PROJECT, f"MOCO project {activity.project_id}"
    elif task is None or task.moco_project != activity.project_id:
        yield SkipReason.UNMAPPED_TASK, f"MOCO task {activity.task_id}"
    elif len(mappings.tasks_for_service(activity.project_id, task.clockodo_service)) > 1:
        yield SkipReason.AMBIGUOUS_TASK, f"clockodo service {task.clockodo_service}"


def project_moco(activity: MocoBooking, mappings: Mappings) -> Projection | Skip:
    """The projection of a MOCO activity, or why it is skipped."""
    problem = next(_moco_problems(activity, mappings), None)
    if problem is not None:
        return Skip(Side.MOCO, activity.id, *problem)
    return Projection(
        user=activity.user_id,
        date=activity.date,
        seconds=activity.seconds,
        description=normalize_description(activity.description),
        billable=activity.billable or activity.billed,
        billed=activity.billed,
        project=activity.project_id,
        task=activity.task_id,
    )


def _clockodo_shape_problems(entry: ClockodoBooking) -> Iterator[tuple[SkipReason, str]]:
    """Skips that follow from the entry alone, before any mapping is consulted."""
    if entry.type in CLOCKODO_LUMP_SUM_TYPES:
        yield SkipReason.LUMP_SUM, f"type {entry.type}"
    elif entry.type != CLOCKODO_TIME_ENTRY:
        yield SkipReason.INVALID, f"unknown type {entry.type}"
    elif entry.time_until is None or entry.duration is None:
        yield SkipReason.RUNNING, "clock running"
    elif entry.billable == CLOCKODO_BILLABILITY_HIDDEN:
        yield SkipReason.BILLABILITY_HIDDEN, "billable -1"
    elif entry.billable not in (CLOCKODO_NOT_BILLABLE, CLOCKODO_BILLABLE, CLOCKODO_BILLED):
        yield SkipReason.INVALID, f"billable {entry.billable}"
    elif entry.time_until < entry.time_since:
        yield SkipReason.INVALID, "ends before it starts"
    elif (duration := _duration_problem(entry.duration)) is not None:
        yield duration


@dataclass(frozen=True)
class _ClockodoTargets:
    """The mappings a clockodo entry's ids lead to (None / empty: unmapped)."""

    user: UserMapping | None
    project: ProjectMapping | None
    tasks: tuple[TaskMapping, ...]

    @classmethod
    def of(cls, entry: ClockodoBooking, mappings: Mappings) -> _ClockodoTargets:
        project = (
            None if entry.projects_id is None else mappings.project_by_clockodo(entry.projects_id)
        )
        tasks = (
            ()
            if project is None or entry.services_id is None
            else mappings.tasks_for_service(project.moco, entry.services_id)
        )
        return cls(mappings.user_by_clockodo(entry.users_id), project, tasks)


def _clockodo_mapping_problems(
    entry: ClockodoBooking, targets: _ClockodoTargets
) -> Iterator[tuple[SkipReason, str]]:
    if targets.user is None:
        yield SkipReason.UNMAPPED_USER, f"clockodo user {entry.users_id}"
    elif targets.project is None:
        yield SkipReason.UNMAPPED_PROJECT, f"clockodo project {entry.projects_id}"
    elif not targets.tasks:
        yield SkipReason.UNMAPPED_TASK, f"clockodo service {entry.services_id}"
    elif len(targets.tasks) > 1:
        yield SkipReason.AMBIGUOUS_TASK, f"clockodo service {entry.services_id}"


def project_clockodo(entry: ClockodoBooking, mappings: Mappings) -> Projection | Skip:
    """The projection of a clockodo entry, or why it is skipped."""
    targets = _ClockodoTargets.of(entry, mappings)
    problem = next(_clockodo_shape_problems(entry), None) or next(
        _clockodo_mapping_problems(entry, targets), None
    )
    if problem is not None:
        return Skip(Side.CLOCKODO, entry.id, *problem)
    assert targets.user is not None, "checked by _clockodo_mapping_problems"
    assert targets.project is not None, "checked by _clockodo_mapping_problems"
    assert entry.duration is not None, "checked by _clockodo_shape_problems"
    billed = entry.billable == CLOCKODO_BILLED
    return Projection(
        user=targets.user.moco,
        date=entry.time_since.astimezone(targets.user.zone).date(),
        seconds=entry.duration,
        description=normalize_description(entry.text),
        billable=billed or entry.billable == CLOCKODO_BILLABLE,
        billed=billed,
        project=targets.project.moco,
        task=targets.tasks[0].moco,
    )
