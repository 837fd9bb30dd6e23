"""Command-line interface (filled in by the foundation work)."""

import click

from syncd import __version__


@click.group()
@click.version_option(__version__, prog_name="syncd")
def main() -> None:
    """syncd keeps MOCO activities and clockodo entries in agreement."""
