"""What both writers share: the ledger, the mappings, the results, the stop flag.

Also the two rules every write follows: what becomes the base afterwards, and
how a refused write is recorded.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from syncd.adapters import errors
from syncd.core import model as core
from syncd.core import plan as p
from syncd.core.model import Projection, Skip
from syncd.core.projection import project_clockodo, project_moco
from syncd.service.ledger import Ledger
from syncd.service.outcomes import Results, Status, classify

Refusable = (
    p.UpdateMoco | p.DisregardInMoco | p.DeleteInMoco | p.UpdateClockodo | p.DeleteInClockodo
)


@dataclass
class WriteContext:
    ledger: Ledger
    mappings: core.Mappings
    results: Results
    stopping: Callable[[], bool]
    moco_items: Mapping[int, core.MocoBooking] = field(default_factory=dict)
    clockodo_items: Mapping[int, core.ClockodoBooking] = field(default_factory=dict)

    def versions(
        self, moco_id: int, clockodo_id: int
    ) -> tuple[Projection | None, Projection | None]:
        """Both sides as read this run (None: gone or not projectable)."""
        moco = self.moco_items.get(moco_id)
        clockodo = self.clockodo_items.get(clockodo_id)
        m = None if moco is None else project_moco(moco, self.mappings)
        c = None if clockodo is None else project_clockodo(clockodo, self.mappings)
        return (
            m if isinstance(m, Projection) else None,
            c if isinstance(c, Projection) else None,
        )

    def agreed(self, expected: Projection, stored: Projection | Skip, what: str) -> Projection:
        """The base after a write is what syncd sent. If the vendor stored something
        else (e.g. account rounding), the difference flows back on the next run and
        both sides converge; taking the stored value as base would instead rewrite
        the vendor with the original value on every run."""
        if stored != expected:
            self.results.notes.append(
                f"{what} was stored differently from what was sent "
                "(the difference is synced back next run)"
            )
        return expected

    def refused(
        self,
        action: Refusable,
        exc: errors.ApiError,
    ) -> None:
        """Record a failed write: billed/locked parks the link, other 4xx hold the
        source until it changes, transient failures are simply tried next run."""
        status = classify(exc)
        if status == Status.PARKED:
            reason = f"{exc.api} refused the change (billed or locked): {exc}"
            versions = self.versions(action.moco_id, action.clockodo_id)
            self.ledger.parked(action.link_id, action.moco_id, action.clockodo_id, reason, versions)
        elif status == Status.HELD:
            self.ledger.held(action.source, exc.status, str(exc))
        self.results.add(action, status, str(exc))
