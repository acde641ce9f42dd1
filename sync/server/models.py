"""Server tables (SQLModel) and the Public models that routes return.

Families follow full-stack-fastapi-template: a table class per entity, and `…Public` models for
what leaves the server; a table object never reaches a route's response. Alembic owns the
schema (`migrations/`); these classes must match the latest revision.

Sensitive content never sits in a plaintext column: record content is `data_ct` (AES-256-GCM,
see `crypto.py`), ID numbers only appear as blind-index HMACs, audit details hold field names
and ids, never values.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict
from sqlalchemy.engine import Dialect
from sqlmodel import Field, SQLModel


class UTCDateTime(sa.types.TypeDecorator[datetime]):
    """Aware UTC datetimes on every backend (SQLite drops the zone; we put it back)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


def _dt(nullable: bool = False, index: bool = False) -> Any:
    if nullable:
        return Field(default=None, sa_type=UTCDateTime, nullable=True, index=index)
    return Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False, index=index)


def _json() -> Any:
    return Field(default_factory=dict, sa_type=sa.JSON, nullable=False)


# ----------------------------------------------------------------------------- regions, agencies


class Region(SQLModel, table=True):
    """District → street → community → grid. `path` holds the ancestor ids, root first."""

    id: str = Field(primary_key=True, max_length=64)
    level: str = Field(max_length=16)
    name: str = Field(max_length=100)
    parent_id: str | None = Field(default=None, foreign_key="region.id", max_length=64)
    path: str = Field(max_length=400)


class Agency(SQLModel, table=True):
    id: str = Field(primary_key=True, max_length=64)
    name: str = Field(max_length=100)


# ----------------------------------------------------------------------------- accounts


class User(SQLModel, table=True):
    id: str = Field(primary_key=True, max_length=64)
    username: str = Field(unique=True, max_length=64)
    password_hash: str = Field(max_length=300)
    role: str = Field(max_length=32)
    agency_id: str | None = Field(default=None, foreign_key="agency.id", max_length=64)
    #: scope of a supervisor or admin (a street or a district); None for an admin = everything
    region_id: str | None = Field(default=None, foreign_key="region.id", max_length=64)
    created_at: datetime = _dt()
    revoked_at: datetime | None = _dt(nullable=True)


class UserGrid(SQLModel, table=True):
    """A field worker's grids."""

    user_id: str = Field(primary_key=True, foreign_key="user.id", max_length=64)
    grid_id: str = Field(primary_key=True, foreign_key="region.id", max_length=64)


class LoginThrottle(SQLModel, table=True):
    """Failed logins per user name, kept for unknown names too, so lockout reveals nothing."""

    key: str = Field(primary_key=True, max_length=64)  # HMAC of the normalised user name
    failures: int = 0
    locked_until: datetime | None = _dt(nullable=True)
    last_failure_at: datetime | None = _dt(nullable=True)


class Device(SQLModel, table=True):
    id: str = Field(primary_key=True, max_length=64)
    user_id: str = Field(foreign_key="user.id", index=True, max_length=64)
    public_key: str = Field(max_length=64)  # raw Ed25519 key, base64
    name: str = Field(default="", max_length=100)
    created_at: datetime = _dt()
    last_seen_at: datetime | None = _dt(nullable=True)
    revoked_at: datetime | None = _dt(nullable=True)


class TokenFamily(SQLModel, table=True):
    """All tokens descending from one login on one device; revoked as a whole on reuse."""

    id: str = Field(primary_key=True, max_length=64)
    user_id: str = Field(foreign_key="user.id", index=True, max_length=64)
    device_id: str = Field(foreign_key="device.id", index=True, max_length=64)
    created_at: datetime = _dt()
    revoked_at: datetime | None = _dt(nullable=True)
    revoke_reason: str | None = Field(default=None, max_length=32)


class AccessToken(SQLModel, table=True):
    token_hash: str = Field(primary_key=True, max_length=64)  # SHA-256 hex of the opaque token
    family_id: str = Field(foreign_key="tokenfamily.id", index=True, max_length=64)
    expires_at: datetime = _dt()


