"""The receivers' inbox: bursts fold into one batch of ids; health needs every vendor."""

from __future__ import annotations

import threading
from datetime import timedelta

from syncd.core.model import Side
from syncd.core.webhooks import Event
from syncd.service.webhooks import Inbox


def test_duplicates_and_retries_fold_into_one_batch_per_window() -> None:
    inbox, halt = Inbox(), threading.Event()
    for booking in (7, 7, 8):
        inbox.record("moco", "queued", Event(Side.MOCO, booking, "update"))
    inbox.record("clockodo", "queued", Event(Side.CLOCKODO, 7, "entry.deleted"))
    late = threading.Timer(0.1, inbox.record, ("moco", "queued", Event(Side.MOCO, 9, "create")))
    late.start()
    batch = inbox.take(0.5, halt)
    late.join()
    assert batch is not None
    assert (batch.moco, batch.clockodo) == ({7, 8, 9}, {7})
    assert inbox.take(0.0, halt, wait=0.05) is None  # drained
    counts, last = inbox.snapshot()
    assert counts[("moco", "queued")] == 4
    assert set(last) == {"moco", "clockodo"}


def test_refused_deliveries_queue_nothing_and_halt_ends_the_wait() -> None:
    inbox, halt = Inbox(), threading.Event()
    inbox.record("moco", "unauthorized")
    assert inbox.take(0.0, halt, wait=0.05) is None
    assert inbox.last_event == {}
    halt.set()
    inbox.record("moco", "queued", Event(Side.MOCO, 1, "update"))
    assert inbox.take(0.0, halt) is None


def test_healthy_only_while_every_configured_vendor_delivers() -> None:
    inbox = Inbox()
    assert not inbox.healthy(timedelta(minutes=30), [])
    inbox.record("moco", "queued", Event(Side.MOCO, 1, "update"))
    assert inbox.healthy(timedelta(minutes=30), ["moco"])
    assert not inbox.healthy(timedelta(minutes=30), ["moco", "clockodo"])
    inbox.record("clockodo", "ignored")
    assert inbox.healthy(timedelta(minutes=30), ["moco", "clockodo"])
    assert not inbox.healthy(timedelta(0), ["moco", "clockodo"])
