"""Configuration: sources, overrides, secrets from files, and one-line errors."""

from __future__ import annotations

from collections.abc import Callable
from datetime import time, timedelta
from pathlib import Path

import pytest

from syncd import config

MINIMAL = """
[moco]
domain = "acme"
api_key = "moco-secret-key"
[clockodo]
api_user = "ops@acme.test"
api_key = "clockodo-secret-key"
external_application = "syncd;ops@acme.test"
"""


def write(tmp_path: Path, text: str, name: str = "syncd.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def load_error(path: Path, env: dict[str, str] | None = None) -> str:
    with pytest.raises(config.ConfigError) as caught:
        config.load(path, env or {})
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_example_config_is_valid() -> None:
    settings = config.load(Path(__file__).parents[1] / "config.example.toml", {})
    assert settings.sync.direction == "both"
    assert settings.mappings.tasks[0].clockodo_service == 77


def test_defaults_and_domain(tmp_path: Path) -> None:
    settings = config.load(write(tmp_path, MINIMAL), {})
    assert settings.moco.url == "https://acme.mocoapp.com/api/v1"
    assert settings.clockodo.base_url == "https://my.clockodo.com/api"
    assert settings.database.url == "sqlite:///syncd.db"
    assert settings.sync.day_start == time(9, 0)
    assert settings.sync.interval == timedelta(minutes=5)
    assert settings.sync.window_days == 30


def test_environment_overrides_every_kind_of_key(tmp_path: Path) -> None:
    env = {
        "SYNCD_SYNC__WINDOW_DAYS": "14",
        "SYNCD_SYNC__PROPAGATE_DELETES": "false",
        "SYNCD_SYNC__INTERVAL": "90s",
        "SYNCD_MOCO__API_KEY": "from-env",
        "SYNCD_MAPPINGS__USERS": '[{"moco": 1, "clockodo": 2}]',
        "SYNCD_CONFIG": "ignored-here",
        "UNRELATED": "x",
    }
    settings = config.load(write(tmp_path, MINIMAL), env)
    assert settings.sync.window_days == 14
    assert settings.sync.propagate_deletes is False
    assert settings.sync.interval == timedelta(seconds=90)
    assert settings.moco.api_key.get_secret_value() == "from-env"
    assert settings.mappings.users[0].clockodo == 2


def test_secret_from_file_in_toml_and_in_environment(tmp_path: Path) -> None:
    secret = write(tmp_path, "key-from-file\n", "moco.secret")
    text = MINIMAL.replace('api_key = "moco-secret-key"', f'api_key_file = "{secret}"')
    settings = config.load(write(tmp_path, text), {})
    assert settings.moco.api_key.get_secret_value() == "key-from-file"
    other = write(tmp_path, "clockodo-from-file", "clockodo.secret")
    settings = config.load(write(tmp_path, MINIMAL), {"SYNCD_CLOCKODO__API_KEY_FILE": str(other)})
    assert settings.clockodo.api_key.get_secret_value() == "clockodo-from-file"


def test_config_path_resolution(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SYNCD_CONFIG", raising=False)
    assert config.resolve_path(None) == Path("syncd.toml")
    monkeypatch.setenv("SYNCD_CONFIG", "/etc/syncd/syncd.toml")
    assert config.resolve_path(None) == Path("/etc/syncd/syncd.toml")
    assert config.resolve_path("given.toml") == Path("given.toml")


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (lambda t: t + "\n[sync]\nwindow_dayz = 3\n", "[sync] window_dayz: unknown key"),
        (lambda t: t + '\n[sync]\nwindow_days = "many"\n', "[sync] window_days: Input should be"),
        (lambda t: t + '\n[sync]\ndirection = "sideways"\n', "[sync] direction: Input should be"),
        (lambda t: t + '\n[sync]\ntimezone = "Mars/Olympus"\n', "unknown time zone"),
        (lambda t: t + '\n[sync]\nday_start = "9am"\n', "[sync] day_start: not a time of day"),
        (lambda t: t + '\n[sync]\ninterval = "soon"\n', "[sync] interval: not a duration"),
        (lambda t: t.replace('api_key = "moco-secret-key"\n', ""), "[moco] api_key: missing"),
        (lambda t: t.replace('domain = "acme"\n', ""), "[moco]: give exactly one of"),
        (lambda t: t.replace("syncd;ops@acme.test", "x" * 51), "at most 50 characters"),
        (lambda t: t.replace("syncd;ops@acme.test", "syncd"), 'look like "name;email"'),
        (lambda t: t + "\n[[mappings.users]]\nmoco = 1\n", "[mappings] users.0.clockodo: missing"),
        (lambda t: t + "\n[database]\nurl = 'mysql://x'\n", "[database] url: use sqlite"),
        (lambda t: t + "\n[http]\nlisten = 'everywhere'\n", '[http] listen: use "HOST:PORT"'),
    ],
)
def test_each_bad_value_names_file_key_and_problem(
    tmp_path: Path, edit: Callable[[str], str], expected: str
) -> None:
    path = write(tmp_path, edit(MINIMAL))
    message = load_error(path)
    assert message.startswith(f"{path}: ")
    assert expected in message


