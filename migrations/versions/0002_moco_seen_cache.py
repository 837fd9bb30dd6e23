"""moco seen cache

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "moco_seen",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=False,
            nullable=False,
        ),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("booking", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_moco_seen")),
    )
    with op.batch_alter_table("moco_seen", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_moco_seen_date"), ["date"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("moco_seen", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_moco_seen_date"))

    op.drop_table("moco_seen")
