"""Fixtures for the MOCO simulator tests (imported by conftest.py).

`moco` serves the demo agency account with a frozen clock; `moco_small`
serves a one-user account for counting tests. Every response a harness
client receives from the API is checked against MOCO's OpenAPI document
(when the document is present).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest

from syncd.simulators.kit import RunningSimulator, serve_in_thread
from syncd.simulators.moco import ADMIN_KEY, MocoSimulator, agency_seed
from tests.simulators.openapi import SpecValidator, specs_dir

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)  # a Friday
SMALL_KEY = "small-key"
SMALL_USER, SMALL_PROJECT, SMALL_TASK, SMALL_CUSTOMER = 101, 201, 301, 401


@pytest.fixture(scope="session")
def moco_spec() -> SpecValidator | None:
    path = specs_dir() / "moco-openapi.json"
    if path.is_file():
        return SpecValidator.load(path)
    if os.environ.get("CI") == "true":
        pytest.fail(f"MOCO's OpenAPI document {path} is absent (set SYNCD_SPECS_DIR)")
    return None  # behaviour tests still run; schema checks are off


@dataclass
class MocoHarness:
    running: RunningSimulator[MocoSimulator]
    spec: SpecValidator | None
    checked: int = 0
    labels: dict[str, int] = field(default_factory=dict)  # "GET /activities 200": n
    _clients: list[httpx.Client] = field(default_factory=list)
    _control: httpx.Client | None = None

    @property
    def sim(self) -> MocoSimulator:
        return self.running.sim

    @property
    def base_url(self) -> str:
        return self.running.base_url

    def client(
        self, key: str | None = ADMIN_KEY, *, impersonate: int | None = None, bearer: bool = False
    ) -> httpx.Client:
        headers = {"Accept": "application/json"}
        if key is not None:
            headers["Authorization"] = f"Bearer {key}" if bearer else f"Token token={key}"
        if impersonate is not None:
            headers["X-IMPERSONATE-USER-ID"] = str(impersonate)
        client = httpx.Client(
            base_url=self.base_url, headers=headers, event_hooks={"response": [self._validate]}
        )
        self._clients.append(client)
        return client

    def control(self, path: str, body: Any = None) -> httpx.Response:
        """POST a `/_sim/` control request, which must succeed."""
        response = self._control_client().post(f"/_sim/{path}", json=body or {})
        assert response.status_code == 200, response.text
        return response

    def control_get(self, path: str) -> Any:
        return self._control_client().get(f"/_sim/{path}").json()

    def state(self) -> dict[str, Any]:
        return self.control_get("state")  # type: ignore[no-any-return]

    def _control_client(self) -> httpx.Client:
        if self._control is None:
            self._control = httpx.Client(base_url=self.running.root_url)
            self._clients.append(self._control)
        return self._control

    def _validate(self, response: httpx.Response) -> None:
        """Check answers of documented operations; count them per operation and status."""
        response.read()
        if self.spec is None:
            return
        method = response.request.method
        try:
            template = self.spec.template_for(response.request.url.path)
        except AssertionError:  # an undocumented path
            return
        if method.lower() not in self.spec.document["paths"][template]:
            return
        if self.spec.check_response(response, template):
            self.checked += 1
            label = f"{method} {template} {response.status_code}"
            self.labels[label] = self.labels.get(label, 0) + 1

    def close(self) -> None:
        for client in self._clients:
            client.close()


def serve(sim: MocoSimulator, spec: SpecValidator | None) -> Iterator[MocoHarness]:
    sim.clock.freeze(NOW)
    with serve_in_thread(sim) as running:
        harness = MocoHarness(running, spec)
        try:
            yield harness
        finally:
            harness.close()


@pytest.fixture
def moco(moco_spec: SpecValidator | None) -> Iterator[MocoHarness]:
    sim = MocoSimulator(rate_limit=False)
    sim.seed(agency_seed())
    yield from serve(sim, moco_spec)


def small_seed(activities: int = 0, first_day: date = date(2026, 1, 1)) -> dict[str, Any]:
    """One user with key `SMALL_KEY`, one project and task, `activities` bookings (one a day)."""
    return {
        "users": [{"id": SMALL_USER, "firstname": "Sam", "lastname": "Small"}],
        "api_keys": [{"key": SMALL_KEY, "user_id": SMALL_USER}],
        "companies": [{"id": SMALL_CUSTOMER, "name": "Kunde"}],
        "projects": [
            {
                "id": SMALL_PROJECT,
                "name": "Projekt",
                "customer_id": SMALL_CUSTOMER,
                "tasks": [{"id": SMALL_TASK, "name": "Arbeit"}],
                "contracts": [{"user_id": SMALL_USER}],
            }
        ],
        "activities": [
            {
                "date": (first_day + timedelta(days=n)).isoformat(),
                "user_id": SMALL_USER,
                "project_id": SMALL_PROJECT,
                "task_id": SMALL_TASK,
                "seconds": 60 * (n + 1),
                "remote_id": f"r{n}",
            }
            for n in range(activities)
        ],
    }


@pytest.fixture
def moco_small(moco_spec: SpecValidator | None) -> Iterator[MocoHarness]:
    yield from serve(MocoSimulator(rate_limit=False), moco_spec)
