"""What a vendor's web hook delivery means: pure checks and parsing, no I/O.

A delivery either names bookings (an `Event`: the side and an id; the kind
of change is only a hint, syncd re-reads the booking), asks for nothing
(`Ignored`: another target or event), is clockodo's set-up handshake
(`Validation`: the secret to enter in clockodo's UI), or is refused
(`Refused` with the HTTP status to answer). Signatures and tokens are
compared in constant time; a refused delivery names no secret.

- MOCO (moco.md §9 item 9): `X-Moco-Signature` is the hex HMAC-SHA256 of the
  raw body keyed with the account's web hook secret; `X-Moco-Target` must be
  `Activity`, `X-Moco-Event` one of `create|update|delete`; the body is the
  activity (a delete: only its `id`).
- clockodo (clockodo.md §8): `{"subscription_id", "company_id", "occurred_at",
  "payload": {"entry": {"id"}}, "event_name", "token"}`; the token is ours.
  A new subscription first gets `{"secret": "..."}`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from syncd.core.model import Side

Vendor = Literal["moco", "clockodo"]
MOCO_EVENTS = frozenset({"create", "update", "delete"})
CLOCKODO_ENTRY_EVENTS = frozenset(
    {"entry.created", "entry.updated", "entry.deleted", "entry.started", "entry.stopped"}
)


@dataclass(frozen=True)
class Event:
    side: Side
    id: int
    kind: str  # the vendor's event name: a hint only


@dataclass(frozen=True)
class Ignored:
    reason: str


@dataclass(frozen=True)
class Validation:
    secret: str


@dataclass(frozen=True)
class Refused:
    status: int  # 400 malformed, 401 not authentic
    reason: str


Parsed = Event | Ignored | Validation | Refused
UNSIGNED = Refused(401, "missing or wrong signature")
BAD_TOKEN = Refused(401, "missing or wrong token")


def moco_signature(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signed_by(secret: str, body: bytes, signature: str | None) -> bool:
    """The body's hex HMAC-SHA256 under `secret` equals `signature` (constant time)."""
    if not signature:
        return False
    expected = moco_signature(secret, body).encode()
    return hmac.compare_digest(expected, signature.strip().lower().encode())


def same_secret(expected: str, given: Any) -> bool:
    """`given` is the string `expected` (constant time in the secret's content)."""
    if not isinstance(given, str):
        return False
    return hmac.compare_digest(expected.encode(), given.encode())


def _json_object(body: bytes) -> dict[str, Any] | None:
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None
    return data if isinstance(data, dict) else None


def _booking_id(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        return None
    return value


def parse_moco(secret: str, headers: Mapping[str, str], body: bytes) -> Parsed:
    """A MOCO delivery; `headers` with lower-case names."""
    if not signed_by(secret, body, headers.get("x-moco-signature")):
        return UNSIGNED
    target, event = headers.get("x-moco-target"), headers.get("x-moco-event")
    if target != "Activity":
        return Ignored(f"target {target!r}")
    if event not in MOCO_EVENTS:
        return Ignored(f"event {event!r}")
    data = _json_object(body)
    booking = None if data is None else _booking_id(data.get("id"))
    if booking is None:
        return Refused(400, "the body names no activity id")
    return Event(Side.MOCO, booking, event)


def parse_clockodo(token: str, body: bytes) -> Parsed:
    """A clockodo delivery (or its set-up handshake)."""
    data = _json_object(body)
    if data is None:
        return Refused(400, "the body is not a JSON object")
    if set(data) == {"secret"} and isinstance(data["secret"], str) and data["secret"]:
        return Validation(data["secret"])
    if not same_secret(token, data.get("token")):
        return BAD_TOKEN
    name = data.get("event_name")
    if name not in CLOCKODO_ENTRY_EVENTS:
        return Ignored(f"event {name!r}")
    payload = data.get("payload")
    entry = payload.get("entry") if isinstance(payload, dict) else None
    booking = _booking_id(entry.get("id")) if isinstance(entry, dict) else None
    if booking is None:
        return Refused(400, "the body names no entry id")
    return Event(Side.CLOCKODO, booking, str(name))
