"""Web hook deliveries as syncd reads them: signatures, tokens, ids, handshakes."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from syncd.core import webhooks as hooks
from syncd.core.model import Side
from syncd.simulators.moco.deliveries import sign

SECRET = "0123456789abcdef0123456789abcdef"
TOKEN = "our-own-token"


def moco_headers(body: bytes, event: str = "update", secret: str = SECRET) -> dict[str, str]:
    return {
        "x-moco-target": "Activity",
        "x-moco-event": event,
        "x-moco-signature": sign(secret, body),
    }


def clockodo_body(entry_id: object = 7, name: str = "entry.updated", token: str = TOKEN) -> bytes:
    return json.dumps(
        {
            "subscription_id": 1,
            "company_id": 1,
            "occurred_at": "2026-01-01T10:00:00Z",
            "payload": {"entry": {"id": entry_id}},
            "event_name": name,
            "token": token,
        }
    ).encode()


def test_a_signed_moco_delivery_names_its_activity() -> None:
    body = b'{"id":42,"description":"x"}'
    parsed = hooks.parse_moco(SECRET, moco_headers(body), body)
    assert parsed == hooks.Event(Side.MOCO, 42, "update")


def test_signature_checks_agree_with_the_simulator_and_ignore_hex_case() -> None:
    body = b'{"id":1}'
    assert hooks.moco_signature(SECRET, body) == sign(SECRET, body)
    assert hooks.signed_by(SECRET, body, sign(SECRET, body).upper())


def test_unsigned_forged_or_tampered_moco_deliveries_are_refused() -> None:
    body = b'{"id":42}'
    unsigned = {k: v for k, v in moco_headers(body).items() if k != "x-moco-signature"}
    assert hooks.parse_moco(SECRET, unsigned, body) == hooks.UNSIGNED
    forged = moco_headers(body, secret="not-the-secret")
    assert hooks.parse_moco(SECRET, forged, body) == hooks.UNSIGNED
    assert hooks.parse_moco(SECRET, moco_headers(body), b'{"id":43}') == hooks.UNSIGNED


@given(st.binary(max_size=200), st.text(max_size=70))
def test_only_the_right_signature_passes(body: bytes, guess: str) -> None:
    right = sign(SECRET, body)
    assert hooks.signed_by(SECRET, body, guess) == (guess.strip().lower() == right)


def test_other_moco_targets_and_events_are_ignored_but_malformed_ids_are_refused() -> None:
    body = b'{"id":5}'
    other = moco_headers(body) | {"x-moco-target": "Project"}
    assert isinstance(hooks.parse_moco(SECRET, other, body), hooks.Ignored)
    strange = moco_headers(body, event="archive")
    assert isinstance(hooks.parse_moco(SECRET, strange, body), hooks.Ignored)
    for bad in (b"[1]", b'{"id":"5"}', b'{"id":-1}', b"not json", b'{"id":true}'):
        assert hooks.parse_moco(SECRET, moco_headers(bad), bad).status == 400  # type: ignore[union-attr]


def test_a_moco_delete_is_an_event_like_any_other() -> None:
    body = b'{"id":9}'
    assert hooks.parse_moco(SECRET, moco_headers(body, "delete"), body) == hooks.Event(
        Side.MOCO, 9, "delete"
    )


def test_a_clockodo_delivery_with_our_token_names_its_entry() -> None:
    parsed = hooks.parse_clockodo(TOKEN, clockodo_body(7, "entry.deleted"))
    assert parsed == hooks.Event(Side.CLOCKODO, 7, "entry.deleted")


def test_a_wrong_or_missing_clockodo_token_is_refused() -> None:
    assert hooks.parse_clockodo(TOKEN, clockodo_body(token="guess")) == hooks.BAD_TOKEN
    data = json.loads(clockodo_body())
    del data["token"]
    assert hooks.parse_clockodo(TOKEN, json.dumps(data).encode()) == hooks.BAD_TOKEN
    data["token"] = 12
    assert hooks.parse_clockodo(TOKEN, json.dumps(data).encode()) == hooks.BAD_TOKEN


def test_clockodo_handshake_other_events_and_broken_bodies() -> None:
    assert hooks.parse_clockodo(TOKEN, b'{"secret":"s-1"}') == hooks.Validation("s-1")
    assert isinstance(
        hooks.parse_clockodo(TOKEN, clockodo_body(name="customer.created")), hooks.Ignored
    )
    assert hooks.parse_clockodo(TOKEN, clockodo_body(entry_id="7")).status == 400  # type: ignore[union-attr]
    assert hooks.parse_clockodo(TOKEN, b"\xff").status == 400  # type: ignore[union-attr]
