"""The values the pure core works on: bookings as read, snapshots, mappings, links, policy.

Everything here is a frozen dataclass built by the I/O shell. The core never reads a
clock, a database or the network; whatever it needs arrives in these values.

Canonical keys: a :class:`Projection` names users, projects and tasks by their MOCO
ids. User and project mappings are one-to-one, so the MOCO id stands for the pair;
tasks map many-to-one onto clockodo services, and the reverse lookup
(MOCO project, clockodo service) -> MOCO task is unique when the mapping is sound
(see :func:`syncd.core.mappings.mapping_problems`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from enum import StrEnum
from typing import Generic, Literal, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


class Side(StrEnum):
    """One of the two tools. A StrEnum, so it equals (and stores as) its plain name."""

    MOCO = "moco"
    CLOCKODO = "clockodo"

    @property
    def other(self) -> Side:
        return Side.CLOCKODO if self == Side.MOCO else Side.MOCO

    @property
    def label(self) -> str:
        """How people write the tool's name."""
        return "MOCO" if self == Side.MOCO else "clockodo"


SIDES = (Side.MOCO, Side.CLOCKODO)
SIDE_NAMED = {side.value: side for side in SIDES}  # Side(name), without the enum's cost
Direction = Literal["both", "moco-to-clockodo", "clockodo-to-moco"]
ConflictPolicy = Literal["park", "moco", "clockodo", "newest", "merge"]
DIRECTIONS: tuple[Direction, ...] = ("both", "moco-to-clockodo", "clockodo-to-moco")
CONFLICT_POLICIES: tuple[ConflictPolicy, ...] = ("park", "moco", "clockodo", "newest", "merge")

MAX_BOOKING_SECONDS = 24 * 3600

V = TypeVar("V")


@dataclass(frozen=True)
class BySide(Generic[V]):
    """One value per side, looked up by :class:`Side` (a symmetric pair)."""

    moco: V
    clockodo: V

    def __getitem__(self, side: Side) -> V:
        return self.moco if side == Side.MOCO else self.clockodo

    def items(self) -> tuple[tuple[Side, V], tuple[Side, V]]:
        return ((Side.MOCO, self.moco), (Side.CLOCKODO, self.clockodo))


def by_side(side: Side, value: V, other: V) -> BySide[V]:
    """``value`` on ``side`` and ``other`` on the other side."""
    return BySide(value, other) if side == Side.MOCO else BySide(other, value)


def other_side(side: Side) -> Side:
    """The side that is not ``side``."""
    return Side(side).other


def _require_aware(value: datetime, name: str) -> None:
    # tzinfo alone: utcoffset() costs microseconds per call on pydantic's zone, and
    # tens of thousands of bookings are built per run. A zone that answers no offset
    # is not something either vendor sends.
    if value.tzinfo is None:
        raise ValueError(f"{name} must be timezone-aware, got {value!r}")


@dataclass(frozen=True, slots=True)
class MocoBooking:
    """What the core needs of a MOCO activity.

    ``seconds`` is ``worked_seconds`` when the API sent it, else ``seconds`` (the shell
    chooses). ``running`` is true while ``timer_started_at`` is set.
    """

    id: int
    date: date
    seconds: int
    description: str | None
    billable: bool
    billed: bool
    user_id: int
    project_id: int
    task_id: int
    customer_id: int
    running: bool
    updated_at: datetime
    remote_id: str | None = None

    def __post_init__(self) -> None:
        _require_aware(self.updated_at, "MocoBooking.updated_at")


@dataclass(frozen=True, slots=True)
class ClockodoBooking:
    """What the core needs of a clockodo entry (any type; the projection skips non-time ones).

    ``billable``: -1 hidden, 0 not billable, 1 billable, 2 billed. ``type``: 1 time entry,
    2 lump-sum value, 3 lump-sum service. ``time_until``/``duration`` are None while running.
    """

    id: int
    users_id: int
    customers_id: int
    projects_id: int | None
    services_id: int | None
    billable: int
    text: str | None
    time_since: datetime
    time_until: datetime | None
    duration: int | None
    type: int
    time_last_change: datetime

    def __post_init__(self) -> None:
        _require_aware(self.time_since, "ClockodoBooking.time_since")
        _require_aware(self.time_last_change, "ClockodoBooking.time_last_change")
        if self.time_until is not None:
            _require_aware(self.time_until, "ClockodoBooking.time_until")


T_co = TypeVar("T_co", covariant=True)


@dataclass(frozen=True)
class SideSnapshot(Generic[T_co]):
    """One side as read in this run.

    ``items``: everything read, keyed by id, including linked items the shell fetched one
    by one because they moved out of the window. ``complete``: the window read finished
    without gaps. ``invalid_ids``: present but unparseable (never treated as absent).
    ``proven_gone``: linked ids missing from a complete read AND answered 404 by a direct
    GET. A linked id in none of these is *unknown*: its link is held, never acted on.
    """

    items: Mapping[int, T_co]
    complete: bool
    invalid_ids: frozenset[int] = frozenset()
    proven_gone: frozenset[int] = frozenset()

    def __post_init__(self) -> None:
        if self.proven_gone & self.items.keys():
            raise ValueError("an id cannot be both read and proven gone")


