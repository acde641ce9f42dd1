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

Concurrency. A batch is worked out (loaded, merged, sealed)
before the change lock, and only numbered and written under it; if any record it read, or its
bucket membership, changed meanwhile, or one of its mutations was answered by another request,
it is worked out again with the lock held throughout (`_apply`). A batch in which a household
moves grid always takes that second way.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from app.domain import Role, VisitStatus, check_device_visit_move
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
    PreparedChange,
    changes_after,
    committed_seq,
    open_data,
    prefetch,
    prefetch_attachment_refs,
    prepare_change,
    rebucket_household,
    record_change,
    reserve_seqs,
    stage_insert,
    write_change,
)
from sync.server.visits import prepare_synced

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


def _from_schema_1(mutation: Mutation) -> Mutation:
    # Schema 2 only added the device-signature fields of a visit; a schema-1 mutation has none
    # (its completed visit is recorded as unsigned by `signatures`), and any field of that name
    # it carried would not be a signature, so it is dropped rather than trusted.
    changed = {
        k: v
        for k, v in mutation.changed.items()
        if not (mutation.entity == Entity.VISIT and k in _SIGNATURE_FIELDS)
    }
    return mutation.model_copy(update={"changed": changed, "schema_version": 2})


_SIGNATURE_FIELDS = frozenset({"signed_by_device", "device_signature", "signature_version"})
#: Schema upgrades: `UPGRADERS[v]` turns a mutation of schema v into one of schema v + 1.
UPGRADERS: dict[int, Callable[[Mutation], Mutation]] = {1: _from_schema_1}


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
    #: records by (entity, id) as the next mutation sees them (after the batch's earlier
    #: mutations); a key mapped to None is known not to exist
    records: dict[tuple[str, str], SyncRecord | None]
    #: the stored rows by (entity, id), as loaded, then as written by this transaction
    stored: dict[tuple[str, str], SyncRecord | None] = field(default_factory=dict)
    #: fields changed by the batch's planned (not yet written) versions: (version, names)
    planned_fields: dict[tuple[str, str], list[tuple[int, list[str]]]] = field(default_factory=dict)
    #: regions by id; None: known not to exist
    regions: dict[str, Region | None] = field(default_factory=dict)
    #: open task ids by household id, for every household looked up
    open_tasks: dict[str, list[str]] = field(default_factory=dict)
    buckets: dict[tuple[str | None, str | None], list[str]] = field(default_factory=dict)
    attachment_shas: set[str] = field(default_factory=set)

    #: planned changes whose row is built only if a later mutation of the batch asks for it
    #: (the server's `synced` version of a completed visit, almost never asked for)
    foreseen: dict[tuple[str, str], PreparedChange] = field(default_factory=dict)

    def record(self, session: Session, entity: str, record_id: str) -> SyncRecord | None:
        key = (entity, record_id)
        self.settle(key)
        if key not in self.records:
            self.records[key] = self.stored[key] = session.get(SyncRecord, key)
        return self.records[key]

    def settle(self, key: tuple[str, str]) -> None:
        change = self.foreseen.pop(key, None)
        if change is not None:
            self.records[key] = _row_after(self.records.get(key), change)

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
    return _Batch(
        answered=answered,
        records=records,
        stored=dict(records),
        regions=regions,
        open_tasks=open_tasks,
        attachment_shas=shas,
    )


@dataclass(frozen=True)
class _Conflict:
    conflict_id: str
    household_id: str | None
    grid_id: str | None
    buckets: list[str]
    clashes: list[_Clash]


@dataclass
class _Plan:
    """One mutation worked out: the answer, and what to write for it (nothing yet)."""

    mutation: Mutation
    result: MutationResult
    change: PreparedChange | None = None
    #: the household moves to another grid: its other records follow it
    moves_grid: bool = False
    conflict: _Conflict | None = None
    #: the row as the change leaves it, built before the lock (`_foresee`)
    row: SyncRecord | None = None
    #: the server's own next version, written right after `change` (a completed visit's move
    #: to `synced`, `visits.prepare_synced`)
    then: PreparedChange | None = None

    @property
    def answered_now(self) -> bool:
        return self.result.status in (MutationStatus.APPLIED, MutationStatus.CONFLICT)


