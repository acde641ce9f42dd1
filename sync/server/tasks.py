"""Tasks (核查任务): create, assign to a worker or an agency, split by the agency admin, close.

A task is two things at once: the core's `Task` row (which `authz.buckets_for` reads to hand out
the `task:T` bucket, from status, assignee, agency and window) and a replicated `task` record
(kind, status, deadline, assignee, households) that laptops pull to show "my tasks". Both are
changed together, in the caller's transaction, and the record only through `record_change`.

The task record lives in `task:T` (its assignee, its agency's staff and admin) and in the
`street:`/`district:` buckets of its households' grids (the supervisors and admins over them).

Splitting (agency admin): each staff member gets a sub-task over their share; the shared
households leave the parent's bucket, so a colleague's laptop no longer holds them. Closing: the
task's `Task` row closes (its bucket leaves every holder's set on the next request, and the
laptops purge what no other bucket holds), its records are marked as having left `task:T` under
fresh seqs (an empty bucket checksum), and open sub-tasks close with it.

This module also holds the server-side record edit (`update_record`) used by reviews, clues and
the eligibility recomputation: read the current record, change some fields, write the next
version through `records.record_change` with a server HLC, so pushes merge against it properly.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, col, select

from app.domain import RegionLevel, Role, TaskStatus, VisitKind
from sync.protocol import Entity, ErrorCode, split_fields
from sync.server import accounts
from sync.server.audit import AuditEvent, record_event
from sync.server.authz import (
    Principal,
    buckets_for,
    can_read,
    record_bucket_set,
    record_buckets,
)
from sync.server.crypto import ServerKeys
from sync.server.errors import ApiError, forbidden, not_found
from sync.server.models import (
    Agency,
    RecordBucket,
    Region,
    SyncRecord,
    Task,
    TaskHousehold,
    User,
)
from sync.server.records import Actor, lock_changes, next_seq, open_data, record_change

logger = logging.getLogger(__name__)

#: Device id in server-made HLCs (the HLC string ends in the writer's device id).
SERVER_HLC_DEVICE = "server"
#: Roles that create and close tasks.
TASK_MANAGERS = frozenset({Role.SUPERVISOR, Role.ADMIN})
#: Roles a task may name as its assignee.
ASSIGNABLE_ROLES = frozenset({Role.FIELD_WORKER, Role.CONTRACTOR})
#: Households in one task (a campaign of a street is a few thousand at most).
MAX_TASK_HOUSEHOLDS = 5000


def invalid(zh: str, en: str, **detail: Any) -> ApiError:
    return ApiError(422, ErrorCode.INVALID_REQUEST, zh, en, detail=detail or None)


def missing(zh: str, en: str, **detail: Any) -> ApiError:
    """A referenced object does not exist or is out of the caller's reach (404, like a direct
    request for it, so existence is not revealed)."""
    return ApiError(404, ErrorCode.NOT_FOUND, zh, en, detail=detail or None)


def conflict_state(zh: str, en: str) -> ApiError:
    """The object exists but is not in a state that allows this action."""
    return ApiError(409, "invalid_state", zh, en)


def server_hlc(now: datetime | None = None) -> str:
    """A hybrid logical clock value for a server-side edit: wall time in ms, counter 0.

    A laptop edit made before this moment carries a smaller HLC and so loses a same-field clash
    against the server's edit (it is kept in a conflict item, never dropped)."""
    ms = int(now.timestamp() * 1000) if now is not None else time.time_ns() // 1_000_000
    return f"{ms:016x}:0000:{SERVER_HLC_DEVICE}"


# ----------------------------------------------------------------------------- record edits


def current_fields(keys: ServerKeys, record: SyncRecord) -> dict[str, Any]:
    """The record's flat field space (meta and decrypted content)."""
    return {**record.meta, **open_data(keys, record)}


def update_record(
    session: Session,
    keys: ServerKeys,
    actor: Actor,
    record: SyncRecord,
    changes: dict[str, Any],
    *,
    buckets: list[str] | None = None,
) -> SyncRecord:
    """Write the next version of `record` with `changes` applied (server-side edit).

    Buckets default to the record's place (its grid chain and its household's open tasks).
    The caller must hold the change lock (`records.lock_changes`) before reading `record`.
    """
    flat = current_fields(keys, record)
    flat.update(changes)
    meta, data = split_fields(record.entity, flat)
    field_hlcs = dict(record.field_hlcs)
    hlc = server_hlc()
    for name in changes:
        field_hlcs[name] = hlc
    return record_change(
        session,
        keys,
        entity=record.entity,
        record_id=record.id,
        household_id=record.household_id,
        grid_id=record.grid_id,
        meta=meta,
        data=data,
        buckets=buckets
        if buckets is not None
        else record_buckets(session, record.grid_id, record.household_id),
        actor=actor,
        changed_fields=sorted(changes),
        hlc=hlc,
        field_hlcs=field_hlcs,
    )


