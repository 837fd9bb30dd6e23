"""The command line as an operator meets it: real processes, exit codes, output."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from syncd import __version__
from syncd.exitcodes import ExitCode

ROOT = Path(__file__).parents[2]
MOCO_KEY = "MOCO-KEY-4f7b1c0de5e1"
CLOCKODO_KEY = "CLOCKODO-KEY-9a8b7c6d5e4f"


def syncd(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("SYNCD_")}
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "syncd", *args],
        capture_output=True,
        text=True,
        env=full_env,
        cwd=ROOT,
        check=False,
        timeout=60,
    )


def config_file(tmp_path: Path, db_url: str = "sqlite:///:memory:") -> Path:
    text = (ROOT / "config.example.toml").read_text(encoding="utf-8")
    text = text.replace("replace-with-moco-api-key", MOCO_KEY)
    text = text.replace("replace-with-clockodo-api-key", CLOCKODO_KEY)
    text = text.replace('url = "sqlite:///syncd.db"', f'url = "{db_url}"')
    path = tmp_path / "syncd.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_version_and_help() -> None:
    version = syncd("--version")
    assert version.returncode == 0
    assert __version__ in version.stdout
    helptext = syncd("--help")
    assert helptext.returncode == 0
    for command in ("check-config", "db"):
        assert command in helptext.stdout


def test_check_config_prints_effective_config_with_secrets_masked(tmp_path: Path) -> None:
    path = config_file(tmp_path)
    for args in (("check-config", "--config", str(path)), ("-c", str(path), "check-config")):
        done = syncd(*args, env={"SYNCD_SYNC__WINDOW_DAYS": "7"})
        assert done.returncode == 0, done.stderr
        assert "window_days = 7" in done.stdout
        assert 'api_key = "********"' in done.stdout
        assert MOCO_KEY not in done.stdout + done.stderr
        assert CLOCKODO_KEY not in done.stdout + done.stderr


def test_config_from_environment_variable_path(tmp_path: Path) -> None:
    done = syncd("check-config", env={"SYNCD_CONFIG": str(config_file(tmp_path))})
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"SYNCD_SYNC__CONFLICT": "coinflip"}, "SYNCD_SYNC__CONFLICT: [sync] conflict:"),
        ({"SYNCD_MOCO__API_KEY_FILE": "/nonexistent/secret"}, "api_key_file: cannot read"),
        ({"SYNCD_LOG__FORMAT": "xml"}, "[log] format:"),
    ],
)
def test_bad_config_exits_2_with_one_line_and_no_traceback(
    tmp_path: Path, env: dict[str, str], expected: str
) -> None:
    done = syncd("check-config", "-c", str(config_file(tmp_path)), env=env)
    assert done.returncode == ExitCode.CONFIG
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1
    assert expected in done.stderr
    assert "Traceback" not in done.stderr
    assert MOCO_KEY not in done.stderr


def test_missing_config_file_exits_2(tmp_path: Path) -> None:
    done = syncd("check-config", "-c", str(tmp_path / "none.toml"))
    assert done.returncode == ExitCode.CONFIG
    assert "config file not found" in done.stderr


def test_db_upgrade_then_current(tmp_path: Path, db_url: str) -> None:
    path = config_file(tmp_path, db_url)
    first = syncd("db", "upgrade", "-c", str(path))
    assert first.returncode == 0, first.stderr
    assert "schema upgraded from empty to" in first.stdout
    again = syncd("db", "upgrade", "-c", str(path))
    assert "already current" in again.stdout
    current = syncd("db", "current", "-c", str(path))
    assert "(current)" in current.stdout


def test_keys_never_appear_in_any_output(tmp_path: Path) -> None:
    path = config_file(tmp_path, f"sqlite:///{tmp_path}/s.db")
    outputs = [
        syncd("check-config", "-c", str(path)),
        syncd("--log-format", "json", "db", "upgrade", "-c", str(path)),
        syncd("check-config", "-c", str(path), env={"SYNCD_SYNC__WINDOW_DAYS": "-1"}),
        syncd(
            "db",
            "upgrade",
            "-c",
            str(path),
            env={"SYNCD_DATABASE__URL": "sqlite:////no/such/dir/x.db"},
        ),
    ]
    for done in outputs:
        assert MOCO_KEY not in done.stdout + done.stderr
        assert CLOCKODO_KEY not in done.stdout + done.stderr
    assert [done.returncode == 0 for done in outputs] == [True, True, False, False]


@pytest.mark.parametrize(
    "url", ["sqlite:////no/such/dir/x.db", "postgresql://nobody@127.0.0.1:1/none"]
)
def test_unreachable_database_is_one_line(tmp_path: Path, url: str) -> None:
    done = syncd("db", "upgrade", "-c", str(config_file(tmp_path, url)))
    assert done.returncode == ExitCode.FAILED
    assert done.stderr.startswith("syncd: database unavailable: ")
    assert done.stderr.count("\n") == 1
