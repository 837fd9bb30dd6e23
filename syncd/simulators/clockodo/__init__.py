"""A faithful clockodo API simulator (entries, entry groups, clock, master data).

`ClockodoSimulator(rate_limit=True)` is a `syncd.simulators.kit.Simulator`;
`agency_seed()` builds a small, deterministic agency account to seed it with.
The decisions where the vendor's documents are silent are written down in the
docstrings of the modules that make them.
"""

from syncd.simulators.clockodo.agency import agency_seed
from syncd.simulators.clockodo.simulator import ClockodoSimulator

__all__ = ["ClockodoSimulator", "agency_seed"]
