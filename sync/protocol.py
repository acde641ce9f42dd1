"""Versioned wire schemas shared by the sync client and the central server.

Shapes follow `notes/sync_records.md`: a record is a flat field space split into plaintext `meta`
(ids, grid, status, kind, dates, revision) and sensitive `data` (the top-level keys of the
matching `app.domain` content model). Both ends split a flat `changed` dict with
`split_fields`, so a field lands on the same side everywhere.

Every request carries `X-Jiafang-Schema-Version` and `X-Jiafang-App-Version`; the server accepts
the current schema version and the previous two (`SUPPORTED_SCHEMA_VERSIONS`), upgrading older
payloads, and tells an older client to upgrade (`upgrade_required`) while still applying its
queued mutations. Errors always come back as `ErrorBody` with a stable `code`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Final, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

#: The wire schema this code speaks. Bump it when a record's field space changes meaning.
#: 2: a completed visit carries its device signature (`signed_by_device`, `device_signature`,
#: `signature_version`; see `app.crypto.visit_signature`). A schema-1 mutation has none, so its
#: completed visits are recorded as unsigned; a schema-1 server would keep the signature among
#: a visit's content fields, which laptops then refuse, hence the bump.
SCHEMA_VERSION: Final = 2
#: The server accepts the current version and the previous two (older payloads are upgraded).
SUPPORTED_SCHEMA_VERSIONS: Final[frozenset[int]] = frozenset(
    range(max(1, SCHEMA_VERSION - 2), SCHEMA_VERSION + 1)
)

HEADER_SCHEMA_VERSION: Final = "X-Jiafang-Schema-Version"
HEADER_APP_VERSION: Final = "X-Jiafang-App-Version"

#: Push limits (DESIGN §4): at most this many mutations or bytes (compressed and decompressed).
MAX_PUSH_MUTATIONS: Final = 200
MAX_PUSH_BYTES: Final = 1_000_000
#: Pull page size bounds.
DEFAULT_PULL_LIMIT: Final = 500
MAX_PULL_LIMIT: Final = 1000
#: Largest attachment chunk accepted in one PUT, and the largest attachment.
MAX_ATTACHMENT_CHUNK: Final = 4 * 1024 * 1024
MAX_ATTACHMENT_SIZE: Final = 64 * 1024 * 1024
#: Largest have-check batch.
MAX_HAVE_BATCH: Final = 1000


def _json_integer(value: object) -> object:
    # JSON Schema's integer: a number without fraction (`3` or `3.0`), never `true` or `"3"`.
    if isinstance(value, bool | str | bytes):
        raise ValueError("must be a JSON integer")
    return value


JsonInt = Annotated[int, BeforeValidator(_json_integer)]
Sha256Hex = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
Identifier = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:\-]+$")]


class Entity(StrEnum):
    REGION = "region"
    HOUSEHOLD = "household"
    MEMBER = "member"
    VISIT = "visit"
    TASK = "task"
    CLUE = "clue"
    REVIEW = "review"
    ATTACHMENT = "attachment"
    POLICY_REF = "policy_ref"
    CONFLICT = "conflict"


class Op(StrEnum):
    UPSERT = "upsert"
    DELETE = "delete"


class MutationStatus(StrEnum):
    APPLIED = "applied"
    DUPLICATE = "duplicate"  # this mutation_id was applied before: acknowledged, not re-applied
    CONFLICT = "conflict"  # applied with a same-field clash; see server_values and conflict_id
    REJECTED = "rejected"  # not applied; `reason` says why (the client quarantines it)


class ErrorCode(StrEnum):
    """Stable codes in `ErrorBody.code` and in rejected mutations' `reason`."""

    INVALID_CREDENTIALS = "invalid_credentials"  # unknown user OR wrong password: same answer
    LOCKED = "locked"  # too many failures; retry after `detail.retry_after_s`
    UNAUTHENTICATED = "unauthenticated"  # no or unknown access token
    TOKEN_EXPIRED = "token_expired"  # access token expired: refresh
    TOKEN_REUSED = "token_reused"  # an old refresh token came back: the family is revoked
    REVOKED = "revoked"  # device or user revoked: the client wipes its local data
    FORBIDDEN = "forbidden"
    NOT_FOUND = "not_found"
    MALFORMED_JSON = "malformed_json"
    INVALID_REQUEST = "invalid_request"
    PAYLOAD_TOO_LARGE = "payload_too_large"
    UNSUPPORTED_ENCODING = "unsupported_encoding"
    SCHEMA_UNSUPPORTED = "schema_unsupported"  # older than the two previous versions
    SCHEMA_TOO_NEW = "schema_too_new"  # the server is older than the client
    CHECKSUM_MISMATCH = "checksum_mismatch"  # an attachment's bytes do not hash to its name
    OFFSET_MISMATCH = "offset_mismatch"  # chunk does not start where the upload stands
    RANGE_NOT_SATISFIABLE = "range_not_satisfiable"  # a download Range past the attachment's end
    DEVICE_MISMATCH = "device_mismatch"
    # reasons of rejected mutations
    ENTITY_NOT_PUSHABLE = "entity_not_pushable"
    UNKNOWN_RECORD = "unknown_record"
    UNKNOWN_HOUSEHOLD = "unknown_household"
    BASE_VERSION_AHEAD = "base_version_ahead"
    RECORD_DELETED = "record_deleted"
    IMMUTABLE = "immutable"  # a completed visit's content cannot change; make a revision
    INVALID_FIELDS = "invalid_fields"


