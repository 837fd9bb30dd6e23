"""Shared fixtures: databases (SQLite and PostgreSQL) and test profiles.

PostgreSQL tests use the server at 127.0.0.1:5432 (override with
SYNCD_TEST_PG_URL) and give every test its own fresh database, so parallel
runs never see each other's rows. Without a server they skip with the reason;
in CI (CI=true) a missing server fails them, and a session in which no
PostgreSQL test passed fails as a whole.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
PG_ADMIN_URL = os.environ.get(
    "SYNCD_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)

settings.register_profile(
    "default", deadline=None, suppress_health_check=[HealthCheck.too_slow], print_blob=True
)
settings.register_profile(
    "ci", deadline=None, suppress_health_check=[HealthCheck.too_slow], print_blob=True
)
settings.load_profile("ci" if IN_CI else os.environ.get("HYPOTHESIS_PROFILE", "default"))

# Node ids of PostgreSQL tests seen (in any phase) and passed. Counted from
# reports, so that it also works on pytest-xdist's controller process.
_postgres_seen: set[str] = set()
_postgres_passed: set[str] = set()


def _admin_engine_or_reason() -> tuple[Engine | None, str]:
    try:
        engine = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as exc:  # any failure to connect means "no server here"
        shown = make_url(PG_ADMIN_URL).render_as_string(hide_password=True)
        return None, f"PostgreSQL not reachable at {shown}: {type(exc).__name__}"
    return engine, ""


@pytest.fixture(scope="session")
def pg_admin() -> Iterator[Engine]:
    engine, reason = _admin_engine_or_reason()
    if engine is None:
        if IN_CI:
            pytest.fail(f"{reason} (CI=true: PostgreSQL tests must run, not skip)")
        pytest.skip(reason)
    try:
        yield engine
    finally:
        engine.dispose()


def create_pg_database(admin: Engine) -> str:
    """A fresh, empty database; returns its URL."""
    name = f"syncd_test_{uuid.uuid4().hex[:12]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    return make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)


def drop_pg_database(admin: Engine, url: str) -> None:
    name = make_url(url).database
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
def pg_url(pg_admin: Engine) -> Iterator[str]:
    url = create_pg_database(pg_admin)
    try:
        yield url
    finally:
        drop_pg_database(pg_admin, url)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of an empty database, once per backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/syncd.db"
    url: str = request.getfixturevalue("pg_url")
    return url


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if {"pg_url", "pg_admin"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.postgres)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if "postgres" not in report.keywords:
        return
    _postgres_seen.add(report.nodeid)
    if report.when == "call" and report.passed:
        _postgres_passed.add(report.nodeid)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if IN_CI and _postgres_seen and not _postgres_passed:
        print("\nCI=true but no PostgreSQL test passed: PostgreSQL tests must run in CI.")
        session.exitstatus = 1
