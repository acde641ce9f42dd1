"""The one authorisation module: deny by default, from role, assignments, buckets and time.

A principal reaches a record only through a bucket it holds:

| role          | buckets                                                                       |
|---------------|-------------------------------------------------------------------------------|
| field_worker  | `grid:G` for each assigned grid; `task:T` for open tasks assigned to them      |
| contractor    | `task:T` for open tasks (inside their window) assigned to them, or to their   |
|               | agency without a named assignee                                               |
| agency_admin  | `task:T` for every open task (in window) of their agency; read only           |
| supervisor    | the bucket of their region (`street:S` or `district:D`)                       |
| admin         | the bucket of their region, or every `district:D` when they have no region    |
| every role    | `reference`: regions and policy references, nothing personal                  |

A record's buckets are its grid and the grid's ancestors (`grid:`, `community:`, `street:`,
`district:`) plus `task:T` for each open task holding its household (`record_buckets`). Every
route asks this module: pull and checksum (`require_bucket`), record reads and writes
(`can_read`, `can_write`), listings (`visible_record_ids`), attachments, admin actions
(`require_role`). Anything not granted here is refused.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, or_
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from app.domain import RegionLevel, Role, TaskStatus
from sync.protocol import ErrorCode
from sync.server.errors import ApiError, forbidden
from sync.server.models import RecordBucket, Region, Task, TaskHousehold, UserGrid

#: Roles that may change replicated records at all (agency admins watch progress only).
WRITER_ROLES = frozenset({Role.FIELD_WORKER, Role.CONTRACTOR, Role.SUPERVISOR, Role.ADMIN})


@dataclass(frozen=True)
class Principal:
    """Who is asking: an active user on an active device, from a valid access token."""

    user_id: str
    username: str
    role: Role
    device_id: str
    agency_id: str | None
    region_id: str | None
    family_id: str


#: Regions and policy references (`reference.py`): nothing personal, pulled by every account.
REFERENCE_BUCKET = "reference"


def region_bucket(region: Region) -> str:
    return f"{region.level}:{region.id}"


def grid_buckets(session: Session, grid_id: str | None) -> list[str]:
    """`grid:G` and the buckets of all its ancestors, from the region's stored path."""
    if grid_id is None:
        return []
    region = session.get(Region, grid_id)
    if region is None:
        return []
    return region.path.split("/")


def _task_in_window(now: datetime) -> ColumnElement[bool]:
    """Open, and `now` inside its window (a missing bound is open-ended)."""
    return and_(
        col(Task.status) == TaskStatus.OPEN.value,
        or_(col(Task.window_start).is_(None), col(Task.window_start) <= now),
        or_(col(Task.window_end).is_(None), col(Task.window_end) >= now),
    )


def open_tasks_of_household(session: Session, household_id: str) -> list[str]:
    statement = (
        select(Task.id)
        .join(TaskHousehold, col(TaskHousehold.task_id) == col(Task.id))
        .where(TaskHousehold.household_id == household_id, Task.status == TaskStatus.OPEN.value)
    )
    return list(session.exec(statement))


def open_tasks_of_households(
    session: Session, household_ids: Iterable[str]
) -> dict[str, list[str]]:
    """`open_tasks_of_household` for many households in one query (households without an open
    task are absent from the answer)."""
    wanted = sorted(set(household_ids))
    found: dict[str, list[str]] = {}
    if not wanted:
        return found
    statement = (
        select(TaskHousehold.household_id, Task.id)
        .join(Task, col(TaskHousehold.task_id) == col(Task.id))
        .where(col(TaskHousehold.household_id).in_(wanted), Task.status == TaskStatus.OPEN.value)
    )
    for household_id, task_id in session.exec(statement):
        found.setdefault(household_id, []).append(task_id)
    return found


def buckets_of(grid_path: str | None, open_task_ids: Iterable[str]) -> list[str]:
    """A record's buckets from its grid's stored path and its household's open tasks: the one
    rule behind `record_buckets`, for callers that looked both up in bulk."""
    buckets = grid_path.split("/") if grid_path else []
    buckets += [f"task:{task_id}" for task_id in open_task_ids]
    return sorted(set(buckets))


def record_buckets(session: Session, grid_id: str | None, household_id: str | None) -> list[str]:
    """The buckets a record belongs to (its grid's region chain and its household's open tasks).

    Time windows are not applied here: membership is structural; `buckets_for` applies the
    window when deciding who may reach a task bucket.
    """
    region = session.get(Region, grid_id) if grid_id is not None else None
    tasks = open_tasks_of_household(session, household_id) if household_id is not None else []
    return buckets_of(region.path if region is not None else None, tasks)


def household_buckets_for(session: Session, principal: Principal, now: datetime) -> frozenset[str]:
    """The buckets of households `principal` may reach at `now` (`buckets_for` without the
    reference bucket): empty once a contractor's last task has closed."""
    if principal.role not in set(Role):
        return frozenset()
    return _role_buckets(session, principal, now)


