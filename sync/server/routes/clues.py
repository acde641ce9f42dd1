"""Clues over HTTP: the ledger (台账), a new clue by ID number, linking to a member, closing."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, status
from pydantic import BaseModel, ConfigDict, Field

from app.domain import ClueKind, ClueStatus
from app.errors import ValidationError
from sync.protocol import Entity, ErrorBody, ErrorCode, Identifier
from sync.server import clues
from sync.server.audit import AuditEvent, record_event
from sync.server.authz import Principal, buckets_for
from sync.server.bodies import json_body, json_request
from sync.server.deps import ContextDep, IdPath, NowDep, PrincipalDep, SessionDep
from sync.server.errors import ApiError
from sync.server.models import SyncRecord
from sync.server.records import Actor
from sync.server.routes.tasks import allow_only
from sync.server.tasks import current_fields, readable_record

router = APIRouter(prefix="/v1", tags=["clues"])
_ERRORS: dict[int | str, dict[str, object]] = {
    code: {"model": ErrorBody} for code in (400, 401, 403, 404, 409, 422)
}


def clue_manager(principal: PrincipalDep) -> Principal:
    """The caller, if it may manage clues at all (403 otherwise)."""
    clues.require_clue_manager(principal)
    return principal


ClueManagerDep = Annotated[Principal, Depends(clue_manager)]


def reachable_clue(
    clue_id: IdPath, principal: ClueManagerDep, session: SessionDep, now: NowDep
) -> str:
    """The clue id, once the manager is known to reach the clue (404 otherwise). Clue writes
    declare it before their body, so a refused caller never learns about the body."""
    readable_record(session, buckets_for(session, principal, now), Entity.CLUE, clue_id)
    return clue_id


ReachableClueDep = Annotated[str, Depends(reachable_clue)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ClueCreate(_Model):
    """A lead about the person holding `id_number` (never echoed back or logged)."""

    id_number: str = Field(pattern=r"^\s*(?:[0-9]{15}|[0-9]{17}[0-9Xx])\s*$")
    kind: ClueKind
    detail: str = Field(default="", max_length=2000)
    source: str = Field(default="", max_length=200)
    found_on: date | None = None


class ClueLink(_Model):
    member_id: Identifier


class ClueClose(_Model):
    outcome: Literal[ClueStatus.CONFIRMED, ClueStatus.REFUTED]
    visit_id: Identifier
    note: str = Field(default="", max_length=2000)


class CluePublic(_Model):
    """A clue in the ledger: plaintext fields only."""

    id: str
    version: int
    household_id: str | None
    grid_id: str | None
    member_id: str | None
    kind: str | None
    status: str | None
    visit_id: str | None
    closed_at: str | None


class ClueDetailPublic(CluePublic):
    member_name: str
    detail: str
    source: str
    found_on: str | None
    outcome_note: str


class ClueListPublic(_Model):
    count: int
    clues: list[CluePublic]


def clue_public(record: SyncRecord) -> CluePublic:
    meta = record.meta
    return CluePublic(
        id=record.id,
        version=record.version,
        household_id=record.household_id,
        grid_id=record.grid_id,
        member_id=meta.get("member_id"),
        kind=meta.get("kind"),
        status=meta.get("status"),
        visit_id=meta.get("visit_id"),
        closed_at=meta.get("closed_at"),
    )


def clue_detail(record: SyncRecord, fields: dict[str, Any]) -> ClueDetailPublic:
    return ClueDetailPublic(
        **clue_public(record).model_dump(),
        member_name=str(fields.get("member_name") or ""),
        detail=str(fields.get("detail") or ""),
        source=str(fields.get("source") or ""),
        found_on=fields.get("found_on"),
        outcome_note=str(fields.get("outcome_note") or ""),
    )


@router.get("/clues", responses=_ERRORS)
def list_clues(
    principal: PrincipalDep,
    session: SessionDep,
    now: NowDep,
    clue_status: Annotated[ClueStatus | None, Query(alias="status")] = None,
) -> ClueListPublic:
    """The clues the caller reaches (by their households), optionally by status."""
    found = clues.visible_clues(session, principal, now, clue_status)
    return ClueListPublic(count=len(found), clues=[clue_public(r) for r in found])


@router.post(
    "/clues",
    status_code=status.HTTP_201_CREATED,
    responses=_ERRORS,
    openapi_extra=json_request(ClueCreate),
)
def create_clues(
    principal: ClueManagerDep,
    body: Annotated[ClueCreate, json_body(ClueCreate)],
    session: SessionDep,
    context: ContextDep,
    now: NowDep,
) -> ClueListPublic:
    """Ledger a lead by ID number: one clue per household member holding it that the caller
    oversees."""
    reach = buckets_for(session, principal, now)
    try:
        matches = clues.members_by_id_number(session, context.keys, body.id_number)
    except ValidationError as exc:
        # Nobody can hold a number that fails GB 11643 (e.g. its check character): not found,
        # with the parser's reason so the typo can be corrected.
        raise ApiError(
            404,
            ErrorCode.NOT_FOUND,
            exc.message_zh,
            exc.message_en,
            detail={"reason": exc.code},
        ) from None
    reachable = []
    for match in matches:
        try:
            readable_record(session, reach, Entity.MEMBER, match.member_id)
        except ApiError:
            continue
        reachable.append(match)
    if not reachable:
        raise ApiError(
            404,
            ErrorCode.NOT_FOUND,
            "您辖区内没有家庭成员持有此身份证号",
            "No household member in your area has this ID number",
        )
    actor = Actor(principal.user_id, principal.device_id)
    created = [
        clues.create_clue(
            session,
            context.keys,
            actor,
            member_id=m.member_id,
            kind=body.kind,
            detail=body.detail,
            source=body.source,
            found_on=body.found_on,
        )
        for m in reachable
    ]
    session.commit()
    return ClueListPublic(count=len(created), clues=[clue_public(r) for r in created])


@router.get("/clues/{clue_id}", responses=_ERRORS)
def get_clue(
    clue_id: IdPath,
    principal: PrincipalDep,
    session: SessionDep,
    context: ContextDep,
    now: NowDep,
) -> ClueDetailPublic:
    """One clue with its content (an audited read)."""
    record = readable_record(session, buckets_for(session, principal, now), Entity.CLUE, clue_id)
    record_event(
        session,
        AuditEvent(
            action="read",
            user_id=principal.user_id,
            device_id=principal.device_id,
            entity=Entity.CLUE.value,
            entity_id=record.id,
            household_id=record.household_id,
        ),
    )
    result = clue_detail(record, current_fields(context.keys, record))
    session.commit()
    return result


@router.post("/clues/{clue_id}/link", responses=_ERRORS, openapi_extra=json_request(ClueLink))
def link_clue(
    clue_id: ReachableClueDep,
    body: Annotated[ClueLink, json_body(ClueLink)],
    principal: PrincipalDep,
    session: SessionDep,
    context: ContextDep,
    now: NowDep,
) -> CluePublic:
    record = clues.link_clue(session, context.keys, principal, clue_id, body.member_id, now)
    session.commit()
    return clue_public(record)


@router.post("/clues/{clue_id}/close", responses=_ERRORS, openapi_extra=json_request(ClueClose))
def close_clue(
    clue_id: ReachableClueDep,
    body: Annotated[ClueClose, json_body(ClueClose)],
    principal: PrincipalDep,
    session: SessionDep,
    context: ContextDep,
    now: NowDep,
) -> CluePublic:
    """Close (销号) as confirmed or refuted through a finished clue_check visit; confirmed
    suspends the household."""
    record = clues.close_clue(
        session, context.keys, principal, clue_id, body.outcome, body.visit_id, body.note, now
    )
    session.commit()
    return clue_public(record)


allow_only(router, "/clues", ("GET", "POST"))
