"""What both writers share: the ledger, the mappings, the results, the stop flag.

Also the two rules every write follows: what becomes the base afterwards, and
how a refused write is recorded.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace

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


def created_state(expected: Projection, billed_later: bool) -> Projection:
    """What the target holds right after a create: neither API creates a billed
    booking, billing follows as a second write."""
    return replace(expected, billed=False) if billed_later else expected


@dataclass
class WriteContext:
    ledger: Ledger
    mappings: core.Mappings
    results: Results
    stopping: Callable[[], bool]
    moco_items: Mapping[int, core.MocoBooking] = field(default_factory=dict)
    clockodo_items: Mapping[int, core.ClockodoBooking] = field(default_factory=dict)
    no_creates: str | None = None  # why creates must wait this run (None: they may go)

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

    def delete(self, action: p.DeleteInMoco | p.DeleteInClockodo, send: Callable[[], None]) -> None:
        """Announce, send and record a delete; a 404 means it is already done
        (perhaps by an earlier attempt whose answer was lost)."""
        target, gone_side = (
            (action.moco_id, "clockodo")
            if isinstance(action, p.DeleteInMoco)
            else (action.clockodo_id, "moco")
        )
        payload = {
            "source_side": gone_side,
            "source_id": action.clockodo_id if gone_side == "clockodo" else action.moco_id,
            "target_id": target,
            "link_id": action.link_id,
        }
        kind = "delete_moco" if isinstance(action, p.DeleteInMoco) else "delete_clockodo"
        intent = self.ledger.announce(kind, [payload])[0]
        try:
            send()
        except errors.NotFound:
            pass
        except errors.ApiError as exc:
            self.ledger.abandon([intent])
            self.refused(action, exc)
            return
        self.ledger.deleted(intent, action.link_id, action.source)
        self.results.add(action, Status.DONE)
