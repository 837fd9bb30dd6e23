"""Helpers for the conformance tests: a vendor document's operations against a simulator's.

An operation is `("GET", "/v3/users/{id}")`: a method and the document's path
template. `served_operations` reads the simulator's routes (without the
catch-all fallback), so a route added or removed shows up at once.
"""

from __future__ import annotations

import re

from starlette.routing import Route

from syncd.simulators.coverage import METHODS, NotSimulated
from syncd.simulators.kit import Simulator, template_of
from tests.simulators.openapi import SpecValidator

Operation = tuple[str, str]


def documented_operations(spec: SpecValidator) -> set[Operation]:
    return {
        (method.upper(), path)
        for path, item in spec.document["paths"].items()
        for method in item
        if method.upper() in METHODS
    }


def served_operations(sim: Simulator) -> set[Operation]:
    return {
        (method, template_of(route.path))
        for route in sim.api_routes()
        if isinstance(route, Route)
        for method in route.methods or ()
        if method in METHODS
    }


def not_simulated(sim: Simulator) -> NotSimulated:
    return NotSimulated(sim.not_simulated)


def concrete(template: str) -> str:
    """A path for a template: every parameter becomes 1."""
    return re.sub(r"\{[^/]+?\}", "1", template)


def coverage_gaps(spec: SpecValidator, sim: Simulator) -> dict[str, list[str]]:
    """Everything that breaks "served xor listed as not simulated"."""
    documented, served, skipped = (
        documented_operations(spec),
        served_operations(sim),
        not_simulated(sim),
    )
    listed = {op for op in documented if skipped.reason(*op) is not None}
    stale = [
        key
        for key in sim.not_simulated
        if not any(NotSimulated({key: ""}).reason(*op) is not None for op in documented)
    ]
    return {
        "neither served nor listed": sorted(f"{m} {p}" for m, p in documented - served - listed),
        "served and listed": sorted(f"{m} {p}" for m, p in served & listed),
        "listed but not documented": sorted(stale),
    }