def create_server_record(
    session: Session,
    keys: ServerKeys,
    actor: Actor,
    *,
    entity: Entity,
    record_id: str,
    household_id: str | None,
    grid_id: str | None,
    fields: dict[str, Any],
    buckets: list[str] | None = None,
) -> SyncRecord:
    """Create a replicated record made by the server (a clue, a review, a task, a flag)."""
    meta, data = split_fields(entity.value, fields)
    hlc = server_hlc()
    return record_change(
        session,
        keys,
        entity=entity.value,
        record_id=record_id,
        household_id=household_id,
        grid_id=grid_id,
        meta=meta,
        data=data,
        buckets=buckets if buckets is not None else record_buckets(session, grid_id, household_id),
        actor=actor,
        changed_fields=sorted(fields),
        hlc=hlc,
        field_hlcs=dict.fromkeys(fields, hlc),
    )


def live_record(session: Session, entity: Entity, record_id: str) -> SyncRecord | None:
    record = session.get(SyncRecord, (entity.value, record_id))
    if record is None or record.deleted:
        return None
    return record


def readable_record(
    session: Session, principal_buckets: frozenset[str], entity: Entity, record_id: str
) -> SyncRecord:
    """The live record if the caller reaches it; 404 otherwise (existence is not revealed)."""
    record = live_record(session, entity, record_id)
    if record is None or not can_read(
        principal_buckets, record_bucket_set(session, entity.value, record_id)
    ):
        raise not_found()
    return record


# ----------------------------------------------------------------------------- bucket moves


def remove_household_from_bucket(session: Session, household_id: str, bucket: str) -> int:
    """Mark every record of a household as having left `bucket`, under fresh seqs, so a pull
    of that bucket reports them under `removed` (the counterpart of
    `records.add_household_to_bucket`, which the core provides for joining)."""
    rows = session.exec(
        select(RecordBucket)
        .join(
            SyncRecord,
            (col(SyncRecord.entity) == col(RecordBucket.entity))
            & (col(SyncRecord.id) == col(RecordBucket.record_id)),
        )
        .where(
            RecordBucket.bucket == bucket,
            col(RecordBucket.present).is_(True),
            col(SyncRecord.household_id) == household_id,
        )
    ).all()
    for row in rows:
        row.seq, row.present = next_seq(session), False
        session.add(row)
    return len(rows)


def empty_bucket(session: Session, bucket: str) -> int:
    """Every record still present in `bucket` leaves it (under fresh seqs)."""
    rows = session.exec(
        select(RecordBucket).where(
            RecordBucket.bucket == bucket, col(RecordBucket.present).is_(True)
        )
    ).all()
    for row in rows:
        row.seq, row.present = next_seq(session), False
        session.add(row)
    return len(rows)


# ----------------------------------------------------------------------------- task records


def task_bucket(task_id: str) -> str:
    return f"task:{task_id}"


def task_household_ids(session: Session, task_id: str) -> list[str]:
    return sorted(
        session.exec(select(TaskHousehold.household_id).where(TaskHousehold.task_id == task_id))
    )


def _oversight_buckets(session: Session, household_ids: Iterable[str]) -> list[str]:
    """The street and district buckets over the households' grids (supervisors, admins)."""
    grid_ids = {
        grid
        for grid in session.exec(
            select(SyncRecord.grid_id).where(
                SyncRecord.entity == Entity.HOUSEHOLD.value,
                col(SyncRecord.id).in_(sorted(set(household_ids))),
            )
        )
        if grid
    }
    buckets: set[str] = set()
    for grid_id in grid_ids:
        region = session.get(Region, grid_id)
        if region is None:
            continue
        for part in region.path.split("/"):
            if part.split(":", 1)[0] in (RegionLevel.STREET.value, RegionLevel.DISTRICT.value):
                buckets.add(part)
    return sorted(buckets)