class RefreshToken(SQLModel, table=True):
    token_hash: str = Field(primary_key=True, max_length=64)
    family_id: str = Field(foreign_key="tokenfamily.id", index=True, max_length=64)
    created_at: datetime = _dt()
    expires_at: datetime = _dt()
    used_at: datetime | None = _dt(nullable=True)


# ----------------------------------------------------------------------------- tasks


class Task(SQLModel, table=True):
    """A batch of households for a worker or an agency. Access lasts while it is open and inside
    its window."""

    id: str = Field(primary_key=True, max_length=64)
    kind: str = Field(max_length=32)
    status: str = Field(default="open", max_length=16, index=True)
    agency_id: str | None = Field(default=None, foreign_key="agency.id", max_length=64)
    assignee_user_id: str | None = Field(default=None, foreign_key="user.id", max_length=64)
    parent_task_id: str | None = Field(default=None, foreign_key="task.id", max_length=64)
    window_start: datetime | None = _dt(nullable=True)
    window_end: datetime | None = _dt(nullable=True)
    created_at: datetime = _dt()
    closed_at: datetime | None = _dt(nullable=True)


class TaskHousehold(SQLModel, table=True):
    task_id: str = Field(primary_key=True, foreign_key="task.id", max_length=64)
    household_id: str = Field(primary_key=True, max_length=64, index=True)


# ----------------------------------------------------------------------------- records and sync


class SyncRecord(SQLModel, table=True):
    """Current state of one replicated record. `data_ct` is the encrypted content JSON."""

    __tablename__ = "sync_record"

    entity: str = Field(primary_key=True, max_length=32)
    id: str = Field(primary_key=True, max_length=64)
    version: int
    seq: int = Field(sa_type=sa.BigInteger, index=True)
    household_id: str | None = Field(default=None, index=True, max_length=64)
    grid_id: str | None = Field(default=None, index=True, max_length=64)
    deleted: bool = False
    meta: dict[str, Any] = _json()
    #: HLC of the last accepted write of each field (field names only: not sensitive)
    field_hlcs: dict[str, str] = _json()
    data_ct: bytes = Field(sa_type=sa.LargeBinary)
    created_at: datetime = _dt()
    updated_at: datetime = _dt()


class RecordVersion(SQLModel, table=True):
    """History: one row per accepted change, with the changed values encrypted."""

    __tablename__ = "record_version"

    entity: str = Field(primary_key=True, max_length=32)
    record_id: str = Field(primary_key=True, max_length=64)
    version: int = Field(primary_key=True)
    seq: int = Field(sa_type=sa.BigInteger)
    mutation_id: str | None = Field(default=None, max_length=64)
    user_id: str | None = Field(default=None, max_length=64)
    device_id: str | None = Field(default=None, max_length=64)
    hlc: str | None = Field(default=None, max_length=80)
    changed_fields: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    changed_ct: bytes = Field(sa_type=sa.LargeBinary)
    created_at: datetime = _dt()


class RecordBucket(SQLModel, table=True):
    """Bucket membership of a record, stamped with the seq at which it last changed there.
    `present` false = the record left the bucket at `seq` (pull reports it as removed)."""

    __tablename__ = "record_bucket"
    __table_args__ = (
        sa.Index("ix_record_bucket_bucket_seq", "bucket", "seq"),
        sa.Index("ix_record_bucket_record", "entity", "record_id"),
    )

    bucket: str = Field(primary_key=True, max_length=100)
    entity: str = Field(primary_key=True, max_length=32)
    record_id: str = Field(primary_key=True, max_length=64)
    seq: int = Field(sa_type=sa.BigInteger)
    present: bool = True


