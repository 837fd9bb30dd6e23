"""Request bodies of the v3/v4 master-data writes, checked against the spec's field types.

A `FieldSpec` states what the spec declares for one body field (type,
nullability, bounds, enum). `parse_body` turns a JSON body into the record
values it sets; a wrong value is a 400 GeneralErrors `UnexpectedValue` and a
missing required one a 400 `Empty`, both naming the field in `path`. Unknown
keys are ignored, and so are documented fields marked `ignored` (accepted,
but not simulated, e.g. `bill_service_id`: no billing application is linked).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from syncd.simulators.clockodo.errors import ApiError, general_error

Kind = Literal["str", "int", "bool", "number", "date", "ids", "object", "choice"]


@dataclass(frozen=True)
class FieldSpec:
    kind: Kind
    nullable: bool = False
    max_length: int | None = None
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[Any, ...] = ()
    ignored: bool = False


def text(max_length: int, nullable: bool = False) -> FieldSpec:
    return FieldSpec("str", nullable=nullable, max_length=max_length)


NAME, NUMBER, NOTE = text(100), text(50, True), text(1000, True)
FLAG = FieldSpec("bool")
DAY = FieldSpec("date", nullable=True)
IDS = FieldSpec("ids", minimum=1)
BILL_SERVICE = FieldSpec("str", nullable=True, max_length=50, ignored=True)


def unexpected(field: str, message: str) -> ApiError:
    return general_error(400, "UnexpectedValue", message, path=field)


def parse_body(
    body: Mapping[str, Any], specs: Mapping[str, FieldSpec], required: tuple[str, ...] = ()
) -> dict[str, Any]:
    """The values `body` sets, converted to the record's types."""
    missing = [name for name in required if body.get(name) in (None, "")]
    if missing:
        raise general_error(400, "Empty", f"{missing[0]} must not be empty.", path=missing[0])
    values = {}
    for name, spec in specs.items():
        if name in body and not spec.ignored:
            values[name] = parse_value(body[name], name, spec)
    return values


def parse_value(value: Any, field: str, spec: FieldSpec) -> Any:
    if value is None:
        if spec.nullable:
            return None
        raise unexpected(field, f"{field} must not be null.")
    parsers = {
        "str": _text,
        "int": _integer,
        "bool": _flag,
        "number": _number,
        "date": _day,
        "ids": _ids,
        "object": _object,
        "choice": _choice,
    }
    return parsers[spec.kind](value, field, spec)


def _text(value: Any, field: str, spec: FieldSpec) -> str:
    if not isinstance(value, str):
        raise unexpected(field, f"{field} must be a string.")
    if spec.max_length is not None and len(value) > spec.max_length:
        raise unexpected(field, f"{field} must not be longer than {spec.max_length} characters.")
    return value


def _integer(value: Any, field: str, spec: FieldSpec) -> int:
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise unexpected(field, f"{field} must be an integer.")
    _bounded(value, field, spec)
    return value


def _number(value: Any, field: str, spec: FieldSpec) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise unexpected(field, f"{field} must be a number.")
    _bounded(value, field, spec)
    return float(value)


def _bounded(value: float, field: str, spec: FieldSpec) -> None:
    if spec.minimum is not None and value < spec.minimum:
        raise unexpected(field, f"{field} must be at least {spec.minimum:g}.")
    if spec.maximum is not None and value > spec.maximum:
        raise unexpected(field, f"{field} must be at most {spec.maximum:g}.")


def _flag(value: Any, field: str, spec: FieldSpec) -> bool:
    if not isinstance(value, bool):
        raise unexpected(field, f"{field} must be true or false.")
    return value


def _day(value: Any, field: str, spec: FieldSpec) -> date:
    try:
        return date.fromisoformat(value if isinstance(value, str) else "")
    except ValueError:
        raise unexpected(field, f"{field} must be a date (YYYY-MM-DD).") from None


def _ids(value: Any, field: str, spec: FieldSpec) -> list[int]:
    """An id list: a JSON array, one integer, or a comma-separated string."""
    if isinstance(value, str):
        value = [part.strip() for part in value.split(",") if part.strip()]
    items = value if isinstance(value, list) else [value]
    return [_integer(item, field, spec) for item in items]


def _object(value: Any, field: str, spec: FieldSpec) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise unexpected(field, f"{field} must be an object.")
    return value


def _choice(value: Any, field: str, spec: FieldSpec) -> Any:
    if not any(value == c and type(value) is type(c) for c in spec.choices):
        raise unexpected(field, f"{field} must be one of {list(spec.choices)}.")
    return value
