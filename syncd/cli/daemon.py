"""`syncd daemon`: sync on a schedule until stopped (see syncd.service.daemon)."""

from __future__ import annotations

import click

from syncd import config
from syncd.cli import fail
from syncd.cli.app import AppContext, config_option, pass_app
from syncd.exitcodes import ExitCode
from syncd.service.daemon import Daemon
from syncd.service.notify import Notifier
from syncd.store import db


@click.command("daemon")
@config_option
@click.option("--migrate", is_flag=True, help="Upgrade the database schema first.")
@click.option(
    "--stop-timeout",
    type=click.FloatRange(min=0),
    default=60.0,
    show_default=True,
    help="Seconds SIGTERM waits for the run in flight before exiting anyway (exit 1).",
)
@pass_app
def daemon(app: AppContext, /, migrate: bool, stop_timeout: float) -> None:
    """Sync on a schedule until stopped; stand by while another daemon writes.

    Syncs every [sync] interval and rescans every [sync] full_scan_interval.
    One daemon per database writes; another one waits in standby and takes
    over when the first dies. SIGTERM/SIGINT: finish the current write, record
    the run, exit 0. SIGHUP: reload the configuration. With [http] listen set:
    /healthz, /readyz and /metrics. Exit codes: 2 bad config, 5 schema out of
    date, 1 database unreachable at start.
    """
    settings = app.settings()
    engine = db.make_engine(settings.database.url)
    try:
        if migrate:
            db.upgrade(engine)
        db.require_current(engine)
    finally:
        engine.dispose()

    def reload() -> config.Settings:
        # A fresh context: the same loading, secret registration and log set-up as at start.
        return AppContext(app.config_path, app.log_format, app.log_level).settings()

    try:
        service = Daemon(settings, reload, Notifier.from_environment(), stop_timeout=stop_timeout)
        code = service.serve()
    except OSError as exc:
        fail(f"cannot listen on {settings.http.listen}: {exc.strerror or exc}", ExitCode.FAILED)
    raise SystemExit(code)
