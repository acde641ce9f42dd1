"""Replicated records: the one write path (`record_change`), the change sequence, pull pages and
bucket checksums.

Change sequence. Pull checkpoints are server sequence numbers, so a pull must never pass over a
change that commits later with a smaller number. We serialise the assignment: `next_seq`
increments a single-row counter (`sync_counter`) with `UPDATE … RETURNING`; the row lock it
takes is held until the transaction commits. A transaction holding seq n therefore commits
before any other can obtain n+1, so whenever a reader sees seq m committed, every smaller seq is
either committed in the same snapshot or rolled back for good (a gap, which is harmless). This
holds for any number of server processes on one PostgreSQL. On SQLite every write transaction
already holds the database lock (`BEGIN IMMEDIATE`). The price is that writing transactions run
one at a time from the moment they touch the counter; pushes keep that part short: they prepare
their changes before (`prepare_change`: merged, sealed) and take the lock only
to check that nothing they read has moved since (`committed_seq`, `changes_after`) and to write
(`write_change`).

Bucket membership is materialised in `record_bucket` with the seq at which the record last
changed in that bucket; a record leaving a bucket keeps a row with `present = false`, which a
pull reports under `removed`.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy import event, update
from sqlalchemy import select as sa_select
from sqlalchemy.orm import ORMExecuteState
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, col, select

from app.errors import ValidationError
from app.idnumber import normalise
from sync.protocol import (
    SCHEMA_VERSION,
    BucketChecksum,
    Entity,
    Record,
    RemovedRecord,
    bucket_checksum,
)
from sync.server.audit import AuditEvent, record_event
from sync.server.bulk import insert_rows
from sync.server.crypto import ServerKeys
from sync.server.models import (
    AttachmentRef,
    PersonIndex,
    RecordBucket,
    RecordVersion,
    SyncCounter,
    SyncRecord,
    utcnow,
)

logger = logging.getLogger(__name__)

_TABLE = "sync_record"
_RECORD_VERSION: sa.Table = RecordVersion.__table__  # type: ignore[attr-defined]
_RECORD_BUCKET: sa.Table = RecordBucket.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Actor:
    """Who made a change (for history and audit); `None` ids for server-internal changes."""

    user_id: str | None
    device_id: str | None


def lock_changes(session: Session) -> None:
    """Take the change-sequence lock now (before reading records to merge), so the reads and
    the writes of this transaction see no concurrent writer in between."""
    session.execute(select(SyncCounter.value).where(SyncCounter.id == 1).with_for_update()).one()


def committed_seq(session: Session) -> int:
    """The last seq handed out by a committed transaction, read without the lock. Every change
    with a seq up to it is committed (see the module docstring): a read made after this one
    sees all of them, and a change it misses gets a larger seq."""
    return int(session.exec(select(SyncCounter.value).where(SyncCounter.id == 1)).one())


def changes_after(seq: int, records: set[tuple[str, str]]) -> sa.ColumnElement[bool]:
    """True when any of `records` (entity, id), existing or not, or its bucket membership
    changed under a seq above `seq`: every change to a record's row or memberships takes a new
    seq. The seq indexes keep it short."""
    if not records:
        return sa.false()
    entities = sorted({entity for entity, _ in records})
    ids = sorted({record_id for _, record_id in records})
    rows = sa.exists().where(
        col(SyncRecord.seq) > seq,
        col(SyncRecord.entity).in_(entities),
        col(SyncRecord.id).in_(ids),
    )
    memberships = sa.exists().where(
        col(RecordBucket.entity).in_(entities),
        col(RecordBucket.record_id).in_(ids),
        col(RecordBucket.seq) > seq,
    )
    return sa.or_(rows, memberships)


_SEQ_POOL = "jiafang_seq_pool"


def reserve_seqs(session: Session, count: int) -> int:
    """Take `count` seqs in one counter update (and the lock with them); `next_seq` hands them
    out until they run out. Unused ones become gaps, which pulls tolerate. Returns the first."""
    statement = (
        update(SyncCounter)
        .where(col(SyncCounter.id) == 1)
        .values(value=SyncCounter.value + count)
        .returning(col(SyncCounter.value))
    )
    last = int(session.execute(statement).scalar_one())
    session.info[_SEQ_POOL] = [last - count + 1, last]
    return last - count + 1


def next_seq(session: Session) -> int:
    pool: list[int] | None = session.info.get(_SEQ_POOL)
    if pool is not None and pool[0] <= pool[1]:
        seq = pool[0]
        pool[0] += 1
        return seq
    statement = (
        update(SyncCounter)
        .where(col(SyncCounter.id) == 1)
        .values(value=SyncCounter.value + 1)
        .returning(col(SyncCounter.value))
    )
    return int(session.execute(statement).scalar_one())


@event.listens_for(OrmSession, "after_commit")
@event.listens_for(OrmSession, "after_rollback")
def _drop_seq_pool(session: OrmSession) -> None:
    # Reserved seqs belong to one transaction; never reuse them after it ends.
    session.info.pop(_SEQ_POOL, None)


_STAGED = "jiafang_staged_rows"


def stage_insert(session: Session, table: sa.Table, row: dict[str, Any]) -> None:
    """Queue a row for a multi-row insert, written before the session's next ORM query and
    before commit (so every query in the transaction still sees it). A push stages several rows
    per mutation; one insert per table instead of one round trip per row is what makes pushes
    fast when the database is a network hop away."""
    session.info.setdefault(_STAGED, {}).setdefault(table, []).append(row)


def flush_staged(session: OrmSession) -> None:
    staged: dict[sa.Table, list[dict[str, Any]]] | None = session.info.pop(_STAGED, None)
    if not staged:
        return
    connection = session.connection()
    for table, rows in staged.items():
        insert_rows(connection, table, rows)


@event.listens_for(OrmSession, "do_orm_execute")
def _flush_staged_before_query(orm_execute_state: ORMExecuteState) -> None:
    flush_staged(orm_execute_state.session)


@event.listens_for(OrmSession, "before_commit")
def _flush_staged_before_commit(session: OrmSession) -> None:
    flush_staged(session)


@event.listens_for(OrmSession, "after_rollback")
def _drop_staged(session: OrmSession) -> None:
    session.info.pop(_STAGED, None)


# ----------------------------------------------------------------------------- prefetch

_MEMBERSHIPS = "jiafang_prefetched_memberships"
_REFS = "jiafang_prefetched_attachment_refs"

#: Extra per-batch lookups (e.g. the eligibility checks of visits), called by `prefetch`.
Prefetcher = Callable[[Session, list[SyncRecord]], None]
PREFETCHERS: list[Prefetcher] = []


def prefetch(session: Session, existing: list[SyncRecord], attachment_shas: set[str]) -> None:
    """Look up, for a whole batch of changes at once, what `record_change` would otherwise ask
    the database for record by record: the bucket memberships of the records that exist and the
    household references of the attachments. Each of those per-record queries also flushed the
    rows staged so far, so a batch of 200 mutations cost several hundred round trips.

    Valid for the current transaction, while none of those records changes: a push either
    holds the change lock or checks with `changed_after` under it before writing.
    """
    memberships: dict[tuple[str, str], list[RecordBucket]] = {
        (r.entity, r.id): [] for r in existing
    }
    if existing:
        entities = sorted({r.entity for r in existing})
        ids = sorted({r.id for r in existing})
        for row in session.exec(
            select(RecordBucket).where(
                col(RecordBucket.entity).in_(entities), col(RecordBucket.record_id).in_(ids)
            )
        ):
            key = (row.entity, row.record_id)
            if key in memberships:
                memberships[key].append(row)
    session.info[_MEMBERSHIPS] = memberships
    prefetch_attachment_refs(session, attachment_shas)
    for extra in PREFETCHERS:
        extra(session, existing)


def prefetch_attachment_refs(session: Session, attachment_shas: set[str]) -> None:
    """The households already referencing each attachment (part of `prefetch`)."""
    refs: dict[str, set[str]] = {sha: set() for sha in attachment_shas}
    if attachment_shas:
        for sha, household_id in session.exec(
            select(AttachmentRef.sha256, AttachmentRef.household_id).where(
                col(AttachmentRef.sha256).in_(sorted(attachment_shas))
            )
        ):
            refs[sha].add(household_id)
    session.info[_REFS] = refs


@event.listens_for(OrmSession, "after_commit")
@event.listens_for(OrmSession, "after_rollback")
def _drop_prefetched(session: OrmSession) -> None:
    session.info.pop(_MEMBERSHIPS, None)
    session.info.pop(_REFS, None)


def record_row_id(entity: str, record_id: str) -> str:
    return f"{entity}/{record_id}"


def open_data(keys: ServerKeys, record: SyncRecord) -> dict[str, Any]:
    data: dict[str, Any] = keys.open(
        record.data_ct,
        table=_TABLE,
        column="data",
        row_id=record_row_id(record.entity, record.id),
        version=record.version,
    )
    return data


def to_wire(keys: ServerKeys, record: SyncRecord, seq: int | None = None) -> Record:
    return Record(
        entity=record.entity,
        id=record.id,
        version=record.version,
        seq=seq if seq is not None else record.seq,
        household_id=record.household_id,
        grid_id=record.grid_id,
        deleted=record.deleted,
        meta=dict(record.meta),
        data={} if record.deleted else open_data(keys, record),
    )


# ----------------------------------------------------------------------------- side effects

SideEffect = Callable[[Session, ServerKeys, SyncRecord, dict[str, Any]], None]


def _index_member(
    session: Session, keys: ServerKeys, record: SyncRecord, data: dict[str, Any]
) -> None:
    existing = session.get(PersonIndex, record.id)
    raw = data.get("id_number")
    blind: str | None = None
    if not record.deleted and isinstance(raw, str) and raw.strip():
        try:
            blind = keys.blind_index(normalise(raw))
        except ValidationError:
            blind = keys.blind_index(raw.strip().upper())
    if blind is None or record.household_id is None:
        if existing is not None:
            session.delete(existing)
        return
    if existing is None:
        session.add(PersonIndex(member_id=record.id, blind=blind, household_id=record.household_id))
    else:
        existing.blind, existing.household_id = blind, record.household_id
        session.add(existing)


def _reference_attachment(
    session: Session, _keys: ServerKeys, record: SyncRecord, _data: dict[str, Any]
) -> None:
    sha = record.meta.get("sha256")
    if not isinstance(sha, str) or not record.household_id or record.deleted:
        return
    known: dict[str, set[str]] | None = session.info.get(_REFS)
    if known is not None and sha in known:
        if record.household_id not in known[sha]:
            known[sha].add(record.household_id)
            session.add(AttachmentRef(sha256=sha, household_id=record.household_id))
        return
    if session.get(AttachmentRef, (sha, record.household_id)) is None:
        session.add(AttachmentRef(sha256=sha, household_id=record.household_id))


#: Per-entity work done in the same transaction as each change (extension point).
SIDE_EFFECTS: dict[str, list[SideEffect]] = {
    Entity.MEMBER: [_index_member],
    Entity.ATTACHMENT: [_reference_attachment],
}


# ----------------------------------------------------------------------------- the write path


@dataclass(frozen=True)
class PreparedChange:
    """The next version of a record, sealed and ready to write (`prepare_change`); everything
    a change needs except its seq, so a push can compute it before taking the change lock."""

    entity: str
    record_id: str
    household_id: str | None
    grid_id: str | None
    meta: dict[str, Any]
    data: dict[str, Any]
    buckets: list[str]
    actor: Actor
    changed_fields: list[str]
    mutation_id: str | None
    hlc: str | None
    field_hlcs: dict[str, str] | None
    deleted: bool
    #: the version this change creates (the current one + 1; 1 for a new record)
    version: int
    data_ct: bytes
    changed_ct: bytes


def prepare_change(
    keys: ServerKeys,
    *,
    entity: str,
    record_id: str,
    household_id: str | None,
    grid_id: str | None,
    meta: dict[str, Any],
    data: dict[str, Any],
    buckets: list[str],
    actor: Actor,
    changed_fields: list[str],
    version: int,
    mutation_id: str | None = None,
    hlc: str | None = None,
    field_hlcs: dict[str, str] | None = None,
    deleted: bool = False,
) -> PreparedChange:
    """Seal version `version` of a record and its history entry (the encryption binds the
    version, not the seq). Writes nothing."""
    row_id = record_row_id(entity, record_id)
    flat = {**meta, **data}
    changed_values = {name: flat.get(name) for name in changed_fields}
    change = PreparedChange(
        entity=entity,
        record_id=record_id,
        household_id=household_id,
        grid_id=grid_id,
        meta=meta,
        data=data,
        buckets=buckets,
        actor=actor,
        changed_fields=changed_fields,
        mutation_id=mutation_id,
        hlc=hlc,
        field_hlcs=field_hlcs,
        deleted=deleted,
        version=version,
        data_ct=keys.seal(data, table=_TABLE, column="data", row_id=row_id, version=version),
        changed_ct=keys.seal(
            changed_values, table="record_version", column="changed", row_id=row_id, version=version
        ),
    )
    return change


def record_change(
    session: Session,
    keys: ServerKeys,
    *,
    entity: str,
    record_id: str,
    household_id: str | None,
    grid_id: str | None,
    meta: dict[str, Any],
    data: dict[str, Any],
    buckets: list[str],
    actor: Actor,
    changed_fields: list[str],
    mutation_id: str | None = None,
    hlc: str | None = None,
    field_hlcs: dict[str, str] | None = None,
    deleted: bool = False,
    prior: SyncRecord | Literal["lookup"] | None = "lookup",
    again_in_transaction: bool = False,
) -> SyncRecord:
    """Write the next version of a record (full `meta` and `data` after the change), its
    history row, its bucket memberships and an audit entry, under a fresh change seq.

    Every change to a replicated record goes through here (or through `prepare_change` and
    `write_change`, its two halves): pushes and any server-side edit (reviews, task and clue
    handling, imports) alike, so pulls, checksums, history and audit stay consistent.
    `again_in_transaction`: the record was written in this transaction already, to the same
    buckets, so its memberships need not be looked up and moved again.
    """
    # `prior`: callers that already hold the current row (or know there is none) pass it in.
    record = session.get(SyncRecord, (entity, record_id)) if prior == "lookup" else prior
    change = prepare_change(
        keys,
        entity=entity,
        record_id=record_id,
        household_id=household_id,
        grid_id=grid_id,
        meta=meta,
        data=data,
        buckets=buckets,
        actor=actor,
        changed_fields=changed_fields,
        version=1 if record is None else record.version + 1,
        mutation_id=mutation_id,
        hlc=hlc,
        field_hlcs=field_hlcs,
        deleted=deleted,
    )
    return write_change(session, keys, change, record, again=again_in_transaction)


def write_change(
    session: Session,
    keys: ServerKeys,
    change: PreparedChange,
    record: SyncRecord | None,
    *,
    new_row: SyncRecord | None = None,
    again: bool = False,
) -> SyncRecord:
    """Write a prepared change over `record` (the current row, None if there is none) under
    the next seq. The change must have been prepared from that very version. `new_row`: an
    unsaved row already built from a creating change (a push builds it before the lock).
    `again`: see `record_change`'s `again_in_transaction`."""
    expected = 1 if record is None else record.version + 1
    if change.version != expected:
        raise RuntimeError(f"prepared version {change.version}, the record needs {expected}")
    seq = next_seq(session)
    now = utcnow()
    entity, record_id, version = change.entity, change.record_id, change.version
    if record is None and new_row is not None:
        if (new_row.entity, new_row.id, new_row.version) != (entity, record_id, version):
            raise RuntimeError("the row given is not the one this change creates")
        record, new_row.seq, new_row.created_at, new_row.updated_at = new_row, seq, now, now
    elif record is None:
        record = SyncRecord(
            entity=entity,
            id=record_id,
            version=version,
            seq=seq,
            household_id=change.household_id,
            grid_id=change.grid_id,
            deleted=change.deleted,
            meta=change.meta,
            field_hlcs=change.field_hlcs or {},
            data_ct=change.data_ct,
            created_at=now,
            updated_at=now,
        )
    else:
        record.version, record.seq, record.updated_at = version, seq, now
        record.household_id, record.grid_id = change.household_id, change.grid_id
        record.deleted = change.deleted
        record.meta = change.meta
        if change.field_hlcs is not None:
            record.field_hlcs = change.field_hlcs
        record.data_ct = change.data_ct
    session.add(record)

    # History and bucket rows are staged for one multi-row insert per table (see stage_insert).
    stage_insert(
        session,
        _RECORD_VERSION,
        {
            "entity": entity,
            "record_id": record_id,
            "version": version,
            "seq": seq,
            "mutation_id": change.mutation_id,
            "user_id": change.actor.user_id,
            "device_id": change.actor.device_id,
            "hlc": change.hlc,
            "changed_fields": sorted(change.changed_fields),
            "changed_ct": change.changed_ct,
            "created_at": now,
        },
    )
    _set_buckets(
        session, entity, record_id, set(change.buckets), seq, new=version == 1, again=again
    )
    for effect in SIDE_EFFECTS.get(entity, []):
        effect(session, keys, record, change.data)
    record_event(
        session,
        AuditEvent(
            action="delete" if change.deleted else ("create" if version == 1 else "change"),
            user_id=change.actor.user_id,
            device_id=change.actor.device_id,
            entity=entity,
            entity_id=record_id,
            household_id=change.household_id,
            detail={"version": version, "seq": seq, "fields": sorted(change.changed_fields)}
            | ({"mutation_id": change.mutation_id} if change.mutation_id else {}),
        ),
    )
    return record


