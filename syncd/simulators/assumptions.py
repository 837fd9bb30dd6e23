"""Switchable guesses: where a vendor's documents are silent, a simulator
picks the most likely behaviour and declares it here, so a test (or a person
trying a client) can run the other way too.

Each simulator lists its `Assumption`s; the values live in an `Assumptions`
table on the simulator. They are read with `sim.assumed["name"]`, listed by
`GET /_sim/assumptions`, changed by `POST /_sim/assumptions {"name": value}`
or by an `"assumptions"` object in a seed, and restored by `POST /_sim/reset`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Assumption:
    name: str
    default: Any
    choices: tuple[Any, ...]
    why: str  # what the documents say (or do not), and what the default guesses


class Assumptions:
    """The current value of every declared assumption."""

    def __init__(self, declared: Iterable[Assumption], initial: Mapping[str, Any] | None = None):
        self.declared = {a.name: a for a in declared}
        self._initial = {name: a.default for name, a in self.declared.items()}
        self._initial.update(self._checked(initial or {}))
        self._values = dict(self._initial)

    def __getitem__(self, name: str) -> Any:
        return self._values[name]

    def update(self, values: Mapping[str, Any]) -> None:
        """Set some values; an unknown name or a value outside the choices changes nothing."""
        self._values.update(self._checked(values))

    def reset(self) -> None:
        self._values = dict(self._initial)

    def describe(self) -> list[dict[str, Any]]:
        return [
            {
                "name": a.name,
                "value": self._values[a.name],
                "default": a.default,
                "choices": list(a.choices),
                "why": a.why,
            }
            for a in self.declared.values()
        ]

    def _checked(self, values: Mapping[str, Any]) -> dict[str, Any]:
        if not isinstance(values, Mapping):
            raise ValueError("assumptions must be an object of name: value")
        for name, value in values.items():
            known = self.declared.get(name)
            if known is None:
                raise ValueError(f"unknown assumption {name!r}; known: {sorted(self.declared)}")
            # bool is an int in Python: compare types too, so 1 is not True.
            if not any(value == c and type(value) is type(c) for c in known.choices):
                raise ValueError(f"assumption {name!r} takes one of {list(known.choices)}")
        return dict(values)
