"""SQLModel tables of the local store (schema version `LATEST_SCHEMA_VERSION`).

Plaintext columns hold only what must be queried and is not personal: ids, grid, household id,
status, kind, dates, versions and key ids. Everything else about a record is in `payload`, the
vault envelope of the record's content JSON, bound by its associated data to
(table, "payload", row id, version) so a ciphertext copied to another row or column fails to open.

These classes describe the schema (the migrations in `app.store.migrations` create it with plain
SQL `PRAGMA user_version` steps, and a test checks both agree). Instances never leave
`app.store`: services hand out the frozen read models of `app.models.views`.

`version` is the server's version of the record (0 until the server first accepts it) and the
`base_version` of the next local edit; `seq` is the server's change sequence it came with.
"""

from __future__ import annotations

from sqlalchemy import Index
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

#: The local tables live in their own registry: the server's tables share names (region, …) and
#: both sets are imported in one process by the test suite and by tools.
LOCAL_REGISTRY = registry()


class LocalTable(SQLModel, registry=LOCAL_REGISTRY):
    """Base of every local-store table."""


class VaultMeta(LocalTable, table=True):
    """Key/value facts about the store: vault header, user and device, audit head, clock."""

    __tablename__ = "vault_meta"
    key: str = Field(primary_key=True)
    value: bytes


class WrappedKey(LocalTable, table=True):
    """A per-household (or store-wide) data key wrapped by the master key; deleting it shreds."""

    __tablename__ = "wrapped_key"
    key_id: str = Field(primary_key=True)
    wrapped: bytes
    created_at: str


class RegionRow(LocalTable, table=True):
    """District → street → community → grid; a grid's id is the `grid_id` of its households."""

    __tablename__ = "region"
    id: str = Field(primary_key=True)
    parent_id: str | None = None
    level: str
    version: int = 0
    seq: int = 0
    payload: bytes


class HouseholdRow(LocalTable, table=True):
    """A household; head name, address, registered vs actual residence live in `payload`."""

    __tablename__ = "household"
    # Covering index: unlock lists every household's plaintext meta without reading payloads.
    __table_args__ = (
        Index("ix_household_listing", "id", "grid_id", "status", "category", "next_review"),
    )
    id: str = Field(primary_key=True)
    # No separate grid_id / next_review indexes (dropped in schema 4): filters run on the
    # in-memory listing, and random-order index inserts doubled the pull path's writes.
    grid_id: str
    status: str
    category: str | None = None
    next_review: str | None = None
    version: int = 0
    seq: int = 0
    payload: bytes


class MemberRow(LocalTable, table=True):
    """A family member; `blind_index` = truncated HMAC of the normalised ID number."""

    __tablename__ = "member"
    id: str = Field(primary_key=True)
    household_id: str = Field(index=True)
    blind_index: bytes | None = Field(default=None, index=True)
    version: int = 0
    seq: int = 0
    payload: bytes


class VisitRow(LocalTable, table=True):
    __tablename__ = "visit"
    id: str = Field(primary_key=True)
    household_id: str = Field(index=True)
    kind: str
    status: str
    revision: int = 1
    revision_of: str | None = Field(default=None, index=True)
    visit_date: str | None = None
    completed_at: str | None = None
    signed_by_device: str | None = None
    device_signature: str | None = None
    signature_version: int | None = None
    version: int = 0
    seq: int = 0
    payload: bytes


class TaskRow(LocalTable, table=True):
    __tablename__ = "task"
    id: str = Field(primary_key=True)
    grid_id: str | None = None
    kind: str
    status: str
    deadline: str | None = None
    version: int = 0
    seq: int = 0
    payload: bytes


class ClueRow(LocalTable, table=True):
    __tablename__ = "clue"
    id: str = Field(primary_key=True)
    household_id: str = Field(index=True)
    member_id: str | None = None
    kind: str
    status: str
    version: int = 0
    seq: int = 0
    payload: bytes


class ReviewRow(LocalTable, table=True):
    __tablename__ = "review"
    id: str = Field(primary_key=True)
    household_id: str = Field(index=True)
    visit_id: str = Field(index=True)
    decision: str
    reviewed_at: str | None = None
    version: int = 0
    seq: int = 0
    payload: bytes


class AttachmentRow(LocalTable, table=True):
    """Metadata of an encrypted photo/signature file; `sha256` addresses the plaintext."""

    __tablename__ = "attachment"
    id: str = Field(primary_key=True)
    household_id: str = Field(index=True)
    visit_id: str | None = None
    kind: str
    sha256: str
    size: int
    chunks: int
    present: int = 0  # 1 when the encrypted file is on this laptop
    version: int = 0
    seq: int = 0
    payload: bytes


class PolicyRefRow(LocalTable, table=True):
    __tablename__ = "policy_ref"
    id: str = Field(primary_key=True)
    region_id: str
    effective_from: str
    version: int = 0
    seq: int = 0
    payload: bytes


class ConflictRow(LocalTable, table=True):
    """A same-field conflict the server raised for a supervisor to resolve."""

    __tablename__ = "conflict"
    id: str = Field(primary_key=True)
    household_id: str | None = Field(default=None, index=True)
    target_entity: str
    target_id: str
    status: str
    version: int = 0
    seq: int = 0
    payload: bytes


class OutboxRow(LocalTable, table=True):
    """One local edit waiting for the server; written in the edit's own transaction.

    `fields` names the changed fields (not personal) so a pull can keep pending local values
    without decrypting; `payload` holds the changed values. `state` is `pending` or
    `quarantined` (rejected by the server; kept and shown, never dropped).
    """

    __tablename__ = "outbox"
    seq: int | None = Field(default=None, primary_key=True)
    mutation_id: str = Field(unique=True)
    device_id: str
    entity: str
    entity_id: str = Field(index=True)
    household_id: str | None = None
    base_version: int
    op: str
    fields: str
    hlc: str
    schema_version: int
    created_at: str
    payload: bytes
    state: str = "pending"
    reason: str | None = None


class SyncCheckpoint(LocalTable, table=True):
    __tablename__ = "sync_checkpoint"
    bucket: str = Field(primary_key=True)
    checkpoint: int
    updated_at: str


class AuditRow(LocalTable, table=True):
    """Append-only, hash-chained; holds no personal data (ids and actions only)."""

    __tablename__ = "audit_log"
    seq: int = Field(primary_key=True)
    at: str
    user_id: str
    device_id: str
    action: str
    entity: str
    entity_id: str
    prev_hash: str
    hash: str


class DraftRow(LocalTable, table=True):
    """Autosaved partial content of a visit being edited (recovered after a crash)."""

    __tablename__ = "draft"
    visit_id: str = Field(primary_key=True, foreign_key="visit.id", ondelete="CASCADE")
    household_id: str
    saved_at: str
    payload: bytes


class SearchChunkRow(LocalTable, table=True):
    """Names and addresses of up to `app.store.search.CHUNK_SIZE` households for the in-memory
    search index, one envelope under the store-wide index key (few envelopes to open at unlock)."""

    __tablename__ = "search_chunk"
    chunk_id: int = Field(primary_key=True)
    payload: bytes


ALL_TABLES: tuple[type[LocalTable], ...] = (
    VaultMeta,
    WrappedKey,
    RegionRow,
    HouseholdRow,
    MemberRow,
    VisitRow,
    TaskRow,
    ClueRow,
    ReviewRow,
    AttachmentRow,
    PolicyRefRow,
    ConflictRow,
    OutboxRow,
    SyncCheckpoint,
    AuditRow,
    DraftRow,
    SearchChunkRow,
)
