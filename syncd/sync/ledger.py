"""The executor's bookkeeping: each outcome of a write becomes one transaction.

Design §4 rule 1: the store either is unchanged or reflects exactly what
succeeded. So every method here is one short transaction that records one
outcome completely (link + base + intent done), and nothing is recorded for
a write before the vendor has answered it.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session, sessionmaker

from syncd.core import model as core
from syncd.core import plan as p
from syncd.store import journal, repo
from syncd.store.db import transaction
from syncd.sync.intents import Intent, encode


class Ledger:
    def __init__(self, sessions: sessionmaker[Session], run_id: str) -> None:
        self.sessions = sessions
        self.run_id = run_id

    # -- intents --------------------------------------------------------------
    def announce(self, intents: Sequence[Intent]) -> list[int]:
        """Durable intents for writes about to be sent (one transaction for a batch)."""
        with transaction(self.sessions) as session:
            rows = []
            for intent in intents:
                payload = encode(intent)
                rows.append(
                    journal.add_intent(
                        session,
                        intent.kind,
                        payload,
                        source_side=payload["source_side"],
                        source_id=payload["source_id"],
                        target_id=payload.get("target_id"),
                        run_id=self.run_id,
                    )
                )
            return [row.id for row in rows]

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
        ids: core.BySide[int],
        origin: core.Side,
        base: core.Projection,
        replaces_link: int | None,
    ) -> None:
        """A create succeeded: link the pair (or repoint the link it replaces).

        Recording twice (a crash after the commit, then recovery) changes nothing.
        """
        target = core.Side(origin).other
        with transaction(self.sessions) as session:
            if replaces_link is not None and repo.link_exists(session, replaces_link):
                repo.record_base(
                    session,
                    replaces_link,
                    base,
                    moco_id=ids.moco,
                    clockodo_id=ids.clockodo,
                )
            elif not repo.is_linked(session, moco_id=ids.moco, clockodo_id=ids.clockodo):
                repo.add_link(
                    session,
                    moco_id=ids.moco,
                    clockodo_id=ids.clockodo,
                    origin=origin,
                    base=base,
                )
            repo.release_failure(session, origin, ids[origin])
            if intent_id is not None:
                journal.finish_intent(session, intent_id, target_id=ids[target])

    def agreed(
        self,
        link_id: int | None,
        moco_id: int,
        base: core.Projection,
        *,
        source: p.WriteSource | None = None,
    ) -> None:
        """Both sides hold `base` now (after an update, or found equal)."""
        with transaction(self.sessions) as session:
            resolved = link_id if link_id is not None else repo.link_id_for_moco(session, moco_id)
            repo.record_base(session, resolved, base)
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
        pair: p.Pair,
        reason: str,
        versions: core.BySide[core.Projection | None],
    ) -> None:
        """A refusal that needs a person (billed or locked booking): park the link."""
        with transaction(self.sessions) as session:
            resolved = pair.link_id
            if resolved is None:
                resolved = repo.link_id_for_moco(session, pair.moco_id)
            link = repo.get_link(session, resolved)
            repo.open_conflict(
                session,
                link_id=resolved,
                moco_id=pair.moco_id,
                clockodo_id=pair.clockodo_id,
                reason=reason,
                moco=versions.moco,
                clockodo=versions.clockodo,
                base=repo.base_of(link),
            )

    # -- bookkeeping actions (no vendor write) -------------------------------------
    def record(self, actions: Sequence[p.Bookkeeping], chunk: int = 1000) -> None:
        """Record bookkeeping, many to a transaction: nothing was sent for them, so a
        crash in between only means the next run plans the rest again (a first sync
        of two large accounts adopts tens of thousands of links at once)."""
        for start in range(0, len(actions), chunk):
            with transaction(self.sessions) as session:
                for action in actions[start : start + chunk]:
                    self._record(session, action)
                    session.flush()

    @staticmethod
    def _record(session: Session, action: p.Bookkeeping) -> None:
        pair = action.pair
        match action:
            case p.AdoptLink():
                repo.add_link(
                    session,
                    moco_id=pair.moco_id,
                    clockodo_id=pair.clockodo_id,
                    origin=pair.origin,
                    base=action.base,
                    stamps=action.stamps,
                )
            case p.RecordBase():
                repo.record_base(
                    session,
                    pair.existing_id,
                    action.base,
                    stamps=action.stamps,
                )
            case p.RecordStamps():
                repo.set_stamps(session, pair.existing_id, action.stamps)
            case p.DropLink():
                repo.drop_link(session, pair.existing_id)
            case p.MarkOrphaned():
                repo.mark_orphaned(session, pair.existing_id, action.gone)
            case p.Conflict():
                link_id = pair.link_id
                if link_id is None:
                    link_id = repo.link_id_for_moco(session, pair.moco_id)
                base = repo.base_of(repo.get_link(session, link_id))
                repo.open_conflict(
                    session,
                    link_id=link_id,
                    moco_id=pair.moco_id,
                    clockodo_id=pair.clockodo_id,
                    reason=action.reason,
                    moco=action.moco,
                    clockodo=action.clockodo,
                    base=base,
                    resolution=None if action.resolution == "parked" else action.resolution,
                )
