"""Shared pieces of the subcommands: the application context and common options."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import click

from syncd import config, log


@dataclass
class AppContext:
    """What the global options decide; settings are read on first use."""

    config_path: str | None
    log_format: log.LogFormat | None
    log_level: str | None
    _settings: config.Settings | None = field(default=None, repr=False)

    def settings(self) -> config.Settings:
        if self._settings is None:
            self._settings = config.load(self.config_path)
            log.register_secrets(self._settings.secrets())
            log.configure(
                level=self.log_level or self._settings.log.level,
                log_format=self.log_format or self._settings.log.format,
            )
        return self._settings


pass_app = click.make_pass_decorator(AppContext)
F = TypeVar("F", bound=Callable[..., Any])
CONFIG_HELP = "Config file (default: $SYNCD_CONFIG, else ./syncd.toml)."


def _set_config_path(ctx: click.Context, _: click.Parameter, value: str | None) -> None:
    if value is not None:
        ctx.ensure_object(AppContext).config_path = value


def config_option(command: F) -> F:
    """`--config/-c` on a subcommand too, so both `syncd -c F cmd` and `syncd cmd -c F` work."""
    return click.option(
        "-c",
        "--config",
        type=click.Path(dir_okay=False),
        expose_value=False,
        callback=_set_config_path,
        help=CONFIG_HELP,
    )(command)
