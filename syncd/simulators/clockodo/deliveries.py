"""How clockodo tells web hooks about entry changes (clockodo.md §8).

clockodo's webhooks are set up in its UI, not the API; here
`POST /_sim/webhooks {"url", "secret", "events"}` subscribes `url` to
`events` (default: all five entry events), `secret` being the subscriber's
own token that every delivery carries. Like clockodo, the simulator first
posts `{"secret": "<uuid>"}` to a new subscription's URL (the value a user
would enter in the UI; the registration answer shows it too).

Each event is a POST of `{"subscription_id", "company_id", "occurred_at",
"payload": {"entry": {"id"}}, "event_name", "token"}`: ids only, never the
entry. Which changes send what [assumption where the docs only list names]:
- `POST /v2/entries`: `entry.created`; `PUT`: `entry.updated` when
  something changed, plus `entry.stopped` when it ended a running entry;
  `DELETE`: `entry.deleted`. Bulk edits and deletes send one per entry.
- `POST /v2/clock`: `entry.created` and `entry.started` (after
  `entry.stopped` for a clock it ended); `DELETE /v2/clock/{id}`:
  `entry.stopped`; `PUT /v2/clock/{id}`: `entry.updated`.
- Only API changes count; seeding (`/_sim/seed`) sends nothing.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from syncd.simulators.kit import utc_iso

if TYPE_CHECKING:
    from syncd.simulators.clockodo.simulator import ClockodoSimulator

ENTRY_EVENTS = ("entry.created", "entry.updated", "entry.deleted", "entry.started", "entry.stopped")
COMPANY_ID = 1  # the simulated company's id, as deliveries name it
JSON_HEADERS = {"Content-Type": "application/json"}


@dataclass(frozen=True)
class Subscription:
    id: int
    url: str
    token: str
    events: tuple[str, ...]
    secret: str  # what clockodo posts to a new subscription, to be entered in its UI

    def json(self) -> dict[str, Any]:
        return {
            "subscription_id": self.id,
            "url": self.url,
            "token": self.token,
            "events": list(self.events),
            "secret": self.secret,
        }


def subscribe(
    sim: ClockodoSimulator, url: str, token: str | None, events: list[str] | None
) -> Subscription:
    wanted = tuple(ENTRY_EVENTS if events is None else events)
    if not isinstance(events, list | None) or not wanted or not set(wanted) <= set(ENTRY_EVENTS):
        raise ValueError(f"events must be a list of {list(ENTRY_EVENTS)}")
    if not url.startswith(("http://", "https://")):
        raise ValueError("url must be an http(s) URL")
    subscription = Subscription(
        id=len(sim.subscriptions) + 1,
        url=url,
        token=token if token is not None else uuid.uuid4().hex,
        events=wanted,
        secret=str(uuid.uuid4()),
    )
    sim.subscriptions[subscription.id] = subscription
    body = json.dumps({"secret": subscription.secret}).encode()
    sim.webhooks.enqueue(url, "secret", body, dict(JSON_HEADERS), source=subscription.id)
    return subscription


def emit(sim: ClockodoSimulator, events: list[tuple[str, int]]) -> None:
    """Queue a delivery per event and subscription (call with the simulator's lock held)."""
    occurred_at = utc_iso(sim.clock.now())
    for name, entry_id in events:
        for subscription in sim.subscriptions.values():
            if name not in subscription.events:
                continue
            body = {
                "subscription_id": subscription.id,
                "company_id": COMPANY_ID,
                "occurred_at": occurred_at,
                "payload": {"entry": {"id": entry_id}},
                "event_name": name,
                "token": subscription.token,
            }
            data = json.dumps(body).encode()
            sim.webhooks.enqueue(subscription.url, name, data, dict(JSON_HEADERS), subscription.id)