def task_record_buckets(session: Session, task: Task, household_ids: Sequence[str]) -> list[str]:
    own = [task_bucket(task.id)] if task.status == TaskStatus.OPEN.value else []
    # Households handed to sub-tasks left the parent; its overseers keep seeing it.
    related = [*session.exec(select(Task.id).where(Task.parent_task_id == task.id))]
    if task.parent_task_id is not None:
        related.append(task.parent_task_id)
    overseen = set(household_ids)
    for other in related:
        overseen |= set(task_household_ids(session, other))
    return sorted(set(own) | set(_oversight_buckets(session, overseen)))


def _task_fields(task: Task, household_ids: Sequence[str], extra: dict[str, Any]) -> dict[str, Any]:
    return {
        "kind": task.kind,
        "status": task.status,
        "agency_id": task.agency_id,
        "assignee_id": task.assignee_user_id,
        "parent_task_id": task.parent_task_id,
        "window_start": task.window_start.isoformat() if task.window_start else None,
        "window_end": task.window_end.isoformat() if task.window_end else None,
        "closed_at": task.closed_at.isoformat() if task.closed_at else None,
        "household_ids": list(household_ids),
        **extra,
    }


def write_task_record(
    session: Session,
    keys: ServerKeys,
    actor: Actor,
    task: Task,
    extra: dict[str, Any] | None = None,
) -> SyncRecord:
    """Create or update the replicated `task` record from the `Task` row."""
    household_ids = task_household_ids(session, task.id)
    buckets = task_record_buckets(session, task, household_ids)
    existing = session.get(SyncRecord, (Entity.TASK.value, task.id))
    if existing is None:
        return create_server_record(
            session,
            keys,
            actor,
            entity=Entity.TASK,
            record_id=task.id,
            household_id=None,
            grid_id=None,
            fields=_task_fields(task, household_ids, extra or {}),
            buckets=buckets,
        )
    before = current_fields(keys, existing)
    after = _task_fields(task, household_ids, extra or {})
    for name, value in before.items():
        after.setdefault(name, value)  # deadline, title, source: set once at creation
    changes = {k: v for k, v in after.items() if before.get(k) != v}
    return update_record(session, keys, actor, existing, changes, buckets=buckets)


# ----------------------------------------------------------------------------- checks


def require_task_manager(principal: Principal) -> None:
    if principal.role not in TASK_MANAGERS:
        raise forbidden("任务管理", "task management")


def require_splitter(principal: Principal, task: Task) -> None:
    """Only an admin, or the admin of the task's own agency, shares a task among staff (another
    agency's admin does not learn the task exists)."""
    if principal.role is Role.ADMIN:
        return
    if principal.role is Role.AGENCY_ADMIN:
        if principal.agency_id != task.agency_id:
            raise not_found()
        return
    raise forbidden("任务分派", "task splitting")


def _check_households(
    session: Session, principal_buckets: frozenset[str] | None, household_ids: Sequence[str]
) -> list[str]:
    unique = sorted(set(household_ids))
    if not unique:
        raise invalid("任务至少要包含一户", "A task needs at least one household")
    if len(unique) > MAX_TASK_HOUSEHOLDS:
        raise invalid(
            f"一个任务最多 {MAX_TASK_HOUSEHOLDS} 户",
            f"At most {MAX_TASK_HOUSEHOLDS} households per task",
        )
    known = set(
        session.exec(
            select(SyncRecord.id).where(
                SyncRecord.entity == Entity.HOUSEHOLD.value,
                col(SyncRecord.id).in_(unique),
                col(SyncRecord.deleted).is_(False),
            )
        )
    )
    unknown = [h for h in unique if h not in known]
    if principal_buckets is not None:
        unknown += [
            h
            for h in unique
            if h in known
            and not can_read(
                principal_buckets, record_bucket_set(session, Entity.HOUSEHOLD.value, h)
            )
        ]
    if unknown:
        raise missing(
            "任务中有住户不存在或不在您的辖区内",
            "Some households do not exist or are outside your area",
            household_ids=sorted(unknown)[:20],
        )
    return unique


def _check_assignee(session: Session, user_id: str) -> User:
    user = session.get(User, user_id)
    if user is None or user.revoked_at is not None or Role(user.role) not in ASSIGNABLE_ROLES:
        raise missing(
            "任务只能指派给在职的网格员或第三方机构人员",
            "A task can only be assigned to an active field worker or contractor",
        )
    return user


# ----------------------------------------------------------------------------- operations


