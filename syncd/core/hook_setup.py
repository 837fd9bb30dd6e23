"""Which MOCO account web hooks are syncd's, and what `syncd webhooks install` changes.

syncd's hooks are those on target `Activity` whose URL ends in syncd's
receiver path (`/webhooks/moco`); every other hook belongs to someone else
and is never touched. Installing for a public URL wants exactly one of
syncd's hooks per event (`create`, `update`, `delete`), enabled and posting
to `<url>/webhooks/moco`: an existing one is pointed there and enabled, a
missing one created, a second one for the same event deleted. Pure: hooks
in, steps out.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal, Protocol
from urllib.parse import urlparse

TARGET = "Activity"
EVENTS = ("create", "update", "delete")
RECEIVER_PATH = "/webhooks/moco"


class Hook(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def target(self) -> str: ...
    @property
    def event(self) -> str: ...
    @property
    def hook(self) -> str: ...
    @property
    def disabled(self) -> bool: ...


@dataclass(frozen=True)
class Step:
    action: Literal["create", "update", "enable", "delete", "keep"]
    event: str
    hook_id: int | None = None
    url: str | None = None


def receiver_url(public_url: str) -> str:
    """`https://sync.example.com` (or with the path already) → the MOCO receiver's URL."""
    base = public_url.rstrip("/")
    if base.endswith(RECEIVER_PATH):
        return base
    return base + RECEIVER_PATH


def check_public_url(public_url: str) -> str | None:
    """A problem with `public_url`, or None."""
    parts = urlparse(public_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return f"not an http(s) URL: {public_url!r}"
    if parts.query or parts.fragment:
        return "the public URL must not carry a query or fragment"
    return None


def is_ours(hook: Hook) -> bool:
    return hook.target == TARGET and urlparse(hook.hook).path.rstrip("/").endswith(RECEIVER_PATH)


def ours(hooks: Iterable[Hook]) -> list[Hook]:
    return sorted((h for h in hooks if is_ours(h)), key=lambda h: (h.event, h.id))


def plan_install(hooks: Iterable[Hook], public_url: str) -> list[Step]:
    url = receiver_url(public_url)
    mine = ours(hooks)
    steps: list[Step] = []
    for event in EVENTS:
        same = [h for h in mine if h.event == event]
        if not same:
            steps.append(Step("create", event, url=url))
            continue
        first, *extra = same
        steps.extend(_bring_in_line(first, url))
        steps.extend(Step("delete", event, h.id) for h in extra)
    steps.extend(Step("delete", h.event, h.id) for h in mine if h.event not in EVENTS)
    return steps


def _bring_in_line(hook: Hook, url: str) -> list[Step]:
    steps = []
    if hook.hook != url:
        steps.append(Step("update", hook.event, hook.id, url))
    if hook.disabled:
        steps.append(Step("enable", hook.event, hook.id))
    return steps or [Step("keep", hook.event, hook.id, url)]


def plan_remove(hooks: Iterable[Hook]) -> list[Step]:
    return [Step("delete", h.event, h.id) for h in ours(hooks)]
