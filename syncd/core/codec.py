"""The one JSON form of what the store keeps of a booking.

Everything stored of a projection (link bases, parked versions, held failures, write
intents) and the store's copy of MOCO's window go through these functions, so a field
list is written once: the dataclass itself.

Tolerant by design, so that rows written by an older syncd still load after a
synced field is added: a key missing from stored JSON takes the field's default
(a new field must therefore declare one), and keys this version does not know
are ignored (rows written by a newer syncd, after a downgrade).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date, datetime
from typing import Any, TypeVar

from syncd.core.model import Projection

D = TypeVar("D")

# By the annotation as written (the core's modules use postponed annotations).
_DECODERS: dict[str, Callable[[Any], object]] = {
    "int": int,
    "bool": bool,
    "str": str,
    "date": date.fromisoformat,
    "datetime": datetime.fromisoformat,
}


def _encode(value: object) -> object:
    return value.isoformat() if isinstance(value, date) else value


def _decoder(kind: object) -> Callable[[Any], object]:
    """The function that turns a stored value into a field of type ``kind``."""
    text = str(kind)
    options = [part.strip() for part in text.split("|")]
    decode = next((_DECODERS[o] for o in options if o in _DECODERS), None)
    if decode is None:
        raise TypeError(f"no JSON form for a stored field of type {text}")
    if "None" in options:
        return lambda raw: None if raw is None else decode(raw)
    return decode


# Per class: (name, decoder, has a default). Built once: tens of thousands of rows
# are decoded per run at scale.
_Plan = tuple[tuple[str, Callable[[Any], object], bool], ...]
_PLANS: dict[type, _Plan] = {}


def _plan_of(cls: type) -> _Plan:
    plan = _PLANS.get(cls)
    if plan is None:
        plan = tuple(
            (
                f.name,
                _decoder(f.type),
                f.default is not dataclasses.MISSING
                or f.default_factory is not dataclasses.MISSING,
            )
            for f in dataclasses.fields(cls)
        )
        _PLANS[cls] = plan
    return plan


def to_json(value: object) -> dict[str, Any]:
    """A flat frozen dataclass as JSON (dates and datetimes in ISO form)."""
    assert dataclasses.is_dataclass(value)
    assert not isinstance(value, type)
    return {f.name: _encode(getattr(value, f.name)) for f in dataclasses.fields(value)}


def from_json(cls: type[D], data: dict[str, Any]) -> D:
    """``cls`` from stored JSON: missing keys take their defaults, unknown keys are ignored."""
    plan = _plan_of(cls)
    try:  # every key there: the common case, positional (tens of thousands a run)
        return cls(*[decode(data[name]) for name, decode, _ in plan])
    except KeyError:
        pass
    values: dict[str, object] = {}
    for name, decode, has_default in _plan_of(cls):
        if name in data:
            values[name] = decode(data[name])
        elif not has_default:
            raise ValueError(f"stored {cls.__name__} lacks {name!r} and it has no default")
    return cls(**values)


def projection_to_json(projection: Projection) -> dict[str, Any]:
    return to_json(projection)


def projection_from_json(data: dict[str, Any]) -> Projection:
    return from_json(Projection, data)


def optional_to_json(projection: Projection | None) -> dict[str, Any] | None:
    return None if projection is None else projection_to_json(projection)


def optional_from_json(data: dict[str, Any] | None) -> Projection | None:
    return None if data is None else projection_from_json(data)
