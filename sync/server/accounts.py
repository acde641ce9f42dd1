"""Accounts, regions, agencies, devices and tasks: the service functions behind the admin
routes, the tests and (later) the admin CLI and imports. Each function works inside the
caller's transaction and does not commit."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable
from datetime import datetime

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlmodel import Session, col, select

from app.domain import RegionLevel, Role, TaskStatus
from sync.protocol import ErrorCode
from sync.server.audit import AuditEvent, record_event
from sync.server.config import Argon2Params
from sync.server.errors import ApiError, not_found
from sync.server.ids import uuid7
from sync.server.models import (
    Agency,
    Device,
    Region,
    Task,
    TaskHousehold,
    TokenFamily,
    User,
    UserGrid,
    utcnow,
)
from sync.server.passwords import hash_password
from sync.server.records import Actor, add_household_to_bucket

_PARENT_LEVEL: dict[RegionLevel, RegionLevel | None] = {
    RegionLevel.DISTRICT: None,
    RegionLevel.STREET: RegionLevel.DISTRICT,
    RegionLevel.COMMUNITY: RegionLevel.STREET,
    RegionLevel.GRID: RegionLevel.COMMUNITY,
}


def _invalid(zh: str, en: str) -> ApiError:
    return ApiError(422, ErrorCode.INVALID_REQUEST, zh, en)


def create_region(
    session: Session, region_id: str, level: RegionLevel, name: str, parent_id: str | None = None
) -> Region:
    """A region under its parent of the level above (a district has none)."""
    expected_parent = _PARENT_LEVEL[level]
    parent = session.get(Region, parent_id) if parent_id else None
    if expected_parent is None:
        if parent_id is not None:
            raise _invalid("区县不能有上级", "A district has no parent region")
        path = f"{level.value}:{region_id}"
    else:
        if parent is None or parent.level != expected_parent.value:
            raise _invalid(
                "上级区域不存在或层级不对",
                f"The parent of a {level.value} must be a {expected_parent.value}",
            )
        path = f"{parent.path}/{level.value}:{region_id}"
    region = Region(id=region_id, level=level.value, name=name, parent_id=parent_id, path=path)
    session.add(region)
    return region


def create_agency(session: Session, agency_id: str, name: str) -> Agency:
    agency = Agency(id=agency_id, name=name)
    session.add(agency)
    return agency


def create_user(
    session: Session,
    *,
    username: str,
    password: str,
    role: Role,
    argon2: Argon2Params,
    agency_id: str | None = None,
    region_id: str | None = None,
    grid_ids: Iterable[str] = (),
    user_id: str | None = None,
) -> User:
    if role in (Role.CONTRACTOR, Role.AGENCY_ADMIN) and agency_id is None:
        raise _invalid("第三方机构人员必须属于一个机构", "Agency staff must belong to an agency")
    if role is Role.SUPERVISOR and region_id is None:
        raise _invalid("审核人员必须有所辖区域", "A supervisor needs a region")
    user = User(
        id=user_id or uuid7(),
        username=username.strip().lower(),
        password_hash=hash_password(password, argon2),
        role=role.value,
        agency_id=agency_id,
        region_id=region_id,
    )
    session.add(user)
    session.flush()
    for grid_id in grid_ids:
        grid = session.get(Region, grid_id)
        if grid is None or grid.level != RegionLevel.GRID.value:
            raise _invalid("网格不存在", "Unknown grid")
        session.add(UserGrid(user_id=user.id, grid_id=grid_id))
    return user


def decode_public_key(text: str) -> bytes:
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    try:
        Ed25519PublicKey.from_public_bytes(raw)
    except ValueError:
        raw = b""
    if len(raw) != 32:
        raise _invalid(
            "设备公钥必须是 32 字节的 Ed25519 公钥", "The device key must be a 32-byte Ed25519 key"
        )
    return raw


def register_device(session: Session, user: User, public_key: str, name: str) -> Device:
    decode_public_key(public_key)
    device = Device(id=uuid7(), user_id=user.id, public_key=public_key, name=name)
    session.add(device)
    record_event(
        session,
        AuditEvent(action="device_registered", user_id=user.id, device_id=device.id),
    )
    return device


def revoke_device(session: Session, device_id: str, actor: Actor) -> Device:
    device = session.get(Device, device_id)
    if device is None:
        raise not_found()
    if device.revoked_at is None:
        device.revoked_at = utcnow()
        session.add(device)
        _revoke_families(session, col(TokenFamily.device_id) == device_id, "device_revoked")
    record_event(
        session,
        AuditEvent(
            action="device_revoked",
            user_id=actor.user_id,
            device_id=actor.device_id,
            entity="device",
            entity_id=device_id,
        ),
    )
    return device


def revoke_user(session: Session, user_id: str, actor: Actor) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise not_found()
    if user.revoked_at is None:
        user.revoked_at = utcnow()
        session.add(user)
        _revoke_families(session, col(TokenFamily.user_id) == user_id, "user_revoked")
    record_event(
        session,
        AuditEvent(
            action="user_revoked",
            user_id=actor.user_id,
            device_id=actor.device_id,
            entity="user",
            entity_id=user_id,
        ),
    )
    return user


def _revoke_families(session: Session, condition: object, reason: str) -> None:
    families = session.exec(
        select(TokenFamily).where(condition, col(TokenFamily.revoked_at).is_(None))  # type: ignore[arg-type]
    ).all()
    now = utcnow()
    for family in families:
        family.revoked_at, family.revoke_reason = now, reason
        session.add(family)


def create_task(
    session: Session,
    *,
    kind: str,
    household_ids: Iterable[str],
    agency_id: str | None = None,
    assignee_user_id: str | None = None,
    parent_task_id: str | None = None,
    window_start: datetime | None = None,
    window_end: datetime | None = None,
    task_id: str | None = None,
) -> Task:
    """A task over households; their records join bucket `task:<id>` right away."""
    if agency_id is None and assignee_user_id is None:
        raise _invalid("任务必须指派给人员或机构", "A task is assigned to a worker or an agency")
    task = Task(
        id=task_id or uuid7(),
        kind=kind,
        agency_id=agency_id,
        assignee_user_id=assignee_user_id,
        parent_task_id=parent_task_id,
        window_start=window_start,
        window_end=window_end,
    )
    session.add(task)
    session.flush()
    for household_id in sorted(set(household_ids)):
        session.add(TaskHousehold(task_id=task.id, household_id=household_id))
        add_household_to_bucket(session, household_id, f"task:{task.id}")
    return task


def close_task(session: Session, task_id: str) -> Task:
    """Close a task: its bucket leaves every holder's set on their next request."""
    task = session.get(Task, task_id)
    if task is None:
        raise not_found()
    task.status, task.closed_at = TaskStatus.CLOSED.value, utcnow()
    session.add(task)
    return task