class AppliedMutation(SQLModel, table=True):
    """Every mutation the server has answered for, written in the transaction that applied it."""

    __tablename__ = "applied_mutation"

    mutation_id: str = Field(primary_key=True, max_length=64)
    device_id: str = Field(max_length=64)
    entity: str = Field(max_length=32)
    entity_id: str = Field(max_length=64)
    status: str = Field(max_length=16)
    version: int
    conflict_id: str | None = Field(default=None, max_length=64)
    applied_at: datetime = _dt()


class SyncCounter(SQLModel, table=True):
    """The single-row change sequence; see `records.next_seq` for why it is a row."""

    __tablename__ = "sync_counter"

    id: int = Field(primary_key=True)
    value: int = Field(sa_type=sa.BigInteger)


class PersonIndex(SQLModel, table=True):
    """Blind index: HMAC of a member's normalised ID number → member and household."""

    __tablename__ = "person_index"

    member_id: str = Field(primary_key=True, max_length=64)
    blind: str = Field(index=True, max_length=64)
    household_id: str = Field(index=True, max_length=64)


class AttachmentBlob(SQLModel, table=True):
    sha256: str = Field(primary_key=True, max_length=64)
    size: int | None = Field(default=None, sa_type=sa.BigInteger)
    received: int = Field(default=0, sa_type=sa.BigInteger)
    complete: bool = False
    #: initial AES-CTR counter block of this upload's file (fresh per upload attempt)
    ctr_nonce: bytes = Field(sa_type=sa.LargeBinary)
    uploaded_by: str = Field(max_length=64)
    created_at: datetime = _dt()
    completed_at: datetime | None = _dt(nullable=True)


class AttachmentRef(SQLModel, table=True):
    """Which household an attachment belongs to (from `attachment` records); download rights
    follow the household."""

    __tablename__ = "attachment_ref"

    sha256: str = Field(primary_key=True, max_length=64)
    household_id: str = Field(primary_key=True, max_length=64)


# ----------------------------------------------------------------------------- audit


class AuditEntry(SQLModel, table=True):
    __tablename__ = "audit_entry"

    n: int = Field(
        primary_key=True, sa_type=sa.BigInteger, sa_column_kwargs={"autoincrement": False}
    )
    at: datetime = _dt(index=True)
    user_id: str | None = Field(default=None, max_length=64)
    device_id: str | None = Field(default=None, max_length=64)
    action: str = Field(max_length=32)
    entity: str | None = Field(default=None, max_length=32)
    entity_id: str | None = Field(default=None, max_length=64)
    household_id: str | None = Field(default=None, max_length=64, index=True)
    detail: dict[str, Any] = _json()
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)


class AuditHead(SQLModel, table=True):
    __tablename__ = "audit_head"

    id: int = Field(primary_key=True)
    n: int = Field(sa_type=sa.BigInteger)
    last_hash: str = Field(max_length=64)


# ----------------------------------------------------------------------------- public models


class PublicModel(BaseModel):
    model_config = ConfigDict(extra="forbid")


class UserPublic(PublicModel):
    id: str
    username: str
    role: str
    agency_id: str | None
    region_id: str | None
    revoked: bool


class DevicePublic(PublicModel):
    id: str
    user_id: str
    name: str
    revoked: bool


class HouseholdSummaryPublic(PublicModel):
    """A household as listed: plaintext meta only (no sensitive content)."""

    id: str
    version: int
    grid_id: str | None
    meta: dict[str, Any]


class HouseholdListPublic(PublicModel):
    count: int
    households: list[HouseholdSummaryPublic]


class HouseholdDetailPublic(PublicModel):
    """A household with its members and content: a read of sensitive data (audited)."""

    household: dict[str, Any]
    members: list[dict[str, Any]]


class DuplicatePersonPublic(PublicModel):
    """One person (same ID number) found in several households; the number itself is not
    returned."""

    member_ids: list[str]
    household_ids: list[str]


class DuplicateListPublic(PublicModel):
    duplicates: list[DuplicatePersonPublic]


class AuditVerifyPublic(PublicModel):
    ok: bool
    entries: int
    first_bad_entry: int | None
    reason: str | None