#: Plaintext fields per entity. Every other field of a record is sensitive content: it travels
#: in `data` and the server stores it encrypted. Deny by default: a field missing here is
#: treated as sensitive, never the other way round.
_COMMON_META: Final = frozenset(
    {
        "grid_id",
        "household_id",
        "status",
        "kind",
        "revision",
        "revision_of",
        "created_at",
        "updated_at",
        "author_id",
        "task_id",
    }
)
META_FIELDS: Final[dict[str, frozenset[str]]] = {
    Entity.REGION: _COMMON_META | {"level", "parent_id", "name"},
    Entity.HOUSEHOLD: _COMMON_META | {"category", "next_review"},
    Entity.MEMBER: _COMMON_META,
    Entity.VISIT: _COMMON_META
    | {"visit_date", "completed_at", "signed_by_device", "device_signature", "signature_version"},
    Entity.TASK: _COMMON_META | {"deadline", "agency_id", "assignee_id"},
    Entity.CLUE: _COMMON_META | {"member_id", "closed_at", "visit_id"},
    Entity.REVIEW: _COMMON_META | {"visit_id", "decision", "reviewer_id", "decided_at"},
    Entity.ATTACHMENT: _COMMON_META | {"sha256", "size", "mime", "visit_id", "attachment_kind"},
    Entity.POLICY_REF: _COMMON_META | {"region_id", "effective_from", "policy_name"},
    Entity.CONFLICT: _COMMON_META
    | {
        "subject_entity",
        "subject_id",
        "fields",
        "mutation_id",
        "resolution",
        "resolved_by",
        "resolved_at",
    },
}