_BUCKETS_SET = "jiafang_buckets_set_in_transaction"


@event.listens_for(OrmSession, "after_commit")
@event.listens_for(OrmSession, "after_rollback")
def _forget_buckets_set(session: OrmSession) -> None:
    session.info.pop(_BUCKETS_SET, None)


def _set_buckets(
    session: Session,
    entity: str,
    record_id: str,
    buckets: set[str],
    seq: int,
    *,
    new: bool = False,
    again: bool = False,
) -> None:
    done: dict[tuple[str, str], frozenset[str]] = session.info.setdefault(_BUCKETS_SET, {})
    if again and done.get((entity, record_id)) == frozenset(buckets):
        # Written a second time in this transaction into the same buckets (a pushed visit the
        # server then marks synced): both versions commit together, so no puller sees the
        # first alone, and the seq its memberships carry places the final version correctly.
        return
    done[(entity, record_id)] = frozenset(buckets)
    rows: list[RecordBucket] = []
    prefetched: dict[tuple[str, str], list[RecordBucket]] | None = session.info.get(_MEMBERSHIPS)
    known = prefetched.pop((entity, record_id), None) if prefetched is not None else None
    if known is not None:
        rows = known
    elif not new:  # a record without a row yet has no memberships either
        rows = list(
            session.exec(
                select(RecordBucket).where(
                    RecordBucket.entity == entity, RecordBucket.record_id == record_id
                )
            )
        )
    by_bucket = {row.bucket: row for row in rows}
    for bucket in sorted(buckets):
        if bucket not in by_bucket:
            stage_insert(
                session,
                _RECORD_BUCKET,
                {
                    "bucket": bucket,
                    "entity": entity,
                    "record_id": record_id,
                    "seq": seq,
                    "present": True,
                },
            )
    for bucket in buckets:
        row = by_bucket.get(bucket)
        if row is not None:
            row.seq, row.present = seq, True
            session.add(row)
    for bucket, row in by_bucket.items():
        if bucket not in buckets and row.present:
            row.seq, row.present = seq, False
            session.add(row)


