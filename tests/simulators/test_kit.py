"""The simulator kit over real HTTP: stats, faults, frozen clock, rate limits, hooks."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute

from syncd.simulators.kit import RunningSimulator, Simulator, serve_in_thread, utc_iso


class EchoSim(Simulator):
    """The smallest simulator: one counter that POST increments."""

    name = "echo"
    api_prefix = "/api"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(rate_limits=[(3, 60.0)], **kwargs)
        self.counter = 0

    def reset(self) -> None:
        self.counter = 0

    def seed(self, data: dict[str, Any]) -> None:
        self.counter = int(data["counter"])

    def state(self) -> dict[str, Any]:
        return {"counter": self.counter}

    def rate_limit_key(self, request: Request) -> str | None:
        return request.headers.get("x-key")

    def api_routes(self) -> list[BaseRoute]:
        async def read(request: Request) -> Response:
            return JSONResponse({"counter": self.counter, "now": utc_iso(self.clock.now())})

        async def bump(request: Request) -> Response:
            with self.lock:
                self.counter += 1
            return JSONResponse({"counter": self.counter})

        return [self.route("/counter", read, ["GET"]), self.route("/counter", bump, ["POST"])]


@pytest.fixture
def echo() -> Iterator[RunningSimulator[EchoSim]]:
    with serve_in_thread(EchoSim()) as running:
        yield running


def test_counts_api_requests_by_route_but_not_control_requests(
    echo: RunningSimulator[EchoSim],
) -> None:
    httpx.get(echo.base_url + "/counter")
    httpx.post(echo.base_url + "/counter")
    httpx.post(echo.base_url + "/counter")
    stats = httpx.get(echo.root_url + "/_sim/stats").json()
    assert stats == {"total": 3, "by_route": {"GET /api/counter": 1, "POST /api/counter": 2}}
    assert echo.sim.write_count == 2
    httpx.post(echo.root_url + "/_sim/stats/reset")
    assert httpx.get(echo.root_url + "/_sim/stats").json()["total"] == 0


def test_seed_state_and_reset(echo: RunningSimulator[EchoSim]) -> None:
    assert httpx.post(echo.root_url + "/_sim/seed", json={"counter": 41}).status_code == 200
    httpx.post(echo.base_url + "/counter")
    assert httpx.get(echo.root_url + "/_sim/state").json() == {"counter": 42}
    httpx.post(echo.root_url + "/_sim/reset")
    assert httpx.get(echo.root_url + "/_sim/state").json() == {"counter": 0}
    bad = httpx.post(echo.root_url + "/_sim/seed", json={})
    assert bad.status_code == 400


def test_frozen_clock(echo: RunningSimulator[EchoSim]) -> None:
    httpx.post(echo.root_url + "/_sim/clock", json={"now": "2026-11-20T10:00:00Z"})
    assert httpx.get(echo.base_url + "/counter").json()["now"] == "2026-11-20T10:00:00Z"
    httpx.post(echo.root_url + "/_sim/clock", json={})
    assert httpx.get(echo.base_url + "/counter").json()["now"] != "2026-11-20T10:00:00Z"


def test_rate_limit_per_key(echo: RunningSimulator[EchoSim]) -> None:
    codes = [
        httpx.get(echo.base_url + "/counter", headers={"x-key": "a"}).status_code for _ in range(4)
    ]
    assert codes == [200, 200, 200, 429]
    assert httpx.get(echo.base_url + "/counter", headers={"x-key": "b"}).status_code == 200


def test_scripted_faults_strike_the_nth_request(echo: RunningSimulator[EchoSim]) -> None:
    script = [
        {"route": "GET /api/counter", "nth": 2, "fault": "status", "status": 503},
        {"route": "GET /api/counter", "nth": 3, "fault": "malformed"},
        {"route": "GET /api/counter", "nth": 4, "fault": "html"},
        {"route": "GET /api/counter", "nth": 5, "fault": "drop"},
    ]
    assert httpx.post(echo.root_url + "/_sim/faults", json={"script": script}).status_code == 200
    url = echo.base_url + "/counter"
    assert httpx.get(url).status_code == 200
    assert httpx.get(url).status_code == 503
    malformed = httpx.get(url)
    with pytest.raises(ValueError, match="Expecting"):
        malformed.json()
    html = httpx.get(url)
    assert (html.status_code, html.headers["content-type"].split(";")[0]) == (502, "text/html")
    with pytest.raises(httpx.RemoteProtocolError):
        httpx.get(url)
    assert httpx.get(url).status_code == 200


def test_after_write_fault_applies_the_write_and_loses_the_answer(
    echo: RunningSimulator[EchoSim],
) -> None:
    script = [{"route": "POST /api/counter", "nth": 1, "fault": "drop", "after_write": True}]
    httpx.post(echo.root_url + "/_sim/faults", json={"script": script})
    with pytest.raises(httpx.RemoteProtocolError):
        httpx.post(echo.base_url + "/counter")
    assert echo.sim.counter == 1


def test_timeout_fault_hangs_past_the_client_timeout(echo: RunningSimulator[EchoSim]) -> None:
    script = [{"route": "GET /api/counter", "nth": 1, "fault": "timeout"}]
    httpx.post(echo.root_url + "/_sim/faults", json={"script": script, "hang_seconds": 5})
    with pytest.raises(httpx.ReadTimeout):
        httpx.get(echo.base_url + "/counter", timeout=0.3)


def test_random_faults_are_reproducible_with_a_seed(echo: RunningSimulator[EchoSim]) -> None:
    def run() -> list[int]:
        httpx.post(echo.root_url + "/_sim/faults", json={"error_rate": 0.5, "seed": 7})
        return [httpx.get(echo.base_url + "/counter").status_code for _ in range(20)]

    first = run()
    assert first == run()
    assert 200 in first
    assert any(code >= 500 for code in first)
    assert httpx.post(echo.root_url + "/_sim/faults", json={"bogus": 1}).status_code == 400


def test_request_hook_sees_the_write_after_it_was_applied(echo: RunningSimulator[EchoSim]) -> None:
    seen: list[tuple[str, str, int]] = []
    sim = echo.sim

    def record(key: str, phase: str) -> None:
        seen.append((key, phase, sim.counter))

    sim.request_hook = record
    httpx.post(echo.base_url + "/counter")
    assert seen == [("POST /api/counter", "before", 0), ("POST /api/counter", "after", 1)]


def test_injected_429_carries_retry_after_only_when_configured(
    echo: RunningSimulator[EchoSim],
) -> None:
    script = [
        {"route": "GET /api/counter", "nth": n, "fault": "status", "status": 429} for n in (1, 2)
    ]
    httpx.post(echo.root_url + "/_sim/faults", json={"script": script, "retry_after": 3})
    assert httpx.get(echo.base_url + "/counter").headers["retry-after"] == "3"
    httpx.post(echo.root_url + "/_sim/faults", json={"script": script, "retry_after": None})
    first = httpx.get(echo.base_url + "/counter")
    assert first.status_code == 429
    assert "retry-after" not in first.headers


def test_mutations_rewrite_successful_answers_of_one_route(echo: RunningSimulator[EchoSim]) -> None:
    echo.sim.mutations["GET /api/counter"] = lambda body: {**body, "counter": None}
    assert httpx.get(echo.base_url + "/counter").json()["counter"] is None
    assert httpx.post(echo.base_url + "/counter").json()["counter"] == 1
