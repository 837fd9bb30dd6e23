"""One sync run: recover, read, decide, write, record (design §1).

A run holds the writer lock throughout. Its order is fixed: pending intents are
resolved before anything is read, so a crash can never turn into a duplicate; the
plan is computed by the pure core from what was read; the executor applies it
(unless this is a dry run or the plan was refused).

The :class:`Engine` lives as long as its configuration (the daemon keeps one); all
that belongs to one run (its lock, stop event, request counts) lives in a
:class:`Run`, and what it did is returned as a frozen :class:`RunReport`.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

import sqlalchemy

from syncd import log
from syncd.adapters.http import RequestEvent
from syncd.config import MappingSettings, Settings
from syncd.core import model as core
from syncd.core import plan as p
from syncd.core.model import Direction
from syncd.core.names import Names
from syncd.core.reconcile import reconcile
from syncd.exitcodes import ExitCode
from syncd.sides.base import Window
from syncd.sides.factory import Connect, Hooks, Sides, connect_vendors
from syncd.store import db, holder, journal, repo
from syncd.store.lock import HeldLock, NoLock, WriterLock, writer_lock
from syncd.sync import conflicts, mapload, mastercache
from syncd.sync.execute import Executor
from syncd.sync.ledger import Ledger
from syncd.sync.masterdata import Accounts, build_mappings, names_of, read_accounts
from syncd.sync.outcomes import Fatal, Results, Status, WriterLockLost
from syncd.sync.reading import LOOKBACK, Copy, ReadMode, SideRead, read_side, with_partners
from syncd.sync.recovery import Recovered, recover
from syncd.sync.targeted import read_targets

RunResult = Literal["ok", "partial", "failed", "refused", "planned", "stopped"]
MAPPINGS_MARK = "mappings"  # watermark: the fingerprint of the mappings last used


@dataclass(frozen=True)
class RunOptions:
    dry_run: bool = False
    since: date | None = None
    until: date | None = None
    direction: Direction | None = None
    allow_mass_delete: bool = False
    migrate: bool = False
    lock_wait: float = 0.0
    mode: str = "run-once"
    # MOCO: "incremental" reads only what changed (a full read when unsure), "auto"
    # does so unless a full scan is due ([sync] full_scan_interval), "full" never.
    read: ReadMode = "auto"
    # A targeted run (webhooks): only these bookings, their partners and their
    # person-days instead of the window (see syncd.sync.targeted).
    targets: core.BySide[frozenset[int]] | None = None


@dataclass(frozen=True)
class RunReport:
    """What one run did (what `run-once` prints, the log line and the run history)."""

    run_id: str
    window: Window
    result: RunResult = "ok"
    plan: p.Plan | None = None
    results: Results = field(default_factory=Results)
    recovered: Recovered = field(default_factory=Recovered)
    mapping_problems: tuple[str, ...] = ()
    read_problems: tuple[str, ...] = ()
    invalid: tuple[str, ...] = ()  # items the vendors sent that made no sense
    requests: Counter[str] = field(default_factory=Counter)
    error: str | None = None
    user_names: dict[int, str] = field(default_factory=dict)  # MOCO user id -> name
    names: Names = field(default_factory=Names)  # people, projects, tasks by MOCO id
    moco_read: str = "full"  # or "incremental", or "recounted" (parts read again)
    seconds: dict[str, float] = field(default_factory=dict)  # wall time per phase

    @property
    def exit_code(self) -> ExitCode:
        if self.result == "refused":
            return ExitCode.REFUSED
        if self.result in ("failed", "partial", "stopped"):  # stopped: work remains
            return ExitCode.FAILED
        return ExitCode.OK

    @property
    def stale(self) -> int:
        """Writes not sent because their target changed while the run was under way."""
        return self.results.by_status()[Status.STALE]

    def log_fields(self) -> dict[str, object]:
        """What the "run finished" log line carries (and `run-once --output json`)."""
        window = f"{self.window.first}..{self.window.last}"
        seconds = {phase: round(value, 3) for phase, value in self.seconds.items()}
        return {"result": self.result, "window": window, **self.counts(), "seconds": seconds}

    def counts(self) -> dict[str, object]:
        """The run's figures, as stored in the run history."""
        plan = self.plan
        done = [r.action for r in self.results.items if r.status == Status.DONE]
        return {
            "planned": {} if plan is None else _plan_counts(plan),
            "done": _action_counts(done),
            "results": {str(k): v for k, v in sorted(self.results.by_status().items())},
            "skipped": {} if plan is None else _skip_counts(plan),
            "requests": dict(self.requests),
            "recovered": self.recovered.total(),
            "invalid": len(self.invalid),
            "stale": self.stale,
            "moco_read": self.moco_read,
        }