def create_task(
    session: Session,
    keys: ServerKeys,
    actor: Actor,
    *,
    kind: VisitKind,
    household_ids: Sequence[str],
    principal_buckets: frozenset[str] | None = None,
    assignee_user_id: str | None = None,
    agency_id: str | None = None,
    deadline: date | None = None,
    window_start: datetime | None = None,
    window_end: datetime | None = None,
    title: str = "",
    source: str = "manual",
    parent_task_id: str | None = None,
    task_id: str | None = None,
) -> Task:
    """A task over households for one worker or one agency (exactly one of the two, except a
    sub-task, which names its agency and its staff member).

    `principal_buckets` limits the households to the caller's reach (None: the admin CLI).
    """
    if (assignee_user_id is None) == (agency_id is None) and parent_task_id is None:
        raise invalid(
            "任务须指派给一名人员或一个机构（二选一）",
            "Assign a task to either one worker or one agency",
        )
    if window_start and window_end and window_end <= window_start:
        raise invalid("任务结束时间须晚于开始时间", "The task window must end after it starts")
    households = _check_households(session, principal_buckets, household_ids)
    if assignee_user_id is not None:
        user = _check_assignee(session, assignee_user_id)
        if agency_id is not None and user.agency_id != agency_id:
            raise missing("该人员不属于此机构", "That person is not staff of this agency")
    if agency_id is not None and session.get(Agency, agency_id) is None:
        raise missing("机构不存在", "Unknown agency")
    lock_changes(session)
    task = accounts.create_task(
        session,
        kind=kind.value,
        household_ids=households,
        agency_id=agency_id,
        assignee_user_id=assignee_user_id,
        parent_task_id=parent_task_id,
        window_start=window_start,
        window_end=window_end,
        task_id=task_id,
    )
    extra: dict[str, Any] = {"source": source}
    if deadline is not None:
        extra["deadline"] = deadline.isoformat()
    if title:
        extra["title"] = title
    write_task_record(session, keys, actor, task, extra)
    record_event(
        session,
        AuditEvent(
            action="task_created",
            user_id=actor.user_id,
            device_id=actor.device_id,
            entity=Entity.TASK.value,
            entity_id=task.id,
            detail={"households": len(households), "kind": kind.value, "source": source},
        ),
    )
    logger.info("task created with %d households", len(households))
    return task


def close_task(session: Session, keys: ServerKeys, actor: Actor, task_id: str) -> Task:
    """Close a task and its open sub-tasks: their buckets empty out and leave every holder's
    set, so contractors' laptops purge those households on their next sync."""
    task = session.get(Task, task_id)
    if task is None:
        raise not_found()
    if task.status != TaskStatus.OPEN.value:
        raise conflict_state("任务已关闭", "The task is already closed")
    lock_changes(session)
    children = session.exec(
        select(Task).where(Task.parent_task_id == task_id, Task.status == TaskStatus.OPEN.value)
    ).all()
    for closing in [*children, task]:
        accounts.close_task(session, closing.id)
        empty_bucket(session, task_bucket(closing.id))
        write_task_record(session, keys, actor, closing)
        record_event(
            session,
            AuditEvent(
                action="task_closed",
                user_id=actor.user_id,
                device_id=actor.device_id,
                entity=Entity.TASK.value,
                entity_id=closing.id,
            ),
        )
    return task


