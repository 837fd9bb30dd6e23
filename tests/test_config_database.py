"""[database]: the password in a URL is a secret (masked, redacted, from a file), and
a relative SQLite path is relative to the config file."""

from __future__ import annotations

from pathlib import Path

from syncd import config
from tests.cli.contact import invoke

PASSWORD = "pg-Secret-7d1e"
PG_URL = f"postgresql+psycopg://syncd:{PASSWORD}@db.example.com:5432/syncd"
BASE = """
[moco]
base_url = "http://127.0.0.1:9/api/v1"
api_key = "moco-key-0001"

[clockodo]
api_user = "ops@example.com"
api_key = "clockodo-key-0001"
external_application = "syncd;ops@example.com"
"""


def write(tmp_path: Path, database: str = "") -> Path:
    path = tmp_path / "conf" / "syncd.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(BASE + database, encoding="utf-8")
    return path


def test_url_file_from_toml_and_environment(tmp_path: Path) -> None:
    secret = tmp_path / "database-url"
    secret.write_text(PG_URL + "\n", encoding="utf-8")
    path = write(tmp_path, f'[database]\nurl_file = "{secret}"\n')
    assert config.load(path, {}).database.url == PG_URL
    from_env = config.load(write(tmp_path), {"SYNCD_DATABASE__URL_FILE": str(secret)})
    assert from_env.database.url == PG_URL
    assert PASSWORD in from_env.secrets()


def test_password_masked_in_check_config_and_db_current(tmp_path: Path) -> None:
    path = write(tmp_path)
    shown = invoke("check-config", "-c", str(path), env={"SYNCD_DATABASE__URL": PG_URL})
    assert shown.returncode == 0, shown.stderr
    assert PASSWORD not in shown.stdout + shown.stderr
    assert "postgresql+psycopg://syncd:********@db.example.com:5432/syncd" in shown.stdout
    # An unreachable server: the error line names the URL without its password.
    unreachable = f"postgresql+psycopg://syncd:{PASSWORD}@127.0.0.1:9/syncd?connect_timeout=2"
    current = invoke("db", "current", "-c", str(path), env={"SYNCD_DATABASE__URL": unreachable})
    assert current.returncode != 0
    assert PASSWORD not in current.stdout + current.stderr
    assert "Traceback" not in current.stdout + current.stderr


def test_relative_sqlite_path_is_beside_the_config(tmp_path: Path) -> None:
    path = write(tmp_path, '[database]\nurl = "sqlite:///state/syncd.db"\n')
    url = config.load(path, {}).database.url
    assert url == f"sqlite:///{path.parent / 'state' / 'syncd.db'}"
    memory = write(tmp_path, '[database]\nurl = "sqlite:///:memory:"\n')
    assert config.load(memory, {}).database.url == "sqlite:///:memory:"


def test_read_only_commands_create_no_database(tmp_path: Path) -> None:
    path = write(tmp_path, '[database]\nurl = "sqlite:///syncd.db"\n')
    for args in (("plan",), ("db", "current"), ("check-config",), ("mappings", "export")):
        done = invoke(*args, "-c", str(path))
        assert "Traceback" not in done.stdout + done.stderr
    assert not (path.parent / "syncd.db").exists()
    planned = invoke("plan", "-c", str(path))
    assert planned.returncode == 5
    assert "does not exist" in planned.stderr
    upgraded = invoke("db", "upgrade", "-c", str(path))
    assert upgraded.returncode == 0, upgraded.stderr
    assert (path.parent / "syncd.db").exists()
