"""The executor's bookkeeping: each outcome of a write becomes one transaction.

Design §4 rule 1: the store either is unchanged or reflects exactly what
succeeded. So every method here is one short transaction that records one
outcome completely (link + base + intent done), and nothing is recorded for
a write before the vendor has answered it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from syncd.core import model as core
from syncd.core import plan as p
from syncd.store import journal, repo
from syncd.store.db import transaction


class Ledger:
    def __init__(self, sessions: sessionmaker[Session], run_id: str) -> None:
        self.sessions = sessions
        self.run_id = run_id

    # -- intents --------------------------------------------------------------
    def announce(self, kind: str, payloads: Sequence[dict[str, Any]]) -> list[int]:
        """Durable intents for writes about to be sent (one transaction for a batch)."""
        with transaction(self.sessions) as session:
            intents = [
                journal.add_intent(
                    session,
                    kind,
                    payload,
                    source_side=payload.get("source_side"),
                    source_id=payload.get("source_id"),
                    target_id=payload.get("target_id"),
                    run_id=self.run_id,
                )
                for payload in payloads
            ]
            return [intent.id for intent in intents]

    def abandon(self, intent_ids: Sequence[int]) -> None:
        """The writes surely did not happen (refused, or never sent)."""
        with transaction(self.sessions) as session:
            for intent_id in intent_ids:
                journal.finish_intent(session, intent_id, state="abandoned")

    # -- outcomes ---------------------------------------------------------------
    def created(
        self,
        intent_id: int | None,
        *,
        moco_id: int,
        clockodo_id: int,
        origin: core.Side,
        base: core.Projection,
        replaces_link: int | None,
        stamps: tuple[str | None, str | None] = (None, None),
    ) -> None:
        """A create succeeded: link the pair (or repoint the link it replaces).

        Recording twice (a crash after the commit, then recovery) changes nothing.
        """
        source_side: core.Side = origin
        source_id = moco_id if origin == "moco" else clockodo_id
        target_id = clockodo_id if origin == "moco" else moco_id
        with transaction(self.sessions) as session:
            if replaces_link is not None and repo.link_exists(session, replaces_link):
                repo.record_base(
                    session,
                    replaces_link,
                    base,
                    moco_id=moco_id,
                    clockodo_id=clockodo_id,
                    moco_stamp=stamps[0],
                    clockodo_stamp=stamps[1],
                )
            elif not repo.is_linked(session, moco_id=moco_id, clockodo_id=clockodo_id):
                repo.add_link(
                    session,
                    moco_id=moco_id,
                    clockodo_id=clockodo_id,
                    origin=origin,
                    base=base,
                    moco_stamp=stamps[0],
                    clockodo_stamp=stamps[1],
                )
            repo.release_failure(session, source_side, source_id)
            if intent_id is not None:
                journal.finish_intent(session, intent_id, target_id=target_id)

    def agreed(
        self,
        link_id: int | None,
        moco_id: int,
        base: core.Projection,
        *,
        source: p.WriteSource | None = None,
        stamps: tuple[str | None, str | None] = (None, None),
    ) -> None:
        """Both sides hold `base` now (after an update, or found equal)."""
        with transaction(self.sessions) as session:
            resolved = link_id if link_id is not None else self._link_id(session, moco_id)
            repo.record_base(
                session, resolved, base, moco_stamp=stamps[0], clockodo_stamp=stamps[1]
            )
            if source is not None:
                repo.release_failure(session, source.side, source.id)

    def deleted(self, intent_id: int | None, link_id: int, source: p.WriteSource) -> None:
        with transaction(self.sessions) as session:
            repo.drop_link(session, link_id)
            repo.release_failure(session, source.side, source.id)
            if intent_id is not None:
                journal.finish_intent(session, intent_id)

    def held(self, source: p.WriteSource, status: int | None, reason: str) -> None:
        """A 4xx refusal: not retried until the source booking changes."""
        with transaction(self.sessions) as session:
            repo.hold_failure(
                session, source.side, source.id, source.projection, status=status, reason=reason
            )

    def parked(
        self,
        link_id: int | None,
        moco_id: int,
        clockodo_id: int,
        reason: str,
        versions: tuple[core.Projection | None, core.Projection | None],
    ) -> None:
        """A refusal that needs a person (billed or locked booking): park the link."""
        with transaction(self.sessions) as session:
            resolved = link_id if link_id is not None else self._link_id(session, moco_id)
            link = repo.get_link(session, resolved)
            repo.open_conflict(
                session,
                link_id=resolved,
                moco_id=moco_id,
                clockodo_id=clockodo_id,
                reason=reason,
                moco=versions[0],
                clockodo=versions[1],
                base=repo.base_of(link),
            )

    # -- bookkeeping actions (no vendor write) -------------------------------------
    def record(self, action: p.Action) -> None:
        with transaction(self.sessions) as session:
            match action:
                case p.AdoptLink():
                    repo.add_link(
                        session,
                        moco_id=action.moco_id,
                        clockodo_id=action.clockodo_id,
                        origin=action.origin,
                        base=action.base,
                    )
                case p.RecordBase():
                    repo.record_base(session, action.link_id, action.base)
                case p.DropLink():
                    repo.drop_link(session, action.link_id)
                case p.MarkOrphaned():
                    repo.mark_orphaned(session, action.link_id, action.gone)
                case p.Conflict():
                    link_id = action.link_id
                    if link_id is None:
                        link_id = self._link_id(session, action.moco_id)
                    base = repo.base_of(repo.get_link(session, link_id))
                    repo.open_conflict(
                        session,
                        link_id=link_id,
                        moco_id=action.moco_id,
                        clockodo_id=action.clockodo_id,
                        reason=action.reason,
                        moco=action.moco,
                        clockodo=action.clockodo,
                        base=base,
                        resolution=None if action.resolution == "parked" else action.resolution,
                    )
                case _:
                    raise TypeError(f"not a bookkeeping action: {action!r}")

    @staticmethod
    def _link_id(session: Session, moco_id: int) -> int:
        return repo.link_id_for_moco(session, moco_id)
