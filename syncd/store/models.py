"""The store's tables: syncd's memory between runs.

Alembic owns the schema (migrations/); these typed models must agree with it,
which a test checks by autogenerating against a freshly migrated database.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Named constraints keep migrations portable (SQLite batch mode needs names).
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    # Vendor ids approach 2**31 (MOCO ids are ~1e9), so integers are 64-bit;
    # SQLite keeps INTEGER so that its primary keys still autoincrement.
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        int: BigInteger().with_variant(Integer(), "sqlite"),
        datetime: DateTime(timezone=True),
        dict[str, Any]: JSON,
    }


class UserMapping(Base):
    __tablename__ = "user_mappings"

    id: Mapped[int] = mapped_column(primary_key=True)
    moco_user_id: Mapped[int] = mapped_column(unique=True)
    clockodo_user_id: Mapped[int] = mapped_column(unique=True)
    # The clockodo user's IANA zone as last read from clockodo (None: use the fallback).
    timezone: Mapped[str | None] = mapped_column(String(64))


class ProjectMapping(Base):
    __tablename__ = "project_mappings"

    id: Mapped[int] = mapped_column(primary_key=True)
    moco_project_id: Mapped[int] = mapped_column(unique=True)
    clockodo_customer_id: Mapped[int]
    clockodo_project_id: Mapped[int] = mapped_column(unique=True)
    # The MOCO customer of the project, read from MOCO (needed to disregard).
    moco_customer_id: Mapped[int | None]


class TaskMapping(Base):
    __tablename__ = "task_mappings"

    id: Mapped[int] = mapped_column(primary_key=True)
    moco_task_id: Mapped[int] = mapped_column(unique=True)
    clockodo_service_id: Mapped[int] = mapped_column(index=True)
    # The MOCO project the task belongs to, read from MOCO.
    moco_project_id: Mapped[int | None]


class Link(Base):
    """One booking known on both sides, with the last agreed projection (the base)."""

    __tablename__ = "links"

    id: Mapped[int] = mapped_column(primary_key=True)
    moco_id: Mapped[int] = mapped_column(unique=True)
    clockodo_id: Mapped[int] = mapped_column(unique=True)
    origin: Mapped[str] = mapped_column(String(16))  # "moco" | "clockodo"
    state: Mapped[str] = mapped_column(String(16), default="active")  # active|parked|orphaned
    orphaned_side: Mapped[str | None] = mapped_column(String(16))
    # The base in its one stored form (syncd.core.codec); its date also as a column,
    # by which a window selects links.
    base: Mapped[dict[str, Any]]
    base_date: Mapped[date] = mapped_column(index=True)
    # Vendor change stamps at the base (MOCO updated_at, clockodo time_last_change):
    # a cheap pre-filter only; equality of projections decides.
    moco_stamp: Mapped[str | None] = mapped_column(String(40))
    clockodo_stamp: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class Intent(Base):
    """A write announced before it is sent, so a crash can be resolved afterwards."""

    __tablename__ = "intents"
    __table_args__ = (Index("ix_intents_state", "state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(32))  # e.g. create_moco, delete_clockodo
    state: Mapped[str] = mapped_column(String(16), default="pending")  # pending|done|abandoned
    source_side: Mapped[str | None] = mapped_column(String(16))
    source_id: Mapped[int | None]
    target_id: Mapped[int | None]
    payload: Mapped[dict[str, Any]]
    run_id: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]


class MocoSeen(Base):
    """The MOCO activities of the window as last read, for incremental runs.

    MOCO can list what changed since a moment (`updated_after`), not what
    stayed the same; an incremental run merges the changes into this copy and
    checks it against MOCO's count of the window before trusting it.
    """

    __tablename__ = "moco_seen"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    date: Mapped[date] = mapped_column(index=True)
    booking: Mapped[dict[str, Any]]


class MasterData(Base):
    """One master-data list of one account as last read (users, projects, ...)."""

    __tablename__ = "master_data"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    data: Mapped[dict[str, Any]]
    fetched_at: Mapped[datetime]


class Watermark(Base):
    __tablename__ = "watermarks"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime]


class Run(Base):
    __tablename__ = "runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[str] = mapped_column(String(32), unique=True)
    mode: Mapped[str] = mapped_column(String(16))  # run-once | plan | daemon-incr | daemon-full
    started_at: Mapped[datetime] = mapped_column(index=True)
    finished_at: Mapped[datetime | None]
    result: Mapped[str] = mapped_column(String(16), default="running")
    counts: Mapped[dict[str, Any]] = mapped_column(default=dict)
    error: Mapped[str | None] = mapped_column(Text)


class Conflict(Base):
    """Both versions of a booking that changed on both sides, kept until resolved."""

    __tablename__ = "conflicts"

    id: Mapped[int] = mapped_column(primary_key=True)
    link_id: Mapped[int | None] = mapped_column(ForeignKey("links.id", ondelete="SET NULL"))
    moco_id: Mapped[int | None]
    clockodo_id: Mapped[int | None]
    reason: Mapped[str] = mapped_column(Text)
    moco_version: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    clockodo_version: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    base_version: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(16), default="open", index=True)  # open|resolved
    resolution: Mapped[str | None] = mapped_column(String(32))
    detected_at: Mapped[datetime]
    resolved_at: Mapped[datetime | None]


class HeldFailure(Base):
    """A write refused with a 4xx: not retried until its source booking changes."""

    __tablename__ = "held_failures"
    __table_args__ = (UniqueConstraint("side", "item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    side: Mapped[str] = mapped_column(String(16))  # side of the source booking
    item_id: Mapped[int]
    projection: Mapped[dict[str, Any]]
    status: Mapped[int | None]
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]


class StoredMapping(Base):
    """A mapping added with `syncd mappings add/apply/import` (the config's `[mappings]`
    win a clash; see syncd.core.mapsource)."""

    __tablename__ = "stored_mappings"

    kind: Mapped[str] = mapped_column(String(8), primary_key=True)
    moco_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    clockodo_id: Mapped[int]
    clockodo_customer_id: Mapped[int | None]
    source: Mapped[str] = mapped_column(String(16))  # add, apply or import
    created_at: Mapped[datetime]