@dataclass(frozen=True)
class UserMapping:
    """A MOCO user and a clockodo user who are the same person.

    ``timezone`` is the clockodo user's IANA zone (or the configured fallback); it fixes
    the local date of a clockodo entry and where MOCO bookings are placed.
    """

    moco: int
    clockodo: int
    timezone: str

    def __post_init__(self) -> None:
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {self.timezone!r} for user {self.moco}") from exc

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


@dataclass(frozen=True)
class ProjectMapping:
    """A MOCO project (with its customer) and the clockodo customer + project it books on."""

    moco: int
    moco_customer: int
    clockodo_customer: int
    clockodo_project: int


@dataclass(frozen=True)
class TaskMapping:
    """A MOCO task (of ``moco_project``) and the clockodo service it books on."""

    moco: int
    moco_project: int
    clockodo_service: int


M = TypeVar("M", UserMapping, ProjectMapping, TaskMapping)


def _one_to_one(
    items: tuple[M, ...], left: Callable[[M], int], right: Callable[[M], int]
) -> tuple[M, ...]:
    """The distinct items whose left and right keys each occur in no other distinct item."""
    distinct = tuple(dict.fromkeys(items))
    lefts = Counter(left(item) for item in distinct)
    rights = Counter(right(item) for item in distinct)
    return tuple(i for i in distinct if lefts[left(i)] == 1 and rights[right(i)] == 1)


