"""[webhooks]: secrets from the file, files or the environment, never shown."""

from __future__ import annotations

from pathlib import Path

import pytest

from syncd import config

BASE = """
[moco]
domain = "acme"
api_key = "moco-key-1234"

[clockodo]
api_user = "ops@example.com"
api_key = "clockodo-key-1234"
external_application = "syncd;ops@example.com"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "syncd.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_receivers_are_off_until_a_secret_is_given(tmp_path: Path) -> None:
    settings = config.load(write(tmp_path, BASE), {})
    assert not settings.webhooks.enabled
    assert settings.webhooks.healthy_interval is None


def test_secrets_come_from_files_or_the_environment_and_are_masked(tmp_path: Path) -> None:
    secret_file = tmp_path / "moco-hook"
    secret_file.write_text("moco-hook-secret\n", encoding="utf-8")
    text = BASE + f'\n[webhooks]\nmoco_secret_file = "{secret_file}"\nhealthy_interval = "30m"\n'
    env = {"SYNCD_WEBHOOKS__CLOCKODO_TOKEN": "clockodo-hook-token"}
    settings = config.load(write(tmp_path, text), env)
    hooks = settings.webhooks
    assert hooks.moco_secret is not None
    assert hooks.moco_secret.get_secret_value() == "moco-hook-secret"
    assert hooks.clockodo_token is not None
    assert hooks.clockodo_token.get_secret_value() == "clockodo-hook-token"
    assert {"moco-hook-secret", "clockodo-hook-token"} <= set(settings.secrets())
    shown = config.masked(settings)["webhooks"]
    assert shown["moco_secret"] == shown["clockodo_token"] == "********"
    assert shown["healthy_interval"] == "30m"


def test_both_a_secret_and_its_file_is_an_error_naming_the_key(tmp_path: Path) -> None:
    text = BASE + '\n[webhooks]\nmoco_secret = "a-secret"\nmoco_secret_file = "/nowhere"\n'
    with pytest.raises(config.ConfigError, match=r"\[webhooks\] give either moco_secret"):
        config.load(write(tmp_path, text), {})


def test_an_unknown_webhooks_setting_fails(tmp_path: Path) -> None:
    with pytest.raises(config.ConfigError, match="SYNCD_WEBHOOKS__SECRET"):
        config.load(write(tmp_path, BASE), {"SYNCD_WEBHOOKS__SECRET": "x"})
