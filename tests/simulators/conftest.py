"""Fixtures shared by the simulator tests (each simulator keeps its own module)."""

from tests.simulators.clockodo_fixtures import clockodo, clockodo_spec  # noqa: F401
from tests.simulators.moco_fixtures import moco, moco_small, moco_spec  # noqa: F401
