"""Households as the web and review tools see them: listing (meta only), the full file (an
audited read of sensitive data) and the duplicate-person report of the blind index."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from sqlmodel import col, func, select

from app.domain import Role
from sync.protocol import Entity, ErrorBody
from sync.server.audit import AuditEvent, record_event
from sync.server.authz import (
    buckets_for,
    can_read,
    record_bucket_set,
    require_role,
    visible_record_ids,
    visible_records_subquery,
)
from sync.server.deps import MAX_BIGINT, ContextDep, IdPath, NowDep, PrincipalDep, SessionDep
from sync.server.errors import not_found
from sync.server.models import (
    DuplicateListPublic,
    DuplicatePersonPublic,
    HouseholdDetailPublic,
    HouseholdListPublic,
    HouseholdSummaryPublic,
    PersonIndex,
    SyncRecord,
)
from sync.server.records import to_wire

router = APIRouter(prefix="/v1", tags=["households"])
_ERRORS: dict[int | str, dict[str, object]] = {
    code: {"model": ErrorBody} for code in (401, 403, 404)
}


@router.get("/households", responses=_ERRORS)
def list_households(
    principal: PrincipalDep,
    session: SessionDep,
    now: NowDep,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_BIGINT)] = 0,
) -> HouseholdListPublic:
    """The live households the caller can reach, with plaintext meta only."""
    principal_buckets = buckets_for(session, principal, now)
    if not principal_buckets:
        return HouseholdListPublic(count=0, households=[])
    visible = visible_records_subquery(principal_buckets, Entity.HOUSEHOLD.value)
    base = select(SyncRecord).where(
        SyncRecord.entity == Entity.HOUSEHOLD.value,
        col(SyncRecord.deleted).is_(False),
        col(SyncRecord.id).in_(visible),
    )
    count = session.exec(select(func.count()).select_from(base.subquery())).one()
    rows = session.exec(base.order_by(col(SyncRecord.id)).offset(offset).limit(limit)).all()
    return HouseholdListPublic(
        count=count,
        households=[
            HouseholdSummaryPublic(id=r.id, version=r.version, grid_id=r.grid_id, meta=dict(r.meta))
            for r in rows
        ],
    )


@router.get("/households/{household_id}", responses=_ERRORS)
def get_household(
    household_id: IdPath,
    principal: PrincipalDep,
    session: SessionDep,
    context: ContextDep,
    now: NowDep,
) -> HouseholdDetailPublic:
    """The household's content and its members: a read of sensitive data, audited. Answers 404
    for households outside the caller's reach, so existence is not revealed."""
    record = session.get(SyncRecord, (Entity.HOUSEHOLD.value, household_id))
    if record is None or record.deleted:
        raise not_found()
    principal_buckets = buckets_for(session, principal, now)
    if not can_read(
        principal_buckets, record_bucket_set(session, Entity.HOUSEHOLD.value, household_id)
    ):
        raise not_found()
    members = session.exec(
        select(SyncRecord)
        .where(
            SyncRecord.entity == Entity.MEMBER.value,
            SyncRecord.household_id == household_id,
            col(SyncRecord.deleted).is_(False),
        )
        .order_by(col(SyncRecord.id))
    ).all()
    record_event(
        session,
        AuditEvent(
            action="read",
            user_id=principal.user_id,
            device_id=principal.device_id,
            entity=Entity.HOUSEHOLD.value,
            entity_id=household_id,
            household_id=household_id,
            detail={"members": len(members)},
        ),
    )
    detail = HouseholdDetailPublic(
        household=to_wire(context.keys, record).model_dump(mode="json"),
        members=[to_wire(context.keys, m).model_dump(mode="json") for m in members],
    )
    session.commit()
    return detail


@router.get("/duplicates", responses=_ERRORS)
def duplicates(principal: PrincipalDep, session: SessionDep, now: NowDep) -> DuplicateListPublic:
    """People (same ID number, by blind index) listed in more than one household, where at
    least one of those households is within the caller's reach (重复救助 check)."""
    require_role(principal, Role.SUPERVISOR, Role.ADMIN)
    visible = set(
        visible_record_ids(session, buckets_for(session, principal, now), Entity.HOUSEHOLD.value)
    )
    shared = (
        select(PersonIndex.blind)
        .group_by(col(PersonIndex.blind))
        .having(func.count(func.distinct(PersonIndex.household_id)) > 1)
    )
    rows = session.exec(
        select(PersonIndex)
        .where(col(PersonIndex.blind).in_(shared))
        .order_by(col(PersonIndex.blind))
    ).all()
    groups: dict[str, list[PersonIndex]] = {}
    for row in rows:
        groups.setdefault(row.blind, []).append(row)
    result = [
        DuplicatePersonPublic(
            member_ids=sorted(r.member_id for r in group),
            household_ids=sorted({r.household_id for r in group}),
        )
        for group in groups.values()
        if any(r.household_id in visible for r in group)
    ]
    return DuplicateListPublic(duplicates=result)
