"""The `syncd` command: global options, error handling, and the subcommands.

Known failures (bad configuration, an out-of-date schema, a held lock) end
with one line on stderr and a documented exit code, never a traceback.
"""

from __future__ import annotations

import sys
from typing import Any, NoReturn

import click
import sqlalchemy.exc

from syncd import __version__, config, log
from syncd.cli.app import CONFIG_HELP, AppContext
from syncd.exitcodes import ExitCode
from syncd.store.db import SchemaOutOfDate
from syncd.store.lock import LockHeld

KNOWN_FAILURES: dict[type[Exception], ExitCode] = {
    config.ConfigError: ExitCode.CONFIG,
    SchemaOutOfDate: ExitCode.SCHEMA,
    LockHeld: ExitCode.LOCKED,
}


class SyncdGroup(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except tuple(KNOWN_FAILURES) as exc:
            code = next(code for kind, code in KNOWN_FAILURES.items() if isinstance(exc, kind))
            fail(str(exc), code)
        except sqlalchemy.exc.OperationalError as exc:
            fail(f"database unavailable: {_first_line(exc.orig or exc)}", ExitCode.FAILED)


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


from syncd.cli.check import check_config  # noqa: E402
from syncd.cli.db import db  # noqa: E402
from syncd.cli.run import plan, run_once  # noqa: E402
from syncd.cli.sim import sim  # noqa: E402

for command in (check_config, db, run_once, plan, sim):
    main.add_command(command)
