"""`syncd run-once` and `syncd plan`: one sync, or what one would do."""

from __future__ import annotations

import json
import signal
from dataclasses import replace
from types import FrameType
from typing import Any

import click

from syncd.cli import progress, term
from syncd.cli.app import AppContext, config_option, pass_app
from syncd.cli.render import plan_json, plan_text, run_summary
from syncd.exitcodes import ExitCode
from syncd.sync.engine import Engine, RunOptions, RunReport

DIRECTIONS = click.Choice(["both", "moco-to-clockodo", "clockodo-to-moco"])


def _window_options(command: Any) -> Any:
    for option in reversed(
        [
            click.option(
                "--since", type=click.DateTime(["%Y-%m-%d"]), help="First date (YYYY-MM-DD)."
            ),
            click.option(
                "--until", type=click.DateTime(["%Y-%m-%d"]), help="Last date (YYYY-MM-DD)."
            ),
            click.option(
                "--direction", type=DIRECTIONS, help="Override [sync] direction for this run."
            ),
            click.option(
                "--allow-mass-delete", is_flag=True, help="Let the mass-delete guard pass."
            ),
            click.option("--migrate", is_flag=True, help="Upgrade the database schema first."),
            click.option("--show-skipped", is_flag=True, help="List skipped bookings one by one."),
            click.option(
                "--wait",
                type=click.FloatRange(min=0),
                default=0.0,
                show_default=True,
                help="Seconds to wait for another syncd process to finish.",
            ),
            config_option,
        ]
    ):
        command = option(command)
    return command


def _options(dry_run: bool, mode: str, **given: Any) -> RunOptions:
    since, until = given["since"], given["until"]
    if since and until and since > until:
        raise click.UsageError("--since is after --until")
    return RunOptions(
        dry_run=dry_run,
        since=since.date() if since else None,
        until=until.date() if until else None,
        direction=given["direction"],
        allow_mass_delete=given["allow_mass_delete"],
        migrate=given["migrate"],
        lock_wait=given["wait"],
        mode=mode,
    )


def _run(app: AppContext, options: RunOptions) -> RunReport:
    """Run once; SIGTERM or Ctrl-C finishes the write in flight and records the run
    (the remaining writes are reported as not run); a second signal acts as usual."""
    engine = Engine(app.settings())
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}

    def stop(signum: int, _: FrameType | None) -> None:
        engine.stop.set()
        received = signal.Signals(signum)
        signal.signal(received, previous[received])

    for sig in previous:
        signal.signal(sig, stop)
    try:
        with progress.shown(engine):
            return engine.run(options)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        engine.close()


@click.command("run-once")
@click.option("--dry-run", is_flag=True, help="Plan only; write nothing (same as `syncd plan`).")
@click.option(
    "--incremental",
    "read",
    flag_value="incremental",
    help="Read only MOCO's changes, even when a full scan is due (a full read when unsure).",
)
@click.option(
    "--full",
    "read",
    flag_value="full",
    help="Read the whole window (by default only once per [sync] full_scan_interval).",
)
@click.option(
    "--output",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="json: the run's report, as its log line carries it.",
)
@_window_options
@pass_app
def run_once(
    app: AppContext, /, dry_run: bool, read: str | None, output: str, **given: Any
) -> None:
    """Sync once: recover, read both sides, write the differences, record the run.

    Exit codes: 0 ok, 1 failed or some items failed, 2 bad config, 3 another
    syncd holds the lock, 4 refused by the mass-delete guard, 5 schema out of date,
    6 an API could not be reached or refused syncd.
    """
    options = _options(dry_run, "plan" if dry_run else "run-once", **given)
    report = _run(app, replace(options, read=read or "auto"))  # type: ignore[arg-type]
    if output == "json":
        fields = {"run_id": report.run_id, **report.log_fields(), "error": report.error}
        click.echo(json.dumps(fields, indent=2, default=str))
        raise SystemExit(int(report.exit_code))
    if dry_run and report.plan is not None:
        term.lines(plan_text(report.plan, report.names, given["show_skipped"]))
    click.echo(run_summary(report, given["show_skipped"]))
    raise SystemExit(int(report.exit_code))


@click.command("plan")
@click.option("--output", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option(
    "--detailed-exitcode",
    is_flag=True,
    help="Exit 0 when there is nothing to do, 2 when there are changes.",
)
@_window_options
@pass_app
def plan(app: AppContext, /, output: str, detailed_exitcode: bool, **given: Any) -> None:
    """Show what a run would do, writing nothing (Terraform-style)."""
    report = _run(app, _options(True, "plan", **given))
    if report.plan is None:
        click.echo(run_summary(report), err=True)
        raise SystemExit(int(ExitCode.FAILED))
    if output == "json":
        click.echo(json.dumps(plan_json(report.plan, report.names), indent=2, default=str))
    else:
        term.lines(plan_text(report.plan, report.names, given["show_skipped"]))
    if report.plan.refused:
        raise SystemExit(int(ExitCode.REFUSED))
    if detailed_exitcode and report.plan.writes:
        raise SystemExit(2)
