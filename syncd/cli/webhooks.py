"""`syncd webhooks install|list|remove`: syncd's MOCO account web hooks; clockodo's
are set up in its web UI, so for clockodo these commands print what to enter there.

Only syncd's own hooks (target Activity, URL ending in /webhooks/moco) are
changed; other integrations' hooks are listed as such and left alone.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import click

from syncd import config
from syncd.adapters.errors import ApiError
from syncd.adapters.moco.client import MocoClient
from syncd.adapters.moco.models import WebHook
from syncd.cli import fail
from syncd.cli.app import AppContext, config_option, pass_app
from syncd.core import hook_setup
from syncd.exitcodes import ExitCode
from syncd.sides.factory import Hooks, build_clients

CLOCKODO_EVENTS = "entry.created, entry.updated, entry.deleted"


@click.group("webhooks")
def webhooks() -> None:
    """Register, list and remove syncd's web hooks (see [webhooks] in the config)."""


@contextmanager
def _moco(settings: config.Settings) -> Iterator[MocoClient]:
    """A MOCO client for the account's hooks; an API failure ends the command (exit 1)."""
    moco, clockodo = build_clients(settings, Hooks(on_request=lambda _: None))
    clockodo.close()
    with moco:
        try:
            yield moco
        except ApiError as exc:
            fail(f"MOCO: {exc}", ExitCode.FAILED)


def _hooks(client: MocoClient) -> list[WebHook]:
    listed = client.web_hooks()
    if listed.problem is not None:
        fail(f"MOCO: cannot list web hooks: {listed.problem}", ExitCode.FAILED)
    return list(listed.items)


def _show(hook: WebHook) -> str:
    state = " (disabled)" if hook.disabled else ""
    owner = "syncd" if hook_setup.is_ours(hook) else "other"
    return f"{hook.id}\t{owner}\t{hook.target}\t{hook.event}\t{hook.hook}{state}"


@webhooks.command("install")
@config_option
@click.option("--url", required=True, help="syncd's public base URL, e.g. https://sync.example.com")
@pass_app
def install(app: AppContext, /, url: str) -> None:
    """Point syncd's MOCO hooks (Activity create/update/delete) at URL; idempotent."""
    problem = hook_setup.check_public_url(url)
    if problem is not None:
        fail(problem, ExitCode.CONFIG)
    settings = app.settings()
    if settings.webhooks.moco_secret is None:
        click.echo("note: [webhooks] moco_secret is not set; MOCO's deliveries will be refused")
    with _moco(settings) as client:
        for step in hook_setup.plan_install(_hooks(client), url):
            click.echo(f"MOCO {step.event}: {_apply(client, step)}")
    click.echo(_clockodo_help(url, settings))


def _apply(client: MocoClient, step: hook_setup.Step) -> str:
    if step.action == "create":
        assert step.url is not None
        made = client.create_web_hook(hook_setup.TARGET, step.event, step.url)
        return f"created hook {made.id}"
    assert step.hook_id is not None
    if step.action == "update":
        assert step.url is not None
        client.update_web_hook(step.hook_id, step.url)
        return f"hook {step.hook_id} now posts to {step.url}"
    if step.action == "enable":
        client.enable_web_hook(step.hook_id)
        return f"hook {step.hook_id} enabled"
    if step.action == "delete":
        client.delete_web_hook(step.hook_id)
        return f"hook {step.hook_id} removed"
    return f"hook {step.hook_id} already in place"


def _clockodo_help(url: str, settings: config.Settings) -> str:
    receiver = hook_setup.receiver_url(url).removesuffix("/moco") + "/clockodo"
    token = "set" if settings.webhooks.clockodo_token is not None else "NOT SET"
    return (
        "clockodo: web hooks are set up in clockodo's web UI (menu Webhooks):\n"
        f"  URL: {receiver}\n"
        f"  events: {CLOCKODO_EVENTS} (entry.started/stopped are optional)\n"
        f"  token: the value of [webhooks] clockodo_token ({token})\n"
        "  then clockodo posts a secret to syncd, which the running daemon logs once:\n"
        "  enter it in clockodo's form to finish the set-up."
    )


@webhooks.command("list")
@config_option
@pass_app
def list_hooks(app: AppContext, /) -> None:
    """MOCO's account web hooks: id, owner (syncd or other), target, event, URL."""
    with _moco(app.settings()) as client:
        hooks = _hooks(client)
    for hook in sorted(hooks, key=lambda h: h.id):
        click.echo(_show(hook))
    if not hooks:
        click.echo("no MOCO web hooks")


@webhooks.command("remove")
@config_option
@pass_app
def remove(app: AppContext, /) -> None:
    """Delete syncd's MOCO hooks (others stay)."""
    with _moco(app.settings()) as client:
        steps = hook_setup.plan_remove(_hooks(client))
        for step in steps:
            click.echo(f"MOCO {step.event}: {_apply(client, step)}")
    if not steps:
        click.echo("MOCO: no syncd web hooks to remove")
    click.echo("clockodo: remove syncd's web hook in clockodo's web UI (menu Webhooks)")
