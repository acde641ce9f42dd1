"""Applying a pushed batch: idempotence, authorisation, schema upgrades and per-field merge.

Idempotence: a mutation id answered before gets `duplicate` (with the version it produced) and
changes nothing; the id is recorded in the same transaction that applies the mutation, so a
batch whose response was lost can be sent again safely.

Merge rule (DESIGN §4). A mutation names its `base_version` and only the fields it changed.
Fields nobody else changed since that version are applied. For a field that the server also
changed since `base_version` (to a different value), the value with the later hybrid logical
clock wins (ties broken by the HLC string, which ends in the device id, so every server decides
the same way); the losing value is not dropped: it goes into a new `conflict` record (bucketed
with the household, so the supervisor sees it) and the answer is `conflict` with the values
the server now holds and the conflict's id. A completed visit's content is immutable: only its
status may move along the visit lifecycle; corrections are new revisions.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from app.domain import Role, VisitStatus, check_visit_transition
from app.errors import ValidationError
from sync.protocol import (
    SCHEMA_VERSION,
    SUPPORTED_SCHEMA_VERSIONS,
    Entity,
    ErrorCode,
    Mutation,
    MutationResult,
    MutationStatus,
    Op,
    PushRequest,
    PushResponse,
    split_fields,
)
from sync.server.authz import (
    Principal,
    buckets_for,
    buckets_of,
    can_write,
    open_tasks_of_household,
    open_tasks_of_households,
)
from sync.server.bodies import nul_location
from sync.server.crypto import ServerKeys
from sync.server.ids import uuid7
from sync.server.models import AppliedMutation, RecordVersion, Region, SyncRecord, utcnow
from sync.server.records import (
    Actor,
    open_data,
    prefetch,
    rebucket_household,
    record_change,
    reserve_seqs,
    stage_insert,
)

logger = logging.getLogger(__name__)

#: Entities a device may push. Tasks, clues, reviews, regions and policies are server-side.
PUSHABLE = frozenset(
    {Entity.HOUSEHOLD, Entity.MEMBER, Entity.VISIT, Entity.ATTACHMENT, Entity.CONFLICT}
)
#: Only these roles may touch conflict items (resolve them).
CONFLICT_RESOLVERS = frozenset({Role.SUPERVISOR, Role.ADMIN})
#: Field names a mutation may not set: they belong to the server's bookkeeping.
RESERVED_FIELDS = frozenset({"id", "entity", "version", "seq", "deleted", "meta", "data"})
#: Visit statuses after which the content is frozen.
FROZEN_VISIT_STATUSES = frozenset(s.value for s in VisitStatus if s is not VisitStatus.DRAFT)

#: Schema upgrades: `UPGRADERS[v]` turns a mutation of schema v into one of schema v + 1.
UPGRADERS: dict[int, Callable[[Mutation], Mutation]] = {}


class _RejectedError(Exception):
    def __init__(self, reason: ErrorCode, message_en: str, message_zh: str) -> None:
        super().__init__(message_en)
        self.reason, self.message_en, self.message_zh = reason, message_en, message_zh


def upgrade_mutation(mutation: Mutation) -> Mutation:
    """Bring a mutation of a supported older schema to the current one."""
    if mutation.schema_version > SCHEMA_VERSION:
        raise _RejectedError(
            ErrorCode.SCHEMA_TOO_NEW, "The server is older than this client", "服务器版本低于客户端"
        )
    if mutation.schema_version not in SUPPORTED_SCHEMA_VERSIONS:
        raise _RejectedError(
            ErrorCode.SCHEMA_UNSUPPORTED,
            "This schema version is too old; upgrade the app",
            "数据版本过旧，请升级软件",
        )
    while mutation.schema_version < SCHEMA_VERSION:
        mutation = UPGRADERS[mutation.schema_version](mutation)
    return mutation


@dataclass
class _Clash:
    field: str
    kept: Any
    other: Any
    kept_hlc: str
    other_hlc: str
    other_source: str  # "incoming" or "server"


@dataclass(frozen=True)
class _Answer:
    version: int
    conflict_id: str | None


@dataclass
class _Batch:
    """What one push transaction has learnt so far: fewer round trips per mutation.

    Grids and the households' open tasks are looked up for the whole batch at once; a query per
    mutation would also make the session flush the previous mutation's record first, one round
    trip more each. Both are strong references: the session's identity map alone is weak and
    would let the regions go and be fetched again.
    """

    answered: dict[str, _Answer]
    #: current rows by (entity, id); a key mapped to None is known not to exist
    records: dict[tuple[str, str], SyncRecord | None]
    #: regions by id; None: known not to exist
    regions: dict[str, Region | None] = field(default_factory=dict)
    #: open task ids by household id, for every household looked up
    open_tasks: dict[str, list[str]] = field(default_factory=dict)
    buckets: dict[tuple[str | None, str | None], list[str]] = field(default_factory=dict)

    def record(self, session: Session, entity: str, record_id: str) -> SyncRecord | None:
        key = (entity, record_id)
        if key not in self.records:
            self.records[key] = session.get(SyncRecord, key)
        return self.records[key]

    def region(self, session: Session, region_id: str) -> Region | None:
        if region_id not in self.regions:
            self.regions[region_id] = session.get(Region, region_id)
        return self.regions[region_id]

    def record_buckets(
        self, session: Session, grid_id: str | None, household_id: str | None
    ) -> list[str]:
        key = (grid_id, household_id)
        if key not in self.buckets:
            region = self.region(session, grid_id) if grid_id is not None else None
            tasks: list[str] = []
            if household_id is not None:
                if household_id not in self.open_tasks:
                    self.open_tasks[household_id] = open_tasks_of_household(session, household_id)
                tasks = self.open_tasks[household_id]
            self.buckets[key] = buckets_of(region.path if region is not None else None, tasks)
        return self.buckets[key]


def _load_batch(session: Session, mutations: list[Mutation]) -> _Batch:
    mutation_ids = sorted({m.mutation_id for m in mutations})
    answered = {
        row.mutation_id: _Answer(row.version, row.conflict_id)
        for row in session.exec(
            select(AppliedMutation).where(col(AppliedMutation.mutation_id).in_(mutation_ids))
        )
    }
    ids = sorted(
        {m.entity_id for m in mutations} | {m.household_id for m in mutations if m.household_id}
    )
    found = {
        (row.entity, row.id): row
        for row in session.exec(select(SyncRecord).where(col(SyncRecord.id).in_(ids)))
    }
    records: dict[tuple[str, str], SyncRecord | None] = dict(found)
    for mutation in mutations:
        records.setdefault((mutation.entity, mutation.entity_id), None)
        if mutation.household_id:
            records.setdefault((Entity.HOUSEHOLD.value, mutation.household_id), None)
    # Every grid and household the batch may touch (unknown ones are looked up lazily).
    grid_ids = {r.grid_id for r in found.values() if r.grid_id}
    household_ids = {r.household_id for r in found.values() if r.household_id}
    for mutation in mutations:
        if mutation.household_id:
            household_ids.add(mutation.household_id)
        if mutation.entity == Entity.HOUSEHOLD:
            household_ids.add(mutation.entity_id)
            grid_id = mutation.changed.get("grid_id")
            if isinstance(grid_id, str):
                grid_ids.add(grid_id)
    regions: dict[str, Region | None] = dict.fromkeys(grid_ids)
    if grid_ids:
        for region in session.exec(select(Region).where(col(Region.id).in_(sorted(grid_ids)))):
            regions[region.id] = region
    open_tasks: dict[str, list[str]] = {h: [] for h in household_ids}
    open_tasks.update(open_tasks_of_households(session, household_ids))
    shas = {
        sha
        for sha in [m.changed.get("sha256") for m in mutations if m.entity == Entity.ATTACHMENT]
        + [r.meta.get("sha256") for r in found.values() if r.entity == Entity.ATTACHMENT]
        if isinstance(sha, str)
    }
    prefetch(session, list(found.values()), shas)
    return _Batch(answered=answered, records=records, regions=regions, open_tasks=open_tasks)


def _nul_in_the_clear(mutation: Mutation) -> bool:
    """Whether a NUL character is in what the server stores unencrypted (the meta fields, the
    clock, the entity name): PostgreSQL cannot store it, so the mutation is rejected on its own
    (content fields are encrypted and kept exactly as sent, NUL or not)."""
    meta, _content = split_fields(mutation.entity, mutation.changed)
    return "\x00" in mutation.hlc + mutation.entity or nul_location(meta) is not None


def apply_push(
    session: Session,
    keys: ServerKeys,
    principal: Principal,
    request: PushRequest,
    client_schema_version: int | None,
    now: datetime,
) -> PushResponse:
    """Apply a batch in one transaction and commit it; one result per mutation, in order."""
    # Takes the change lock first (see records.py), with enough seqs for the batch and a
    # conflict item per mutation.
    reserve_seqs(session, 2 * len(request.mutations))
    buckets = buckets_for(session, principal, now)
    actor = Actor(principal.user_id, principal.device_id)
    unstorable = {i for i, m in enumerate(request.mutations) if _nul_in_the_clear(m)}
    batch = _load_batch(
        session, [m for i, m in enumerate(request.mutations) if i not in unstorable]
    )
    results: list[MutationResult] = []
    for index, mutation in enumerate(request.mutations):
        try:
            if index in unstorable:
                raise _RejectedError(
                    ErrorCode.INVALID_FIELDS,
                    "A field the server keeps in the clear contains a NUL character",
                    "明文字段包含空字符（NUL）",
                )
            results.append(_apply_one(session, keys, principal, buckets, actor, mutation, batch))
        except _RejectedError as rejection:
            results.append(
                MutationResult(
                    mutation_id=mutation.mutation_id,
                    status=MutationStatus.REJECTED,
                    reason=rejection.reason.value,
                    message_en=rejection.message_en,
                    message_zh=rejection.message_zh,
                )
            )
    session.commit()
    counts: dict[str, int] = {}
    for result in results:
        counts[result.status.value] = counts.get(result.status.value, 0) + 1
    logger.info("push applied: %s", counts)
    oldest = min(
        [m.schema_version for m in request.mutations] + [client_schema_version or SCHEMA_VERSION]
    )
    return PushResponse(results=results, upgrade_required=oldest < SCHEMA_VERSION)


def _apply_one(
    session: Session,
    keys: ServerKeys,
    principal: Principal,
    buckets: frozenset[str],
    actor: Actor,
    mutation: Mutation,
    batch: _Batch,
) -> MutationResult:
    answered = batch.answered.get(mutation.mutation_id)
    if answered is not None:
        return MutationResult(
            mutation_id=mutation.mutation_id,
            status=MutationStatus.DUPLICATE,
            version=answered.version,
            conflict_id=answered.conflict_id,
        )
    if mutation.device_id != principal.device_id:
        raise _RejectedError(
            ErrorCode.DEVICE_MISMATCH, "Mutation from another device", "变更来自其他设备"
        )
    mutation = upgrade_mutation(mutation)
    entity = mutation.entity
    if entity not in PUSHABLE or (
        entity == Entity.CONFLICT and principal.role not in CONFLICT_RESOLVERS
    ):
        raise _RejectedError(
            ErrorCode.ENTITY_NOT_PUSHABLE,
            f"'{entity}' records cannot be pushed",
            "此类记录不能由设备提交",
        )
    bad = sorted(
        name for name in mutation.changed if name in RESERVED_FIELDS or name.startswith("_")
    )
    if bad:
        raise _RejectedError(
            ErrorCode.INVALID_FIELDS, f"Reserved field names: {', '.join(bad)}", "包含保留字段名"
        )

    existing = batch.record(session, entity, mutation.entity_id)
    existing_grid = existing.grid_id if existing is not None else None
    household_id, grid_id, old_buckets = _place(session, mutation, existing, batch)
    target = batch.record_buckets(session, grid_id, household_id)
    if not can_write(principal, buckets, target) or (
        old_buckets and not can_write(principal, buckets, old_buckets)
    ):
        raise _RejectedError(
            ErrorCode.FORBIDDEN, "Not allowed to change this record", "无权修改此记录"
        )

    if existing is None:
        if mutation.base_version != 0 or mutation.op is Op.DELETE:
            raise _RejectedError(
                ErrorCode.UNKNOWN_RECORD, "The server has no such record", "服务器上没有此记录"
            )
        current: dict[str, Any] = {}
        server_changed: set[str] = set()
        field_hlcs: dict[str, str] = {}
    else:
        if existing.deleted:
            raise _RejectedError(
                ErrorCode.RECORD_DELETED,
                "The record was deleted on the server",
                "此记录已在服务器上删除",
            )
        if mutation.base_version > existing.version:
            raise _RejectedError(
                ErrorCode.BASE_VERSION_AHEAD,
                "Base version is newer than the server's",
                "基准版本高于服务器版本",
            )
        current = {**existing.meta, **open_data(keys, existing)}
        server_changed = _changed_since(session, existing, mutation.base_version)
        field_hlcs = dict(existing.field_hlcs)

    if entity == Entity.VISIT and existing is not None:
        _check_visit_frozen(existing, mutation)

    if mutation.op is Op.DELETE:
        assert existing is not None  # checked above
        meta, data = split_fields(entity, current)
        record = record_change(
            session,
            keys,
            entity=entity,
            record_id=mutation.entity_id,
            household_id=household_id,
            grid_id=grid_id,
            meta=meta,
            data=data,
            buckets=target,
            actor=actor,
            changed_fields=[],
            mutation_id=mutation.mutation_id,
            hlc=mutation.hlc,
            deleted=True,
            prior=existing,
        )
        return _answer(session, batch, mutation, MutationStatus.APPLIED, record.version)

    merged = dict(current)
    applied_fields: list[str] = []
    clashes: list[_Clash] = []
    for name, value in mutation.changed.items():
        if name in server_changed and current.get(name) != value:
            server_hlc = field_hlcs.get(name, "")
            if mutation.hlc > server_hlc:
                clashes.append(
                    _Clash(name, value, current.get(name), mutation.hlc, server_hlc, "server")
                )
            else:
                clashes.append(
                    _Clash(name, current.get(name), value, server_hlc, mutation.hlc, "incoming")
                )
                continue
        merged[name] = value
        field_hlcs[name] = mutation.hlc
        applied_fields.append(name)
    if entity == Entity.HOUSEHOLD:
        merged["grid_id"] = grid_id
    if household_id is not None and entity != Entity.HOUSEHOLD:
        merged["household_id"] = household_id

    version = existing.version if existing is not None else 0
    if applied_fields or existing is None:
        meta, data = split_fields(entity, merged)
        record = record_change(
            session,
            keys,
            entity=entity,
            record_id=mutation.entity_id,
            household_id=household_id,
            grid_id=grid_id,
            meta=meta,
            data=data,
            buckets=target,
            actor=actor,
            changed_fields=applied_fields,
            mutation_id=mutation.mutation_id,
            hlc=mutation.hlc,
            field_hlcs=field_hlcs,
            prior=existing,
        )
        batch.records[(entity, mutation.entity_id)] = record
        version = record.version
        if entity == Entity.HOUSEHOLD and existing is not None and existing_grid != grid_id:
            rebucket_household(session, mutation.entity_id, grid_id, target)
    if not clashes:
        return _answer(session, batch, mutation, MutationStatus.APPLIED, version)
    conflict_id = _raise_conflict(
        session, keys, actor, mutation, household_id, grid_id, target, clashes
    )
    return _answer(
        session,
        batch,
        mutation,
        MutationStatus.CONFLICT,
        version,
        conflict_id=conflict_id,
        server_values={c.field: c.kept for c in clashes},
    )


def _place(
    session: Session, mutation: Mutation, existing: SyncRecord | None, batch: _Batch
) -> tuple[str | None, str | None, list[str]]:
    """(household_id, grid_id, the record's current buckets) for the record after the change."""
    if mutation.entity == Entity.HOUSEHOLD:
        grid_id = mutation.changed.get("grid_id", existing.grid_id if existing else None)
        if not isinstance(grid_id, str):
            raise _RejectedError(
                ErrorCode.INVALID_FIELDS, "A household needs a grid_id", "住户必须属于一个网格"
            )
        grid = batch.region(session, grid_id)
        if grid is None or grid.level != "grid":
            raise _RejectedError(ErrorCode.INVALID_FIELDS, "Unknown grid", "网格不存在")
        old = batch.record_buckets(session, existing.grid_id, existing.id) if existing else []
        return mutation.entity_id, grid_id, old
    household_id = existing.household_id if existing is not None else mutation.household_id
    asked = mutation.household_id or mutation.changed.get("household_id")
    if asked is not None and asked != household_id:
        raise _RejectedError(
            ErrorCode.INVALID_FIELDS,
            "A record cannot move to another household",
            "记录不能移到其他住户",
        )
    if household_id is None:
        raise _RejectedError(ErrorCode.UNKNOWN_HOUSEHOLD, "The household is missing", "缺少住户")
    household = batch.record(session, Entity.HOUSEHOLD.value, household_id)
    if household is None or household.deleted:
        raise _RejectedError(
            ErrorCode.UNKNOWN_HOUSEHOLD, "The server has no such household", "服务器上没有此住户"
        )
    return household_id, household.grid_id, []


def _changed_since(session: Session, record: SyncRecord, base_version: int) -> set[str]:
    if base_version >= record.version:
        return set()
    rows = session.exec(
        select(RecordVersion.changed_fields).where(
            RecordVersion.entity == record.entity,
            RecordVersion.record_id == record.id,
            col(RecordVersion.version) > base_version,
        )
    )
    changed: set[str] = set()
    for names in rows:
        changed.update(names)
    if base_version == 0:
        # The client never saw this record: everything it holds counts as changed.
        changed.update(record.meta)
    return changed


def _check_visit_frozen(existing: SyncRecord, mutation: Mutation) -> None:
    status = existing.meta.get("status")
    if status not in FROZEN_VISIT_STATUSES:
        return
    if mutation.op is Op.DELETE or set(mutation.changed) - {"status", "updated_at"}:
        raise _RejectedError(
            ErrorCode.IMMUTABLE,
            "A completed visit cannot change; start a new revision",
            "已完成的走访记录不能修改，请新建修订",
        )
    new_status = mutation.changed.get("status", status)
    if new_status != status:
        try:
            check_visit_transition(VisitStatus(status), VisitStatus(new_status))
        except (ValueError, ValidationError) as exc:
            raise _RejectedError(
                ErrorCode.IMMUTABLE, "This status change is not allowed", "不允许此状态变更"
            ) from exc


def _raise_conflict(
    session: Session,
    keys: ServerKeys,
    actor: Actor,
    mutation: Mutation,
    household_id: str | None,
    grid_id: str | None,
    buckets: list[str],
    clashes: list[_Clash],
) -> str:
    conflict_id = uuid7()
    meta = {
        "status": "open",
        "subject_entity": mutation.entity,
        "subject_id": mutation.entity_id,
        "fields": [c.field for c in clashes],
        "mutation_id": mutation.mutation_id,
        "household_id": household_id,
        "grid_id": grid_id,
    }
    data = {
        "clashes": {
            c.field: {
                "kept": c.kept,
                "other": c.other,
                "kept_hlc": c.kept_hlc,
                "other_hlc": c.other_hlc,
                "other_source": c.other_source,
                "other_device_id": mutation.device_id if c.other_source == "incoming" else None,
            }
            for c in clashes
        }
    }
    record_change(
        session,
        keys,
        entity=Entity.CONFLICT.value,
        record_id=conflict_id,
        household_id=household_id,
        grid_id=grid_id,
        meta=meta,
        data=data,
        buckets=buckets,
        actor=actor,
        changed_fields=sorted({*meta, *data}),
        mutation_id=None,
        hlc=mutation.hlc,
    )
    logger.info("conflict raised on %s fields: %d", mutation.entity, len(clashes))
    return conflict_id


def _answer(
    session: Session,
    batch: _Batch,
    mutation: Mutation,
    status: MutationStatus,
    version: int,
    *,
    conflict_id: str | None = None,
    server_values: dict[str, Any] | None = None,
) -> MutationResult:
    stage_insert(
        session,
        AppliedMutation.__table__,  # type: ignore[attr-defined]
        {
            "mutation_id": mutation.mutation_id,
            "device_id": mutation.device_id,
            "entity": mutation.entity,
            "entity_id": mutation.entity_id,
            "status": status.value,
            "version": version,
            "conflict_id": conflict_id,
            "applied_at": utcnow(),
        },
    )
    batch.answered[mutation.mutation_id] = _Answer(version, conflict_id)
    return MutationResult(
        mutation_id=mutation.mutation_id,
        status=status,
        version=version,
        conflict_id=conflict_id,
        server_values=server_values,
    )