class _LockHolders:
    """Threads of this process holding the change lock, and a way for the others to step aside.

    Working a batch out is pure Python (merging, sealing, evaluating visits). While another
    thread of the same process holds the change lock, every running planner takes the GIL from
    it for up to a switch interval each time it comes back from the database, and every push of
    every process waits for that lock: measured under load, holding it took several times as
    long. So planners pause between mutations while a holder is at work, never longer than
    `PAUSE_S` at a time, so that they cannot starve.
    """

    PAUSE_S = 0.2

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._count = 0
        self._mine = threading.local()

    def hold(self) -> None:
        """The calling thread has just taken the change lock."""
        if not getattr(self._mine, "holding", False):
            self._mine.holding = True
            with self._condition:
                self._count += 1

    def release(self) -> None:
        """The calling thread's transaction has ended (no-op if it held nothing)."""
        if getattr(self._mine, "holding", False):
            self._mine.holding = False
            with self._condition:
                self._count -= 1
                if self._count == 0:
                    self._condition.notify_all()

    def step_aside(self) -> None:
        if self._count == 0:  # unlocked read: the common case costs nothing
            return
        with self._condition:
            self._condition.wait_for(lambda: self._count == 0, timeout=self.PAUSE_S)


_HOLDERS = _LockHolders()


class _MovedError(Exception):
    """The batch cannot be written as planned before the lock; plan it again under the lock."""


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
    """Apply a batch in one transaction and commit it; one result per mutation, in order.

    The batch is first worked out without the change lock (merged, sealed),
    then written under it, if nothing it read has changed meanwhile; otherwise it is worked out
    again with the lock held from the start (see `_apply`)."""
    try:
        try:
            results = _apply(session, keys, principal, request.mutations, now, ahead=True)
        except _MovedError as reason:
            logger.info("push planned again under the change lock: %s", reason)
            session.rollback()
            _HOLDERS.release()
            results = _apply(session, keys, principal, request.mutations, now, ahead=False)
        session.commit()
    finally:
        _HOLDERS.release()
    counts: dict[str, int] = {}
    for result in results:
        counts[result.status.value] = counts.get(result.status.value, 0) + 1
    logger.info("push applied: %s", counts)
    oldest = min(
        [m.schema_version for m in request.mutations] + [client_schema_version or SCHEMA_VERSION]
    )
    return PushResponse(results=results, upgrade_required=oldest < SCHEMA_VERSION)


def _apply(
    session: Session,
    keys: ServerKeys,
    principal: Principal,
    mutations: list[Mutation],
    now: datetime,
    *,
    ahead: bool,
) -> list[MutationResult]:
    """Work out and write a batch (without committing).

    `ahead`: read, merge, seal and evaluate everything before taking the change lock, then take
    it and check that none of the records the batch read (nor their bucket memberships) has
    changed since the last committed seq seen before the first read, and that none of its
    mutations has been answered meanwhile; then write. The lock is held only while writing and
    committing, and the seq rule of records.py still holds: seqs are taken under the lock, kept
    until commit. Raises `_MovedError` when something moved, or when a household moves grid
    (its other records, not read here, follow it).

    Otherwise the lock is taken first, with enough seqs for the batch and a conflict item per
    mutation, and each mutation is written as soon as it is worked out.
    """
    # Before any read: every change up to `seen` is visible to the reads that follow.
    seen = committed_seq(session) if ahead else 0
    if not ahead:
        reserve_seqs(session, _seqs_needed(mutations))
        _HOLDERS.hold()
    buckets = buckets_for(session, principal, now)
    actor = Actor(principal.user_id, principal.device_id)
    unstorable = {i for i, m in enumerate(mutations) if _nul_in_the_clear(m)}
    batch = _load_batch(session, [m for i, m in enumerate(mutations) if i not in unstorable])
    unanswered = sorted({m.mutation_id for m in mutations} - set(batch.answered))
    plans: list[_Plan] = []
    for index, mutation in enumerate(mutations):
        if ahead:
            _HOLDERS.step_aside()
        try:
            if index in unstorable:
                raise _RejectedError(
                    ErrorCode.INVALID_FIELDS,
                    "A field the server keeps in the clear contains a NUL character",
                    "明文字段包含空字符（NUL）",
                )
            plan = _plan_one(session, keys, principal, buckets, actor, mutation, batch)
        except _RejectedError as rejection:
            plan = _Plan(
                mutation,
                MutationResult(
                    mutation_id=mutation.mutation_id,
                    status=MutationStatus.REJECTED,
                    reason=rejection.reason.value,
                    message_en=rejection.message_en,
                    message_zh=rejection.message_zh,
                ),
            )
        plans.append(plan)
        if not ahead:
            _write(session, keys, actor, plan, batch)
        elif plan.moves_grid:
            raise _MovedError("a household moves grid")
        elif plan.change is not None:
            plan.row = _foresee(batch, plan.change)
            if plan.then is not None:
                _foresee(batch, plan.then, lazily=True)
    if ahead:
        first = reserve_seqs(session, _seqs_needed(mutations))
        _HOLDERS.hold()
        # Nobody took a seq since `seen`: no change, and no push, committed meanwhile.
        if first - 1 != seen and _moved(session, seen, set(batch.stored), unanswered):
            raise _MovedError("records of the batch changed meanwhile")
        if batch.attachment_shas:  # other records of a household may reference them
            prefetch_attachment_refs(session, batch.attachment_shas)
        for plan in plans:
            _write(session, keys, actor, plan, batch)
    return [plan.result for plan in plans]


