"""One sync run: recover, read, decide, write, record (design §1).

The run holds the writer lock throughout. Its order is fixed: pending
intents are resolved before anything is read, so a crash can never turn into
a duplicate; the plan is computed by the pure core from what was read; the
executor applies it (unless this is a dry run or the plan was refused).
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

import httpx

from syncd import log
from syncd.adapters.clockodo.client import ClockodoClient
from syncd.adapters.http import RequestEvent, RetryPolicy
from syncd.adapters.moco.client import MocoClient
from syncd.adapters.throttle import Window as RateWindow
from syncd.config import Settings
from syncd.core import model as core
from syncd.core import plan as p
from syncd.core.reconcile import reconcile
from syncd.exitcodes import ExitCode
from syncd.service.executor import execute
from syncd.service.ledger import Ledger
from syncd.service.masterdata import build_mappings, read_accounts
from syncd.service.outcomes import Fatal, Results, Status, WriterLockLost
from syncd.service.recovery import Recovered, Recovery
from syncd.service.snapshots import (
    SideRead,
    Window,
    find_clockodo_partners,
    find_moco_partners,
    read_clockodo,
    read_moco,
    read_moco_changes,
)
from syncd.service.write_clockodo import ClockodoWriter
from syncd.service.write_moco import MocoWriter
from syncd.service.writing import WriteContext
from syncd.store import db, journal, repo, seen
from syncd.store.lock import HeldLock, NoLock, WriterLock, writer_lock

Direction = Literal["both", "moco-to-clockodo", "clockodo-to-moco"]
LOOKBACK = timedelta(minutes=10)
MOCO_PAGE = 100  # activities per page, MOCO's maximum
RunResult = Literal["ok", "partial", "failed", "refused", "planned", "stopped"]


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
    incremental: bool = False  # MOCO: read only what changed (a full read when unsure)


@dataclass
class RunReport:
    run_id: str
    window: Window
    result: RunResult = "ok"
    plan: p.Plan | None = None
    results: Results = field(default_factory=Results)
    recovered: Recovered = field(default_factory=Recovered)
    mapping_problems: list[str] = field(default_factory=list)
    read_problems: list[str] = field(default_factory=list)
    invalid: list[str] = field(default_factory=list)  # items the vendors sent that made no sense
    requests: Counter[str] = field(default_factory=Counter)
    error: str | None = None
    user_names: dict[int, str] = field(default_factory=dict)  # MOCO user id -> name
    moco_read: str = "full"  # or "incremental"

    @property
    def exit_code(self) -> ExitCode:
        if self.result == "refused":
            return ExitCode.REFUSED
        if self.result in ("failed", "partial", "stopped"):  # stopped: work remains
            return ExitCode.FAILED
        return ExitCode.OK

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
            "moco_read": self.moco_read,
        }


def _invalid_lines(
    reads: tuple[SideRead[core.MocoBooking], SideRead[core.ClockodoBooking]], plan: p.Plan
) -> list[str]:
    """Items that made no sense: unparseable ones, and absurd ones the core rejected."""
    names = {"moco": "MOCO", "clockodo": "clockodo"}
    unparseable = [
        f"{name} {item.raw_id if item.raw_id is not None else '(no id)'}: {item.reason}"
        for name, read in (("MOCO", reads[0]), ("clockodo", reads[1]))
        for item in read.invalid
    ]
    absurd = [
        f"{names[skip.side]} {skip.id}: {skip.detail or skip.reason}"
        for skip in plan.skips
        if skip.reason == core.SkipReason.INVALID and skip.detail != "unparseable"
    ]
    return unparseable + absurd


def _action_counts(actions: list[p.WriteAction]) -> dict[str, int]:
    counts: Counter[str] = Counter(f"{a.kind}_{a.side}" for a in actions)
    return dict(sorted(counts.items()))


def _plan_counts(plan: p.Plan) -> dict[str, int]:
    counts = _action_counts(list(plan.writes))
    counts["conflicts"] = plan.count("conflict")
    return counts


def _skip_counts(plan: p.Plan) -> dict[str, int]:
    return {f"{side}:{reason}": n for (side, reason), n in sorted(plan.skip_counts().items())}


def _inside(window: Window, covered: tuple[date, date]) -> bool:
    """Whether the store's copy covers the whole window (a new day may have begun)."""
    return covered[0] <= window.first and window.last <= covered[1]


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