def add_household_to_bucket(session: Session, household_id: str, bucket: str) -> int:
    """Put every record of a household into `bucket` (e.g. a new task) under fresh seqs, so
    clients already following that bucket receive them. Returns how many records joined."""
    records = session.exec(
        select(SyncRecord).where(col(SyncRecord.household_id) == household_id)
    ).all()
    for record in records:
        seq = next_seq(session)
        row = session.get(RecordBucket, (bucket, record.entity, record.id))
        if row is None:
            session.add(
                RecordBucket(bucket=bucket, entity=record.entity, record_id=record.id, seq=seq)
            )
        else:
            row.seq, row.present = seq, True
            session.add(row)
    return len(records)


def rebucket_household(
    session: Session, household_id: str, grid_id: str | None, buckets: list[str]
) -> None:
    """After a household moved grid: its other records follow it (same version, new seq), so
    pullers of the old grid see them leave and pullers of the new one receive them."""
    records = session.exec(
        select(SyncRecord).where(
            col(SyncRecord.household_id) == household_id,
            col(SyncRecord.entity) != Entity.HOUSEHOLD.value,
        )
    ).all()
    for record in records:
        seq = next_seq(session)
        record.grid_id, record.seq = grid_id, seq
        if "grid_id" in record.meta:
            record.meta = {**record.meta, "grid_id": grid_id}
        session.add(record)
        _set_buckets(session, record.entity, record.id, set(buckets), seq)


