"""Fixtures for the clockodo simulator tests (imported by conftest.py).

`clockodo` serves a small account (`small_seed`) with the clock frozen at
`NOW`. Every response a harness client receives is checked against
clockodo's OpenAPI document when it is present: bodies of statuses the
operation declares against the operation's schema, other error answers
against the documented error shapes (`GeneralErrors` / `SimpleErrorResponses`),
with `oneOf` checked strictly (exactly one alternative must match).

The document is amended in three documented places before checking:
- `oneOf: [Entry, null]` next to `type: object` (clock `running`/`stopped`)
  would forbid the null the API sends when no clock runs: a generator
  artifact, so the sibling `type` is dropped;
- entry groups' `group` may be an integer (live: `year` groups and 0) and
  `revenue` a float (live), see clockodo.md §3.1.
"""

from __future__ import annotations

import base64
import copy
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest
import yaml

from syncd.simulators.clockodo import ClockodoSimulator
from syncd.simulators.kit import RunningSimulator, serve_in_thread, utc_iso
from tests.simulators.openapi import SpecValidator, specs_dir

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)  # a Friday, 11:00 in Berlin
APP = "syncd-tests;ops@example.com"
OWNER, WORKER, NY_WORKER, INACTIVE_USER = 1, 2, 3, 4
CUSTOMER, OTHER_CUSTOMER, INACTIVE_CUSTOMER = 10, 11, 12
PROJECT, OTHER_PROJECT, INACTIVE_PROJECT, COMPLETED_PROJECT = 20, 21, 22, 23
SERVICE, OTHER_SERVICE, INACTIVE_SERVICE = 30, 31, 32
LUMPSUM_SERVICE = 40
KEYS = {
    OWNER: ("owner@example.com", "owner-key"),
    WORKER: ("worker@example.com", "worker-key"),
    INACTIVE_USER: ("gone@example.com", "gone-key"),
}


