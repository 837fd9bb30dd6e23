"""A faithful clockodo API simulator (entries, entry groups, clock, master data).

`ClockodoSimulator(rate_limit=True)` is a `syncd.simulators.kit.Simulator`;
`agency_seed()` builds a small, deterministic agency account to seed it with.
The decisions where the vendor's documents are silent are written down in the
docstrings of the modules that make them.
"""

from typing import Any

from syncd.simulators.clockodo.agency import agency_seed
from syncd.simulators.clockodo.simulator import ClockodoSimulator

__all__ = ["ClockodoSimulator", "agency_seed", "demo_seed"]


def demo_seed() -> dict[str, Any]:
    """What `syncd sim clockodo` serves without `--seed`: the agency account."""
    return agency_seed()