def reaches_households(session: Session, principal: Principal, now: datetime) -> bool:
    """Whether `household_buckets_for` is non-empty, asking no more than that needs: a field
    worker with a grid takes one short query instead of the grids and tasks (every attachment
    chunk uploaded passes here)."""
    if principal.role is Role.FIELD_WORKER:
        grid = session.exec(
            select(UserGrid.grid_id).where(UserGrid.user_id == principal.user_id).limit(1)
        ).first()
        if grid is not None:
            return True
    return bool(household_buckets_for(session, principal, now))


def buckets_for(session: Session, principal: Principal, now: datetime) -> frozenset[str]:
    """Every bucket `principal` may read at `now`: the role's buckets, plus the non-personal
    reference bucket for every known role. Empty (deny) for anything unforeseen."""
    if principal.role not in set(Role):
        return frozenset()
    return _role_buckets(session, principal, now) | {REFERENCE_BUCKET}


def _role_buckets(session: Session, principal: Principal, now: datetime) -> frozenset[str]:
    role = principal.role
    if role is Role.FIELD_WORKER:
        grids = session.exec(select(UserGrid.grid_id).where(UserGrid.user_id == principal.user_id))
        tasks = session.exec(
            select(Task.id).where(Task.assignee_user_id == principal.user_id, _task_in_window(now))
        )
        return frozenset(
            [f"{RegionLevel.GRID.value}:{g}" for g in grids] + [f"task:{t}" for t in tasks]
        )
    if role is Role.CONTRACTOR:
        if principal.agency_id is None:
            return frozenset()
        tasks = session.exec(
            select(Task.id).where(
                or_(
                    col(Task.assignee_user_id) == principal.user_id,
                    and_(
                        col(Task.agency_id) == principal.agency_id,
                        col(Task.assignee_user_id).is_(None),
                    ),
                ),
                _task_in_window(now),
            )
        )
        return frozenset(f"task:{t}" for t in tasks)
    if role is Role.AGENCY_ADMIN:
        if principal.agency_id is None:
            return frozenset()
        tasks = session.exec(
            select(Task.id).where(Task.agency_id == principal.agency_id, _task_in_window(now))
        )
        return frozenset(f"task:{t}" for t in tasks)
    if role is Role.SUPERVISOR:
        region = session.get(Region, principal.region_id) if principal.region_id else None
        return frozenset([region_bucket(region)] if region else [])
    if role is Role.ADMIN:
        if principal.region_id:
            region = session.get(Region, principal.region_id)
            return frozenset([region_bucket(region)] if region else [])
        districts = session.exec(select(Region).where(Region.level == RegionLevel.DISTRICT.value))
        return frozenset(region_bucket(r) for r in districts)
    return frozenset()


def can_read(principal_buckets: frozenset[str], target_buckets: Iterable[str]) -> bool:
    return not principal_buckets.isdisjoint(target_buckets)


def can_write(
    principal: Principal, principal_buckets: frozenset[str], target_buckets: Iterable[str]
) -> bool:
    return principal.role in WRITER_ROLES and can_read(principal_buckets, target_buckets)


def require_bucket(principal_buckets: frozenset[str], bucket: str) -> None:
    if bucket not in principal_buckets:
        raise ApiError(
            403,
            ErrorCode.FORBIDDEN,
            "无权同步此数据范围",
            "You are not allowed to sync this bucket",
            detail={"bucket": bucket},
        )


def require_role(principal: Principal, *roles: Role) -> None:
    if principal.role not in roles:
        raise forbidden()


def visible_records_subquery(principal_buckets: frozenset[str], entity: str) -> SelectOfScalar[str]:
    """A subquery of the ids of `entity` records present in any of the principal's buckets (for
    `col(SyncRecord.id).in_(…)`; never materialises the ids in Python)."""
    return (
        select(RecordBucket.record_id)
        .where(
            RecordBucket.entity == entity,
            col(RecordBucket.present).is_(True),
            col(RecordBucket.bucket).in_(sorted(principal_buckets)),
        )
        .distinct()
    )


def visible_record_ids(
    session: Session, principal_buckets: frozenset[str], entity: str
) -> list[str]:
    """Ids of the records of `entity` in any of the principal's buckets."""
    if not principal_buckets:
        return []
    return list(session.exec(visible_records_subquery(principal_buckets, entity)))


def record_bucket_set(session: Session, entity: str, record_id: str) -> list[str]:
    """The buckets a stored record is currently present in."""
    statement = select(RecordBucket.bucket).where(
        RecordBucket.entity == entity,
        RecordBucket.record_id == record_id,
        col(RecordBucket.present).is_(True),
    )
    return list(session.exec(statement))