def small_seed(entries: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {
        "api_users": [{"email": e, "key": k, "users_id": u} for u, (e, k) in KEYS.items()],
        "users": [
            {"id": OWNER, "name": "Olga Owner", "role": "owner", "email": KEYS[OWNER][0]},
            {"id": WORKER, "name": "Walter Worker", "email": KEYS[WORKER][0]},
            {"id": NY_WORKER, "name": "Nora York", "timezone": "America/New_York"},
            {"id": INACTIVE_USER, "name": "Gina Gone", "active": False},
        ],
        "customers": [
            {"id": CUSTOMER, "name": "Hotel Bergblick", "number": "K-1", "note": "VIP"},
            {"id": OTHER_CUSTOMER, "name": "Stadtwerke", "billable_default": False},
            {"id": INACTIVE_CUSTOMER, "name": "Altkunde", "active": False},
        ],
        "projects": [
            {"id": PROJECT, "customers_id": CUSTOMER, "name": "Relaunch", "number": "P-1"},
            {"id": OTHER_PROJECT, "customers_id": OTHER_CUSTOMER, "name": "Portal"},
            {"id": INACTIVE_PROJECT, "customers_id": CUSTOMER, "name": "Alt", "active": False},
            {"id": COMPLETED_PROJECT, "customers_id": CUSTOMER, "name": "Done", "completed": True},
        ],
        "services": [
            {"id": SERVICE, "name": "Entwicklung", "number": "S-1"},
            {"id": OTHER_SERVICE, "name": "Design"},
            {"id": INACTIVE_SERVICE, "name": "Altleistung", "active": False},
        ],
        "lumpsum_services": [{"id": LUMPSUM_SERVICE, "name": "Anfahrt", "price": 0.5}],
        "entries": entries or [],
    }


def time_entry(
    users_id: int = OWNER,
    since: datetime = NOW - timedelta(days=3),
    minutes: int = 60,
    **fields: Any,
) -> dict[str, Any]:
    """A stopped time entry in seed shape."""
    return {
        "users_id": users_id,
        "customers_id": CUSTOMER,
        "projects_id": PROJECT,
        "services_id": SERVICE,
        "time_since": utc_iso(since),
        "time_until": utc_iso(since + timedelta(minutes=minutes)),
        **fields,
    }


def new_entry_body(**fields: Any) -> dict[str, Any]:
    """A valid `POST /v2/entries` body (one hour on Monday of NOW's week)."""
    return {
        "customers_id": CUSTOMER,
        "projects_id": PROJECT,
        "services_id": SERVICE,
        "billable": 1,
        "time_since": "2026-11-16T08:00:00Z",
        "time_until": "2026-11-16T09:00:00Z",
        "text": "Konzept",
        **fields,
    }


# -- the OpenAPI document, amended -------------------------------------------------
def amend(document: dict[str, Any]) -> dict[str, Any]:
    """The three documented amendments (see the module docstring)."""
    amended = copy.deepcopy(document)
    _drop_type_beside_nullable_one_of(amended)
    group = amended["components"]["schemas"]["EntryGroupV2"]["properties"]
    group["group"]["type"] = ["string", "integer"]
    group["revenue"]["type"] = "number"
    return amended


def _drop_type_beside_nullable_one_of(node: Any) -> None:
    if isinstance(node, list):
        for item in node:
            _drop_type_beside_nullable_one_of(item)
    elif isinstance(node, dict):
        alternatives = node.get("oneOf")
        nullable = isinstance(alternatives, list) and {"type": "null"} in alternatives
        if nullable and node.get("type") == "object":
            del node["type"]
        for value in node.values():
            _drop_type_beside_nullable_one_of(value)


@pytest.fixture(scope="session")
def clockodo_spec() -> SpecValidator | None:
    path = specs_dir() / "clockodo-openapi.yaml"
    if not path.is_file():
        if os.environ.get("CI") == "true":
            pytest.fail(f"clockodo's OpenAPI document {path} is absent (set SYNCD_SPECS_DIR)")
        return None  # behaviour tests still run; schema checks are off
    return SpecValidator(amend(load_document(path)), one_of_as_any_of=False)


def load_document(path: Path) -> dict[str, Any]:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    document: dict[str, Any] = yaml.load(path.read_text(encoding="utf-8"), Loader=loader)
    return document


def check_error_shape(spec: SpecValidator, body: Any) -> str:
    """Validate an error body against the documented shape it claims; its name."""
    assert isinstance(body, dict), f"an error body must be an object: {body!r}"
    name = "GeneralErrors" if "errors" in body else "SimpleErrorResponses"
    schema = {"$ref": f"#/components/schemas/{name}", "components": spec.document["components"]}
    jsonschema.Draft202012Validator(schema).validate(body)
    if name == "SimpleErrorResponses":  # its `error` is optional in the document
        assert "error" in body, f"no documented error shape: {body}"
    return name


# -- the harness -------------------------------------------------------------------
@dataclass
class ClockodoHarness:
    running: RunningSimulator[ClockodoSimulator]
    spec: SpecValidator | None
    checked: dict[str, int] = field(default_factory=dict)  # "GET /v2/entries 200": n
    _clients: list[httpx.Client] = field(default_factory=list)

    @property
    def sim(self) -> ClockodoSimulator:
        return self.running.sim

    def client(
        self,
        users_id: int | None = OWNER,
        *,
        app: str | None = APP,
        basic: bool = False,
        validate: bool = True,
        login: tuple[str, str] | None = None,
    ) -> httpx.Client:
        """A client signed in as `users_id` of `small_seed` (or with `login`)."""
        headers = {"Accept": "application/json"}
        if login is not None or users_id is not None:
            email, key = login or KEYS[users_id or 0]
            if basic:
                token = base64.b64encode(f"{email}:{key}".encode()).decode()
                headers["Authorization"] = f"Basic {token}"
            else:
                headers.update({"X-ClockodoApiUser": email, "X-ClockodoApiKey": key})
        if app is not None:
            headers["X-Clockodo-External-Application"] = app
        hooks = {"response": [self._validate]} if validate else {}
        client = httpx.Client(base_url=self.running.base_url, headers=headers, event_hooks=hooks)
        self._clients.append(client)
        return client

    def control(self, path: str, body: Any = None) -> httpx.Response:
        return httpx.post(f"{self.running.root_url}/_sim/{path}", json=body or {})

    def state(self) -> dict[str, Any]:
        return httpx.get(f"{self.running.root_url}/_sim/state").json()  # type: ignore[no-any-return]

    def seed(self, entries: list[dict[str, Any]]) -> None:
        self.sim.seed(small_seed(entries))

    def _validate(self, response: httpx.Response) -> None:
        response.read()
        if self.spec is None or "json" not in response.headers.get("content-type", ""):
            return
        method, status = response.request.method, response.status_code
        try:
            template = self.spec.template_for(response.request.url.path)
        except AssertionError:  # retired paths are not in the document
            template = response.request.url.path.removeprefix("/api")
        operations = self.spec.document["paths"].get(template, {})
        if method.lower() in operations and self.spec.check_response(response, template):
            label = f"{method} {template} {status}"
        elif status >= 400:
            label = f"{method} {template} {status} {check_error_shape(self.spec, response.json())}"
        else:
            raise AssertionError(f"{method} {template} → {status}: no schema to check against")
        self.checked[label] = self.checked.get(label, 0) + 1

    def close(self) -> None:
        for client in self._clients:
            client.close()


def serve(sim: ClockodoSimulator, spec: SpecValidator | None) -> Iterator[ClockodoHarness]:
    sim.clock.freeze(NOW)
    with serve_in_thread(sim) as running:
        harness = ClockodoHarness(running, spec)
        try:
            yield harness
        finally:
            harness.close()


@pytest.fixture
def clockodo(clockodo_spec: SpecValidator | None) -> Iterator[ClockodoHarness]:
    sim = ClockodoSimulator()
    sim.seed(small_seed())
    yield from serve(sim, clockodo_spec)