def test_malformed_toml(tmp_path: Path) -> None:
    path = write(tmp_path, "[moco\napi_key=")
    assert load_error(path).startswith(f"{path}: malformed TOML:")


def test_missing_file(tmp_path: Path) -> None:
    assert "config file not found" in load_error(tmp_path / "absent.toml")


def test_unreadable_and_empty_secret_files(tmp_path: Path) -> None:
    text = MINIMAL.replace('api_key = "moco-secret-key"', f'api_key_file = "{tmp_path}/nope"')
    assert "[moco] api_key_file: cannot read" in load_error(write(tmp_path, text))
    empty = write(tmp_path, "\n", "empty.secret")
    text = MINIMAL.replace('api_key = "moco-secret-key"', f'api_key_file = "{empty}"')
    assert "is empty" in load_error(write(tmp_path, text))


def test_secret_and_secret_file_together_is_an_error(tmp_path: Path) -> None:
    secret = write(tmp_path, "k", "k.secret")
    text = MINIMAL.replace(
        'api_key = "moco-secret-key"', f'api_key = "a"\napi_key_file = "{secret}"'
    )
    assert "give either api_key or api_key_file" in load_error(write(tmp_path, text))


def test_environment_errors_name_the_variable(tmp_path: Path) -> None:
    path = write(tmp_path, MINIMAL)
    message = load_error(path, {"SYNCD_SYNC__WINDOW_DAYS": "0"})
    assert message.startswith("SYNCD_SYNC__WINDOW_DAYS: [sync] window_days:")
    assert "unknown setting [moco] api_kei" in load_error(path, {"SYNCD_MOCO__API_KEI": "x"})
    assert "unknown setting [mocco] api_key" in load_error(path, {"SYNCD_MOCCO__API_KEY": "x"})


def test_errors_never_contain_secret_values(tmp_path: Path) -> None:
    text = MINIMAL.replace('api_key = "moco-secret-key"', "api_key = 12345678")
    message = load_error(write(tmp_path, text))
    assert "[moco] api_key" in message
    assert "12345678" not in message


def test_masked_hides_secrets(tmp_path: Path) -> None:
    data = config.masked(config.load(write(tmp_path, MINIMAL), {}))
    assert data["moco"]["api_key"] == "********"
    assert "moco-secret-key" not in repr(data)
    assert data["sync"]["interval"] == "5m"


@pytest.mark.parametrize(
    ("text", "seconds"), [("90", 90), ("90s", 90), ("5m", 300), ("1h30m", 5400), ("2h", 7200)]
)
def test_durations_round_trip(text: str, seconds: int) -> None:
    duration = config.parse_duration(text)
    assert duration == timedelta(seconds=seconds)
    assert config.parse_duration(config.format_duration(duration)) == duration
