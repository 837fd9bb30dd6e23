"""stored mappings

Mappings added with `syncd mappings add/apply/import`, merged with the config's
[mappings] (the config wins a clash).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "stored_mappings",
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("moco_id", ID, autoincrement=False, nullable=False),
        sa.Column("clockodo_id", ID, nullable=False),
        sa.Column("clockodo_customer_id", ID, nullable=True),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("kind", "moco_id", name=op.f("pk_stored_mappings")),
    )


def downgrade() -> None:
    op.drop_table("stored_mappings")
