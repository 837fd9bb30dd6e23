"""A progress line for `run-once` and `plan` on a terminal: requests (pages) read per
API, and write requests sent for the writes planned (MOCO creates go up to 100 to a
request). Nothing when stderr is not a terminal."""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

from rich.console import Console
from rich.live import Live
from rich.text import Text

from syncd.adapters.http import RequestEvent
from syncd.core import plan as p
from syncd.sync.engine import Engine


class RunProgress:
    """Counts what the engine reports; ``line()`` says it in one line."""

    def __init__(self) -> None:
        self.reads: Counter[str] = Counter()
        self.writes = 0
        self.planned: int | None = None

    def request(self, event: RequestEvent) -> None:
        if event.method == "GET":
            self.reads[event.api] += 1
        else:
            self.writes += 1

    def plan(self, plan: p.Plan) -> None:
        self.planned = sum(plan.write_counts().values())

    def line(self) -> str:
        read = ", ".join(f"{api} {n}" for api, n in sorted(self.reads.items())) or "none yet"
        text = f"pages read: {read}"
        if self.planned is not None:
            text += f" | write requests: {self.writes} for {self.planned} planned writes"
        return text


@contextmanager
def shown(engine: Engine, stream: TextIO | None = None) -> Iterator[RunProgress]:
    """Wire a progress display into ``engine`` while the block runs (a terminal only)."""
    progress = RunProgress()
    out = stream or sys.stderr
    if not out.isatty():
        yield progress
        return
    with Live(Text(progress.line()), console=Console(file=out), transient=True) as live:
        previous = engine.on_request

        def request(event: RequestEvent) -> None:
            progress.request(event)
            live.update(Text(progress.line()))
            if previous is not None:
                previous(event)

        def planned(plan: p.Plan) -> None:
            progress.plan(plan)
            live.update(Text(progress.line()))

        engine.on_request, engine.on_plan = request, planned
        try:
            yield progress
        finally:
            engine.on_request, engine.on_plan = previous, None
