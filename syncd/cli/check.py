"""`syncd check-config`: validate and show the effective configuration."""

from __future__ import annotations

from typing import Any

import click
import tomli_w

from syncd import config
from syncd.cli.app import AppContext, config_option, pass_app


@click.command("check-config")
@config_option
@pass_app
def check_config(app: AppContext) -> None:
    """Validate the configuration and print it with secrets masked."""
    settings = app.settings()
    click.echo(tomli_w.dumps(_drop_none(config.masked(settings))), nl=False)
    click.echo(
        f"# ok: {config.resolve_path(app.config_path)} is valid"
        " (`syncd doctor` checks the accounts, keys and mappings)",
        err=True,
    )


def _drop_none(table: dict[str, Any]) -> dict[str, Any]:
    """TOML has no null: unset optional keys are left out."""
    return {
        key: _drop_none(value) if isinstance(value, dict) else value
        for key, value in table.items()
        if value is not None
    }
