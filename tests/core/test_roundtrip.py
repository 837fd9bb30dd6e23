"""Property: a booking mirrored to the other side and read back has the same projection."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from syncd.core.model import (
    ClockodoBooking,
    Mappings,
    MocoBooking,
    Policy,
    ProjectMapping,
    SideSnapshot,
    TaskMapping,
    UserMapping,
)
from syncd.core.plan import Create
from syncd.core.projection import project_clockodo, project_moco
from syncd.core.reconcile import reconcile
from tests.core.factories import is_write

ZONES = [
    "UTC",
    "Europe/Berlin",
    "America/New_York",
    "America/Santiago",  # DST changes at midnight
    "America/Havana",  # DST changes at midnight
    "Australia/Lord_Howe",  # 30-minute DST
    "Pacific/Chatham",  # +12:45 / +13:45
    "Asia/Kolkata",
    "America/St_Johns",
    "Africa/Casablanca",
]
T0 = datetime(2026, 1, 1, tzinfo=UTC)
texts = st.one_of(
    st.text(max_size=50),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1000, max_size=1500),
    st.lists(st.text(max_size=20), max_size=8).map("\r\n".join),
)


def _mappings(zone: str) -> Mappings:
    return Mappings(
        users=(UserMapping(1, 101, zone),),
        projects=(ProjectMapping(10, 50, 500, 1000),),
        tasks=(TaskMapping(20, 10, 200),),
    )


def _entry_from(create: Create, entry_id: int) -> ClockodoBooking:
    """What clockodo would hold after the create (and the bill that follows it)."""
    draft = create.draft
    return ClockodoBooking(
        id=entry_id,
        users_id=draft.users_id,
        customers_id=draft.customers_id,
        projects_id=draft.projects_id,
        services_id=draft.services_id,
        billable=2 if create.then_bill else draft.billable,
        text=draft.text,
        time_since=draft.time_since,
        time_until=draft.time_until,
        duration=int((draft.time_until - draft.time_since).total_seconds()),
        type=1,
        time_last_change=T0,
    )


def _activity_from(create: Create, activity_id: int) -> MocoBooking:
    draft = create.draft
    return MocoBooking(
        id=activity_id,
        date=draft.date,
        seconds=draft.seconds,
        description=draft.description,
        billable=draft.billable,
        billed=create.billing is not None,
        user_id=draft.user_id,
        project_id=draft.project_id,
        task_id=draft.task_id,
        customer_id=50,
        running=False,
        updated_at=T0,
        remote_id=draft.remote_id,
    )


@settings(max_examples=2 * settings().max_examples, deadline=None)
@given(
    day=st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31)),
    zone=st.sampled_from(ZONES),
    seconds=st.lists(st.integers(1, 24 * 3600 - 1), min_size=1, max_size=4),
    description=texts,
    billable=st.booleans(),
    billed=st.booleans(),
    day_start=st.times().map(lambda t: t.replace(microsecond=0)),
)
def test_moco_to_clockodo_and_back(  # noqa: PLR0917 (hypothesis passes them by name)
    day: date,
    zone: str,
    seconds: list[int],
    description: str,
    billable: bool,
    billed: bool,
    day_start: time,
) -> None:
    mappings = _mappings(zone)
    activities = {
        i: MocoBooking(i, day, s, description, billable, billed, 1, 10, 20, 50, False, T0)
        for i, s in enumerate(seconds, start=1)
    }
    policy = Policy(window=(day, day), day_start=day_start)
    plan = reconcile(
        SideSnapshot(activities, complete=True),
        SideSnapshot({}, complete=True),
        [],
        mappings,
        policy,
    )
    creates = [a for a in plan.actions if is_write(a, Create, "clockodo")]
    assert len(creates) == len(activities)
    for create in creates:
        entry = _entry_from(create, 900 + create.moco_id)
        assert project_clockodo(entry, mappings) == project_moco(
            activities[create.moco_id], mappings
        )


@settings(max_examples=2 * settings().max_examples, deadline=None)
@given(
    start=st.datetimes(
        min_value=datetime(1990, 1, 2), max_value=datetime(2100, 12, 30), timezones=st.just(UTC)
    ),
    zone=st.sampled_from(ZONES),
    seconds=st.integers(1, 24 * 3600 - 1),
    text=texts,
    billable=st.sampled_from([0, 1, 2]),
)
def test_clockodo_to_moco_and_back(
    start: datetime, zone: str, seconds: int, text: str, billable: int
) -> None:
    mappings = _mappings(zone)
    start = start.replace(microsecond=0)
    entry = ClockodoBooking(
        7,
        101,
        500,
        1000,
        200,
        billable,
        text,
        start,
        start + timedelta(seconds=seconds),
        seconds,
        1,
        T0,
    )
    local_day = start.astimezone(mappings.users[0].zone).date()
    plan = reconcile(
        SideSnapshot({}, complete=True),
        SideSnapshot({7: entry}, complete=True),
        [],
        mappings,
        Policy(window=(local_day, local_day)),
    )
    (create,) = plan.actions
    assert is_write(create, Create, "moco")
    assert project_moco(_activity_from(create, 1), mappings) == project_clockodo(entry, mappings)
