"""Engine, sessions and schema versions (Alembic owns the schema)."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson
from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

import syncd


class SchemaOutOfDate(Exception):
    """The database is not at the newest migration."""


def normalize_url(url: str) -> str:
    """`postgresql://` means psycopg 3 here (the driver syncd installs)."""
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


def make_engine(url: str) -> Engine:
    url = normalize_url(url)
    # orjson: the store's JSON columns hold tens of thousands of rows at scale.
    codec: dict[str, Any] = {"json_serializer": _dumps, "json_deserializer": orjson.loads}
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30}, **codec)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, **codec)


def _dumps(value: Any) -> str:
    return orjson.dumps(value).decode()


def _sqlite_pragmas(dbapi_connection: Any, _: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets readers (status, metrics) work while the writer writes;
    # synchronous=FULL makes every commit durable across a power cut.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: committed when the block ends, rolled back on error."""
    with factory.begin() as session:
        yield session


def migrations_dir() -> Path:
    """Inside an installed wheel the scripts ship as syncd/_migrations."""
    packaged = Path(syncd.__file__).parent / "_migrations"
    return packaged if packaged.is_dir() else Path(syncd.__file__).parent.parent / "migrations"


def alembic_config(engine: Engine) -> AlembicConfig:
    config = AlembicConfig()
    config.set_main_option("script_location", str(migrations_dir()))
    config.attributes["engine"] = engine
    return config


def head_revision(engine: Engine) -> str | None:
    return _head_of(migrations_dir())


@functools.cache
def _head_of(scripts: Path) -> str | None:
    """Read once per process: every run checks the schema, the scripts do not change."""
    config = AlembicConfig()
    config.set_main_option("script_location", str(scripts))
    return ScriptDirectory.from_config(config).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    command.upgrade(alembic_config(engine), revision)


def downgrade(engine: Engine, revision: str = "base") -> None:
    command.downgrade(alembic_config(engine), revision)


def missing_file(engine: Engine) -> Path | None:
    """The SQLite file `engine` would create on first connect, if it does not exist yet.

    Read-only commands check this first: looking must not leave an empty database behind.
    """
    if engine.url.get_backend_name() != "sqlite":
        return None
    database = engine.url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    path = Path(database)
    return None if path.exists() else path


def require_current(engine: Engine) -> None:
    missing = missing_file(engine)
    if missing is not None:
        raise SchemaOutOfDate(
            f"database {missing} does not exist: run `syncd db upgrade` (or pass --migrate)"
        )
    current, head = current_revision(engine), head_revision(engine)
    if current != head:
        shown = current or "empty"
        raise SchemaOutOfDate(
            f"database {safe_url(engine)} is at schema {shown}, syncd needs {head}: "
            "run `syncd db upgrade` (or pass --migrate)"
        )


def safe_url(engine: Engine) -> str:
    """The URL without a password, fit for messages."""
    return make_url(str(engine.url)).render_as_string(hide_password=True)
