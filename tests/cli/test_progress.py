"""The progress line: pages read per API, writes done of those planned."""

from __future__ import annotations

import io

from syncd.adapters.http import RequestEvent
from syncd.cli.progress import RunProgress, shown
from syncd.core.reconcile import reconcile
from tests.core.factories import MAPPINGS, moco, policy, snap


def event(api: str, method: str) -> RequestEvent:
    return RequestEvent(api, method, "/x", "2xx", 0.01, 0.0)


def test_counts_pages_and_writes_of_the_plan() -> None:
    progress = RunProgress()
    assert progress.line() == "pages read: none yet"
    for api in ("moco", "clockodo", "clockodo"):
        progress.request(event(api, "GET"))
    progress.plan(reconcile(snap(moco(1, billed=True), moco(2)), snap(), [], MAPPINGS, policy()))
    progress.request(event("clockodo", "POST"))
    assert (
        progress.line() == "pages read: clockodo 2, moco 1 | write requests: 1 for 3 planned writes"
    )


def test_nothing_is_drawn_when_not_on_a_terminal() -> None:
    class FakeEngine:
        on_request = None
        on_plan = None

    engine = FakeEngine()
    out = io.StringIO()
    with shown(engine, out) as progress:  # type: ignore[arg-type]
        assert engine.on_request is None
        progress.request(event("moco", "GET"))
    assert out.getvalue() == ""
