"""MOCO simulator: managing `/account/web_hooks` (CRUD, disable and enable)."""

from __future__ import annotations

import httpx
import pytest

from syncd.simulators.moco.agency import ADMIN_KEY, BEN_KEY
from tests.simulators.moco_fixtures import MocoHarness

HOOK = {"target": "Activity", "event": "update", "hook": "https://example.com/moco"}


@pytest.fixture
def admin(moco: MocoHarness) -> httpx.Client:
    return moco.client(ADMIN_KEY)


def test_create_get_list_and_delete(moco: MocoHarness, admin: httpx.Client) -> None:
    created = admin.post("/account/web_hooks", json=HOOK)
    assert created.status_code == 200
    hook = created.json()
    assert hook | {"id": 0} == {
        "id": 0,
        **HOOK,
        "disabled": False,
        "disabled_at": None,
        "created_at": "2026-11-20T10:00:00Z",
        "updated_at": "2026-11-20T10:00:00Z",
    }
    url = f"/account/web_hooks/{hook['id']}"
    assert admin.get(url).json() == hook
    listed = admin.get("/account/web_hooks")
    assert (listed.json(), listed.headers["X-Total"]) == ([hook], "1")
    assert admin.delete(url).json() == hook
    assert admin.get(url).status_code == 404
    assert admin.get("/account/web_hooks").json() == []


def test_only_the_hook_url_changes(moco: MocoHarness, admin: httpx.Client) -> None:
    hook = admin.post("/account/web_hooks", json=HOOK).json()
    url = f"/account/web_hooks/{hook['id']}"
    moco.control("clock", {"now": "2026-11-20T11:00:00+00:00"})
    changed = admin.put(url, json={"hook": "https://example.com/v2", "event": "delete"}).json()
    assert (changed["hook"], changed["event"]) == ("https://example.com/v2", "update")
    assert changed["updated_at"] == "2026-11-20T11:00:00Z"
    patched = admin.patch(url, json={"hook": "ftp://example.com"})
    assert patched.status_code == 422
    assert patched.json() == {"errors": {"hook": ["is invalid"]}}


def test_disable_and_enable(moco: MocoHarness, admin: httpx.Client) -> None:
    hook = admin.post("/account/web_hooks", json=HOOK).json()
    url = f"/account/web_hooks/{hook['id']}"
    disabled = admin.put(f"{url}/disable").json()
    assert (disabled["disabled"], disabled["disabled_at"]) == (True, "2026-11-20T10:00:00Z")
    enabled = admin.put(f"{url}/enable").json()
    assert (enabled["disabled"], enabled["disabled_at"]) == (False, None)


def test_refusals(moco: MocoHarness, admin: httpx.Client) -> None:
    bad = admin.post("/account/web_hooks", json={"target": "Nope", "event": "create"})
    assert bad.status_code == 422
    assert bad.json() == {
        "errors": {"target": ["is not included in the list"], "hook": ["can't be blank"]}
    }
    plain_user = moco.client(BEN_KEY).get("/account/web_hooks")
    assert plain_user.status_code == 403
    assert admin.get("/account/web_hooks/999").status_code == 404