# ----------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class PulledPage:
    """A pull page (`sync.protocol.PullPage`) as it goes out. Each record's content stays the
    canonical JSON it was sealed as and is spliced into the answer undecoded: decoding it and
    encoding it again was most of what a pull cost (a completed visit is about 10 KB)."""

    bucket: str
    #: (the record's fields but `data`, its `data` as sealed JSON) in seq order
    records: list[tuple[dict[str, Any], bytes]]
    removed: list[RemovedRecord]
    next_since: int
    has_more: bool

    @property
    def households_with_content(self) -> list[str]:
        """Households whose sensitive content this page carries (for the audit log)."""
        return sorted(
            {
                header["household_id"]
                for header, data in self.records
                if header["household_id"] and data != b"{}"
            }
        )

    def to_json(self) -> bytes:
        parts = [b'{"bucket":', _wire_json(self.bucket), b',"records":[']
        for n, (header, data) in enumerate(self.records):
            # `header` is a non-empty object: its closing brace makes way for `data`.
            content = _content_json(data)
            parts += [b"," if n else b"", _wire_json(header)[:-1], b',"data":', content, b"}"]
        removed = [r.model_dump(mode="json") for r in self.removed]
        parts += [
            b'],"removed":',
            _wire_json(removed),
            b',"next_since":%d,"has_more":%s,"schema_version":%d}'
            % (self.next_since, b"true" if self.has_more else b"false", SCHEMA_VERSION),
        ]
        return b"".join(parts)


