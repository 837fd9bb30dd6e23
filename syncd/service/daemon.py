"""`syncd daemon`: scheduled runs by the one process that holds the writer lock.

Threads and who owns what:

- the main thread (the supervisor) handles signals, takes, watches and
  releases the writer lock (a file lock must be released by the thread that
  took it), and reloads the configuration;
- APScheduler's `BackgroundScheduler` fires an incremental run every
  `[sync] interval` (with jitter) and a full-window rescan every
  `[sync] full_scan_interval`, both on ONE worker thread, so runs never
  overlap; a heartbeat job on a second executor proves the scheduler loop
  is alive;
- optional: the HTTP server (health.py) and the systemd watchdog pinger.

A daemon that finds the lock held stays in standby (health answers, no runs)
and tries again every few seconds, so it takes over soon after the holder
dies. SIGTERM/SIGINT: the run in flight finishes its current write and is
recorded, then the process exits 0 (1 if the run did not end in time).
SIGHUP: reload the configuration; a bad one is logged and the old one kept.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from types import FrameType

import structlog
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from syncd import __version__, config, log
from syncd.adapters.advice import failure_line
from syncd.exitcodes import ExitCode
from syncd.service.health import (
    HealthServer,
    StoreProbe,
    Verdict,
    build_app,
    check_ready,
    listen_socket,
    ready_limit,
)
from syncd.service.metrics import Metrics
from syncd.service.notify import Notifier
from syncd.service.webhooks import Inbox, Receivers, Targets, WebhookMetrics, Worker, store_marks
from syncd.store import db
from syncd.store.holder import forget_standby, record_holder, record_standby
from syncd.store.lock import PostgresLock, WriterLock, writer_lock
from syncd.sync.engine import Engine, RunOptions, RunReport

INCREMENTAL = "daemon-incr"  # runs.mode is String(16)
FULL = "daemon-full"
SETTLED = "settled"  # a one-off run once an earlier create can be judged
SETTLE_MARGIN = timedelta(seconds=1)
HOOKED = "daemon-hook"  # a targeted run of the bookings web hooks named
FAILED_RESULTS = frozenset({"failed", "refused"})  # back off: the next run would fail the same way
BACKOFF_CAP_SECONDS = 3600.0
LOCK_POLL_SECONDS = 5.0
HEARTBEAT_SECONDS = 5.0
STALE_SECONDS = 30.0  # a loop silent for this long counts as dead
TICK_SECONDS = 0.2  # how quickly the supervisor notices a signal

logger = log.get_logger("syncd.daemon")


class State(StrEnum):
    STARTING = "starting"
    STANDBY = "standby"
    ACTIVE = "active"
    STOPPING = "stopping"


def skips_after(failures: int, interval_seconds: float) -> int:
    """Scheduled runs to skip after `failures` failed runs in a row: 0, 1, 3, 7, ...
    (exponential backoff in whole intervals), capped at about an hour."""
    if failures <= 0:
        return 0
    cap = max(0, int(BACKOFF_CAP_SECONDS / max(interval_seconds, 1.0)) - 1)
    return min((1 << min(failures - 1, 30)) - 1, cap)


class SharedLock:
    """The daemon's writer lock, shared by the supervisor (which takes, checks and
    releases it) and the runs (which ask before each write whether it still stands).

    Calls are serialised: a PostgreSQL lock lives on one connection, which two
    threads must not use at once. A file lock stays ours while we hold it, but
    filelock keeps its state per thread, so only the holder knows it is held:
    the run's thread is answered from here.
    """

    def __init__(self, lock: WriterLock) -> None:
        self._lock = lock
        self._mutex = threading.Lock()
        self._held = False

    def try_acquire(self) -> bool:
        with self._mutex:
            self._held = self._held or self._lock.try_acquire()
            return self._held

    def is_alive(self) -> bool:
        with self._mutex:
            if not self._held:
                return False
            return self._lock.is_alive() if isinstance(self._lock, PostgresLock) else True

    def release(self) -> None:
        with self._mutex:
            self._held = False
            self._lock.release()

    def describe(self) -> str:
        return self._lock.describe()


class Daemon:
    def __init__(
        self,
        settings: config.Settings,
        reload: Callable[[], config.Settings],
        notifier: Notifier,
        *,
        stop_timeout: float = 60.0,
    ) -> None:
        self.settings = settings
        self._load = reload
        self.notifier = notifier
        self.stop_timeout = stop_timeout
        self.stop = threading.Event()  # set: the run in flight stops after its current write
        self.state = State.STARTING
        self.store = db.make_engine(settings.database.url)
        self.probe = StoreProbe(self.store)
        self.lock = SharedLock(writer_lock(self.store))
        self.metrics = Metrics(__version__, self.probe.figures)
        self.scheduler = BackgroundScheduler(
            timezone=UTC,
            executors={"default": ThreadPoolExecutor(1), "heartbeat": ThreadPoolExecutor(1)},
            job_defaults={"coalesce": True, "max_instances": 1},
        )
        self._engine: Engine | None = None
        self._pending: config.Settings | None = None  # a reload, applied between runs
        self._swap = threading.Lock()
        self._run_guard = threading.Lock()  # held while a run is in flight
        self._failures = 0
        self._skips_left = 0
        self._last_run: tuple[str, datetime] | None = None
        self._beats: dict[str, float] = {}
        self._signals: list[int] = []
        self._halt = threading.Event()
        self._db_trouble = False
        self._standby_told = False
        self._standby_since: datetime | None = None  # when this daemon began to wait
        self.inbox = Inbox()
        hook_metrics = WebhookMetrics(self.metrics.registry)
        self.receivers = Receivers(self._hook_settings, self.inbox, self._active, hook_metrics)
        self._last_poll = 0.0  # time.monotonic() of the last scheduled run's end

    # -- lifecycle -------------------------------------------------------------------
    def serve(self) -> int:
        """Run until SIGTERM/SIGINT; returns the exit code."""
        # APScheduler logs every job start and end at INFO; the runs log themselves.
        logging.getLogger("apscheduler").setLevel(logging.WARNING)
        http = self._start_http()
        for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(signum, self._on_signal)
        self.scheduler.start()
        self.scheduler.add_job(
            self._beat,
            IntervalTrigger(seconds=HEARTBEAT_SECONDS, timezone=UTC),
            args=["scheduler"],
            id="heartbeat",
            executor="heartbeat",
            next_run_time=datetime.now(UTC),
            misfire_grace_time=int(HEARTBEAT_SECONDS),
        )
        self._beat("main")
        self._show_last_success()
        self.state = State.STANDBY
        logger.info("daemon started", version=__version__, lock=self.lock.describe())
        self.notifier.ready(self.status())
        watchdog = self._start_watchdog()
        if self.settings.http.listen is not None:
            hooks = (self._hook_settings, self._run_hooked, self._flush_hooks)
            Worker(self.inbox, *hooks, self._halt).start()
        try:
            self._supervise()
        finally:
            code = self._shutdown(http)
            if watchdog is not None:
                watchdog.join(timeout=5)
        return code

    def _start_http(self) -> HealthServer | None:
        listen = self.settings.http.listen
        if listen is None:
            return None
        server = HealthServer(
            build_app(self.alive, self.ready, self.metrics.registry, self.receivers.routes()),
            listen_socket(listen),
        )
        server.start()
        logger.info("http listening", address=server.address)
        return server

    def _start_watchdog(self) -> threading.Thread | None:
        period = self.notifier.watchdog_interval()
        if period is None:
            return None
        thread = threading.Thread(
            target=self._ping_watchdog, args=(period,), name="syncd-watchdog", daemon=True
        )
        thread.start()
        return thread

    def _ping_watchdog(self, period: float) -> None:
        # Only a healthy daemon pings; a hung loop lets systemd's watchdog fire.
        while not self._halt.wait(period):
            if self.alive():
                self.notifier.watchdog()

    def _on_signal(self, signum: int, _: FrameType | None) -> None:
        self._signals.append(signum)  # handled by the supervisor loop; nothing else here

    def _stop_requested(self) -> bool:
        return any(signum != signal.SIGHUP for signum in self._signals)

    def _supervise(self) -> None:
        next_lock_check = 0.0
        while True:
            while self._signals:
                signum = self._signals.pop(0)
                if signum != signal.SIGHUP:
                    logger.info("signal received", signal=signal.Signals(signum).name)
                    return
                self._reload()
            now = time.monotonic()
            if now >= next_lock_check:
                self._check_lock()
                self._check_decisions()
                next_lock_check = now + min(
                    LOCK_POLL_SECONDS, self.settings.sync.interval.total_seconds()
                )
            self._beat("main")
            time.sleep(TICK_SECONDS)

    def _shutdown(self, http: HealthServer | None) -> int:
        self.state = State.STOPPING
        self.notifier.stopping("stopping: finishing the current write")
        logger.info("stopping")
        self.stop.set()
        self.scheduler.shutdown(wait=False)
        finished = self._wait_for_run()
        self._halt.set()
        if http is not None:
            http.stop()
        if not finished:
            logger.error(
                "the run in flight did not stop in time; exiting anyway "
                "(the next run resolves its pending write intents)",
                stop_timeout=self.stop_timeout,
            )
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(int(ExitCode.FAILED))  # its worker thread cannot be joined
        self._mark_standby(waiting=False)
        self._release_lock()
        if self._engine is not None:
            self._engine.close()
        self.store.dispose()
        logger.info("stopped")
        return int(ExitCode.OK)

    def _wait_for_run(self) -> bool:
        """Wait for the run in flight; a second SIGTERM/SIGINT stops waiting."""
        deadline = time.monotonic() + self.stop_timeout
        while time.monotonic() < deadline and not self._stop_requested():
            if self._run_guard.acquire(timeout=TICK_SECONDS):
                self._run_guard.release()
                return True
        return False

    # -- the writer lock -----------------------------------------------------------------
    def _check_lock(self) -> None:
        if self.state is State.STANDBY:
            try:
                got = self.lock.try_acquire()
            except Exception as exc:  # database down: stay in standby, try again
                self._database_trouble(exc)
                return
            self._db_trouble = False
            if got:
                self._activate()
                return
            self._mark_standby(waiting=True)
            if not self._standby_told:
                logger.info("standby: another syncd process holds the writer lock")
                self._standby_told = True
        elif self.state is State.ACTIVE and not self.lock.is_alive():
            self._deactivate()

    def _check_decisions(self) -> None:
        """A conflict an operator settled (`syncd conflicts resolve`) is applied by the next
        run: start that run now rather than at the next interval."""
        if self.state is not State.ACTIVE or self._run_guard.locked():
            return
        try:
            waiting = self.probe.decided_conflicts()
        except Exception as exc:  # the next lock check reports a lost database
            logger.debug("cannot count decided conflicts", error=log.redact(str(exc)))
            return
        job = self.scheduler.get_job(INCREMENTAL)
        if waiting and job is not None:
            logger.info("conflict decisions waiting: running now", decisions=waiting)
            job.modify(next_run_time=datetime.now(UTC))

    def _database_trouble(self, exc: Exception) -> None:
        if not self._db_trouble:
            logger.warning("standby: cannot reach the database", error=log.redact(str(exc)))
            self._db_trouble = True

    def _activate(self) -> None:
        # A fresh event per activation: a run left over from before a lost lock keeps
        # its own (set) event and stops, instead of writing on with a stale plan.
        self.stop = threading.Event()
        self.state = State.ACTIVE
        self._standby_told = False
        self.metrics.active.set(1)
        logger.info("writer lock acquired: active", lock=self.lock.describe())
        self._record_holder()
        self._mark_standby(waiting=False)
        self._schedule_runs(first_now=True)
        self.notifier.status(self.status())

    def _record_holder(self) -> None:
        """For `syncd status`: which process is the writer, since when."""
        try:
            engine = db.make_engine(self.settings.database.url)
            with db.transaction(db.session_factory(engine)) as session:
                record_holder(session, "daemon")
            engine.dispose()
        except Exception as exc:  # status is informative; the daemon works on without it
            logger.warning("could not record the writer lock holder", error=log.redact(str(exc)))

    def _mark_standby(self, *, waiting: bool) -> None:
        """For `syncd status`: this daemon waits for the lock (refreshed), or no longer."""
        try:
            with db.transaction(self.probe.sessions) as session:
                if waiting:
                    self._standby_since = self._standby_since or datetime.now(UTC)
                    record_standby(session, self._standby_since)
                else:
                    self._standby_since = None
                    forget_standby(session)
        except Exception as exc:  # informative only; the lock check reports a lost database
            logger.debug("could not record the standby state", error=log.redact(str(exc)))

    def _deactivate(self) -> None:
        """The lock's database session is gone, and with it the lock: stop writing."""
        logger.error("lost the writer lock (its database connection broke): standby")
        self.stop.set()
        self.state = State.STANDBY
        self._standby_told = True
        self.metrics.active.set(0)
        for job_id in (INCREMENTAL, FULL):
            if self.scheduler.get_job(job_id) is not None:
                self.scheduler.remove_job(job_id)
        self._release_lock()
        self.notifier.status(self.status())

    def _release_lock(self) -> None:
        try:
            self.lock.release()
        except Exception as exc:  # a broken connection: the server has dropped the lock already
            logger.debug("writer lock release failed", error=log.redact(str(exc)))

    # -- scheduling and runs -----------------------------------------------------------
    def _schedule_runs(self, first_now: bool) -> None:
        sync = self.settings.sync
        interval = sync.interval.total_seconds()
        full = sync.full_scan_interval.total_seconds()
        incremental_first = {"next_run_time": datetime.now(UTC)} if first_now else {}
        self.scheduler.add_job(
            self._run_job,
            IntervalTrigger(seconds=interval, jitter=min(interval / 10, 60.0), timezone=UTC),
            args=[INCREMENTAL],
            id=INCREMENTAL,
            replace_existing=True,
            # Later than one interval, the next incremental run is due anyway.
            misfire_grace_time=max(1, int(interval)),
            **incremental_first,
        )
        self.scheduler.add_job(
            self._run_job,
            IntervalTrigger(seconds=full, timezone=UTC),
            args=[FULL],
            id=FULL,
            replace_existing=True,
            # A rescan waiting behind a long run still happens, unless it is an interval late.
            misfire_grace_time=max(1, int(full)),
        )

    def _run_once_settled(self, report: RunReport | None) -> None:
        """A run that created nothing because a create of a killed predecessor was
        too young to judge: run again once it can be judged, not an interval (with
        web hooks: hours) later."""
        moment = None if report is None else report.recovered.settles_at
        if moment is None:
            return
        logger.info("creates wait for an earlier create to settle", run_at=moment.isoformat())
        self.scheduler.add_job(
            self._run_settled,
            DateTrigger(run_date=moment + SETTLE_MARGIN, timezone=UTC),
            id=SETTLED,
            replace_existing=True,
            misfire_grace_time=None,
        )

    def _run_settled(self) -> None:
        if self._active():
            self._run(INCREMENTAL, RunOptions(mode=INCREMENTAL, read="incremental"))

    def _run_job(self, mode: str) -> None:
        if not self._active() or (mode == INCREMENTAL and self._poll_not_due()):
            return
        if self._skips_left > 0:
            self._skips_left -= 1
            logger.info("run skipped: backing off", mode=mode, failed_runs=self._failures)
            return
        if mode == INCREMENTAL:
            self._run(mode, RunOptions(mode=mode, read="incremental"))
        else:
            self._run(mode, RunOptions(mode=mode, read="full"))
        self._last_poll = time.monotonic()

    def _hook_settings(self) -> config.WebhookSettings:
        return self.settings.webhooks  # the newest: a reload may change them

    def _run_hooked(self, targets: Targets) -> None:
        """A batch of booking ids from web hooks: a targeted run of just those, or one
        incremental poll when there are more than [webhooks] max_targets."""
        if not self._active():
            return  # a daemon becoming active polls first, which covers them
        count = len(targets.moco) + len(targets.clockodo)
        if count > self.settings.webhooks.max_targets:
            self._run(HOOKED, RunOptions(mode=HOOKED, read="incremental"))
        else:
            self._run(HOOKED, RunOptions(mode=HOOKED, targets=targets))
        if self._last_run is None or self._last_run[0] != "ok":
            self._last_poll = 0.0  # what it missed: the next scheduled poll is not skipped

    def _poll_not_due(self) -> bool:
        """While every receiver gets events, polls wait [webhooks] healthy_interval."""
        rarer = self.settings.webhooks.healthy_interval
        if rarer is None or not self.inbox.healthy(rarer, self.receivers.vendors):
            return False
        return time.monotonic() - self._last_poll < rarer.total_seconds()

    def _flush_hooks(self) -> None:
        counts, last = self.inbox.snapshot()
        rarer = self.settings.webhooks.healthy_interval
        healthy = rarer is not None and self.inbox.healthy(rarer, self.receivers.vendors)
        self.receivers.metrics.healthy.set(1 if healthy else 0)
        interval = rarer if healthy and rarer is not None else self.settings.sync.interval
        poll = f"every {config.format_duration(interval)}" + (" (webhooks healthy)" * healthy)
        try:
            store_marks(self.probe.sessions, counts, last, poll)
        except Exception as exc:  # counts are lost, the metrics keep them
            logger.warning("cannot record web hook events", error=log.redact(str(exc)))

    def _run(self, mode: str, options: RunOptions) -> None:
        with self._run_guard:
            if not self._active():  # lost the lock or stopping while waiting
                return
            engine = self._current_engine()
            started = time.monotonic()
            report: RunReport | None = None
            with structlog.contextvars.bound_contextvars(mode=mode):
                try:
                    report = engine.run(options, held_lock=self.lock, stop=self.stop)
                except Exception as exc:  # the daemon outlives every failed run
                    logger.error(
                        "run failed", error=log.redact(failure_line(exc)), exc_info=log.debugging()
                    )
                self._after_run(mode, report, time.monotonic() - started)

    def _active(self) -> bool:
        return self.state is State.ACTIVE

    def _current_engine(self) -> Engine:
        """The engine for the newest configuration (a reload takes effect between runs)."""
        with self._swap:
            pending, self._pending = self._pending, None
        if self._engine is not None and pending is None:
            return self._engine
        if self._engine is not None:
            self._engine.close()
        self._engine = Engine(
            pending or self.settings, self.stop, on_request=self.metrics.observe_request
        )
        return self._engine

    def _after_run(self, mode: str, report: RunReport | None, seconds: float) -> None:
        result = "failed" if report is None else report.result
        self.metrics.observe_run(
            mode, result, seconds, () if report is None else report.results.items
        )
        self._last_run = (result, datetime.now(UTC))
        self._run_once_settled(report)
        if result in FAILED_RESULTS:
            self._failures += 1
            self._skips_left = skips_after(
                self._failures, self.settings.sync.interval.total_seconds()
            )
            logger.warning(
                "backing off", failed_runs=self._failures, skipping_runs=self._skips_left
            )
        else:
            if self._failures:
                logger.info("runs succeed again", after_failed_runs=self._failures)
            self._failures = 0
        if result == "ok":
            self.metrics.last_success.set(time.time())
        self.metrics.consecutive_failures.set(self._failures)
        self.notifier.status(self.status())

    # -- configuration --------------------------------------------------------------------
    def _reload(self) -> None:
        try:
            new = self._load()
        except config.ConfigError as exc:
            logger.error("config reload failed; keeping the running configuration", error=str(exc))
            return
        old = self.settings
        fixed = [
            name
            for name, before, after in (
                ("[database] url", old.database.url, new.database.url),
                ("[http] listen", old.http.listen, new.http.listen),
            )
            if before != after
        ]
        if fixed:
            logger.error(
                "config reload refused: a restart is needed to change " + " and ".join(fixed)
            )
            return
        self.settings = new
        with self._swap:
            self._pending = new
        if self.state is State.ACTIVE and (
            old.sync.interval != new.sync.interval
            or old.sync.full_scan_interval != new.sync.full_scan_interval
        ):
            self._schedule_runs(first_now=False)
        logger.info("config reloaded")

    # -- health ------------------------------------------------------------------------------
    def _beat(self, loop: str) -> None:
        self._beats[loop] = time.monotonic()

    def alive(self) -> bool:
        """The scheduler runs and both loops (supervisor, scheduler) ticked recently."""
        now = time.monotonic()
        return self.scheduler.running and all(
            now - self._beats.get(loop, -STALE_SECONDS) < STALE_SECONDS
            for loop in ("main", "scheduler")
        )

    def ready(self) -> Verdict:
        if self.state is not State.ACTIVE:
            return Verdict(False, str(self.state))
        return check_ready(self.probe, ready_limit(self.settings), datetime.now(UTC))

    def status(self) -> str:
        """One line for systemd's STATUS=."""
        if self.state is State.STANDBY:
            return "standby: waiting for the writer lock"
        if self.state is not State.ACTIVE:
            return str(self.state)
        if self._last_run is None:
            return "active: first run pending"
        result, at = self._last_run
        shown = at.strftime("%Y-%m-%d %H:%M:%SZ")
        failing = f", {self._failures} failed in a row" if self._failures else ""
        return f"active: last run {result} at {shown}{failing}"

    def _show_last_success(self) -> None:
        try:
            last = self.probe.last_success()
        except Exception as exc:  # the gauge stays empty until a run succeeds
            logger.warning("cannot read the run history", error=log.redact(str(exc)))
            return
        if last is not None:
            self.metrics.last_success.set(last.timestamp())
