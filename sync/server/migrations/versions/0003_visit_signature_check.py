"""Device-signature checks of completed visits (`sync.server.signatures`).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "visit_signature_check",
        sa.Column("visit_id", sa.String(length=64), nullable=False),
        sa.Column("household_id", sa.String(length=64), nullable=True),
        sa.Column("visit_version", sa.Integer(), nullable=False),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("outcome", sa.String(length=32), nullable=False),
        sa.Column("device_id", sa.String(length=64), nullable=True),
        sa.Column("device_user_id", sa.String(length=64), nullable=True),
        sa.Column("signature_version", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("visit_id"),
    )
    op.create_index(
        "ix_visit_signature_check_household_id",
        "visit_signature_check",
        ["household_id"],
        unique=False,
    )
    op.create_index(
        "ix_visit_signature_check_outcome", "visit_signature_check", ["outcome"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_visit_signature_check_outcome", table_name="visit_signature_check")
    op.drop_index("ix_visit_signature_check_household_id", table_name="visit_signature_check")
    op.drop_table("visit_signature_check")
