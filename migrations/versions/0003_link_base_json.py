"""link base as one JSON column

The base of a link was eight columns (one per projection field). It is now the
projection's JSON form (syncd.core.codec), like every other stored projection,
so that adding a synced field needs no new column: rows without the new key
load with the field's default. `base_date` stays a column: windows select links
by it.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FIELDS = ("user", "seconds", "description", "billable", "billed", "project", "task")
COLUMNS = {
    "user": sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
    "seconds": sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
    "description": sa.Text(),
    "billable": sa.Boolean(),
    "billed": sa.Boolean(),
    "project": sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
    "task": sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
}


def _links(with_json: bool) -> sa.Table:
    columns = [sa.Column("id", sa.Integer), sa.Column("base_date", sa.Date)]
    columns += [sa.Column(f"base_{name}", COLUMNS[name]) for name in FIELDS]
    if with_json:
        columns.append(sa.Column("base", sa.JSON))
    return sa.table("links", *columns)


def upgrade() -> None:
    with op.batch_alter_table("links", schema=None) as batch_op:
        batch_op.add_column(sa.Column("base", sa.JSON(), nullable=True))
    links = _links(with_json=True)
    connection = op.get_bind()
    for row in connection.execute(sa.select(links)).mappings().all():
        base = {"date": row["base_date"].isoformat()}
        base |= {name: row[f"base_{name}"] for name in FIELDS}
        base["billable"], base["billed"] = bool(base["billable"]), bool(base["billed"])
        connection.execute(links.update().where(links.c.id == row["id"]).values(base=base))
    with op.batch_alter_table("links", schema=None) as batch_op:
        batch_op.alter_column("base", existing_type=sa.JSON(), nullable=False)
        for name in FIELDS:
            batch_op.drop_column(f"base_{name}")


def downgrade() -> None:
    with op.batch_alter_table("links", schema=None) as batch_op:
        for name in FIELDS:
            batch_op.add_column(sa.Column(f"base_{name}", COLUMNS[name], nullable=True))
    links = _links(with_json=True)
    connection = op.get_bind()
    for row in connection.execute(sa.select(links.c.id, links.c.base)).mappings().all():
        base = row["base"]
        values = {f"base_{name}": base.get(name) for name in FIELDS}
        connection.execute(links.update().where(links.c.id == row["id"]).values(**values))
    with op.batch_alter_table("links", schema=None) as batch_op:
        for name in FIELDS:
            batch_op.alter_column(f"base_{name}", existing_type=COLUMNS[name], nullable=False)
        batch_op.drop_column("base")