def _seqs_needed(mutations: list[Mutation]) -> int:
    """Seqs a batch may take: its changes, a conflict item per mutation and the server's
    `synced` version of each completed visit."""
    completions = sum(1 for m in mutations if m.changed.get("status") == "completed")
    return 2 * len(mutations) + completions


def _moved(
    session: Session, seen: int, records: set[tuple[str, str]], unanswered: list[str]
) -> bool:
    """Under the change lock: did anything the batch read change after seq `seen`? (One round
    trip.)"""
    answered_since = sa.exists().where(col(AppliedMutation.mutation_id).in_(unanswered))
    moved = sa.or_(changes_after(seen, records), answered_since if unanswered else sa.false())
    return bool(session.execute(sa.select(moved)).scalar_one())


def _foresee(batch: _Batch, change: PreparedChange, *, lazily: bool = False) -> SyncRecord | None:
    """Let the batch's later mutations see a planned change as if it were written: an unsaved
    row (added to the session only when written, if it creates the record). `lazily`: build it
    only if one of them asks (None is returned)."""
    key = (change.entity, change.record_id)
    batch.planned_fields.setdefault(key, []).append((change.version, change.changed_fields))
    batch.settle(key)
    if lazily:
        batch.foreseen[key] = change
        return None
    row = batch.records[key] = _row_after(batch.records.get(key), change)
    return row


def _row_after(before: SyncRecord | None, change: PreparedChange) -> SyncRecord:
    return SyncRecord(
        entity=change.entity,
        id=change.record_id,
        version=change.version,
        seq=0,
        household_id=change.household_id,
        grid_id=change.grid_id,
        deleted=change.deleted,
        meta=change.meta,
        field_hlcs=change.field_hlcs
        if change.field_hlcs is not None
        else dict(before.field_hlcs if before is not None else {}),
        data_ct=change.data_ct,
        created_at=before.created_at if before is not None else utcnow(),
        updated_at=utcnow(),
    )


def _write(session: Session, keys: ServerKeys, actor: Actor, plan: _Plan, batch: _Batch) -> None:
    mutation = plan.mutation
    if plan.change is not None:
        change = plan.change
        key = (change.entity, change.record_id)
        new_row = plan.row if change.version == 1 else None
        record = write_change(session, keys, change, batch.stored.get(key), new_row=new_row)
        if plan.then is not None:
            # The server's own move to `synced`, after the pushed version (whose number is the
            # answer), to the buckets just written.
            record = write_change(session, keys, plan.then, record, again=True)
        batch.foreseen.pop(key, None)
        batch.stored[key] = batch.records[key] = record
        if plan.moves_grid:
            rebucket_household(session, change.record_id, change.grid_id, change.buckets)
    if plan.conflict is not None:
        _raise_conflict(session, keys, actor, mutation, plan.conflict)
    if plan.answered_now:
        stage_insert(
            session,
            AppliedMutation.__table__,  # type: ignore[attr-defined]
            {
                "mutation_id": mutation.mutation_id,
                "device_id": mutation.device_id,
                "entity": mutation.entity,
                "entity_id": mutation.entity_id,
                "status": plan.result.status.value,
                "version": plan.result.version,
                "conflict_id": plan.result.conflict_id,
                "applied_at": utcnow(),
            },
        )


