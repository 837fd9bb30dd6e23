"""Every failure to talk to an API: one line on stderr, exit code 6, no traceback,
no secret; permanent ones (DNS, refused, TLS, 401, 403, 404) without waiting."""

from __future__ import annotations

import signal
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import pytest

from syncd.demo import scenario
from syncd.exitcodes import ExitCode
from tests.cli.contact import Agency, Done, agency, invoke, syncd
from tests.service.daemon_process import running_daemon

WRONG_KEY = "wrong-key-5c0ffee1"
SECRETS = (WRONG_KEY, scenario.MOCO_KEY, scenario.CLOCKODO_KEY)
PERMANENT_SECONDS = 10.0  # a Python start, two reads and a one-line answer


class Plan(Protocol):
    def __call__(self, command: str = "plan", process: bool = False, **changes: Any) -> Done: ...


@pytest.fixture(scope="module")
def world() -> Iterator[Agency]:
    with agency() as running:
        yield running


@pytest.fixture(autouse=True)
def no_faults(world: Agency) -> Iterator[None]:
    yield
    world.faults("moco")
    world.faults("clockodo")


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("template") / "migrated.db"


@pytest.fixture
def plan(world: Agency, tmp_path: Path, template: Path) -> Plan:
    """`syncd plan` (or another command) on a migrated database and a changed config;
    in this process unless `process` (a real start, to measure the time)."""

    def run(command: str = "plan", process: bool = False, **changes: Any) -> Done:
        path = world.config(tmp_path, world.migrated(tmp_path, template), **changes)
        return (syncd if process else invoke)(command, "-c", str(path))

    return run


def assert_one_line(done: Done, *expected: str) -> str:
    output = done.stdout + done.stderr
    assert done.returncode == ExitCode.API, output
    assert "Traceback" not in output
    for secret in SECRETS:
        assert secret not in output
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    for text in expected:
        assert text in lines[0], lines[0]
    return lines[0]


def test_wrong_moco_key(world: Agency, plan: Plan) -> None:
    done = plan(process=True, **{"moco.api_key": WRONG_KEY})
    assert_one_line(done, "MOCO GET", "401", "[moco] api_key")
    assert done.seconds < PERMANENT_SECONDS


def test_wrong_clockodo_key_in_run_once(world: Agency, plan: Plan) -> None:
    done = plan("run-once", **{"clockodo.api_key": WRONG_KEY})
    assert_one_line(done, "clockodo GET", "401", "[clockodo] api_user and api_key")


def test_missing_permission(world: Agency, plan: Plan) -> None:
    world.faults("moco", script=[{"route": "GET /api/v1/users", "nth": 1, "status": 403}])
    done = plan()
    assert_one_line(done, "MOCO GET /users", "403", "staff rights")


def test_base_url_without_api_version(world: Agency, plan: Plan) -> None:
    url = world.moco.base_url.removesuffix("/v1")
    done = plan(**{"moco.base_url": url})
    assert_one_line(done, "404", "[moco] base_url", "/api/v1")
    assert done.seconds < PERMANENT_SECONDS


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://syncd-test.invalid/api", "does not resolve"),
        ("http://127.0.0.1:{port}/api", "connection refused"),
        ("https://{clockodo}/api", "TLS failed"),
    ],
)
def test_unreachable_clockodo(world: Agency, plan: Plan, url: str, expected: str) -> None:
    address = world.clockodo.base_url.removeprefix("http://").removesuffix("/api")
    base_url = url.format(port=closed_port(), clockodo=address)
    # The default retry policy: permanent failures must not wait for it.
    done = plan(
        **{"clockodo.base_url": base_url, "clockodo.retries": 4},
        process="refused" in expected,
    )
    assert_one_line(done, "clockodo GET", expected, "[clockodo] base_url")
    assert done.seconds < PERMANENT_SECONDS


def test_timeout(world: Agency, plan: Plan) -> None:
    world.faults("moco", timeout_rate=1.0, hang_seconds=3)
    done = plan(**{"moco.read_timeout": 0.3})
    assert_one_line(done, "MOCO GET", "no answer in time", "read_timeout")


@pytest.mark.parametrize(
    ("fault", "expected"),
    [
        ({"error_rate": 1.0, "statuses": [503]}, "503"),
        ({"rate_429": 1.0, "retry_after": 0}, "429"),
    ],
)
def test_vendor_keeps_failing(
    world: Agency, plan: Plan, fault: dict[str, Any], expected: str
) -> None:
    world.faults("clockodo", **fault)
    done = plan(**{"clockodo.retries": 2})  # the retries are not printed, the failure is
    assert_one_line(done, "clockodo GET", expected)


def test_body_not_json(world: Agency, plan: Plan) -> None:
    world.faults("moco", script=[{"route": "GET /api/v1/users", "nth": 1, "fault": "malformed"}])
    done = plan()
    assert_one_line(done, "MOCO GET /users", "not the API's JSON")


@dataclass(frozen=True)
class _Configured:
    config: Path


@pytest.mark.parametrize("level", ["info", "debug"])
def test_daemon_logs_one_line_traceback_only_at_debug(
    world: Agency, tmp_path: Path, template: Path, level: str
) -> None:
    path = world.config(tmp_path, world.migrated(tmp_path, template), **{"moco.api_key": WRONG_KEY})
    env = {"SYNCD_LOG__LEVEL": level}
    with running_daemon(_Configured(path), env) as daemon:  # type: ignore[arg-type]
        failed = daemon.wait_for("run failed", timeout=30)
        daemon.signal(signal.SIGTERM)
        daemon.wait()
        text = daemon.log_text()
    assert "401" in failed["error"]
    assert "[moco] api_key" in failed["error"]
    assert WRONG_KEY not in text
    assert ("Traceback" in text) == (level == "debug")