def split_task(
    session: Session,
    keys: ServerKeys,
    actor: Actor,
    principal: Principal | None,
    task_id: str,
    assignments: Mapping[str, Sequence[str]],
) -> list[Task]:
    """The agency admin shares an agency task among staff: one sub-task per staff member.

    Households handed out leave the parent task, so only their new holder's laptop keeps them;
    households not handed out stay in the parent, which every staff member of the agency holds.
    """
    task = session.get(Task, task_id)
    if task is None:
        raise not_found()
    if principal is not None:
        require_splitter(principal, task)
    if task.agency_id is None or task.assignee_user_id is not None:
        raise conflict_state(
            "只有指派给机构的任务可以分派", "Only a task assigned to an agency can be split"
        )
    if task.status != TaskStatus.OPEN.value:
        raise conflict_state("任务已关闭", "The task is already closed")
    if not assignments:
        raise invalid("没有要分派的住户", "Nothing to hand out")
    in_task = set(task_household_ids(session, task_id))
    handed: set[str] = set()
    for user_id, households in assignments.items():
        user = _check_assignee(session, user_id)
        if user.agency_id != task.agency_id or user.role != Role.CONTRACTOR.value:
            raise missing(
                "只能分派给本机构的工作人员", "Households can only go to this agency's staff"
            )
        wanted = set(households)
        if not wanted or not wanted <= in_task or wanted & handed:
            raise conflict_state(
                "分派的住户须属于该任务、尚未分派且不重复",
                "Each household handed out must be in the task, not yet handed out, once",
            )
        handed |= wanted
    lock_changes(session)
    subtasks: list[Task] = []
    for user_id, households in sorted(assignments.items()):
        subtasks.append(
            create_task(
                session,
                keys,
                actor,
                kind=VisitKind(task.kind),
                household_ids=list(households),
                assignee_user_id=user_id,
                agency_id=task.agency_id,
                window_start=task.window_start,
                window_end=task.window_end,
                deadline=_deadline_of(session, keys, task_id),
                source="split",
                parent_task_id=task_id,
            )
        )
    for household_id in sorted(handed):
        link = session.get(TaskHousehold, (task_id, household_id))
        if link is not None:
            session.delete(link)
        remove_household_from_bucket(session, household_id, task_bucket(task_id))
    session.flush()
    write_task_record(session, keys, actor, task)
    return subtasks


def _deadline_of(session: Session, keys: ServerKeys, task_id: str) -> date | None:
    record = session.get(SyncRecord, (Entity.TASK.value, task_id))
    if record is None:
        return None
    value = current_fields(keys, record).get("deadline")
    return date.fromisoformat(value) if isinstance(value, str) else None


# ----------------------------------------------------------------------------- reading


def task_visible(session: Session, principal_buckets: frozenset[str], task: Task) -> bool:
    """The caller holds the task's bucket, or oversees its households. A task made without its
    record (e.g. directly through `accounts.create_task`) is judged by the same rule."""
    record = session.get(SyncRecord, (Entity.TASK.value, task.id))
    if record is not None:
        where = record_bucket_set(session, Entity.TASK.value, task.id)
    else:
        where = task_record_buckets(session, task, task_household_ids(session, task.id))
    return can_read(principal_buckets, where)


def visible_task(session: Session, principal_buckets: frozenset[str], task_id: str) -> Task:
    task = session.get(Task, task_id)
    if task is None or not task_visible(session, principal_buckets, task):
        raise not_found()
    return task


def visible_tasks(session: Session, principal: Principal, now: datetime) -> list[Task]:
    """Tasks the caller reaches (own, agency's, or over their area)."""
    buckets = buckets_for(session, principal, now)
    if not buckets:
        return []
    held = [b.split(":", 1)[1] for b in buckets if b.startswith("task:")]
    ids = session.exec(
        select(RecordBucket.record_id)
        .where(
            RecordBucket.entity == Entity.TASK.value,
            col(RecordBucket.present).is_(True),
            col(RecordBucket.bucket).in_(sorted(buckets)),
        )
        .distinct()
    ).all()
    # Tasks made without their record (`accounts.create_task` directly) are judged one by one.
    bare = session.exec(
        select(Task).where(
            ~select(SyncRecord.id)
            .where(SyncRecord.entity == Entity.TASK.value, col(SyncRecord.id) == col(Task.id))
            .exists()
        )
    ).all()
    seen = {t.id for t in bare if task_visible(session, buckets, t)}
    wanted = sorted(set(ids) | set(held) | seen)
    if not wanted:
        return []
    return list(
        session.exec(select(Task).where(col(Task.id).in_(wanted)).order_by(col(Task.created_at)))
    )


def task_progress(session: Session, task_id: str) -> tuple[int, int]:
    """(households in the task, those with a visit for this task past the draft stage).

    For a task with sub-tasks, the sub-tasks' households and visits count too."""
    task_ids = [task_id, *session.exec(select(Task.id).where(Task.parent_task_id == task_id))]
    households: set[str] = set()
    for tid in task_ids:
        households |= set(task_household_ids(session, tid))
    if not households:
        return 0, 0
    visits = session.exec(
        select(SyncRecord.household_id, SyncRecord.meta).where(
            SyncRecord.entity == Entity.VISIT.value,
            col(SyncRecord.household_id).in_(sorted(households)),
            col(SyncRecord.deleted).is_(False),
        )
    ).all()
    done = {
        household
        for household, meta in visits
        if meta.get("task_id") in task_ids and meta.get("status") not in (None, "draft")
    }
    return len(households), len(done)
