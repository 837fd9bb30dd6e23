"""`syncd demo`: see syncd work end to end, with no account and no config."""

from __future__ import annotations

import tempfile
from pathlib import Path

import click

from syncd import log


@click.command("demo")
@click.option(
    "--dir",
    "folder",
    type=click.Path(file_okay=False, path_type=Path),
    help="Keep config and database here (default: a temporary folder, removed afterwards).",
)
@click.option(
    "--keep",
    is_flag=True,
    help="After the story, keep both simulators running with a real `syncd daemon`"
    " that mirrors changes within seconds through web hooks; Ctrl-C stops everything.",
)
def demo(folder: Path | None, keep: bool) -> None:
    """Sync a simulated agency between simulated MOCO and clockodo, and show what happens."""
    from syncd.demo.story import run_demo  # noqa: PLC0415 - the simulators load only here

    log.configure(level="warning")
    if folder is not None:
        folder.mkdir(parents=True, exist_ok=True)
        code = run_demo(folder, click.echo, keep=keep)
    else:
        with tempfile.TemporaryDirectory(prefix="syncd-demo-") as temporary:
            code = run_demo(Path(temporary), click.echo, keep=keep)
    if code:
        raise SystemExit(code)