def _action_counts(actions: list[p.WriteAction]) -> dict[str, int]:
    counts: Counter[str] = Counter(f"{a.kind}_{a.side}" for a in actions)
    return dict(sorted(counts.items()))


def _plan_counts(plan: p.Plan) -> dict[str, int]:
    counts = {f"{kind}_{side}": n for (kind, side), n in sorted(plan.write_counts().items())}
    counts["conflicts"] = plan.count("conflict")
    return counts


def _skip_counts(plan: p.Plan) -> dict[str, int]:
    return {f"{side}:{reason}": n for (side, reason), n in sorted(plan.skip_counts().items())}


def settle_time(settings: Settings) -> timedelta:
    """How long a create may still land at a vendor after its sender went away: the
    longest answer syncd waits for, twice. Younger unfound creates stay pending."""
    longest = max(settings.moco.read_timeout, settings.clockodo.read_timeout)
    return timedelta(seconds=2 * longest)


def local_today(settings: Settings) -> date:
    """Today in the configured zone (`[sync] timezone`), whatever the machine's zone."""
    return datetime.now(ZoneInfo(settings.sync.timezone)).date()


def default_window(settings: Settings, options: RunOptions, today: date | None = None) -> Window:
    """`window_days` back from today (configured zone) up to tomorrow, so that users
    in zones ahead of it are covered; `--since/--until` narrow it."""
    today = today or local_today(settings)
    first = options.since or today - timedelta(days=settings.sync.window_days)
    last = options.until or today + timedelta(days=1)
    return Window(first, last)


@dataclass
class Run:
    """One run's state: its options and window, the lock it writes under, the stop
    event it obeys, and the requests it made."""

    id: str
    options: RunOptions
    window: Window
    lock: WriterLock
    stop: threading.Event
    requests: Counter[str] = field(default_factory=Counter)
    started: datetime = field(default_factory=lambda: datetime.now(UTC))
    seconds: dict[str, float] = field(default_factory=dict)

    @contextmanager
    def timed(self, phase: str) -> Iterator[None]:
        """Adds the wall time of the block to ``phase`` (read, reconcile, write)."""
        began = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[phase] = self.seconds.get(phase, 0.0) + time.perf_counter() - began

    def stopping(self) -> bool:
        """Stop writing when asked to, or when the writer lock was lost: another
        syncd may hold it by now, and two writers could duplicate bookings."""
        return self.stop.is_set() or not self.lock.is_alive()

    def guard_write(self) -> None:
        """Right before any write is sent (also after throttle waits and back-offs)."""
        if not self.lock.is_alive():
            raise WriterLockLost(f"lost {self.lock.describe()}; the write was not sent")

    @property
    def reads_whole_window(self) -> bool:
        """Only a real run over the configured window may refresh the store's copy and
        move the watermark: a narrowed or dry run would make later incremental runs
        skip changes they never saw."""
        options = self.options
        return options.since is None and options.until is None and not options.dry_run