@dataclass(frozen=True)
class Clients:
    moco: MocoClient
    clockodo: ClockodoClient


def build_clients(
    settings: Settings,
    on_request: Callable[[RequestEvent], None],
    before_write: Callable[[], None] | None = None,
) -> Clients:
    moco, clockodo = settings.moco, settings.clockodo
    minute = clockodo.rate_limit
    moco_client = MocoClient(
        moco.url,
        moco.api_key.get_secret_value(),
        timeout=httpx.Timeout(moco.read_timeout, connect=moco.connect_timeout),
        retry=RetryPolicy(attempts=moco.retries + 1, initial_wait=moco.retry_wait),
        on_request=on_request,
        before_write=before_write,
        windows=(RateWindow(moco.rate_limit, 120.0),),
    )
    clockodo_client = ClockodoClient(
        clockodo.base_url,
        clockodo.api_user,
        clockodo.api_key.get_secret_value(),
        clockodo.external_application,
        timeout=httpx.Timeout(clockodo.read_timeout, connect=clockodo.connect_timeout),
        retry=RetryPolicy(attempts=clockodo.retries + 1, initial_wait=clockodo.retry_wait),
        on_request=on_request,
        before_write=before_write,
        # The 15-minute and hourly limits scale with the per-minute one (900/2250/4500).
        windows=(
            RateWindow(minute, 60.0),
            RateWindow(minute * 5 // 2, 900.0),
            RateWindow(minute * 5, 3600.0),
        ),
    )
    return Clients(moco_client, clockodo_client)


class Engine:
    """Runs syncs for one configuration; `stop` set means: finish the current write, stop.

    `on_request` (optional) sees every API request of every run, e.g. for metrics.
    """

    def __init__(
        self,
        settings: Settings,
        stop: threading.Event | None = None,
        on_request: Callable[[RequestEvent], None] | None = None,
    ) -> None:
        self.settings = settings
        self.stop = stop or threading.Event()
        self.on_request = on_request
        self._lock: WriterLock = NoLock()  # the lock of the run under way
        self._stop = self.stop  # the stop event of the run under way
        self.engine = db.make_engine(settings.database.url)
        self.sessions = db.session_factory(self.engine)
        self.logger = log.get_logger("syncd.engine")

    def run(
        self,
        options: RunOptions,
        held_lock: WriterLock | None = None,
        stop: threading.Event | None = None,
    ) -> RunReport:
        """One run under the writer lock: taken here, or `held_lock`, which the caller
        (the daemon, holding it for its whole life) already holds and keeps. `stop`
        (default: the engine's) ends the run after its current write."""
        self._stop = stop or self.stop
        with log.bound_run() as run_id:
            report = RunReport(run_id, default_window(self.settings, options))
            if options.migrate:
                db.upgrade(self.engine)
            db.require_current(self.engine)
            lock = held_lock or writer_lock(self.engine)
            with nullcontext() if held_lock else HeldLock(lock, wait=options.lock_wait):
                self._run_locked(options, report, lock)
            self.logger.info(
                "run finished",
                result=report.result,
                window=f"{report.window.first}..{report.window.last}",
                **report.counts(),
            )
            return report

    def _run_locked(self, options: RunOptions, report: RunReport, lock: WriterLock) -> None:
        with db.transaction(self.sessions) as session:
            journal.start_run(session, report.run_id, options.mode)
        self._lock = lock
        try:
            self._sync(options, report)
        except Fatal as exc:
            report.result, report.error = "failed", str(exc)
        except BaseException as exc:  # recorded, then re-raised for the caller's exit code
            report.result, report.error = "failed", log.redact(f"{type(exc).__name__}: {exc}")
            self._finish(report, best_effort=True)
            raise
        self._finish(report)

    def _finish(self, report: RunReport, *, best_effort: bool = False) -> None:
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

    def _sync(self, options: RunOptions, report: RunReport) -> None:
        def count(event: RequestEvent) -> None:
            kind = "read" if event.method == "GET" else "write"
            report.requests[f"{event.api}_{kind}"] += 1
            if self.on_request is not None:
                self.on_request(event)

        clients = build_clients(self.settings, count, before_write=self._guard_write)
        with clients.moco, clients.clockodo:
            ledger = Ledger(self.sessions, report.run_id)
            recovery = Recovery(ledger, clients.moco, clients.clockodo, settle_time(self.settings))
            report.recovered = recovery.run()
            accounts = read_accounts(clients.moco, clients.clockodo)
            report.user_names = {
                user.id: f"{user.firstname} {user.lastname}"
                for user in accounts.moco_users.values()
            }
            mappings, report.mapping_problems = build_mappings(
                self.settings.mappings, accounts, self.settings.sync.timezone
            )
            for problem in report.mapping_problems:
                self.logger.warning("mapping problem", problem=problem)
            if not options.dry_run:
                with db.transaction(self.sessions) as session:
                    repo.replace_mappings(session, mappings)
            plan, reads = self._plan(clients, mappings, options, report)
            report.plan = plan
            report.read_problems = [r.problem for r in reads if r.problem]
            report.invalid = _invalid_lines(reads, plan)
            for line in report.invalid:
                self.logger.warning("invalid item skipped", item=line)
            if options.dry_run:
                report.result = "planned"
                return
            if plan.refused:
                report.result = "refused"
                return
            snapshots = (reads[0].snapshot, reads[1].snapshot)
            self._execute(plan, mappings, clients, snapshots, report)

    def _plan(
        self,
        clients: Clients,
        mappings: core.Mappings,
        options: RunOptions,
        report: RunReport,
    ) -> tuple[p.Plan, tuple[SideRead[core.MocoBooking], SideRead[core.ClockodoBooking]]]:
        window = report.window
        with db.transaction(self.sessions) as session:
            in_window = repo.load_links(session, window.dates)
        moco_read = self._read_moco(clients.moco, window, in_window, options, report)
        clockodo_read = read_clockodo(clients.clockodo, window, in_window)
        with db.transaction(self.sessions) as session:
            links = repo.load_links(
                session,
                window.dates,
                moco_read.snapshot.items.keys(),
                clockodo_read.snapshot.items.keys(),
            )
            held = repo.load_held(session)
        # Links found through an item that moved into the window: their partner may
        # still be outside it, and must be read too, or the link would wait forever.
        known = {link.id for link in in_window}
        found = [link for link in links if link.id not in known]
        if found:
            moco_read = find_moco_partners(
                clients.moco, moco_read, (link.moco_id for link in found)
            )
            clockodo_read = find_clockodo_partners(
                clients.clockodo, clockodo_read, (link.clockodo_id for link in found)
            )
        sync = self.settings.sync
        policy = core.Policy(
            window=window.dates,
            direction=options.direction or sync.direction,
            conflict=sync.conflict,
            propagate_deletes=sync.propagate_deletes,
            day_start=sync.day_start,
            mass_delete_min=sync.mass_delete_min,
            mass_delete_share=sync.mass_delete_share,
            allow_mass_delete=options.allow_mass_delete,
        )
        plan = reconcile(
            moco_read.snapshot,
            clockodo_read.snapshot,
            links,
            mappings,
            policy,
            held=held,
        )
        return plan, (moco_read, clockodo_read)

    def _read_moco(
        self,
        client: MocoClient,
        window: Window,
        links: list[core.Link],
        options: RunOptions,
        report: RunReport,
    ) -> SideRead[core.MocoBooking]:
        """Incremental when asked and safe (2 requests instead of one per 100 activities
        of the window), else a full read, which refreshes the store's copy.

        Only a real run over the configured window moves the watermark and the copy:
        a narrowed window (--since/--until) or a dry run must not make later
        incremental runs skip changes they never saw.
        """
        whole = options.since is None and options.until is None and not options.dry_run
        with db.transaction(self.sessions) as session:
            mark = journal.get_watermark(session, seen.WATERMARK)
            covered = seen.covered(session)
        started = datetime.now(UTC)
        # A window that fits one page is read whole in one request: cheaper than the
        # two an incremental read needs (the changes, and MOCO's count).
        incremental = (
            options.incremental
            and whole
            and mark is not None
            and covered is not None
            and _inside(window, covered)
            and self._stored_count(window) > MOCO_PAGE
        )
        if incremental and mark is not None:
            changes = read_moco_changes(
                client,
                window,
                known=lambda: self._in_store(window),
                merge=self._merge_seen,
                since=datetime.fromisoformat(mark),
            )
            if changes is not None:
                self._advance(started)
                report.moco_read = "incremental"
                return changes
        full = read_moco(client, window, links)
        if full.snapshot.complete and whole:
            items = full.snapshot.items.values()
            in_window = [b for b in items if window.first <= b.date <= window.last]
            with db.transaction(self.sessions) as session:
                seen.replace_window(session, window.dates, in_window)
            self._advance(started)
        return full

    def _in_store(self, window: Window) -> dict[int, core.MocoBooking]:
        with db.transaction(self.sessions) as session:
            return seen.in_window(session, window.dates)

    def _stored_count(self, window: Window) -> int:
        with db.transaction(self.sessions) as session:
            return seen.count_in_window(session, window.dates)

    def _merge_seen(self, bookings: list[core.MocoBooking]) -> None:
        with db.transaction(self.sessions) as session:
            seen.merge(session, bookings)

    def _advance(self, started: datetime) -> None:
        """The next incremental read asks for changes since shortly before this one
        began (the lookback absorbs clock differences between this host and MOCO)."""
        with db.transaction(self.sessions) as session:
            journal.set_watermark(session, seen.WATERMARK, (started - LOOKBACK).isoformat())

    def _execute(
        self,
        plan: p.Plan,
        mappings: core.Mappings,
        clients: Clients,
        snapshots: tuple[
            core.SideSnapshot[core.MocoBooking], core.SideSnapshot[core.ClockodoBooking]
        ],
        report: RunReport,
    ) -> None:
        unresolved = report.recovered.unresolved
        context = WriteContext(
            Ledger(self.sessions, report.run_id),
            mappings,
            report.results,
            self._stopping,
            moco_items=snapshots[0].items,
            clockodo_items=snapshots[1].items,
            no_creates=(
                f"{unresolved} earlier create(s) not resolved yet: no creates this run"
                if unresolved
                else None
            ),
        )
        moco = MocoWriter(clients.moco, context)
        execute(plan, context, moco, ClockodoWriter(clients.clockodo, context))
        statuses = report.results.by_status()
        if not self._lock.is_alive():
            report.result = "failed"
            report.error = f"lost {self._lock.describe()} mid-run (database connection dropped)"
        elif self._stop.is_set() and statuses[Status.NOT_RUN]:
            report.result = "stopped"
        elif report.results.failures or report.read_problems:
            report.result = "partial"
        else:
            report.result = "ok"

    def _guard_write(self) -> None:
        """Right before any write is sent (also after throttle waits and back-offs)."""
        if not self._lock.is_alive():
            raise WriterLockLost(f"lost {self._lock.describe()}; the write was not sent")

    def _stopping(self) -> bool:
        """Stop writing when asked to, or when the writer lock was lost: another
        syncd may hold it by now, and two writers could duplicate bookings."""
        return self._stop.is_set() or not self._lock.is_alive()

    def close(self) -> None:
        self.engine.dispose()