def split_fields(entity: str, flat: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Split a flat field dict into (plaintext meta, sensitive data) for `entity`."""
    meta_names = META_FIELDS.get(entity, _COMMON_META)
    meta = {k: v for k, v in flat.items() if k in meta_names}
    data = {k: v for k, v in flat.items() if k not in meta_names}
    return meta, data


class WireModel(BaseModel):
    model_config = ConfigDict(extra="forbid")


# ----------------------------------------------------------------------------- errors


class ErrorBody(WireModel):
    """The body of every 4xx/5xx answer."""

    code: str
    message_zh: str
    message_en: str
    detail: dict[str, Any] | None = None


# ----------------------------------------------------------------------------- auth


class DeviceRegistrationRequest(WireModel):
    """First contact of a laptop: the user's credentials and the device's Ed25519 public key."""

    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)
    #: raw 32-byte Ed25519 public key, base64 (standard alphabet)
    public_key: str = Field(min_length=40, max_length=64)
    name: str = Field(default="", max_length=100)


class LoginRequest(WireModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)
    device_id: Identifier


class RefreshRequest(WireModel):
    refresh_token: str = Field(min_length=16, max_length=200)
    device_id: Identifier


class TokenPair(WireModel):
    access_token: str
    refresh_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int  # seconds until the access token expires
    refresh_expires_in: int
    user_id: str
    device_id: str
    role: str


class MePublic(WireModel):
    user_id: str
    username: str
    role: str
    device_id: str
    buckets: list[str]


# ----------------------------------------------------------------------------- records


class Record(WireModel):
    """A record as a pull page delivers it."""

    entity: str
    id: str
    version: int = Field(ge=1)
    seq: int = Field(ge=1)
    household_id: str | None = None
    grid_id: str | None = None
    deleted: bool = False
    meta: dict[str, Any] = Field(default_factory=dict)
    data: dict[str, Any] = Field(default_factory=dict)


class RemovedRecord(WireModel):
    """A record that left the pulled bucket (e.g. its household moved grid): purge it locally
    unless another of the client's buckets still holds it."""

    entity: str
    id: str
    seq: int = Field(ge=1)


class Mutation(WireModel):
    mutation_id: Identifier
    device_id: Identifier
    entity: str = Field(min_length=1, max_length=32)
    entity_id: Identifier
    household_id: Identifier | None = None
    base_version: JsonInt = Field(ge=0)
    op: Op
    changed: dict[str, Any] = Field(default_factory=dict)
    hlc: str = Field(min_length=1, max_length=80)
    schema_version: JsonInt = Field(ge=0)


class PushRequest(WireModel):
    mutations: list[Mutation] = Field(min_length=1, max_length=MAX_PUSH_MUTATIONS)


class MutationResult(WireModel):
    mutation_id: str
    status: MutationStatus
    #: the record's server version after this mutation (applied, duplicate, conflict)
    version: int | None = None
    #: the values the server now holds for the clashing fields (conflict)
    server_values: dict[str, Any] | None = None
    #: id of the conflict item that keeps the other value (conflict)
    conflict_id: str | None = None
    #: an `ErrorCode` value (rejected)
    reason: str | None = None
    message_en: str | None = None
    message_zh: str | None = None


class PushResponse(WireModel):
    results: list[MutationResult]
    schema_version: int = SCHEMA_VERSION
    #: the client speaks an older schema version: tell the user to upgrade
    upgrade_required: bool = False


class PullPage(WireModel):
    bucket: str
    records: list[Record]
    removed: list[RemovedRecord] = Field(default_factory=list)
    #: checkpoint for the next request (`since`); store it with the page in one transaction
    next_since: int
    has_more: bool
    schema_version: int = SCHEMA_VERSION


class BucketList(WireModel):
    buckets: list[str]


class LeaseGrant(WireModel):
    """A server-signed offline lease (`app.lease`): `payload` is the lease's canonical JSON and
    `signature` the server's Ed25519 signature over it, both base64. `public_key` names the
    signing key (raw 32 bytes, base64): a laptop pins it at registration and refuses a lease
    signed by any other key. `expires_at` repeats the signed expiry for display only."""

    payload: str
    signature: str
    public_key: str
    expires_at: datetime


class BucketChecksum(WireModel):
    bucket: str
    count: int
    hash: str
    #: highest seq in the bucket when the checksum was taken; compare after pulling up to it
    as_of_seq: int


def bucket_checksum(items: Iterable[tuple[str, str, int]]) -> tuple[int, str]:
    """Count and SHA-256 over `(entity, id, version)` of the live records of a bucket.

    Both ends compute it the same way: sorted by (entity, id), one line `entity:id:version\\n`
    each. Deleted records are not included.
    """
    rows = sorted(items)
    digest = hashlib.sha256()
    for entity, record_id, version in rows:
        digest.update(f"{entity}:{record_id}:{version}\n".encode())
    return len(rows), digest.hexdigest()


# ----------------------------------------------------------------------------- attachments


class AttachmentHaveRequest(WireModel):
    sha256s: list[Sha256Hex] = Field(max_length=MAX_HAVE_BATCH)


class AttachmentHaveResponse(WireModel):
    #: the hashes the server has no complete copy of: upload these
    missing: list[str]


class AttachmentOffset(WireModel):
    """Where a resumable upload stands: send the next chunk at `offset`."""

    sha256: str
    offset: int
    size: int | None = None
    complete: bool


# ----------------------------------------------------------------------------- health


class Health(WireModel):
    status: Literal["ok"] = "ok"
    schema_version: int = SCHEMA_VERSION
    supported_schema_versions: list[int]
    database: str