class Engine:
    """Runs syncs for one configuration; ``stop`` set means: finish the current write, stop.

    ``connect`` builds both sides for a run (default: HTTP clients from the settings);
    ``on_request`` (optional) sees every API request of every run, e.g. for metrics;
    ``database`` (default: one made from the settings' URL, and closed with the engine)
    lets a caller share one store engine, and its statement cache, between engines.
    """

    def __init__(
        self,
        settings: Settings,
        stop: threading.Event | None = None,
        on_request: Any = None,
        *,
        connect: Connect | None = None,
        database: sqlalchemy.Engine | None = None,
    ) -> None:
        self.settings = settings
        self.stop = stop or threading.Event()
        self.on_request = on_request
        self.connect = connect or connect_vendors(settings)
        self.owns_db = database is None
        self.db = database or db.make_engine(settings.database.url)
        self.sessions = db.session_factory(self.db)
        self.logger = log.get_logger("syncd.engine")
        self.on_plan: Callable[[p.Plan], None] | None = None  # e.g. a progress display

    def run(
        self,
        options: RunOptions,
        held_lock: WriterLock | None = None,
        stop: threading.Event | None = None,
    ) -> RunReport:
        """One run under the writer lock: taken here, or ``held_lock``, which the caller
        (the daemon, holding it for its whole life) already holds and keeps. ``stop``
        (default: the engine's) ends the run after its current write."""
        with log.bound_run() as run_id:
            window = default_window(self.settings, options)
            if options.migrate:
                db.upgrade(self.db)
            db.require_current(self.db)
            if options.dry_run:  # reads only: beside a writer, no lock, nothing recorded
                report = self._plan_only(Run(run_id, options, window, NoLock(), stop or self.stop))
            else:
                lock = held_lock or writer_lock(self.db)
                run = Run(run_id, options, window, lock, stop or self.stop)
                with nullcontext() if held_lock else HeldLock(lock, wait=options.lock_wait):
                    if held_lock is None:
                        self._record_holder(options.mode)
                    report = self._run_locked(run)
            self.logger.info("run finished", **report.log_fields())
            return report

    def _run_locked(self, run: Run) -> RunReport:
        with db.transaction(self.sessions) as session:
            journal.start_run(session, run.id, run.options.mode)
        try:
            report = self._sync(run)
        except Fatal as exc:
            report = self._failed(run, str(exc))
        except BaseException as exc:  # recorded, then re-raised for the caller's exit code
            self._finish(self._failed(run, log.redact(f"{type(exc).__name__}: {exc}")), True)
            raise
        self._finish(report)
        return report

    def _record_holder(self, role: str) -> None:
        with db.transaction(self.sessions) as session:
            holder.record_holder(session, role)

    def _plan_only(self, run: Run) -> RunReport:
        """A dry run: it takes no lock, resolves no intents, applies no decisions and
        records nothing, so it answers while a daemon or a run holds the writer lock."""
        try:
            return self._sync(run)
        except Fatal as exc:
            return self._failed(run, str(exc))

    @staticmethod
    def _failed(run: Run, error: str) -> RunReport:
        return RunReport(
            run.id, run.window, "failed", requests=run.requests, error=error, seconds=run.seconds
        )

    def _finish(self, report: RunReport, best_effort: bool = False) -> None:
        """Record the run. After a failure, a store that is gone too must not hide the
        original error (the run then stays "running" in the history)."""
        try:
            with db.transaction(self.sessions) as session:
                journal.finish_run(
                    session, report.run_id, report.result, report.counts(), error=report.error
                )
        except Exception:
            if not best_effort:
                raise
            self.logger.warning("could not record the failed run", run_id=report.run_id)

    def _hooks(self, run: Run) -> Hooks:
        def count(event: RequestEvent) -> None:
            kind = "read" if event.method == "GET" else "write"
            run.requests[f"{event.api}_{kind}"] += 1
            if self.on_request is not None:
                self.on_request(event)

        return Hooks(count, run.guard_write)

    def _sync(self, run: Run) -> RunReport:
        with self.connect(self._hooks(run)) as sides:
            recovered = Recovered()
            if not run.options.dry_run:
                ledger = Ledger(self.sessions, run.id)
                recovered = recover(ledger, sides, settle_time(self.settings), datetime.now(UTC))
                self._apply_decisions()
            with db.transaction(self.sessions) as session:
                configured = mapload.effective_in(self.settings, session)
                kept_fingerprint = journal.get_watermark(session, MAPPINGS_MARK)
            with run.timed("read"):
                if run.options.targets is None:
                    reads, links, held = self._read(run, sides)
                    accounts = self._accounts(run, sides, reads)
                else:
                    accounts = self._accounts(run, sides, None)
                    reads, links, held = self._read_targets(
                        run, sides, run.options.targets, accounts, configured
                    )
            mappings, problems = build_mappings(configured, accounts, self.settings.sync.timezone)
            for problem in problems:
                self.logger.warning("mapping problem", problem=problem)
            fingerprint = _fingerprint(mappings)
            # Stamps say "unchanged" only while projections are made the same way.
            same_mappings = kept_fingerprint == fingerprint
            if not (run.options.dry_run or same_mappings):
                with db.transaction(self.sessions) as session:
                    repo.replace_mappings(session, mappings)
                    journal.set_watermark(session, MAPPINGS_MARK, fingerprint)
            # A full scan (every side read whole) compares every pair: the safety net
            # against a vendor that changed a booking without moving its stamp.
            full_scan = all(read.mode == "full" for _, read in reads.items())
            policy = replace(self._policy(run), trust_stamps=same_mappings and not full_scan)
            with run.timed("reconcile"):
                plan = reconcile(
                    reads.moco.snapshot, reads.clockodo.snapshot, links, mappings, policy, held=held
                )
            if run.options.dry_run:
                plan = self._with_pending_note(plan)
            if self.on_plan is not None:
                self.on_plan(plan)
            names = names_of(accounts)
            report = RunReport(
                run.id,
                run.window,
                "planned",
                plan,
                recovered=recovered,
                mapping_problems=tuple(problems),
                read_problems=_problems(reads),
                invalid=tuple(_invalid_lines(reads, plan)),
                requests=run.requests,
                user_names=dict(names.users),
                names=names,
                moco_read=reads.moco.mode,
                seconds=run.seconds,
            )
            for line in report.invalid:
                self.logger.warning("invalid item skipped", item=line)
            if run.options.dry_run:
                return report
            if plan.refused:
                return replace(report, result="refused")
            return self._execute(run, report, sides, mappings, reads)

    def _with_pending_note(self, plan: p.Plan) -> p.Plan:
        """A dry run resolves no intents: say when some wait for the next real run."""
        with db.transaction(self.sessions) as session:
            pending = len(journal.pending_intents(session))
        if not pending:
            return plan
        note = (
            f"{pending} write intent(s) pending from an earlier run: the next run resolves "
            "them first, and creates nothing until they are resolved"
        )
        return replace(plan, notes=(*plan.notes, note))

    def _apply_decisions(self) -> None:
        """Conflicts an operator settled since the last run (`syncd conflicts resolve`
        records the decision; the writer carries it out here, under its lock)."""
        with db.transaction(self.sessions) as session:
            for conflict_id, outcome in conflicts.apply_decisions(session):
                self.logger.info("conflict decision applied", conflict=conflict_id, outcome=outcome)

    def _accounts(
        self, run: Run, sides: Sides, reads: core.BySide[SideRead[Any]] | None
    ) -> Accounts:
        """Master data from the store while it is fresh and knows every booking read
        (see mastercache); else read from both accounts (and kept, by real runs)."""
        now = datetime.now(UTC)
        every = self.settings.sync.full_scan_interval
        cached = None if run.options.read == "full" else mastercache.load(self.sessions, now, every)
        items: tuple[Any, Any] = ((), ())
        if reads is not None:
            items = (reads.moco.fetched.items.values(), reads.clockodo.fetched.items.values())
        if cached is not None and not mastercache.missing(cached[0], *items) - cached[1]:
            return cached[0]
        accounts = read_accounts(sides.moco.client, sides.clockodo.client)
        if not run.options.dry_run:
            absent = mastercache.missing(accounts, *items)
            mastercache.save(self.sessions, accounts, absent, now)
        return accounts

    def _read(
        self, run: Run, sides: Sides
    ) -> tuple[core.BySide[SideRead[Any]], list[core.Link], dict[tuple[core.Side, int], Any]]:
        """Both sides as they are now, with the links and held failures that concern
        what was read."""
        window = run.window
        with db.transaction(self.sessions) as session:
            in_window = repo.load_links(session, window.dates)
        copy = Copy(self.sessions) if run.reads_whole_window else None
        reads = core.BySide(
            *(
                read_side(
                    sides[side],
                    window,
                    [link.item(side) for link in in_window],
                    copy=copy,  # used by a side that reads changes (MOCO)
                    mode=run.options.read,
                    full_scan_every=self.settings.sync.full_scan_interval,
                )
                for side in core.SIDES
            )
        )
        # Items read that no link in the window knows: perhaps linked from elsewhere.
        unknown = core.BySide(
            *(
                reads[side].fetched.items.keys() - {link.item(side) for link in in_window}
                for side in core.SIDES
            )
        )
        with db.transaction(self.sessions) as session:
            more = repo.load_links(session, None, unknown.moco, unknown.clockodo)
            held = repo.load_held(session)
        known_ids = {link.id for link in in_window}
        links = in_window + [link for link in more if link.id not in known_ids]
        # Links found through an item that moved into the window: their partner may
        # still be outside it, and must be read too, or the link would wait forever.
        found = [link for link in more if link.id not in known_ids]
        if found:
            reads = core.BySide(
                *(
                    replace(
                        reads[side],
                        fetched=with_partners(
                            sides[side], reads[side].fetched, [link.item(side) for link in found]
                        ),
                    )
                    for side in core.SIDES
                )
            )
        return reads, links, held

    def _read_targets(
        self,
        run: Run,
        sides: Sides,
        targets: core.BySide[frozenset[int]],
        accounts: Accounts,
        configured: MappingSettings,
    ) -> tuple[core.BySide[SideRead[Any]], list[core.Link], dict[tuple[core.Side, int], Any]]:
        mappings, _ = build_mappings(configured, accounts, self.settings.sync.timezone)

        def load(moco: Iterable[int], clockodo: Iterable[int]) -> list[core.Link]:
            with db.transaction(self.sessions) as session:
                return repo.load_links(session, None, moco, clockodo)

        reads, links = read_targets(sides, targets, mappings, load)
        with db.transaction(self.sessions) as session:
            held = repo.load_held(session)
        return reads, links, held

    def _policy(self, run: Run) -> core.Policy:
        sync = self.settings.sync
        return core.Policy(
            window=run.window.dates,
            direction=run.options.direction or sync.direction,
            conflict=sync.conflict,
            propagate_deletes=sync.propagate_deletes,
            day_start=sync.day_start,
            mass_delete_min=sync.mass_delete_min,
            mass_delete_share=sync.mass_delete_share,
            allow_mass_delete=run.options.allow_mass_delete,
            # What was read was read after the run started; the margin absorbs a vendor
            # clock ahead of this host's.
            stamps_settled_before=run.started - LOOKBACK,
        )

    def _execute(
        self,
        run: Run,
        report: RunReport,
        sides: Sides,
        mappings: core.Mappings,
        reads: core.BySide[SideRead[Any]],
    ) -> RunReport:
        assert report.plan is not None
        unresolved = report.recovered.unresolved
        executor = Executor(
            Ledger(self.sessions, run.id),
            sides,
            mappings,
            core.BySide(reads.moco.fetched.items, reads.clockodo.fetched.items),
            run.stopping,
            no_creates=(
                f"{unresolved} earlier create(s) not resolved yet: no creates this run"
                if unresolved
                else None
            ),
        )
        with run.timed("write"):
            results = executor.execute(report.plan)
        statuses = results.by_status()
        result: RunResult = "ok"
        error = None
        if not run.lock.is_alive():
            result = "failed"
            error = f"lost {run.lock.describe()} mid-run (database connection dropped)"
        elif run.stop.is_set() and statuses[Status.NOT_RUN]:
            result = "stopped"
        elif results.failures or report.read_problems:
            result = "partial"
        return replace(report, result=result, results=results, error=error)

    def close(self) -> None:
        if self.owns_db:
            self.db.dispose()


def _invalid_lines(reads: core.BySide[SideRead[Any]], plan: p.Plan) -> list[str]:
    """Items that made no sense: unparseable ones, and absurd ones the core rejected."""
    unparseable = [
        f"{side.label} {item.raw_id if item.raw_id is not None else '(no id)'}: {item.reason}"
        for side, read in reads.items()
        for item in read.fetched.invalid
    ]
    absurd = [
        f"{core.Side(skip.side).label} {skip.id}: {skip.detail or skip.reason}"
        for skip in plan.skips
        if skip.reason == core.SkipReason.INVALID and skip.detail != "unparseable"
    ]
    return unparseable + absurd


def _problems(reads: core.BySide[SideRead[Any]]) -> tuple[str, ...]:
    return tuple(read.fetched.problem for _, read in reads.items() if read.fetched.problem)


def _fingerprint(mappings: core.Mappings) -> str:
    """Changes whenever any mapping (or a person's time zone) does."""
    shape = repr((sorted(mappings.users, key=repr), sorted(mappings.projects, key=repr)))
    shape += repr(sorted(mappings.tasks, key=repr))
    return hashlib.sha256(shape.encode()).hexdigest()[:32]
