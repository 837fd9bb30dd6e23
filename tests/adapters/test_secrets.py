"""No API key in any exception text, repr or log line, for failures of every kind."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from structlog.testing import capture_logs

from syncd.adapters.clockodo.client import ClockodoClient
from syncd.adapters.clockodo.models import EntryCreate
from syncd.adapters.errors import ApiError
from syncd.adapters.http import RetryPolicy
from syncd.adapters.listing import ListResult
from syncd.adapters.moco.client import MocoClient
from syncd.adapters.moco.models import ActivityCreate
from syncd.adapters.throttle import RateLimit, Throttle
from syncd.simulators.clockodo import ClockodoSimulator
from syncd.simulators.kit import RunningSimulator, serve_in_thread
from syncd.simulators.moco import MocoSimulator
from tests.adapters.conftest import control

MOCO_KEY = "MOCO-SECRET-KEY-4f9d2c"
WRONG_MOCO_KEY = "MOCO-WRONG-SECRET-KEY-7a1b"
CLOCKODO_KEY = "CLOCKODO-SECRET-KEY-88e1"
WRONG_CLOCKODO_KEY = "CLOCKODO-WRONG-SECRET-KEY-31c0"
SECRETS = (MOCO_KEY, WRONG_MOCO_KEY, CLOCKODO_KEY, WRONG_CLOCKODO_KEY)
DAY = dt.date(2026, 3, 2)
START = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)

MOCO_SEED = {
    "users": [{"id": 1, "firstname": "Anna", "lastname": "Admin", "staff": True}],
    "api_keys": [{"key": MOCO_KEY, "user_id": 1, "impersonate": True}],
    "companies": [{"id": 2, "name": "C"}],
    "projects": [
        {
            "id": 3,
            "name": "P",
            "customer_id": 2,
            "tasks": [{"id": 4, "name": "T"}],
            "contracts": [{"user_id": 1}],
        }
    ],
    "activities": [
        {"date": "2026-03-02", "user_id": 1, "project_id": 3, "task_id": 4, "seconds": 60}
    ]
    * 150,
}
CLOCKODO_SEED = {
    "api_users": [{"email": "a@example.com", "key": CLOCKODO_KEY, "users_id": 1}],
    "users": [{"id": 1, "name": "A", "role": "owner"}],
    "customers": [{"id": 2, "name": "C"}],
    "services": [{"id": 3, "name": "S"}],
}


@pytest.fixture(scope="module")
def moco() -> Iterator[RunningSimulator[MocoSimulator]]:
    with serve_in_thread(MocoSimulator(rate_limit=False)) as server:
        yield server


@pytest.fixture(scope="module")
def clockodo() -> Iterator[RunningSimulator[ClockodoSimulator]]:
    with serve_in_thread(ClockodoSimulator(rate_limit=False)) as server:
        yield server


def moco_failures(base_url: str, options: dict[str, Any]) -> list[tuple[str, Callable[[], Any]]]:
    good = MocoClient(base_url, MOCO_KEY, **options)
    wrong = MocoClient(base_url, WRONG_MOCO_KEY, **options)
    create = ActivityCreate(date=DAY, project_id=3, task_id=4, seconds=60)
    return [
        ("401", wrong.session),
        ("404", lambda: good.get_activity(999_999)),
        (
            "422",
            lambda: good.create_activity(
                create.model_copy(update={"task_id": 77}), impersonate=None
            ),
        ),
        ("incomplete list", lambda: wrong.list_activities(date_from=None, date_to=None)),
        ("outcome unknown", lambda: good.create_activity(create, impersonate=None)),
        ("bulk outcome unknown", lambda: good.bulk_create([create], impersonate=1)),
    ]


def clockodo_failures(
    base_url: str, options: dict[str, Any]
) -> list[tuple[str, Callable[[], Any]]]:
    app = "syncd-tests;ops@example.com"
    good = ClockodoClient(base_url, "a@example.com", CLOCKODO_KEY, app, **options)
    wrong = ClockodoClient(base_url, "a@example.com", WRONG_CLOCKODO_KEY, app, **options)
    create = EntryCreate(
        customers_id=2, services_id=3, billable=1, time_since=START, time_until=START
    )
    return [
        ("401", wrong.me),
        ("404", lambda: good.get_entry(999_999)),
        (
            "422",
            lambda: good.create_entry(
                create.model_copy(update={"time_until": START - dt.timedelta(hours=1)})
            ),
        ),
        ("incomplete list", lambda: wrong.list_entries(time_since=START, time_until=START)),
        (
            "outcome unknown",
            lambda: good.create_entry(
                create.model_copy(update={"time_until": START + dt.timedelta(hours=1)})
            ),
        ),
    ]


FAULT_CONFIGS: list[dict[str, Any]] = [
    {},
    {"rate_429": 1.0, "retry_after": None},
    {"error_rate": 1.0},
    {"timeout_rate": 1.0, "hang_seconds": 1.0},
    {"drop_rate": 1.0},
    {
        "script": [
            {"route": r, "nth": n, "fault": "malformed"}
            for r in ("GET /api/v1/session", "GET /api/v4/users/me")
            for n in range(1, 4)
        ]
    },
    {
        "script": [
            {"route": r, "nth": n, "fault": "html"}
            for r in ("GET /api/v1/session", "GET /api/v4/users/me")
            for n in range(1, 4)
        ]
    },
    {"after_write_rate": 1.0, "hang_seconds": 1.0},
]


def texts_of(outcome: Any) -> list[str]:
    """Every text a caller or a log could show for an outcome."""
    if isinstance(outcome, BaseException):
        texts = [str(outcome), repr(outcome)]
        cause = getattr(outcome, "cause", None)
        texts += [str(cause), repr(cause)] if cause is not None else []
        return texts
    if isinstance(outcome, ListResult):
        return [repr(outcome), str(outcome.problem), str(outcome.error), repr(outcome.error)]
    return [repr(outcome)]


@pytest.mark.parametrize("faults", FAULT_CONFIGS, ids=lambda config: ",".join(config) or "none")
def test_no_key_in_errors_or_logs(
    moco: RunningSimulator[MocoSimulator],
    clockodo: RunningSimulator[ClockodoSimulator],
    faults: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    options: dict[str, Any] = {
        "timeout": httpx.Timeout(2.0, read=0.15),
        "throttle": Throttle([RateLimit(10**6, 1.0)], sleep=lambda seconds: None),
        "retry": RetryPolicy(attempts=2, initial_wait=0.001, max_wait=0.002, sleep=lambda s: None),
    }
    failures: list[tuple[str, Callable[[], Any]]] = []
    for running, seed_data in ((moco, MOCO_SEED), (clockodo, CLOCKODO_SEED)):
        control(running, "reset", {})
        control(running, "seed", seed_data)
        control(running, "faults", faults)
    failures += moco_failures(moco.base_url, options)
    failures += clockodo_failures(clockodo.base_url, options)
    texts: list[str] = []
    raised = 0
    caplog.set_level(logging.DEBUG)
    with capture_logs() as logs:
        for name, call in failures:
            try:
                outcome = call()
            except ApiError as exc:
                raised += 1
                outcome = exc
            texts += [name, *texts_of(outcome)]
    assert raised >= 4  # the failures did happen
    assert any("MOCO GET /session" in text for text in texts)
    assert any("clockodo GET /v4/users/me" in text for text in texts)
    texts += [repr(entry) for entry in logs]
    texts.append(caplog.text)
    for secret in SECRETS:
        assert not any(secret in text for text in texts), secret
