"""How MOCO tells web hooks about activity changes (OAS "WebHooks"; moco.md §9 item 9).

Every enabled account web hook on target `Activity` whose event matches gets
a POST of the activity as the API shows it to someone who may see rates
(`delete`: only `{"id": ...}`), with the headers MOCO documents:
`X-Moco-Target`, `X-Moco-Event`, `X-Moco-Timestamp` (milliseconds, the
simulator's clock), `X-Moco-Signature` (hex HMAC-SHA256 of the raw body,
keyed with the account's signing key), `X-Moco-User-Id` (the user acting,
the impersonated one if any), `X-Moco-Account-Url` and `X-Moco-Origin`.

Choices where MOCO is silent:
- Changes through the API are the only ones (`X-Moco-Origin: api`);
  seeding (`/_sim/seed`) sets up an account silently, like an import.
- `update` is sent only when something was stored differently (a PUT that
  changes nothing sends nothing); starting and stopping a timer, billable
  seconds and disregarding (which bills) are updates. A bulk create sends one
  `create` per activity.
- After 500 failed attempts in a row (a success resets the count) the hook
  is disabled, as the docs say; the owner's e-mail after 50 is not simulated.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import TYPE_CHECKING, Any

from syncd.simulators.moco.model import Activity
from syncd.simulators.moco.render import activity_json

if TYPE_CHECKING:
    from syncd.simulators.moco.simulator import MocoSimulator

ACCOUNT_URL = "simulated.mocoapp.com"  # "the account subdomain"
DISABLE_AFTER = 500


def sign(key: str, body: bytes) -> str:
    return hmac.new(key.encode(), body, hashlib.sha256).hexdigest()


def emit(sim: MocoSimulator, event: str, activity: Activity, user_id: int) -> None:
    """Queue one delivery per matching hook (call with the simulator's lock held)."""
    account = sim.account
    hooks = [
        h
        for h in sorted(account.web_hooks.values(), key=lambda h: h.id)
        if not h.disabled and h.target == "Activity" and h.event == event
    ]
    if not hooks:
        return
    payload: dict[str, Any] = (
        {"id": activity.id} if event == "delete" else activity_json(account, activity)
    )
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    headers = {
        "Content-Type": "application/json",
        "X-Moco-Target": "Activity",
        "X-Moco-Event": event,
        "X-Moco-Timestamp": str(int(sim.clock.now().timestamp() * 1000)),
        "X-Moco-Signature": sign(account.web_hook_key, body),
        "X-Moco-User-Id": str(user_id),
        "X-Moco-Account-Url": ACCOUNT_URL,
        "X-Moco-Origin": "api",
    }
    for hook in hooks:
        sim.webhooks.enqueue(hook.hook, event, body, headers, source=hook.id)
