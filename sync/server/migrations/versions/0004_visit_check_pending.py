"""The queue of finished visits whose server-side checks are still to be made
(`sync.server.visit_checks`).

Finished visits of an older database that lack a check (the signature check came after the
recomputation) are queued, so the worker makes it.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pending = op.create_table(
        "visit_check_pending",
        sa.Column("visit_id", sa.String(length=64), nullable=False),
        sa.Column("queued_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("visit_id"),
    )
    op.create_index(
        "ix_visit_check_pending_queued_at", "visit_check_pending", ["queued_at"], unique=False
    )
    connection = op.get_bind()
    record = sa.table(
        "sync_record",
        sa.column("entity", sa.String),
        sa.column("id", sa.String),
        sa.column("deleted", sa.Boolean),
        sa.column("meta", sa.JSON),
    )
    checked: set[str] | None = None
    for table in ("eligibility_check", "visit_signature_check"):
        ids = set(
            connection.execute(
                sa.select(sa.table(table, sa.column("visit_id")).c.visit_id)
            ).scalars()
        )
        checked = ids if checked is None else checked & ids
    now = datetime.now(UTC)
    rows = [
        {"visit_id": visit_id, "queued_at": now}
        for visit_id, deleted, meta in connection.execute(
            sa.select(record.c.id, record.c.deleted, record.c.meta).where(
                record.c.entity == "visit"
            )
        )
        if not deleted
        and isinstance(meta, dict)
        and meta.get("status") not in (None, "draft")
        and visit_id not in (checked or set())
    ]
    if rows:
        op.bulk_insert(pending, rows)


def downgrade() -> None:
    op.drop_index("ix_visit_check_pending_queued_at", table_name="visit_check_pending")
    op.drop_table("visit_check_pending")