def _finite(value: Any) -> Any:
    """`value` with NaN and infinities as null, as pydantic writes them."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, list):
        return [_finite(v) for v in value]
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    return value


def _wire_json(value: Any) -> bytes:
    """Strict JSON (NaN and infinities, which Python's encoder writes, become null)."""
    try:
        encoded = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    except ValueError:
        encoded = json.dumps(_finite(value), ensure_ascii=False, separators=(",", ":"))
    return encoded.encode()


def _content_json(sealed_plaintext: bytes) -> bytes:
    # Sealed with Python's encoder, which writes NaN/Infinity for non-finite floats: only such
    # content (rare, and only where those words occur at all) is decoded and written strictly.
    if b"NaN" in sealed_plaintext or b"Infinity" in sealed_plaintext:
        return _wire_json(json.loads(sealed_plaintext))
    return sealed_plaintext


def pull_page(
    session: Session, keys: ServerKeys, bucket: str, since: int, limit: int
) -> PulledPage:
    """The next `limit` changes of `bucket` after `since`, oldest first.

    Plain columns rather than ORM objects: a page is up to 1,000 rows and building entities
    for them costs more than decrypting them.
    """
    statement = (
        sa_select(
            col(RecordBucket.seq),
            col(RecordBucket.present),
            col(SyncRecord.entity),
            col(SyncRecord.id),
            col(SyncRecord.version),
            col(SyncRecord.household_id),
            col(SyncRecord.grid_id),
            col(SyncRecord.deleted),
            col(SyncRecord.meta),
            col(SyncRecord.data_ct),
        )
        .join(
            SyncRecord,
            (col(SyncRecord.entity) == col(RecordBucket.entity))
            & (col(SyncRecord.id) == col(RecordBucket.record_id)),
        )
        .where(col(RecordBucket.bucket) == bucket, col(RecordBucket.seq) > since)
        .order_by(col(RecordBucket.seq))
        .limit(limit + 1)
    )
    rows = session.execute(statement).all()
    has_more = len(rows) > limit
    rows = rows[:limit]
    records: list[tuple[dict[str, Any], bytes]] = []
    removed: list[RemovedRecord] = []
    for (
        seq,
        present,
        entity,
        record_id,
        version,
        household_id,
        grid_id,
        deleted,
        meta,
        data_ct,
    ) in rows:
        if not present:
            removed.append(RemovedRecord(entity=entity, id=record_id, seq=seq))
            continue
        data = (
            b"{}"
            if deleted
            else keys.open_json(
                data_ct,
                table=_TABLE,
                column="data",
                row_id=record_row_id(entity, record_id),
                version=version,
            )
        )
        header = {
            "entity": entity,
            "id": record_id,
            "version": version,
            "seq": seq,
            "household_id": household_id,
            "grid_id": grid_id,
            "deleted": deleted,
            "meta": meta,
        }
        records.append((header, data))
    next_since = rows[-1][0] if rows else since
    return PulledPage(
        bucket=bucket, records=records, removed=removed, next_since=next_since, has_more=has_more
    )


def checksum(session: Session, bucket: str) -> BucketChecksum:
    # One statement, one snapshot: the items and `as_of_seq` agree even while others write.
    statement = (
        sa_select(
            col(RecordBucket.entity),
            col(RecordBucket.record_id),
            col(SyncRecord.version),
            col(RecordBucket.seq),
            col(RecordBucket.present),
            col(SyncRecord.deleted),
        )
        .join(
            SyncRecord,
            (col(SyncRecord.entity) == col(RecordBucket.entity))
            & (col(SyncRecord.id) == col(RecordBucket.record_id)),
        )
        .where(col(RecordBucket.bucket) == bucket)
    )
    items: list[tuple[str, str, int]] = []
    as_of = 0
    for entity, record_id, version, seq, present, deleted in session.execute(statement):
        as_of = max(as_of, seq)
        if present and not deleted:
            items.append((entity, record_id, version))
    count, digest = bucket_checksum(items)
    return BucketChecksum(bucket=bucket, count=count, hash=digest, as_of_seq=as_of)
