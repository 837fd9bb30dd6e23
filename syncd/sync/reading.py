"""Reading both sides into the core's snapshots, and proving absences.

A linked item missing from a window read is only *proven gone* when the read was
complete and a direct GET answers 404 (design §3). Items that moved out of the
window are fetched and included, so a re-dated booking is an update, never a
delete plus a create.

A side that can list what changed since a moment (MOCO's ``updated_after``) may be
read incrementally: the changes are merged into the store's copy of the window,
which is trusted only while the vendor counts the window the same (two requests
instead of one per page). Anything else reads the window fully, which refreshes
the copy; only a real run over the configured window moves the watermark.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Generic, Literal, Protocol, TypeVar, runtime_checkable

from sqlalchemy.orm import Session, sessionmaker

from syncd.core import model as core
from syncd.sides.base import Fetched, VendorSide, Window
from syncd.store import journal, seen
from syncd.store.db import transaction

B = TypeVar("B")
LOOKBACK = timedelta(minutes=10)  # absorbs clock differences between this host and MOCO
PAGE = 100  # what one listing request of an incremental side holds


@dataclass(frozen=True)
class SideRead(Generic[B]):
    """A side as read this run: ``mode`` "full" or "incremental"."""

    fetched: Fetched[B]
    mode: str = "full"

    @property
    def snapshot(self) -> core.SideSnapshot[B]:
        f = self.fetched
        return core.SideSnapshot(f.items, f.complete, f.invalid_ids, f.proven_gone)


@runtime_checkable
class IncrementalSide(Protocol):
    """A side that can list only what changed (MOCO)."""

    def read_changes(self, window: Window, since: datetime) -> Fetched[Any]: ...

    def read_window(self, window: Window) -> Fetched[Any]: ...

    def count(self, window: Window) -> int: ...


def with_partners(side: VendorSide[B], read: Fetched[B], linked: Iterable[int]) -> Fetched[B]:
    """Add the linked items the read did not hold (moved away, or deleted: proven
    by a GET). Nothing is looked up after an incomplete read: it proves nothing."""
    missing = set(linked) - read.items.keys() - read.invalid_ids - read.proven_gone
    if not read.complete or not missing:
        return read
    return read.merged(side.fetch(missing))


@dataclass(frozen=True)
class Copy:
    """The store's copy of an incremental side's window, with its watermark."""

    sessions: sessionmaker[Session]

    def mark(self) -> datetime | None:
        with transaction(self.sessions) as session:
            value = journal.get_watermark(session, seen.WATERMARK)
        return None if value is None else datetime.fromisoformat(value)

    def covers(self, window: Window) -> bool:
        """Whether the copy holds the whole window (a new day may have begun)."""
        with transaction(self.sessions) as session:
            covered = seen.covered(session)
        return covered is not None and covered[0] <= window.first and window.last <= covered[1]

    def count(self, window: Window) -> int:
        with transaction(self.sessions) as session:
            return seen.count_in_window(session, window.dates)

    def items(self, window: Window) -> dict[int, core.MocoBooking]:
        with transaction(self.sessions) as session:
            return seen.in_window(session, window.dates)

    def merge(self, bookings: Iterable[core.MocoBooking]) -> None:
        with transaction(self.sessions) as session:
            seen.merge(session, bookings)

    def replace(
        self, window: Window, bookings: Iterable[core.MocoBooking], started: datetime
    ) -> None:
        """After a complete read of the whole window: the copy is that read now, and
        the next incremental read asks for changes since shortly before it began."""
        in_window = [b for b in bookings if window.first <= b.date <= window.last]
        with transaction(self.sessions) as session:
            seen.replace_window(session, window.dates, in_window)
            journal.set_watermark(session, seen.WATERMARK, (started - LOOKBACK).isoformat())
            journal.set_watermark(session, seen.FULL_SCAN, started.isoformat())

    def replace_part(self, part: Window, bookings: Iterable[core.MocoBooking]) -> None:
        """A part of the window was read completely again: it holds ``bookings`` now."""
        with transaction(self.sessions) as session:
            seen.replace_part(session, part.dates, bookings)

    def full_scan_due(self, now: datetime, every: timedelta) -> bool:
        """Whether the last complete read of the whole window is older than ``every``."""
        with transaction(self.sessions) as session:
            value = journal.get_watermark(session, seen.FULL_SCAN)
        return value is None or datetime.fromisoformat(value) <= now - every

    def advance(self, started: datetime) -> None:
        with transaction(self.sessions) as session:
            journal.set_watermark(session, seen.WATERMARK, (started - LOOKBACK).isoformat())


ReadMode = Literal["auto", "incremental", "full"]


def read_side(
    side: VendorSide[Any],
    window: Window,
    linked: Iterable[int],
    *,
    copy: Copy | None = None,
    mode: ReadMode = "full",
    full_scan_every: timedelta = timedelta(hours=1),
) -> SideRead[Any]:
    """Read ``side``'s window (and its linked items elsewhere).

    ``copy``: this run reads the whole configured window for real, so the store's copy
    may be used and refreshed; None for dry runs and narrowed windows. ``mode``
    "incremental" reads only changes when the copy can be trusted; "auto" does so
    unless the last full scan is older than ``full_scan_every``; "full" never.
    """
    started = datetime.now(UTC)
    due = mode == "auto" and copy is not None and copy.full_scan_due(started, full_scan_every)
    if mode != "full" and not due and copy is not None and isinstance(side, IncrementalSide):
        changed = _read_changes(side, window, copy)
        if changed is not None:
            copy.advance(started)
            fetched, how = changed
            return SideRead(with_partners(side, fetched, linked), how)
    full = with_partners(side, side.read_window(window), linked)
    if full.complete and copy is not None and isinstance(side, IncrementalSide):
        copy.replace(window, full.items.values(), started)
    return SideRead(full)


def _read_changes(
    side: IncrementalSide, window: Window, copy: Copy
) -> tuple[Fetched[Any], str] | None:
    """The changes merged into the copy, and how the copy was checked; None: read the
    window fully (no watermark yet, the copy does not cover the window, a window of
    one page, which a full read gets in one request, or something unreadable).

    The copy is trusted when the vendor counts the window the same. When it does
    not (a deletion, a booking moved out of the window), the parts whose counts
    differ are found by counting halves, and only those are read again.
    """
    since = copy.mark()
    if since is None or not copy.covers(window) or copy.count(window) <= PAGE:
        return None
    changed = side.read_changes(window, since)
    if not changed.complete or changed.invalid:
        return None
    copy.merge(changed.items.values())
    theirs = side.count(window)
    how = "incremental"
    if theirs != copy.count(window):
        if not _recount(side, window, theirs, copy):
            return None
        how = "recounted"
    return Fetched(copy.items(window)), how


def _recount(side: IncrementalSide, window: Window, theirs: int, copy: Copy) -> bool:
    """Re-read the parts of ``window`` whose count differs from the copy's (``theirs``:
    the vendor's count of it). One count request per level: the other half's count
    follows from its parent's. False when a part could not be read completely."""
    if theirs <= PAGE or window.first == window.last:
        part = side.read_window(window)
        if not part.complete or part.invalid:
            return False
        copy.replace_part(window, part.items.values())
        return True
    middle = window.first + (window.last - window.first) // 2
    left = Window(window.first, middle)
    right = Window(middle + timedelta(days=1), window.last)
    theirs_left = side.count(left)
    for half, count in ((left, theirs_left), (right, theirs - theirs_left)):
        if count != copy.count(half) and not _recount(side, half, count, copy):
            return False
    return True