@dataclass(frozen=True)
class Mappings:
    """All configured mappings with lookups both ways.

    A user or project mapping that shares an id with another one, and a task mapped more
    than once (config errors reported by :func:`syncd.core.mappings.mapping_problems`),
    are left out of every lookup: their bookings are skipped as unmapped, never written
    with a guessed partner.
    """

    users: tuple[UserMapping, ...] = ()
    projects: tuple[ProjectMapping, ...] = ()
    tasks: tuple[TaskMapping, ...] = ()
    _user_by_moco: dict[int, UserMapping] = field(init=False, repr=False, compare=False)
    _user_by_clockodo: dict[int, UserMapping] = field(init=False, repr=False, compare=False)
    _project_by_moco: dict[int, ProjectMapping] = field(init=False, repr=False, compare=False)
    _project_by_clockodo: dict[int, ProjectMapping] = field(init=False, repr=False, compare=False)
    _task_by_moco: dict[int, TaskMapping] = field(init=False, repr=False, compare=False)
    _tasks_by_service: dict[tuple[int, int], tuple[TaskMapping, ...]] = field(
        init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        users = _one_to_one(self.users, lambda u: u.moco, lambda u: u.clockodo)
        projects = _one_to_one(self.projects, lambda p: p.moco, lambda p: p.clockodo_project)
        tasks = _one_to_one(self.tasks, lambda t: t.moco, lambda t: t.moco)
        by_service: dict[tuple[int, int], list[TaskMapping]] = {}
        for task in tasks:
            by_service.setdefault((task.moco_project, task.clockodo_service), []).append(task)
        indexes = {
            "_user_by_moco": {u.moco: u for u in users},
            "_user_by_clockodo": {u.clockodo: u for u in users},
            "_project_by_moco": {p.moco: p for p in projects},
            "_project_by_clockodo": {p.clockodo_project: p for p in projects},
            "_task_by_moco": {t.moco: t for t in tasks},
            "_tasks_by_service": {key: tuple(group) for key, group in by_service.items()},
        }
        for name, index in indexes.items():
            object.__setattr__(self, name, index)

    def user_by_moco(self, moco_user: int) -> UserMapping | None:
        return self._user_by_moco.get(moco_user)

    def user_by_clockodo(self, clockodo_user: int) -> UserMapping | None:
        return self._user_by_clockodo.get(clockodo_user)

    def project_by_moco(self, moco_project: int) -> ProjectMapping | None:
        return self._project_by_moco.get(moco_project)

    def project_by_clockodo(self, clockodo_project: int) -> ProjectMapping | None:
        return self._project_by_clockodo.get(clockodo_project)

    def task_by_moco(self, moco_task: int) -> TaskMapping | None:
        return self._task_by_moco.get(moco_task)

    def tasks_for_service(self, moco_project: int, service: int) -> tuple[TaskMapping, ...]:
        """MOCO tasks of ``moco_project`` that map to ``service`` (more than one: ambiguous)."""
        return self._tasks_by_service.get((moco_project, service), ())


@dataclass(frozen=True, slots=True)
class Projection:
    """The normalised record both sides are compared through (design §2).

    ``user``, ``project`` and ``task`` are MOCO ids (the canonical keys of the mapped
    pairs). ``billable`` is always true when ``billed`` is true: clockodo cannot express
    "billed but not billable", so both sides normalise that way and never disagree on it.
    """

    user: int
    date: date
    seconds: int
    description: str
    billable: bool
    billed: bool
    project: int
    task: int


class SkipReason(StrEnum):
    """Why an item is not synced in this run (reported, never silent)."""

    LUMP_SUM = "lump_sum"
    RUNNING = "running"
    UNMAPPED_USER = "unmapped_user"
    UNMAPPED_PROJECT = "unmapped_project"
    UNMAPPED_TASK = "unmapped_task"
    AMBIGUOUS_TASK = "ambiguous_task"
    BILLABILITY_HIDDEN = "billability_hidden"
    INVALID = "invalid"
    ZERO_DURATION = "zero_duration"
    ABSENCE_UNPROVEN = "absence_unproven"
    HELD_AFTER_ERROR = "held_after_error"
    IGNORED_DIRECTION = "ignored_direction"
    PARKED = "parked"
    UNRESOLVED_REMOTE = "unresolved_remote"
    INCOMPLETE_READ = "incomplete_read"


@dataclass(frozen=True)
class Skip:
    """Item ``id`` on ``side`` is not synced this run, for ``reason`` (``detail`` is prose)."""

    side: Side
    id: int
    reason: SkipReason
    detail: str = ""


@dataclass(frozen=True, slots=True)
class Present:
    """An item was read and projected; ``changed_at`` feeds the ``newest`` policy."""

    projection: Projection
    changed_at: datetime


@dataclass(frozen=True, slots=True)
class Seen:
    """One item as read, in the core's terms (each side's rules build these).

    ``claims``: the id of the other side's item this one says it copies (a MOCO
    activity syncd created names its clockodo entry in ``remote_id``), if any.
    """

    id: int
    state: Present | Skip
    local_date: date
    claims: int | None = None


@dataclass(frozen=True)
class ParkedConflict:
    """Both versions as they were when the conflict was parked (None: that side was gone)."""

    moco: Projection | None
    clockodo: Projection | None
    reason: str


NO_STAMPS: BySide[str | None] = BySide(None, None)


@dataclass(frozen=True, slots=True)
class Link:
    """A MOCO activity and a clockodo entry known to be the same booking.

    ``origin``: the side the booking was first seen on (clockodo entries of links with
    origin "moco" were placed by syncd and are stacked per user-day). ``base``: the last
    agreed projection (not consulted while ``parked``). ``orphaned``: that side is gone and
    the deletion was not propagated; the link stays so the survivor is never re-created.
    ``stamps``: each vendor's change stamp of its item when both were seen to hold the
    base (None: not known); see :attr:`Policy.trust_stamps`.
    """

    id: int
    moco_id: int
    clockodo_id: int
    origin: Side
    base: Projection
    parked: ParkedConflict | None = None
    orphaned: Side | None = None
    stamps: BySide[str | None] = field(default_factory=lambda: NO_STAMPS)

    def item(self, side: Side) -> int:
        """The id of this booking on ``side``."""
        return self.moco_id if side == Side.MOCO else self.clockodo_id


@dataclass(frozen=True)
class Policy:
    """How to decide. ``window`` is an inclusive range of local dates; unlinked items
    outside it are ignored (never created). The mass-delete guard refuses a plan deleting
    more than max(mass_delete_min, mass_delete_share x linked bookings in the window) on
    one side, unless ``allow_mass_delete``.

    ``trust_stamps``: a link whose two items still carry the change stamps recorded with
    its base is unchanged, without projecting them (a cheap pre-filter, design §3; the
    shell turns it off whenever the projection itself may have changed: new mappings,
    and on full scans, the safety net against a vendor that moved no stamp).

    ``stamps_settled_before``: only stamps older than this are recorded (None: any).
    Stamps have whole seconds, so an item seen under stamp T may still change within
    second T without its stamp moving; trusting such a stamp later would hide that
    change for good. The shell passes the run's start minus a margin for clock skew.
    """

    window: tuple[date, date]
    direction: Direction = "both"
    conflict: ConflictPolicy = "park"
    propagate_deletes: bool = True
    day_start: time = field(default=time(9, 0))
    mass_delete_min: int = 10
    mass_delete_share: float = 0.10
    allow_mass_delete: bool = False
    trust_stamps: bool = False
    stamps_settled_before: datetime | None = None

    def __post_init__(self) -> None:
        if self.window[0] > self.window[1]:
            raise ValueError(f"window starts after it ends: {self.window}")
        if not 0.0 <= self.mass_delete_share <= 1.0:
            raise ValueError("mass_delete_share must be between 0 and 1")
        if self.mass_delete_min < 0:
            raise ValueError("mass_delete_min must not be negative")
        if self.day_start.tzinfo is not None:
            raise ValueError("day_start is a wall-clock time without a zone")

    def in_window(self, day: date) -> bool:
        return self.window[0] <= day <= self.window[1]

    def may_write(self, side: Side) -> bool:
        """Whether this direction allows writing to ``side``."""
        return self.source != side

    @property
    def source(self) -> Side | None:
        """The only side read as truth in a one-way mode; None when syncing both ways."""
        if self.direction == "moco-to-clockodo":
            return Side.MOCO
        if self.direction == "clockodo-to-moco":
            return Side.CLOCKODO
        return None


# A write from source item (side, id) failed with a 4xx for the source projection stored
# under that key; the core does not plan that write again until the projection changes.
HeldFailures = Mapping[tuple[Side, int], Projection]
