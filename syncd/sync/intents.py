"""Write intents: what a write is, announced in the store before it is sent (design §4).

Two kinds, each a frozen value with one JSON form (the stored rows are exactly what
syncd 0.1 wrote, so pending intents survive an upgrade):

- :class:`CreateIntent`: the target side's locator finds the record again
  (:meth:`~syncd.sides.base.VendorSide.find_created`); ``expected`` becomes the base
  when it is found.
- :class:`DeleteIntent`: done when the target answers 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from syncd.core.codec import projection_from_json, projection_to_json
from syncd.core.model import Projection, Side
from syncd.sides.base import Locator
from syncd.sides.clockodo import ClockodoLocator
from syncd.sides.moco import MocoLocator


@dataclass(frozen=True)
class CreateIntent:
    """A copy of ``source_id`` (on the other side) about to be created on ``target``."""

    target: Side
    source_id: int
    expected: Projection
    replaces_link: int | None
    locator: Locator

    @property
    def kind(self) -> str:
        return f"create_{self.target}"


@dataclass(frozen=True)
class DeleteIntent:
    """``target_id`` on ``target`` about to be deleted: ``source_id`` is proven gone."""

    target: Side
    target_id: int
    source_id: int
    link_id: int

    @property
    def kind(self) -> str:
        return f"delete_{self.target}"


Intent = CreateIntent | DeleteIntent
_LOCATORS: dict[Side, Any] = {Side.MOCO: MocoLocator, Side.CLOCKODO: ClockodoLocator}


def encode(intent: Intent) -> dict[str, Any]:
    """The stored payload; ``source_side``/``source_id``/``target_id`` are also columns."""
    source_side = str(Side(intent.target).other)
    if isinstance(intent, DeleteIntent):
        return {
            "source_side": source_side,
            "source_id": intent.source_id,
            "target_id": intent.target_id,
            "link_id": intent.link_id,
        }
    return {
        "source_side": source_side,
        "source_id": intent.source_id,
        **intent.locator.to_json(),
        "expected": projection_to_json(intent.expected),
        "replaces_link": intent.replaces_link,
    }


def decode(kind: str, payload: dict[str, Any]) -> Intent:
    """The intent a stored row holds; ValueError for a kind this version does not know."""
    action, _, side_name = kind.partition("_")
    if side_name not in ("moco", "clockodo") or action not in ("create", "delete"):
        raise ValueError(f"unknown intent kind {kind!r}")
    target = Side(side_name)
    if action == "delete":
        return DeleteIntent(
            target,
            int(payload["target_id"]),
            int(payload["source_id"]),
            int(payload["link_id"]),
        )
    replaces = payload.get("replaces_link")
    return CreateIntent(
        target,
        int(payload["source_id"]),
        projection_from_json(payload["expected"]),
        int(replaces) if replaces is not None else None,
        _LOCATORS[target].from_json(payload),
    )