def _plan_one(
    session: Session,
    keys: ServerKeys,
    principal: Principal,
    buckets: frozenset[str],
    actor: Actor,
    mutation: Mutation,
    batch: _Batch,
) -> _Plan:
    answered = batch.answered.get(mutation.mutation_id)
    if answered is not None:
        return _Plan(
            mutation,
            MutationResult(
                mutation_id=mutation.mutation_id,
                status=MutationStatus.DUPLICATE,
                version=answered.version,
                conflict_id=answered.conflict_id,
            ),
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
        server_changed = _changed_since(session, existing, mutation.base_version, batch)
        field_hlcs = dict(existing.field_hlcs)

    if entity == Entity.VISIT:
        _check_visit_change(existing, mutation)

    if mutation.op is Op.DELETE:
        assert existing is not None  # checked above
        meta, data = split_fields(entity, current)
        change = prepare_change(
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
            version=existing.version + 1,
            mutation_id=mutation.mutation_id,
            hlc=mutation.hlc,
            deleted=True,
        )
        return _planned(batch, mutation, MutationStatus.APPLIED, change.version, change=change)

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
    new_change: PreparedChange | None = None
    moves_grid = False
    if applied_fields or existing is None:
        meta, data = split_fields(entity, merged)
        new_change = prepare_change(
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
            version=version + 1,
            mutation_id=mutation.mutation_id,
            hlc=mutation.hlc,
            field_hlcs=field_hlcs,
        )
        version = new_change.version
        moves_grid = (
            entity == Entity.HOUSEHOLD and existing is not None and existing_grid != grid_id
        )
    then = prepare_synced(keys, new_change) if new_change is not None else None
    if not clashes:
        return _planned(
            batch,
            mutation,
            MutationStatus.APPLIED,
            version,
            change=new_change,
            moves_grid=moves_grid,
            then=then,
        )
    conflict = _Conflict(uuid7(), household_id, grid_id, target, clashes)
    return _planned(
        batch,
        mutation,
        MutationStatus.CONFLICT,
        version,
        change=new_change,
        moves_grid=moves_grid,
        conflict=conflict,
        server_values={c.field: c.kept for c in clashes},
        then=then,
    )


def _planned(
    batch: _Batch,
    mutation: Mutation,
    status: MutationStatus,
    version: int,
    *,
    change: PreparedChange | None = None,
    moves_grid: bool = False,
    conflict: _Conflict | None = None,
    server_values: dict[str, Any] | None = None,
    then: PreparedChange | None = None,
) -> _Plan:
    conflict_id = conflict.conflict_id if conflict is not None else None
    batch.answered[mutation.mutation_id] = _Answer(version, conflict_id)
    result = MutationResult(
        mutation_id=mutation.mutation_id,
        status=status,
        version=version,
        conflict_id=conflict_id,
        server_values=server_values,
    )
    return _Plan(
        mutation,
        result,
        change=change,
        moves_grid=moves_grid,
        conflict=conflict,
        then=then,
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


def _changed_since(
    session: Session, record: SyncRecord, base_version: int, batch: _Batch
) -> set[str]:
    if base_version >= record.version:
        return set()
    changed: set[str] = set()
    # Versions this batch has planned but not written yet, then the stored history.
    for version, planned in batch.planned_fields.get((record.entity, record.id), []):
        if version > base_version:
            changed.update(planned)
    rows = session.exec(
        select(RecordVersion.changed_fields).where(
            RecordVersion.entity == record.entity,
            RecordVersion.record_id == record.id,
            col(RecordVersion.version) > base_version,
        )
    )
    for names in rows:
        changed.update(names)
    if base_version == 0:
        # The client never saw this record: everything it holds counts as changed.
        changed.update(record.meta)
    return changed


def _check_visit_change(existing: SyncRecord | None, mutation: Mutation) -> None:
    """A completed visit's content is frozen; a status may only make a device's own lifecycle
    move (a new visit arrives as a draft, or completed offline before its first push)."""
    # A new visit (or one stored without a status) starts out as a draft.
    stored = existing.meta.get("status") if existing is not None else None
    status = stored or VisitStatus.DRAFT.value
    frozen = existing is not None and status in FROZEN_VISIT_STATUSES
    if frozen and (mutation.op is Op.DELETE or set(mutation.changed) - {"status", "updated_at"}):
        raise _RejectedError(
            ErrorCode.IMMUTABLE,
            "A completed visit cannot change; start a new revision",
            "已完成的走访记录不能修改，请新建修订",
        )
    new_status = mutation.changed.get("status", status)
    if new_status != status:
        try:
            check_device_visit_move(str(status), str(new_status))
        except ValidationError as exc:
            raise _RejectedError(ErrorCode.IMMUTABLE, exc.message_en, exc.message_zh) from exc


def _raise_conflict(
    session: Session,
    keys: ServerKeys,
    actor: Actor,
    mutation: Mutation,
    conflict: _Conflict,
) -> None:
    household_id, grid_id, clashes = conflict.household_id, conflict.grid_id, conflict.clashes
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
        record_id=conflict.conflict_id,
        household_id=household_id,
        grid_id=grid_id,
        meta=meta,
        data=data,
        buckets=conflict.buckets,
        actor=actor,
        changed_fields=sorted({*meta, *data}),
        mutation_id=None,
        hlc=mutation.hlc,
    )
    logger.info("conflict raised on %s fields: %d", mutation.entity, len(clashes))
