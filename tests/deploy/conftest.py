"""Paths and tools shared by the deployment tests."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
DEPLOY = ROOT / "deploy"
# Where the units and the image expect the console script; tests swap in the venv's.
INSTALLED_SYNCD = "/opt/syncd/bin/syncd"


def venv_syncd() -> Path:
    """The `syncd` console script of the interpreter running the tests."""
    return Path(sys.executable).parent / "syncd"


def require_tool(name: str) -> str:
    """The tool's path, or skip the test saying which tool is missing."""
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is not installed on this machine")
    return path
