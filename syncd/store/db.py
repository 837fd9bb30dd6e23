"""Engine, sessions and schema versions (Alembic owns the schema)."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson
from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

import syncd

if TYPE_CHECKING:
    from alembic.config import Config as AlembicConfig


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
    from alembic.config import Config as AlembicConfig  # noqa: PLC0415 - see _head_of

    config = AlembicConfig()
    config.set_main_option("script_location", str(migrations_dir()))
    config.attributes["engine"] = engine
    return config


def head_revision(engine: Engine) -> str | None:
    return _head_of(migrations_dir())


_REVISION = re.compile(r'^(down_)?revision: [^=]+= (?:"([^"]+)"|None)$', re.MULTILINE)


@functools.cache
def _head_of(scripts: Path) -> str | None:
    """The newest migration, read from the scripts' ``revision``/``down_revision``
    lines (a linear history): every command checks the schema, and importing alembic
    for it would cost each start about half a second. tests/store checks that this
    agrees with alembic's own reading."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for script in (scripts / "versions").glob("*.py"):
        for is_parent, value in _REVISION.findall(script.read_text(encoding="utf-8")):
            if value:
                (parents if is_parent else revisions).add(value)
    heads = sorted(revisions - parents)
    if len(heads) > 1:
        raise RuntimeError(f"the migrations have more than one head: {', '.join(heads)}")
    return heads[0] if heads else None


def current_revision(engine: Engine) -> str | None:
    """The revision alembic recorded (its ``alembic_version`` table); None: none yet."""
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def upgrade(engine: Engine, revision: str = "head") -> None:
    from alembic import command  # noqa: PLC0415 - see _head_of

    command.upgrade(alembic_config(engine), revision)


def downgrade(engine: Engine, revision: str = "base") -> None:
    from alembic import command  # noqa: PLC0415 - see _head_of

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
