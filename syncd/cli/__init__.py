"""The `syncd` command: global options, error handling, and the subcommands.

Known failures (bad configuration, an out-of-date schema, a held lock) end
with one line on stderr and a documented exit code, never a traceback.
Subcommands are imported when used: a cron job running `syncd run-once`
should not pay for importing the simulators' web stack.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any, NoReturn

import click

from syncd import __version__, config, log
from syncd.cli.app import CONFIG_HELP, AppContext
from syncd.exitcodes import ExitCode

# name -> "module:attribute" of the click command
COMMANDS = {
    "check-config": "syncd.cli.check:check_config",
    "conflicts": "syncd.cli.conflicts:conflicts",
    "demo": "syncd.cli.demo:demo",
    "doctor": "syncd.cli.doctor:doctor",
    "mappings": "syncd.cli.mappings:mappings",
    "daemon": "syncd.cli.daemon:daemon",
    "db": "syncd.cli.db:db",
    "run-once": "syncd.cli.run:run_once",
    "plan": "syncd.cli.run:plan",
    "sim": "syncd.cli.sim:sim",
    "status": "syncd.cli.status:status",
    "verify": "syncd.cli.verify:verify",
    "webhooks": "syncd.cli.webhooks:webhooks",
}


class SyncdGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module, _, attribute = target.partition(":")
        command = getattr(importlib.import_module(module), attribute)
        assert isinstance(command, click.Command)
        return command

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except Exception as exc:
            known = _known_failure(exc)
            if known is None:
                raise
            fail(*known)


def _known_failure(exc: Exception) -> tuple[str, ExitCode] | None:
    """One line and an exit code for the failures an operator can act on."""
    # Imported here: the modules are heavy and only needed when something failed.
    import sqlalchemy.exc  # noqa: PLC0415

    from syncd.adapters.advice import explain, find_api_error  # noqa: PLC0415
    from syncd.store.db import SchemaOutOfDate  # noqa: PLC0415
    from syncd.store.lock import LockHeld  # noqa: PLC0415

    if isinstance(exc, config.ConfigError):
        return str(exc), ExitCode.CONFIG
    if isinstance(exc, SchemaOutOfDate):
        return str(exc), ExitCode.SCHEMA
    if isinstance(exc, LockHeld):
        return str(exc), ExitCode.LOCKED
    api_error = find_api_error(exc)
    if api_error is not None:
        return explain(api_error), ExitCode.API
    if isinstance(exc, sqlalchemy.exc.OperationalError):
        return f"database unavailable: {_first_line(exc.orig or exc)}", ExitCode.FAILED
    return None


def fail(message: str, code: ExitCode) -> NoReturn:
    """End the process with one line on stderr (secrets scrubbed)."""
    click.echo(f"syncd: {log.redact(message)}", err=True)
    sys.exit(int(code))


def _first_line(error: BaseException) -> str:
    return str(error).strip().splitlines()[0]


@click.group(cls=SyncdGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="syncd")
@click.option(
    "-c",
    "--config",
    "config_path",
    type=click.Path(dir_okay=False),
    help=CONFIG_HELP,
)
@click.option(
    "--log-format",
    type=click.Choice(["auto", "console", "json"]),
    help="auto: readable on a terminal, JSON lines otherwise.",
)
@click.option("--log-level", type=click.Choice(["debug", "info", "warning", "error"]))
@click.pass_context
def main(
    ctx: click.Context, config_path: str | None, log_format: str | None, log_level: str | None
) -> None:
    """syncd keeps MOCO activities and clockodo entries in agreement."""
    fmt: log.LogFormat | None = log_format  # type: ignore[assignment]
    ctx.obj = AppContext(config_path, fmt, log_level)
    log.configure(level=log_level or "info", log_format=fmt or "auto")
