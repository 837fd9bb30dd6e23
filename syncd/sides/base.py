"""The I/O half of a side: one interface, implemented once for MOCO and once for clockodo.

A :class:`VendorSide` reads its tool's bookings into the core's terms and sends the
writes a plan asks for. It speaks to one vendor client and knows nothing of the store:
the executor announces intents, records outcomes and decides what a failure means.

What every implementation guarantees:

- Reads report themselves incomplete instead of raising; an item is *proven gone*
  only when a direct GET answers 404 (design §3).
- A write answers one :data:`Outcome` per action: :class:`Written` (applied; what the
  vendor holds now, when it said), :class:`Failed` (not applied, and how to treat
  that), or :class:`Lost` (the answer was lost: it may have been applied; the intent
  stays pending and is resolved by :meth:`VendorSide.find_created`).
- A write is never repeated after an error whose effect is not certain before the
  vendor has been asked whether it landed (design §4).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Generic, Protocol, TypeVar

from syncd.adapters.errors import ApiError, NotFound
from syncd.adapters.listing import Invalid
from syncd.core.drafting import SideRules
from syncd.core.model import Side
from syncd.core.plan import Bill, Create, Delete, Update
from syncd.sync.outcomes import Status, classify

# clockodo instants are read with a margin on both ends so that every entry
# whose *local* date lies in the window is seen, whatever the user's zone
# (UTC-12 .. UTC+14); the core ignores unlinked items outside the date window.
ZONE_MARGIN = timedelta(hours=15)

B = TypeVar("B")
R = TypeVar("R")


@dataclass(frozen=True)
class Window:
    """The inclusive range of local dates kept in sync this run."""

    first: date
    last: date

    @property
    def dates(self) -> tuple[date, date]:
        return (self.first, self.last)

    @property
    def instants(self) -> tuple[datetime, datetime]:
        """UTC instants that hold every local date of the window, in any zone."""
        start = datetime.combine(self.first, time(0), UTC) - ZONE_MARGIN
        end = datetime.combine(self.last + timedelta(days=1), time(0), UTC) + ZONE_MARGIN
        return start, end


@dataclass(frozen=True)
class Fetched(Generic[B]):
    """Bookings read from one side, with what the operator should hear about the read.

    ``complete``: no page failed. ``invalid``: present but unparseable (never taken for
    absent). ``proven_gone``: answered 404 to a direct GET. ``requests``: lookups made
    beyond the listing (for the run's figures).
    """

    items: dict[int, B]
    invalid: tuple[Invalid, ...] = ()
    complete: bool = True
    problem: str | None = None
    proven_gone: frozenset[int] = frozenset()

    @property
    def invalid_ids(self) -> frozenset[int]:
        return frozenset(i.raw_id for i in self.invalid if i.raw_id is not None)

    def merged(self, more: Fetched[B]) -> Fetched[B]:
        """This read plus ``more`` (items found by id after the listing)."""
        return Fetched(
            {**self.items, **more.items},
            self.invalid + more.invalid,
            self.complete,
            self.problem,
            self.proven_gone | more.proven_gone,
        )


@dataclass(frozen=True)
class Written(Generic[B]):
    """The vendor applied the write; ``record`` is what it holds now (None: not said,
    or nothing syncd can read); ``id`` the record's id (what a create made)."""

    record: B | None = None
    id: int | None = None


@dataclass(frozen=True)
class Failed:
    """The write was not applied; ``status`` says how it is treated (held, parked, ...)."""

    status: Status
    detail: str
    error: ApiError | None = None

    @classmethod
    def of(cls, error: ApiError, prefix: str = "") -> Failed:
        """A vendor's refusal, classified (a 401 raises Fatal: the whole run stops)."""
        return cls(classify(error), f"{prefix}{error}", error)


@dataclass(frozen=True)
class Lost:
    """The answer was lost: the write may have been applied (resolved next start)."""

    detail: str


Outcome = Written[B] | Failed | Lost


class Locator(Protocol):
    """A side's way to find one of its creates again (stored with the create's intent)."""

    def to_json(self) -> dict[str, object]: ...


class VendorSide(Protocol[B]):
    """One tool, read and written in the core's terms (see the module docstring)."""

    notes: list[str]  # things the run summary should say (e.g. a group edit refused)

    @property
    def side(self) -> Side: ...

    @property
    def rules(self) -> SideRules:
        """The pure half: what its bookings mean, how writes are drafted."""
        ...

    @property
    def noun(self) -> str:
        """What one booking is called there ("activity", "entry")."""
        ...

    @property
    def client(self) -> Any:
        """The vendor client (master data is read through it)."""
        ...

    def read_window(self, window: Window) -> Fetched[B]:
        """Every booking of the window (complete, or saying why not)."""
        ...

    def read_day(self, user: int, day: date) -> Fetched[B]:
        """One person's (this side's user id) bookings around one date, completely
        (clockodo: every instant that is ``day`` in some zone)."""
        ...

    def fetch(self, ids: Collection[int]) -> Fetched[B]:
        """These bookings by id, wherever they are now; absence proven by GET 404."""
        ...

    def stamp(self, booking: B) -> str:
        """The vendor's change stamp of ``booking`` (a cheap "changed since" check)."""
        ...

    def create_batches(self, creates: Sequence[Create]) -> list[list[Create]]:
        """How creates go out together (one request each, or bulk)."""
        ...

    def create(self, batch: Sequence[Create]) -> list[Outcome[B]]: ...

    def update(self, action: Update) -> Outcome[B]: ...

    def bill_batches(self, bills: Sequence[Bill]) -> list[list[Bill]]:
        """How bills go out together (one request each, or one per billed set)."""
        ...

    def bill(self, batch: Sequence[Bill]) -> list[Outcome[B]]: ...

    def delete(self, action: Delete) -> Outcome[B]:
        """A 404 counts as done: an earlier attempt whose answer was lost deleted it."""
        ...

    def locator(self, create: Create) -> Locator:
        """What finds this create again after a crash (stored with its intent)."""
        ...

    def find_created(self, locator: object) -> list[B]:
        """The bookings that match a create with ``locator`` (empty: it did not land).
        Raises ApiError or IncompleteRead when the vendor cannot say."""
        ...

    def exists(self, item_id: int) -> bool:
        """Whether the booking is still there (GET: 404 means no; errors raise)."""
        ...


def prove_gone(
    ids: Iterable[int], get: Callable[[int], R], add: Callable[[R], None]
) -> frozenset[int]:
    """GET each id: 404 proves it gone; found adds it; any other answer proves nothing
    (the core then holds the link)."""
    gone: set[int] = set()
    for item_id in sorted(ids):
        try:
            record = get(item_id)
        except NotFound:
            gone.add(item_id)
        except ApiError:
            continue
        else:
            add(record)
    return frozenset(gone)
