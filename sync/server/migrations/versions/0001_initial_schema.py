"""Initial schema: accounts, tokens, regions, tasks, replicated records, change sequence,
blind index, attachments, audit chain.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "agency",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "applied_mutation",
        sa.Column("mutation_id", sa.String(length=64), nullable=False),
        sa.Column("device_id", sa.String(length=64), nullable=False),
        sa.Column("entity", sa.String(length=32), nullable=False),
        sa.Column("entity_id", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("conflict_id", sa.String(length=64), nullable=True),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("mutation_id"),
    )
    op.create_table(
        "attachment_ref",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("household_id", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("sha256", "household_id"),
    )
    op.create_table(
        "attachmentblob",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=True),
        sa.Column("received", sa.BigInteger(), nullable=False),
        sa.Column("complete", sa.Boolean(), nullable=False),
        sa.Column("ctr_nonce", sa.LargeBinary(), nullable=False),
        sa.Column("uploaded_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("sha256"),
    )
    op.create_table(
        "audit_entry",
        sa.Column("n", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=True),
        sa.Column("device_id", sa.String(length=64), nullable=True),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("entity", sa.String(length=32), nullable=True),
        sa.Column("entity_id", sa.String(length=64), nullable=True),
        sa.Column("household_id", sa.String(length=64), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("n"),
    )
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_entry_at"), ["at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_audit_entry_household_id"), ["household_id"], unique=False
        )

    op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("n", sa.BigInteger(), nullable=False),
        sa.Column("last_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "loginthrottle",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_failure_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "person_index",
        sa.Column("member_id", sa.String(length=64), nullable=False),
        sa.Column("blind", sa.String(length=64), nullable=False),
        sa.Column("household_id", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("member_id"),
    )
    with op.batch_alter_table("person_index", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_person_index_blind"), ["blind"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_person_index_household_id"), ["household_id"], unique=False
        )

    op.create_table(
        "record_bucket",
        sa.Column("bucket", sa.String(length=100), nullable=False),
        sa.Column("entity", sa.String(length=32), nullable=False),
        sa.Column("record_id", sa.String(length=64), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("present", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("bucket", "entity", "record_id"),
    )
    with op.batch_alter_table("record_bucket", schema=None) as batch_op:
        batch_op.create_index("ix_record_bucket_bucket_seq", ["bucket", "seq"], unique=False)

    op.create_table(
        "record_version",
        sa.Column("entity", sa.String(length=32), nullable=False),
        sa.Column("record_id", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("mutation_id", sa.String(length=64), nullable=True),
        sa.Column("user_id", sa.String(length=64), nullable=True),
        sa.Column("device_id", sa.String(length=64), nullable=True),
        sa.Column("hlc", sa.String(length=80), nullable=True),
        sa.Column("changed_fields", sa.JSON(), nullable=False),
        sa.Column("changed_ct", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("entity", "record_id", "version"),
    )
    op.create_table(
        "region",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("parent_id", sa.String(length=64), nullable=True),
        sa.Column("path", sa.String(length=400), nullable=False),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["region.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "sync_counter",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "sync_record",
        sa.Column("entity", sa.String(length=32), nullable=False),
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("household_id", sa.String(length=64), nullable=True),
        sa.Column("grid_id", sa.String(length=64), nullable=True),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("meta", sa.JSON(), nullable=False),
        sa.Column("field_hlcs", sa.JSON(), nullable=False),
        sa.Column("data_ct", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("entity", "id"),
    )
    with op.batch_alter_table("sync_record", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sync_record_grid_id"), ["grid_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_sync_record_household_id"), ["household_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_sync_record_seq"), ["seq"], unique=False)

    op.create_table(
        "user",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("password_hash", sa.String(length=300), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("agency_id", sa.String(length=64), nullable=True),
        sa.Column("region_id", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["agency_id"],
            ["agency.id"],
        ),
        sa.ForeignKeyConstraint(
            ["region_id"],
            ["region.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("username"),
    )
    op.create_table(
        "device",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("public_key", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("device", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_device_user_id"), ["user_id"], unique=False)

    op.create_table(
        "task",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("agency_id", sa.String(length=64), nullable=True),
        sa.Column("assignee_user_id", sa.String(length=64), nullable=True),
        sa.Column("parent_task_id", sa.String(length=64), nullable=True),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=True),
        sa.Column("window_end", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["agency_id"],
            ["agency.id"],
        ),
        sa.ForeignKeyConstraint(
            ["assignee_user_id"],
            ["user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["parent_task_id"],
            ["task.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("task", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_task_status"), ["status"], unique=False)

    op.create_table(
        "usergrid",
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("grid_id", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["grid_id"],
            ["region.id"],
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
        ),
        sa.PrimaryKeyConstraint("user_id", "grid_id"),
    )
    op.create_table(
        "taskhousehold",
        sa.Column("task_id", sa.String(length=64), nullable=False),
        sa.Column("household_id", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["task_id"],
            ["task.id"],
        ),
        sa.PrimaryKeyConstraint("task_id", "household_id"),
    )
    with op.batch_alter_table("taskhousehold", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_taskhousehold_household_id"), ["household_id"], unique=False
        )

    op.create_table(
        "tokenfamily",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("device_id", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoke_reason", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["device_id"],
            ["device.id"],
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("tokenfamily", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tokenfamily_device_id"), ["device_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_tokenfamily_user_id"), ["user_id"], unique=False)

    op.create_table(
        "accesstoken",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("family_id", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["family_id"],
            ["tokenfamily.id"],
        ),
        sa.PrimaryKeyConstraint("token_hash"),
    )
    with op.batch_alter_table("accesstoken", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_accesstoken_family_id"), ["family_id"], unique=False)

    op.create_table(
        "refreshtoken",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("family_id", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["family_id"],
            ["tokenfamily.id"],
        ),
        sa.PrimaryKeyConstraint("token_hash"),
    )
    with op.batch_alter_table("refreshtoken", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_refreshtoken_family_id"), ["family_id"], unique=False)

    # Workflow tables (recompute.py, spotcheck.py): eligibility checks and spot-check draws.
    op.create_table(
        "eligibility_check",
        sa.Column("visit_id", sa.String(length=64), nullable=False),
        sa.Column("household_id", sa.String(length=64), nullable=True),
        sa.Column("visit_version", sa.Integer(), nullable=False),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("evaluated_on", sa.String(length=10), nullable=True),
        sa.Column("outcome", sa.String(length=32), nullable=False),
        sa.Column("policy_id", sa.String(length=100), nullable=True),
        sa.Column("differences", sa.JSON(), nullable=False),
        sa.Column("flag_id", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("visit_id"),
    )
    op.create_index(
        "ix_eligibility_check_household_id", "eligibility_check", ["household_id"], unique=False
    )
    op.create_index("ix_eligibility_check_outcome", "eligibility_check", ["outcome"], unique=False)
    op.create_table(
        "spot_check_draw",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("region_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("algorithm", sa.String(length=40), nullable=False),
        sa.Column("seed", sa.String(length=100), nullable=False),
        sa.Column("sample_size", sa.Integer(), nullable=False),
        sa.Column("inspector_count", sa.Integer(), nullable=False),
        sa.Column("population", sa.JSON(), nullable=False),
        sa.Column("population_digest", sa.String(length=64), nullable=False),
        sa.Column("inspector_pool", sa.JSON(), nullable=False),
        sa.Column("agency_id", sa.String(length=64), nullable=True),
        sa.Column("selected", sa.JSON(), nullable=False),
        sa.Column("assignments", sa.JSON(), nullable=False),
        sa.Column("task_ids", sa.JSON(), nullable=False),
        sa.Column("drawn_by", sa.String(length=64), nullable=True),
        sa.Column("drawn_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_spot_check_draw_region_id", "spot_check_draw", ["region_id"], unique=False)

    # The single-row change sequence and the audit chain head (see records.py, audit.py).
    op.bulk_insert(
        sa.table("sync_counter", sa.column("id", sa.Integer), sa.column("value", sa.BigInteger)),
        [{"id": 1, "value": 0}],
    )
    op.bulk_insert(
        sa.table(
            "audit_head",
            sa.column("id", sa.Integer),
            sa.column("n", sa.BigInteger),
            sa.column("last_hash", sa.String),
        ),
        [{"id": 1, "n": 0, "last_hash": "0" * 64}],
    )


def downgrade() -> None:
    op.drop_table("spot_check_draw")
    op.drop_table("eligibility_check")
    with op.batch_alter_table("refreshtoken", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_refreshtoken_family_id"))

    op.drop_table("refreshtoken")
    with op.batch_alter_table("accesstoken", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_accesstoken_family_id"))

    op.drop_table("accesstoken")
    with op.batch_alter_table("tokenfamily", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tokenfamily_user_id"))
        batch_op.drop_index(batch_op.f("ix_tokenfamily_device_id"))

    op.drop_table("tokenfamily")
    with op.batch_alter_table("taskhousehold", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_taskhousehold_household_id"))

    op.drop_table("taskhousehold")
    op.drop_table("usergrid")
    with op.batch_alter_table("task", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_task_status"))

    op.drop_table("task")
    with op.batch_alter_table("device", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_device_user_id"))

    op.drop_table("device")
    op.drop_table("user")
    with op.batch_alter_table("sync_record", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sync_record_seq"))
        batch_op.drop_index(batch_op.f("ix_sync_record_household_id"))
        batch_op.drop_index(batch_op.f("ix_sync_record_grid_id"))

    op.drop_table("sync_record")
    op.drop_table("sync_counter")
    op.drop_table("region")
    op.drop_table("record_version")
    with op.batch_alter_table("record_bucket", schema=None) as batch_op:
        batch_op.drop_index("ix_record_bucket_bucket_seq")

    op.drop_table("record_bucket")
    with op.batch_alter_table("person_index", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_person_index_household_id"))
        batch_op.drop_index(batch_op.f("ix_person_index_blind"))

    op.drop_table("person_index")
    op.drop_table("loginthrottle")
    op.drop_table("audit_head")
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_entry_household_id"))
        batch_op.drop_index(batch_op.f("ix_audit_entry_at"))

    op.drop_table("audit_entry")
    op.drop_table("attachmentblob")
    op.drop_table("attachment_ref")
    op.drop_table("applied_mutation")
    op.drop_table("agency")
