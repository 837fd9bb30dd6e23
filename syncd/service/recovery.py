"""Resolve pending write intents before anything else (design §4 rule 2).

A pending intent is a write that was announced but whose answer never made
it into the store: the process died, or the answer was lost. Its record is
looked for on the vendor's side. Found: adopt it and link. Not found: the
intent is closed and the ordinary reconcile plans the write afresh. A
pending delete is done when the item answers 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from syncd import log
from syncd.adapters import errors
from syncd.adapters.clockodo.client import ClockodoClient
from syncd.adapters.listing import IncompleteRead
from syncd.adapters.moco.client import MocoClient
from syncd.core import model as core
from syncd.service.ledger import Ledger
from syncd.service.write_clockodo import matches_intent
from syncd.service.write_clockodo import stamp as clockodo_stamp
from syncd.service.write_moco import stamp as moco_stamp
from syncd.store import journal, repo
from syncd.store import models as rows
from syncd.store.db import transaction

logger = log.get_logger("syncd.recovery")


@dataclass
class Recovered:
    adopted: int = 0
    abandoned: int = 0
    deleted: int = 0
    unresolved: int = 0

    def total(self) -> int:
        return self.adopted + self.abandoned + self.deleted + self.unresolved


class Recovery:
    """Resolves pending intents. Creates not found yet are abandoned only once they
    are older than `settle`: a request sent just before its sender died may still be
    landing at the vendor. Unresolved intents stay pending; while any exists, the
    engine creates nothing (an unlinked booking could be that create's result)."""

    def __init__(
        self,
        ledger: Ledger,
        moco: MocoClient,
        clockodo: ClockodoClient,
        settle: timedelta = timedelta(0),
    ) -> None:
        self.ledger, self.sessions = ledger, ledger.sessions
        self.moco, self.clockodo = moco, clockodo
        self.settle = settle
        self.outcome = Recovered()

    def run(self) -> Recovered:
        with transaction(self.sessions) as session:
            pending = [
                (i.id, i.kind, dict(i.payload), i.created_at)
                for i in journal.pending_intents(session)
            ]
        for intent_id, kind, payload, created_at in pending:
            try:
                self._resolve(intent_id, kind, payload, created_at)
            except (errors.ApiError, IncompleteRead):
                self.outcome.unresolved += 1  # the look-up failed: retried next start
            except Exception:  # one broken intent must not stop the others or the run
                logger.exception("could not resolve a write intent", intent=intent_id)
                self.outcome.unresolved += 1
        return self.outcome

    def _resolve(
        self, intent_id: int, kind: str, payload: dict[str, object], created_at: datetime
    ) -> None:
        self._young = _aware(created_at) > datetime.now(UTC) - self.settle
        if kind == "create_moco":
            self._create_moco(intent_id, payload)
        elif kind == "create_clockodo":
            self._create_clockodo(intent_id, payload)
        elif kind in ("delete_moco", "delete_clockodo"):
            self._delete(intent_id, kind, payload)
        else:
            self._close(intent_id, "abandoned")

    def _create_moco(self, intent_id: int, payload: dict[str, object]) -> None:
        remote_id = str(payload["remote_id"])
        found = self.moco.list_activities(date_from=None, date_to=None, remote_ids=[remote_id])
        matches = [a for a in found.require_complete() if a.remote_id == remote_id]
        if not matches:
            self._not_found(intent_id)
            return
        activity = matches[0]
        self._adopt(
            intent_id,
            payload,
            moco_id=activity.id,
            clockodo_id=int(str(payload["source_id"])),
            origin="clockodo",
            stamps=(moco_stamp(activity), None),
        )

    def _create_clockodo(self, intent_id: int, payload: dict[str, object]) -> None:
        since = datetime.fromisoformat(str(payload["time_since"]))
        users_id, seconds = int(str(payload["users_id"])), int(str(payload["seconds"]))
        found = self.clockodo.list_entries(
            time_since=since, time_until=since + timedelta(seconds=1), users_id=users_id
        )
        text = str(payload["text"])
        entries = found.require_complete()
        matches = [e for e in entries if matches_intent(e, users_id, since, seconds, text)]
        with transaction(self.sessions) as session:
            free = [e for e in matches if not _entry_linked(session, e.id)]
        if not free:
            self._not_found(intent_id)
            return
        entry = free[0]
        self._adopt(
            intent_id,
            payload,
            moco_id=int(str(payload["source_id"])),
            clockodo_id=entry.id,
            origin="moco",
            stamps=(None, clockodo_stamp(entry)),
        )

    def _adopt(
        self,
        intent_id: int,
        payload: dict[str, object],
        *,
        moco_id: int,
        clockodo_id: int,
        origin: core.Side,
        stamps: tuple[str | None, str | None],
    ) -> None:
        expected = payload["expected"]
        assert isinstance(expected, dict)
        replaces = payload.get("replaces_link")
        self.ledger.created(
            intent_id,
            moco_id=moco_id,
            clockodo_id=clockodo_id,
            origin=origin,
            base=repo.projection_from_json(expected),
            replaces_link=replaces if isinstance(replaces, int) else None,
            stamps=stamps,
        )
        self.outcome.adopted += 1

    def _delete(self, intent_id: int, kind: str, payload: dict[str, object]) -> None:
        target = int(str(payload["target_id"]))
        try:
            if kind == "delete_moco":
                self.moco.get_activity(target)
            else:
                self.clockodo.get_entry(target)
        except errors.NotFound:
            link_id = payload.get("link_id")
            with transaction(self.sessions) as session:
                if isinstance(link_id, int) and session.get(rows.Link, link_id) is not None:
                    repo.drop_link(session, link_id)
                journal.finish_intent(session, intent_id)
            self.outcome.deleted += 1
            return
        self._close(intent_id, "abandoned")  # still there: the delete did not happen

    def _not_found(self, intent_id: int) -> None:
        """The create is not at the vendor: it never happened, or it is still landing."""
        if self._young:
            self.outcome.unresolved += 1
        else:
            self._close(intent_id, "abandoned")

    def _close(self, intent_id: int, state: str) -> None:
        with transaction(self.sessions) as session:
            journal.finish_intent(session, intent_id, state=state)
        self.outcome.abandoned += 1


def _aware(moment: datetime) -> datetime:
    """SQLite gives timestamps back without their zone; they were stored in UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _entry_linked(session: Session, entry_id: int) -> bool:
    query = select(rows.Link.id).where(rows.Link.clockodo_id == entry_id)
    return session.scalars(query).first() is not None
