"""MocoClient against the MOCO simulator over real HTTP on loopback."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from syncd.adapters.errors import (
    AuthError,
    LockedOrBilled,
    MalformedResponse,
    NotFound,
    OutcomeUnknown,
    RateLimited,
    ServerError,
)
from syncd.adapters.http import RequestEvent, RetryPolicy
from syncd.adapters.moco.client import BulkOutcomeUnknown, MocoClient
from syncd.adapters.moco.models import ActivityCreate
from syncd.adapters.throttle import Throttle
from syncd.simulators.kit import RunningSimulator, serve_in_thread
from syncd.simulators.moco import MocoSimulator
from tests.adapters.conftest import Sleeps, control, script

ADMIN_KEY = "moco-integration-admin-key"
BEN_KEY = "moco-integration-ben-key"
ADMIN, BEN, CLARA = 101, 102, 103
CUSTOMER, PROJECT, TASK = 201, 301, 401
DAY = dt.date(2026, 3, 2)
TIMEOUT = httpx.Timeout(5.0, connect=2.0)


def base_seed() -> dict[str, Any]:
    return {
        "users": [
            {"id": ADMIN, "firstname": "Anna", "lastname": "Admin", "staff": True},
            {"id": BEN, "firstname": "Ben", "lastname": "Berger"},
            {"id": CLARA, "firstname": "Clara", "lastname": "Chen"},
        ],
        "api_keys": [
            {"key": ADMIN_KEY, "user_id": ADMIN, "impersonate": True},
            {"key": BEN_KEY, "user_id": BEN},
        ],
        "companies": [{"id": CUSTOMER, "name": "Beispiel AG"}],
        "projects": [
            {
                "id": PROJECT,
                "name": "Website",
                "customer_id": CUSTOMER,
                "leader_id": ADMIN,
                "tasks": [{"id": TASK, "name": "Design"}, {"id": TASK + 1, "name": "Dev"}],
                "contracts": [{"user_id": ADMIN}, {"user_id": BEN}, {"user_id": CLARA}],
            }
        ],
    }


def activities(count: int, **extra: Any) -> list[dict[str, Any]]:
    return [
        {
            "date": (DAY + dt.timedelta(days=i % 20)).isoformat(),
            "user_id": BEN if i % 2 else CLARA,
            "project_id": PROJECT,
            "task_id": TASK,
            "seconds": 900 + i,
            "description": f"item {i}",
            **extra,
        }
        for i in range(count)
    ]


@pytest.fixture(scope="module")
def running() -> Iterator[RunningSimulator[MocoSimulator]]:
    with serve_in_thread(MocoSimulator(rate_limit=False)) as server:
        yield server


@pytest.fixture
def sim(running: RunningSimulator[MocoSimulator]) -> RunningSimulator[MocoSimulator]:
    control(running, "reset", {})
    control(running, "seed", base_seed())
    return running


@pytest.fixture
def make(
    sim: RunningSimulator[MocoSimulator],
    retry: RetryPolicy,
    throttle: Throttle,
    record: Callable[[RequestEvent], None],
) -> Callable[..., MocoClient]:
    def build(key: str = ADMIN_KEY, **options: Any) -> MocoClient:
        settings: dict[str, Any] = {
            "timeout": TIMEOUT,
            "throttle": throttle,
            "retry": retry,
            "on_request": record,
        }
        settings.update(options)
        return MocoClient(sim.base_url, key, **settings)

    return build


def seed_activities(sim: RunningSimulator[MocoSimulator], count: int) -> None:
    control(sim, "seed", {"activities": activities(count)})


@pytest.mark.parametrize(("count", "pages"), [(0, 1), (1, 1), (100, 1), (101, 2), (250, 3)])
def test_listing_reads_every_page_exactly_once(
    sim: RunningSimulator[MocoSimulator],
    make: Callable[..., MocoClient],
    events: list[RequestEvent],
    count: int,
    pages: int,
) -> None:
    seed_activities(sim, count)
    result = make().list_activities(date_from=None, date_to=None)
    assert result.complete, result.problem
    assert result.invalid == []
    assert len(result.items) == count
    assert len({a.id for a in result.items}) == count
    assert len(events) == pages
    assert {e.route for e in events} == {"/activities"}
    assert make().count_activities(date_from=None, date_to=None) == count


def test_filters_reach_the_simulator(
    sim: RunningSimulator[MocoSimulator], make: Callable[..., MocoClient]
) -> None:
    seed_activities(sim, 40)
    client = make()
    in_window = client.list_activities(
        date_from=DAY, date_to=DAY + dt.timedelta(days=4), user_id=BEN
    )
    assert in_window.complete
    assert in_window.items
    assert all(a.user is not None and a.user.id == BEN for a in in_window.items)
    assert all(DAY <= a.date <= DAY + dt.timedelta(days=4) for a in in_window.items)
    assert client.count_activities(
        date_from=DAY, date_to=DAY + dt.timedelta(days=4), user_id=BEN
    ) == len(in_window.items)
    some = [a.id for a in in_window.items[:3]]
    assert sorted(
        a.id for a in client.list_activities(date_from=None, date_to=None, ids=some).items
    ) == sorted(some)


def test_create_get_update_delete_as_an_impersonated_user(
    sim: RunningSimulator[MocoSimulator], make: Callable[..., MocoClient]
) -> None:
    client = make()
    payload = ActivityCreate(
        date=DAY,
        project_id=PROJECT,
        task_id=TASK,
        seconds=1800,
        description="Konzept",
        remote_id="clockodo:77",
    )
    created = client.create_activity(payload, impersonate=BEN)
    assert created.user is not None
    assert created.user.id == BEN
    assert created.seconds == 1800
    assert created.remote_service is None
    assert created.created_at.tzinfo == dt.UTC
    found = client.list_activities(date_from=None, date_to=None, remote_ids=["clockodo:77"])
    assert [a.id for a in found.items] == [created.id]
    assert created.hourly_rate is None  # rates are hidden from the impersonated plain user
    fetched = client.get_activity(created.id)
    assert fetched.hourly_rate is not None
    assert fetched.model_dump(exclude={"hourly_rate"}) == created.model_dump(
        exclude={"hourly_rate"}
    )
    updated = client.update_activity(
        created.id, {"seconds": 2700, "description": "Konzept v2"}, impersonate=BEN
    )
    assert (updated.seconds, updated.description) == (2700, "Konzept v2")
    client.delete_activity(created.id, impersonate=BEN)
    with pytest.raises(NotFound):
        client.get_activity(created.id)


def test_delete_also_accepts_204(retry: RetryPolicy, throttle: Throttle) -> None:
    with serve_in_thread(MocoSimulator(rate_limit=False, delete_status=204)) as server:
        control(server, "seed", {**base_seed(), "activities": activities(1)})
        client = MocoClient(
            server.base_url, ADMIN_KEY, timeout=TIMEOUT, throttle=throttle, retry=retry
        )
        (only,) = client.list_activities(date_from=None, date_to=None).items
        client.delete_activity(only.id, impersonate=None)
        assert client.count_activities(date_from=None, date_to=None) == 0


def test_bulk_create_in_chunks_for_one_user(
    sim: RunningSimulator[MocoSimulator],
    make: Callable[..., MocoClient],
    events: list[RequestEvent],
) -> None:
    payloads = [
        ActivityCreate(
            date=DAY, project_id=PROJECT, task_id=TASK, seconds=60 * (i + 1), remote_id=f"c:{i}"
        )
        for i in range(150)
    ]
    created = make().bulk_create(payloads, impersonate=CLARA)
    assert [a.remote_id for a in created] == [f"c:{i}" for i in range(150)]
    assert {a.user.id for a in created if a.user} == {CLARA}
    assert [e.route for e in events] == ["/activities/bulk", "/activities/bulk"]


def test_impersonation_without_staff_rights_is_refused(
    sim: RunningSimulator[MocoSimulator], make: Callable[..., MocoClient]
) -> None:
    payload = ActivityCreate(date=DAY, project_id=PROJECT, task_id=TASK, seconds=60)
    with pytest.raises(AuthError) as caught:
        make(BEN_KEY).create_activity(payload, impersonate=CLARA)
    assert caught.value.status == 403


def test_disregarded_and_locked_activities_are_read_only(
    sim: RunningSimulator[MocoSimulator], make: Callable[..., MocoClient]
) -> None:
    seed_activities(sim, 3)
    client = make()
    first, second, _ = client.list_activities(date_from=None, date_to=None).items
    assert client.disregard([first.id], reason="billed in clockodo", company_id=CUSTOMER) == [
        first.id
    ]
    assert client.get_activity(first.id).billed
    with pytest.raises(LockedOrBilled):
        client.update_activity(first.id, {"seconds": 60}, impersonate=None)
    with pytest.raises(LockedOrBilled):
        client.delete_activity(first.id, impersonate=None)
    control(sim, "period_lock", {"date": (DAY + dt.timedelta(days=30)).isoformat()})
    with pytest.raises(LockedOrBilled):
        client.update_activity(second.id, {"description": "late"}, impersonate=None)


def test_timer_start_and_stop(
    sim: RunningSimulator[MocoSimulator], make: Callable[..., MocoClient]
) -> None:
    control(sim, "clock", {"now": "2026-03-02T10:00:00+00:00"})
    try:
        client = make()
        created = client.create_activity(
            ActivityCreate(date=DAY, project_id=PROJECT, task_id=TASK, seconds=0), impersonate=BEN
        )
        started = client.start_timer(created.id, impersonate=BEN)
        assert started.timer_started_at == dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)
        stopped = client.stop_timer(created.id, impersonate=BEN)
        assert stopped.timer_started_at is None
    finally:
        control(sim, "clock", {"now": None})


def test_master_data(sim: RunningSimulator[MocoSimulator], make: Callable[..., MocoClient]) -> None:
    client = make()
    assert client.session().id == ADMIN
    assert client.profile(impersonate=BEN).id == BEN
    users = client.users()
    assert users.complete
    assert {u.id for u in users.items} == {ADMIN, BEN, CLARA}
    projects = client.projects()
    assert projects.complete
    (project,) = projects.items
    assert {t.id for t in project.tasks} == {TASK, TASK + 1}
    assert {c.user_id for c in project.contracts} == {ADMIN, BEN, CLARA}
    assigned = client.assigned_projects(impersonate=BEN)
    assert [p.id for p in assigned.items] == [PROJECT]
    assert [c.id for c in client.companies().items] == [CUSTOMER]


# -- faults -------------------------------------------------------------------------


def test_429_with_retry_after_is_waited_out(
    sim: RunningSimulator[MocoSimulator], make: Callable[..., MocoClient], sleeps: Sleeps
) -> None:
    seed_activities(sim, 5)
    script(sim, {"route": "GET /api/v1/activities", "nth": 1, "status": 429}, retry_after=3)
    assert len(make().list_activities(date_from=None, date_to=None).items) == 5
    assert sleeps == [3.0]


def test_429_without_retry_after_backs_off(
    sim: RunningSimulator[MocoSimulator], make: Callable[..., MocoClient], sleeps: Sleeps
) -> None:
    seed_activities(sim, 5)
    script(
        sim,
        {"route": "GET /api/v1/activities", "nth": 1, "status": 429},
        {"route": "GET /api/v1/activities", "nth": 2, "status": 429},
        retry_after=None,
    )
    assert make().count_activities(date_from=None, date_to=None) == 5
    assert len(sleeps) == 2
    assert all(wait <= 0.05 for wait in sleeps)


def test_429_that_never_ends_is_rate_limited(
    sim: RunningSimulator[MocoSimulator], make: Callable[..., MocoClient]
) -> None:
    control(sim, "faults", {"rate_429": 1.0, "retry_after": None})
    with pytest.raises(RateLimited):
        make().session()


def test_a_burst_of_500_and_503_is_retried(
    sim: RunningSimulator[MocoSimulator], make: Callable[..., MocoClient]
) -> None:
    seed_activities(sim, 120)
    route = "GET /api/v1/activities"
    script(
        sim,
        {"route": route, "nth": 2, "status": 500},
        {"route": route, "nth": 3, "status": 503},
        {"route": route, "nth": 4, "status": 500},
    )
    result = make().list_activities(date_from=None, date_to=None)
    assert result.complete
    assert len(result.items) == 120


def test_a_page_that_keeps_failing_makes_the_read_incomplete(
    sim: RunningSimulator[MocoSimulator], make: Callable[..., MocoClient]
) -> None:
    seed_activities(sim, 150)
    route = "GET /api/v1/activities"
    script(sim, *({"route": route, "nth": n, "status": 500} for n in range(2, 6)))
    result = make().list_activities(date_from=None, date_to=None)
    assert not result.complete
    assert len(result.items) == 100
    assert isinstance(result.error, ServerError)


def test_a_hanging_response_times_out_and_is_retried(
    sim: RunningSimulator[MocoSimulator],
    make: Callable[..., MocoClient],
    events: list[RequestEvent],
) -> None:
    seed_activities(sim, 3)
    script(sim, {"route": "GET /api/v1/activities", "nth": 1, "fault": "timeout"}, hang_seconds=2.0)
    client = make(timeout=httpx.Timeout(3.0, read=0.6))
    assert len(client.list_activities(date_from=None, date_to=None).items) == 3
    assert [e.status_class for e in events] == ["transport", "2xx"]


def test_a_dropped_connection_is_retried(
    sim: RunningSimulator[MocoSimulator], make: Callable[..., MocoClient]
) -> None:
    seed_activities(sim, 1)
    (only,) = make().list_activities(date_from=None, date_to=None).items
    script(sim, {"route": "GET /api/v1/activities/{id}", "nth": 1, "fault": "drop"})
    assert make().get_activity(only.id).id == only.id


def test_malformed_json_is_retried_and_reported_when_it_persists(
    sim: RunningSimulator[MocoSimulator], make: Callable[..., MocoClient]
) -> None:
    route = "GET /api/v1/session"
    script(sim, {"route": route, "nth": 1, "fault": "malformed"})
    assert make().session().id == ADMIN
    script(sim, *({"route": route, "nth": n, "fault": "malformed"} for n in range(1, 5)))
    with pytest.raises(MalformedResponse):
        make().session()


def test_an_html_error_page_is_a_server_error(
    sim: RunningSimulator[MocoSimulator], make: Callable[..., MocoClient]
) -> None:
    route = "GET /api/v1/session"
    script(sim, *({"route": route, "nth": n, "fault": "html"} for n in range(1, 5)))
    with pytest.raises(ServerError, match="HTML page: 502 Bad Gateway"):
        make().session()


@pytest.mark.parametrize(
    "fault",
    [{"fault": "drop"}, {"fault": "timeout"}, {"fault": "status", "status": 500}],
)
def test_create_after_write_fault_is_outcome_unknown_and_the_record_exists(
    sim: RunningSimulator[MocoSimulator],
    make: Callable[..., MocoClient],
    fault: dict[str, Any],
) -> None:
    script(
        sim,
        {"route": "POST /api/v1/activities", "nth": 1, "after_write": True, **fault},
        hang_seconds=2.0,
    )
    client = make(timeout=httpx.Timeout(2.0, read=0.5))
    payload = ActivityCreate(
        date=DAY, project_id=PROJECT, task_id=TASK, seconds=60, remote_id="c:1"
    )
    with pytest.raises(OutcomeUnknown):
        client.create_activity(payload, impersonate=BEN)
    found = make().list_activities(date_from=None, date_to=None, remote_ids=["c:1"])
    assert len(found.items) == 1  # applied once, never re-sent


def test_bulk_after_write_fault_says_what_was_in_flight(
    sim: RunningSimulator[MocoSimulator], make: Callable[..., MocoClient]
) -> None:
    script(
        sim,
        {"route": "POST /api/v1/activities/bulk", "nth": 2, "fault": "drop", "after_write": True},
    )
    payloads = [
        ActivityCreate(date=DAY, project_id=PROJECT, task_id=TASK, seconds=60, remote_id=f"b:{i}")
        for i in range(230)
    ]
    with pytest.raises(BulkOutcomeUnknown) as caught:
        make().bulk_create(payloads, impersonate=BEN)
    assert len(caught.value.done) == 100
    assert caught.value.in_flight == payloads[100:200]
    assert caught.value.not_sent == payloads[200:]
    assert make().count_activities(date_from=None, date_to=None) == 200


def test_random_faults_never_lose_items_silently(
    sim: RunningSimulator[MocoSimulator], make: Callable[..., MocoClient], sleeps: Sleeps
) -> None:
    seed_activities(sim, 250)
    expected = {a.id for a in make().list_activities(date_from=None, date_to=None).items}
    assert len(expected) == 250
    control(
        sim,
        "faults",
        {
            "error_rate": 0.15,
            "timeout_rate": 0.05,
            "drop_rate": 0.05,
            "rate_429": 0.05,
            "retry_after": None,
            "hang_seconds": 1.0,
            "seed": 7,
        },
    )
    patient = RetryPolicy(attempts=8, initial_wait=0.001, max_wait=0.01, jitter=0.0, sleep=sleeps)
    client = make(retry=patient, timeout=httpx.Timeout(3.0, read=0.6))
    outcomes = []
    for _ in range(4):
        result = client.list_activities(date_from=None, date_to=None)
        if result.complete:
            assert {a.id for a in result.items} == expected
        else:
            assert result.problem
        outcomes.append(result.complete)
    assert any(outcomes)
    assert sleeps  # faults did strike and were retried
