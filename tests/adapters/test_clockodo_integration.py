"""ClockodoClient against the clockodo simulator over real HTTP on loopback."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from syncd.adapters.clockodo.client import ClockodoClient
from syncd.adapters.clockodo.models import EntryCreate, EntryUpdate
from syncd.adapters.errors import (
    AuthError,
    LockedOrBilled,
    MalformedResponse,
    NotFound,
    OutcomeUnknown,
    RateLimited,
    ServerError,
    ValidationFailed,
)
from syncd.adapters.http import RequestEvent, RetryPolicy
from syncd.adapters.throttle import Throttle
from syncd.simulators.clockodo import ClockodoSimulator
from syncd.simulators.kit import RunningSimulator, serve_in_thread
from tests.adapters.conftest import Sleeps, control, script

OWNER_EMAIL, OWNER_KEY = "lena@example.com", "clockodo-integration-owner-key"
WORKER_EMAIL, WORKER_KEY = "jonas@example.com", "clockodo-integration-worker-key"
APP = "syncd-tests;ops@example.com"
OWNER, JONAS, SOFIA = 1, 2, 3
CUSTOMER, PROJECT, SERVICE = 11, 21, 31
START = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)
SINCE = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
UNTIL = dt.datetime(2026, 4, 1, tzinfo=dt.UTC)
TIMEOUT = httpx.Timeout(5.0, connect=2.0)
ENTRIES_ROUTE = "GET /api/v2/entries"


def seed(entries: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {
        "api_users": [
            {"email": OWNER_EMAIL, "key": OWNER_KEY, "users_id": OWNER},
            {"email": WORKER_EMAIL, "key": WORKER_KEY, "users_id": JONAS},
        ],
        "users": [
            {"id": OWNER, "name": "Lena Brandt", "role": "owner", "email": OWNER_EMAIL},
            {"id": JONAS, "name": "Jonas Weber", "email": WORKER_EMAIL},
            {"id": SOFIA, "name": "Sofia Marques", "timezone": "Europe/Lisbon"},
        ],
        "customers": [{"id": CUSTOMER, "name": "Hotel Bergblick"}],
        "projects": [{"id": PROJECT, "customers_id": CUSTOMER, "name": "Relaunch"}],
        "services": [{"id": SERVICE, "name": "Design"}],
        "entries": entries or [],
    }


def entries(count: int, users_id: int = JONAS) -> list[dict[str, Any]]:
    """`count` half-hour entries, one every hour from START."""
    return [
        {
            "users_id": users_id,
            "customers_id": CUSTOMER,
            "projects_id": PROJECT,
            "services_id": SERVICE,
            "time_since": (START + dt.timedelta(hours=i)).isoformat(),
            "time_until": (START + dt.timedelta(hours=i, minutes=30)).isoformat(),
            "text": f"entry {i}",
        }
        for i in range(count)
    ]


@pytest.fixture(scope="module")
def running() -> Iterator[RunningSimulator[ClockodoSimulator]]:
    with serve_in_thread(ClockodoSimulator(rate_limit=False)) as server:
        yield server


@pytest.fixture
def sim(running: RunningSimulator[ClockodoSimulator]) -> RunningSimulator[ClockodoSimulator]:
    control(running, "reset", {})
    control(running, "seed", seed())
    return running


@pytest.fixture
def make(
    sim: RunningSimulator[ClockodoSimulator],
    retry: RetryPolicy,
    throttle: Throttle,
    record: Callable[[RequestEvent], None],
) -> Callable[..., ClockodoClient]:
    def build(email: str = OWNER_EMAIL, key: str = OWNER_KEY, **options: Any) -> ClockodoClient:
        settings: dict[str, Any] = {
            "timeout": TIMEOUT,
            "throttle": throttle,
            "retry": retry,
            "on_request": record,
        }
        settings.update(options)
        return ClockodoClient(sim.base_url, email, key, APP, **settings)

    return build


@pytest.mark.parametrize(("count", "pages"), [(0, 1), (1, 1), (10, 1), (11, 2), (25, 3)])
def test_listing_walks_every_page(
    sim: RunningSimulator[ClockodoSimulator],
    make: Callable[..., ClockodoClient],
    events: list[RequestEvent],
    count: int,
    pages: int,
) -> None:
    control(sim, "seed", seed(entries(count)))
    result = make(page_size=10).list_entries(time_since=SINCE, time_until=UNTIL)
    assert result.complete, result.problem
    assert len({e.id for e in result.items}) == count
    assert len(events) == pages
    assert {e.route for e in events} == {"/v2/entries"}


def test_listing_more_than_a_thousand_entries_at_the_default_page_size(
    sim: RunningSimulator[ClockodoSimulator],
    make: Callable[..., ClockodoClient],
    events: list[RequestEvent],
) -> None:
    control(sim, "seed", seed(entries(1003)))
    result = make().list_entries(time_since=SINCE, time_until=UNTIL + dt.timedelta(days=60))
    assert result.complete, result.problem
    assert len({e.id for e in result.items}) == 1003
    assert len(events) == 2


def test_filters_reach_the_simulator(
    sim: RunningSimulator[ClockodoSimulator], make: Callable[..., ClockodoClient]
) -> None:
    control(sim, "seed", seed(entries(4) + entries(3, users_id=SOFIA)))
    result = make().list_entries(time_since=SINCE, time_until=UNTIL, users_id=SOFIA)
    assert result.complete
    assert [e.users_id for e in result.items] == [SOFIA] * 3


def test_create_get_update_delete_for_another_user(
    sim: RunningSimulator[ClockodoSimulator], make: Callable[..., ClockodoClient]
) -> None:
    client = make()
    created = client.create_entry(
        EntryCreate(
            customers_id=CUSTOMER,
            projects_id=PROJECT,
            services_id=SERVICE,
            billable=1,
            time_since=START,
            time_until=START + dt.timedelta(minutes=45),
            users_id=SOFIA,
            text="Entwurf",
        )
    )
    assert (created.users_id, created.duration, created.text) == (SOFIA, 2700, "Entwurf")
    assert created.time_since == START
    assert client.get_entry(created.id) == created
    updated = client.update_entry(created.id, EntryUpdate(text="Entwurf v2", duration=3600))
    assert (updated.text, updated.duration) == ("Entwurf v2", 3600)
    client.delete_entry(created.id)
    with pytest.raises(NotFound):
        client.get_entry(created.id)


def test_a_worker_may_not_touch_other_users_entries(
    sim: RunningSimulator[ClockodoSimulator], make: Callable[..., ClockodoClient]
) -> None:
    control(sim, "seed", seed(entries(1, users_id=SOFIA)))
    (sofias,) = make().list_entries(time_since=SINCE, time_until=UNTIL).items
    with pytest.raises(AuthError):
        make(WORKER_EMAIL, WORKER_KEY).update_entry(sofias.id, {"text": "mine now"})


def test_edit_locked_and_billed_entries_are_read_only(
    sim: RunningSimulator[ClockodoSimulator], make: Callable[..., ClockodoClient]
) -> None:
    control(sim, "seed", seed(entries(2)))
    client = make()
    first, second = client.list_entries(time_since=SINCE, time_until=UNTIL).items
    client.update_entry(first.id, {"billable": 2})
    with pytest.raises(LockedOrBilled):
        client.update_entry(first.id, {"text": "changed"})
    with pytest.raises(LockedOrBilled):
        client.delete_entry(first.id)
    control(sim, "edit_locks", {"users_id": JONAS, "date": "2026-03-31"})
    with pytest.raises(LockedOrBilled):
        client.update_entry(second.id, {"text": "changed"})


def test_validation_failures_carry_the_vendor_message(
    sim: RunningSimulator[ClockodoSimulator], make: Callable[..., ClockodoClient]
) -> None:
    payload = EntryCreate(
        customers_id=CUSTOMER,
        services_id=SERVICE,
        billable=0,
        time_since=START,
        time_until=START - dt.timedelta(hours=1),
    )
    with pytest.raises(ValidationFailed) as caught:
        make().create_entry(payload)
    assert "EndBeforeStart" in str(caught.value)


def test_entry_groups_nest(
    sim: RunningSimulator[ClockodoSimulator], make: Callable[..., ClockodoClient]
) -> None:
    control(sim, "seed", seed(entries(3) + entries(2, users_id=SOFIA)))
    groups = make().entry_groups(
        time_since=SINCE, time_until=UNTIL, grouping=["users_id", "projects_id"]
    )
    by_user = {group.group: group for group in groups}
    assert set(by_user) == {str(JONAS), str(SOFIA)}
    assert by_user[str(JONAS)].duration == 3 * 1800
    (project,) = by_user[str(SOFIA)].sub_groups or []
    assert (project.grouped_by, project.group, project.duration) == (
        "projects_id",
        str(PROJECT),
        3600,
    )


def test_group_edit_confirmed_applies_and_refused_changes_nothing(
    sim: RunningSimulator[ClockodoSimulator], make: Callable[..., ClockodoClient]
) -> None:
    control(sim, "seed", seed(entries(3) + entries(2, users_id=SOFIA)))
    client = make()
    refused = client.edit_entry_group(
        time_since=SINCE, time_until=UNTIL, filters={"users_id": SOFIA}, changes={"billable": 2}
    )
    assert refused.affected_entries == 2
    # Not confirming is refusing: nothing changed.
    current = client.list_entries(time_since=SINCE, time_until=UNTIL).items
    assert {e.billable for e in current} == {1}
    handshake = client.edit_entry_group(
        time_since=SINCE, time_until=UNTIL, filters={"users_id": JONAS}, changes={"billable": 2}
    )
    assert handshake.affected_entries == 3
    assert handshake.confirm() == 3
    after = client.list_entries(time_since=SINCE, time_until=UNTIL).items
    assert sorted((e.users_id, e.billable) for e in after) == [(2, 2)] * 3 + [(3, 1)] * 2


def test_group_delete_with_confirm(
    sim: RunningSimulator[ClockodoSimulator], make: Callable[..., ClockodoClient]
) -> None:
    control(sim, "seed", seed(entries(3) + entries(2, users_id=SOFIA)))
    client = make()
    handshake = client.delete_entry_group(
        time_since=SINCE, time_until=UNTIL, filters={"users_id": JONAS}
    )
    assert handshake.affected_entries == 3
    assert handshake.confirm() == 3
    remaining = client.list_entries(time_since=SINCE, time_until=UNTIL).items
    assert [e.users_id for e in remaining] == [SOFIA, SOFIA]


def test_clock_shows_the_running_entry(
    sim: RunningSimulator[ClockodoSimulator], make: Callable[..., ClockodoClient]
) -> None:
    control(sim, "clock", {"now": "2026-03-02T10:00:00+00:00"})
    try:
        running = {
            "users_id": OWNER,
            "customers_id": CUSTOMER,
            "services_id": SERVICE,
            "time_since": "2026-03-02T09:30:00+00:00",
            "clocked": True,
            "time_clocked_since": "2026-03-02T09:30:00+00:00",
        }
        control(sim, "seed", seed([running]))
        status = make().clock()
        assert status.running is not None
        assert status.running.is_running
        assert status.running.duration is None
        assert status.current_time == dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)
        listed = make().list_entries(time_since=SINCE, time_until=UNTIL).items
        assert [e.is_running for e in listed] == [True]
    finally:
        control(sim, "clock", {"now": None})


def test_master_data(
    sim: RunningSimulator[ClockodoSimulator], make: Callable[..., ClockodoClient]
) -> None:
    client = make()
    assert [c.id for c in client.customers().items] == [CUSTOMER]
    assert [p.customers_id for p in client.projects().items] == [CUSTOMER]
    assert [s.id for s in client.services().items] == [SERVICE]
    users = client.users()
    assert users.complete
    assert {u.id: u.timezone for u in users.items}[SOFIA] == "Europe/Lisbon"
    assert client.me().id == OWNER


def test_wrong_key_is_an_auth_error(
    sim: RunningSimulator[ClockodoSimulator], make: Callable[..., ClockodoClient]
) -> None:
    with pytest.raises(AuthError) as caught:
        make(OWNER_EMAIL, "wrong-key-0000").me()
    assert caught.value.status == 401


# -- faults -------------------------------------------------------------------------


def test_429_with_retry_after_is_waited_out(
    sim: RunningSimulator[ClockodoSimulator], make: Callable[..., ClockodoClient], sleeps: Sleeps
) -> None:
    script(sim, {"route": "GET /api/v4/users/me", "nth": 1, "status": 429}, retry_after=2)
    assert make().me().id == OWNER
    assert sleeps == [2.0]


def test_429_without_retry_after_backs_off_and_finally_gives_up(
    sim: RunningSimulator[ClockodoSimulator], make: Callable[..., ClockodoClient], sleeps: Sleeps
) -> None:
    control(sim, "faults", {"rate_429": 1.0, "retry_after": None})
    with pytest.raises(RateLimited):
        make().me()
    assert len(sleeps) == 3
    assert all(wait <= 0.05 for wait in sleeps)


def test_a_burst_of_5xx_is_retried(
    sim: RunningSimulator[ClockodoSimulator], make: Callable[..., ClockodoClient]
) -> None:
    control(sim, "seed", seed(entries(25)))
    script(
        sim,
        {"route": ENTRIES_ROUTE, "nth": 2, "status": 500},
        {"route": ENTRIES_ROUTE, "nth": 3, "status": 503},
        {"route": ENTRIES_ROUTE, "nth": 4, "status": 502},
    )
    result = make(page_size=10).list_entries(time_since=SINCE, time_until=UNTIL)
    assert result.complete
    assert len(result.items) == 25


def test_a_page_that_keeps_failing_is_reported(
    sim: RunningSimulator[ClockodoSimulator], make: Callable[..., ClockodoClient]
) -> None:
    control(sim, "seed", seed(entries(25)))
    script(sim, *({"route": ENTRIES_ROUTE, "nth": n, "status": 500} for n in range(3, 7)))
    result = make(page_size=10).list_entries(time_since=SINCE, time_until=UNTIL)
    assert not result.complete
    assert len(result.items) == 20
    assert isinstance(result.error, ServerError)


def test_hang_drop_malformed_and_html_are_survived_on_reads(
    sim: RunningSimulator[ClockodoSimulator],
    make: Callable[..., ClockodoClient],
    events: list[RequestEvent],
) -> None:
    control(sim, "seed", seed(entries(5)))
    script(
        sim,
        {"route": ENTRIES_ROUTE, "nth": 1, "fault": "timeout"},
        {"route": ENTRIES_ROUTE, "nth": 2, "fault": "drop"},
        {"route": ENTRIES_ROUTE, "nth": 3, "fault": "malformed"},
        {"route": ENTRIES_ROUTE, "nth": 4, "fault": "html"},
        hang_seconds=2.0,
    )
    client = make(
        timeout=httpx.Timeout(3.0, read=0.6),
        retry=RetryPolicy(
            attempts=5, initial_wait=0.001, max_wait=0.01, jitter=0.0, sleep=Sleeps()
        ),
    )
    result = client.list_entries(time_since=SINCE, time_until=UNTIL)
    assert result.complete
    assert len(result.items) == 5
    assert [e.status_class for e in events] == ["transport", "transport", "2xx", "5xx", "2xx"]


def test_persistent_malformed_and_html_answers_raise(
    sim: RunningSimulator[ClockodoSimulator], make: Callable[..., ClockodoClient]
) -> None:
    route = "GET /api/v4/users/me"
    script(sim, *({"route": route, "nth": n, "fault": "malformed"} for n in range(1, 5)))
    with pytest.raises(MalformedResponse):
        make().me()
    script(sim, *({"route": route, "nth": n, "fault": "html"} for n in range(1, 5)))
    with pytest.raises(ServerError, match="HTML page"):
        make().me()


@pytest.mark.parametrize(
    "fault",
    [{"fault": "drop"}, {"fault": "timeout"}, {"fault": "status", "status": 503}],
)
def test_create_after_write_fault_is_outcome_unknown_and_the_entry_exists(
    sim: RunningSimulator[ClockodoSimulator],
    make: Callable[..., ClockodoClient],
    fault: dict[str, Any],
) -> None:
    script(
        sim,
        {"route": "POST /api/v2/entries", "nth": 1, "after_write": True, **fault},
        hang_seconds=2.0,
    )
    payload = EntryCreate(
        customers_id=CUSTOMER,
        services_id=SERVICE,
        billable=1,
        time_since=START,
        time_until=START + dt.timedelta(minutes=15),
        users_id=SOFIA,
        text="lost answer",
    )
    with pytest.raises(OutcomeUnknown):
        make(timeout=httpx.Timeout(2.0, read=0.5)).create_entry(payload)
    found = make().list_entries(time_since=SINCE, time_until=UNTIL, users_id=SOFIA).items
    assert [(e.time_since, e.text) for e in found] == [(START, "lost answer")]


def test_random_faults_never_lose_items_silently(
    sim: RunningSimulator[ClockodoSimulator], make: Callable[..., ClockodoClient], sleeps: Sleeps
) -> None:
    control(sim, "seed", seed(entries(300)))
    expected = {e.id for e in make().list_entries(time_since=SINCE, time_until=UNTIL).items}
    assert len(expected) == 300
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
            "seed": 11,
        },
    )
    patient = RetryPolicy(attempts=8, initial_wait=0.001, max_wait=0.01, jitter=0.0, sleep=sleeps)
    client = make(retry=patient, timeout=httpx.Timeout(3.0, read=0.6), page_size=50)
    outcomes = []
    for _ in range(3):
        result = client.list_entries(time_since=SINCE, time_until=UNTIL)
        if result.complete:
            assert {e.id for e in result.items} == expected
        else:
            assert result.problem
        outcomes.append(result.complete)
    assert any(outcomes)
    assert sleeps


def test_metrics_events_name_templated_routes(
    sim: RunningSimulator[ClockodoSimulator],
    make: Callable[..., ClockodoClient],
    events: list[RequestEvent],
) -> None:
    control(sim, "seed", seed(entries(1)))
    client = make()
    (only,) = client.list_entries(time_since=SINCE, time_until=UNTIL).items
    client.get_entry(only.id)
    client.delete_entry(only.id)
    with pytest.raises(NotFound):
        client.get_entry(only.id)
    assert [(e.api, e.method, e.route, e.status_class) for e in events] == [
        ("clockodo", "GET", "/v2/entries", "2xx"),
        ("clockodo", "GET", "/v2/entries/{id}", "2xx"),
        ("clockodo", "DELETE", "/v2/entries/{id}", "2xx"),
        ("clockodo", "GET", "/v2/entries/{id}", "4xx"),
    ]
    assert all(e.seconds > 0 for e in events)
