"""The two sides over in-memory vendor clients: writes whose effect is uncertain are
never repeated before the vendor was asked what landed."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from syncd.core.clockodo import ClockodoEntryDraft
from syncd.core.moco import MocoActivityDraft
from syncd.core.model import Projection, Side
from syncd.core.plan import Create, WriteSource
from syncd.sides.base import Lost, Written
from syncd.sides.clockodo import ClockodoSide
from syncd.sides.moco import MocoSide
from tests.fakes import Clock, FakeClockodo, FakeMoco, Faults

DAY = date(2026, 3, 27)
START = datetime(2026, 3, 27, 8, tzinfo=UTC)
PROJECTION = Projection(1, DAY, 900, "work", True, False, 10, 20)


def moco_create(source_id: int) -> Create:
    draft = MocoActivityDraft(1, DAY, 900, "work", True, 10, 20, f"clockodo:{source_id}")
    return Create(Side.MOCO, WriteSource(Side.CLOCKODO, source_id, PROJECTION), draft, False)


def clockodo_create(start: datetime = START) -> Create:
    draft = ClockodoEntryDraft(101, 500, 1000, 200, 1, "work", start, start + timedelta(minutes=15))
    return Create(Side.CLOCKODO, WriteSource(Side.MOCO, 1, PROJECTION), draft, False)


def accounts(faults: Faults) -> tuple[FakeMoco, FakeClockodo]:
    clock = Clock()
    moco = FakeMoco(clock, faults, {1: "Anna"}, {10: (50, (20,))})
    clockodo = FakeClockodo(clock, faults, {101: "Europe/Berlin"}, {1000: 500}, [200])
    return moco, clockodo


def test_a_partly_applied_bulk_create_is_adopted_not_repeated() -> None:
    faults = Faults(partial_bulk=1)  # the first item lands, then the batch is refused
    moco, _ = accounts(faults)
    side = MocoSide(moco.client())  # type: ignore[arg-type]
    outcomes = side.create([moco_create(7), moco_create(8), moco_create(9)])
    assert all(isinstance(o, Written) for o in outcomes)
    remote_ids = sorted(a.remote_id or "" for a in moco.activities.values())
    assert remote_ids == ["clockodo:7", "clockodo:8", "clockodo:9"]  # each exactly once
    # One bulk, then the look-up found the landed one, then two single creates.
    assert faults.writes == 3


def test_a_lost_bulk_answer_is_looked_up_never_sent_again() -> None:
    faults = Faults(lose_answer=1)
    moco, _ = accounts(faults)
    side = MocoSide(moco.client())  # type: ignore[arg-type]
    outcomes = side.create([moco_create(7), moco_create(8)])
    assert [type(o) for o in outcomes] == [Written, Written]
    assert len(moco.activities) == 2
    assert faults.writes == 1


def test_a_lost_clockodo_create_never_adopts_an_entry_that_was_there_before() -> None:
    faults = Faults()
    _, clockodo = accounts(faults)
    # Somebody booked exactly what syncd is about to place, at the same second.
    twin = clockodo.book(
        users_id=101,
        customers_id=500,
        projects_id=1000,
        services_id=200,
        billable=1,
        text="work",
        time_since=START,
        time_until=START + timedelta(minutes=15),
    )
    side = ClockodoSide(clockodo.client())  # type: ignore[arg-type]
    assert twin.id in side.fetch([twin.id]).items  # read this run: it was there before
    faults.lose_request = faults.writes + 1  # the create never arrives
    (lost,) = side.create([clockodo_create()])
    assert isinstance(lost, Lost)  # not the twin: the intent stays pending
    faults.lose_answer = faults.writes + 1  # now it arrives, and its answer is lost
    (landed,) = side.create([clockodo_create()])
    assert isinstance(landed, Written)
    assert landed.id != twin.id
    assert set(clockodo.entries) == {twin.id, landed.id}
