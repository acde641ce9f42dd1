"""Reviews over HTTP: the queue, start, approve/return with field comments, history, and the
eligibility flags of the server's recomputation."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, status
from pydantic import BaseModel, ConfigDict, Field

from app.domain import ReviewDecision
from sync.protocol import Entity, ErrorBody
from sync.server import recompute, reviews, signatures, visit_checks
from sync.server.authz import Principal, buckets_for, visible_record_ids
from sync.server.bodies import NoBodyDep, json_body, json_request
from sync.server.deps import ContextDep, IdPath, NowDep, PrincipalDep, SessionDep
from sync.server.models import SyncRecord
from sync.server.tasks import current_fields, readable_record

router = APIRouter(prefix="/v1", tags=["reviews"])
_ERRORS: dict[int | str, dict[str, object]] = {
    code: {"model": ErrorBody} for code in (400, 401, 403, 404, 409, 422)
}


def reviewer(principal: PrincipalDep) -> Principal:
    """The caller, if it may review at all (403 otherwise)."""
    reviews.require_reviewer(principal)
    return principal


ReviewerDep = Annotated[Principal, Depends(reviewer)]


def reachable_visit(
    visit_id: IdPath, principal: ReviewerDep, session: SessionDep, now: NowDep
) -> str:
    """The visit id, once the reviewer is known to reach the visit (404 otherwise). Review
    writes declare it before their body, so a refused caller never learns about the body."""
    readable_record(session, buckets_for(session, principal, now), Entity.VISIT, visit_id)
    return visit_id


ReachableVisitDep = Annotated[str, Depends(reachable_visit)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ApproveBody(_Model):
    note: str = Field(default="", max_length=4000)


class ReturnBody(_Model):
    """Send a visit back to its author: at least one comment pinned to a field."""

    comments: list[reviews.FieldComment] = Field(min_length=1, max_length=200)
    note: str = Field(default="", max_length=4000)


class EligibilityCheckPublic(_Model):
    visit_id: str
    household_id: str | None
    outcome: str
    differences: list[str]
    policy_id: str | None
    evaluated_on: str | None
    flag_id: str | None
    checked_at: datetime


class SignatureCheckPublic(_Model):
    """The server's verification of the visit's device signature (`outcome`: `verified`,
    `invalid`, `unsigned`, `unknown_device`, `attachment_unknown`, `unsupported_version`)."""

    outcome: str
    device_id: str | None
    device_user_id: str | None
    signature_version: int | None
    checked_at: datetime


class QueueItemPublic(_Model):
    visit_id: str
    household_id: str | None
    grid_id: str | None
    kind: str | None
    status: str | None
    visit_date: str | None
    author_id: str | None
    eligibility: EligibilityCheckPublic | None
    device_signature: SignatureCheckPublic | None = None


class QueuePublic(_Model):
    count: int
    visits: list[QueueItemPublic]


class ReviewPublic(_Model):
    id: str
    visit_id: str
    decision: str
    reviewer_id: str
    decided_at: str
    author_id: str | None
    comments: list[reviews.FieldComment]
    note: str


class StatusChangePublic(_Model):
    version: int
    status: str
    user_id: str | None
    at: datetime


class VisitRevisionPublic(_Model):
    visit_id: str
    revision_of: str | None
    status: str | None
    version: int
    status_history: list[StatusChangePublic]


class VisitStatusPublic(_Model):
    visit_id: str
    status: str | None
    version: int


class ReviewHistoryPublic(_Model):
    revisions: list[VisitRevisionPublic]
    reviews: list[ReviewPublic]


class FlagListPublic(_Model):
    count: int
    flags: list[EligibilityCheckPublic]


def check_public(check: recompute.EligibilityCheck) -> EligibilityCheckPublic:
    return EligibilityCheckPublic(
        visit_id=check.visit_id,
        household_id=check.household_id,
        outcome=check.outcome,
        differences=list(check.differences),
        policy_id=check.policy_id,
        evaluated_on=check.evaluated_on,
        flag_id=check.flag_id,
        checked_at=check.checked_at,
    )


def signature_public(check: signatures.VisitSignatureCheck) -> SignatureCheckPublic:
    return SignatureCheckPublic(
        outcome=check.outcome,
        device_id=check.device_id,
        device_user_id=check.device_user_id,
        signature_version=check.signature_version,
        checked_at=check.checked_at,
    )


def review_public(fields: dict[str, Any]) -> ReviewPublic:
    return ReviewPublic(
        id=str(fields["id"]),
        visit_id=str(fields["visit_id"]),
        decision=str(fields["decision"]),
        reviewer_id=str(fields["reviewer_id"]),
        decided_at=str(fields["decided_at"]),
        author_id=fields.get("author_id"),
        comments=[reviews.FieldComment.model_validate(c) for c in fields.get("comments", [])],
        note=str(fields.get("note", "")),
    )


@router.get("/reviews/queue", responses=_ERRORS)
def review_queue(
    principal: PrincipalDep, session: SessionDep, context: ContextDep, now: NowDep
) -> QueuePublic:
    """Visits in the reviewer's area waiting for a decision, with the server's eligibility
    check (a `differs` outcome means the laptop's result did not match) and its verification
    of the visit's device signature (anything but `verified` is a warning)."""
    visits = reviews.review_queue(session, principal, now)
    visit_checks.settle(session, context.keys, [v.id for v in visits])
    checks = recompute.checks_for(session, [v.id for v in visits])
    signed = signatures.checks_for(session, [v.id for v in visits])
    items = [
        QueueItemPublic(
            visit_id=v.id,
            household_id=v.household_id,
            grid_id=v.grid_id,
            kind=v.meta.get("kind"),
            status=v.meta.get("status"),
            visit_date=v.meta.get("visit_date"),
            author_id=v.meta.get("author_id"),
            eligibility=check_public(checks[v.id]) if v.id in checks else None,
            device_signature=signature_public(signed[v.id]) if v.id in signed else None,
        )
        for v in visits
    ]
    session.commit()  # the checks just made, if any
    return QueuePublic(count=len(items), visits=items)


@router.post("/visits/{visit_id}/review/start", responses=_ERRORS)
def start_review(
    visit_id: ReachableVisitDep,
    _no_body: NoBodyDep,
    principal: PrincipalDep,
    session: SessionDep,
    context: ContextDep,
    now: NowDep,
) -> VisitStatusPublic:
    visit = reviews.start_review(session, context.keys, principal, visit_id, now)
    session.commit()
    return VisitStatusPublic(
        visit_id=visit.id, status=visit.meta.get("status"), version=visit.version
    )


def _decide(
    visit_id: str,
    decision: ReviewDecision,
    comments: list[reviews.FieldComment],
    note: str,
    principal: PrincipalDep,
    session: SessionDep,
    context: ContextDep,
    now: NowDep,
) -> ReviewPublic:
    review = reviews.review_visit(
        session, context.keys, principal, visit_id, decision, comments, note, now
    )
    session.commit()
    return review_public({"id": review.id, **current_fields(context.keys, review)})


@router.post(
    "/visits/{visit_id}/approve",
    status_code=status.HTTP_201_CREATED,
    responses=_ERRORS,
    openapi_extra=json_request(ApproveBody),
)
def approve_visit(
    visit_id: ReachableVisitDep,
    body: Annotated[ApproveBody, json_body(ApproveBody)],
    principal: PrincipalDep,
    session: SessionDep,
    context: ContextDep,
    now: NowDep,
) -> ReviewPublic:
    """Approve a visit (审核通过)."""
    return _decide(
        visit_id, ReviewDecision.APPROVED, [], body.note, principal, session, context, now
    )


@router.post(
    "/visits/{visit_id}/return",
    status_code=status.HTTP_201_CREATED,
    responses=_ERRORS,
    openapi_extra=json_request(ReturnBody),
)
def return_visit(
    visit_id: ReachableVisitDep,
    body: Annotated[ReturnBody, json_body(ReturnBody)],
    principal: PrincipalDep,
    session: SessionDep,
    context: ContextDep,
    now: NowDep,
) -> ReviewPublic:
    """Return a visit to its author with comments pinned to fields (退回修改)."""
    return _decide(
        visit_id,
        ReviewDecision.RETURNED,
        body.comments,
        body.note,
        principal,
        session,
        context,
        now,
    )


@router.get("/visits/{visit_id}/reviews", responses=_ERRORS)
def review_history(
    visit_id: IdPath,
    principal: PrincipalDep,
    session: SessionDep,
    context: ContextDep,
    now: NowDep,
) -> ReviewHistoryPublic:
    """The visit's revisions with their status changes, and every review with its comments."""
    chain, statuses, found = reviews.visit_history(session, context.keys, principal, visit_id, now)
    result = ReviewHistoryPublic(
        revisions=[
            VisitRevisionPublic(
                visit_id=v.id,
                revision_of=v.meta.get("revision_of"),
                status=v.meta.get("status"),
                version=v.version,
                status_history=[
                    StatusChangePublic(
                        version=c.version, status=c.status, user_id=c.user_id, at=c.at
                    )
                    for c in statuses[v.id]
                ],
            )
            for v in chain
        ],
        reviews=[review_public(r) for r in found],
    )
    session.commit()  # the audit entry of this read
    return result


@router.get("/eligibility-flags", responses=_ERRORS)
def eligibility_flags(
    principal: PrincipalDep, session: SessionDep, context: ContextDep, now: NowDep
) -> FlagListPublic:
    """Visits whose server recomputation disagreed with the laptop (or could not be compared),
    in the reviewer's area."""
    reviews.require_reviewer(principal)
    visit_ids = visible_record_ids(
        session, buckets_for(session, principal, now), Entity.VISIT.value
    )
    visit_checks.settle(session, context.keys, visit_ids)
    checks = recompute.checks_for(session, visit_ids)
    flagged = sorted(
        (c for c in checks.values() if c.outcome in recompute.FLAGGED_OUTCOMES),
        key=lambda c: (c.checked_at, c.visit_id),
    )
    session.commit()  # the checks just made, if any
    return FlagListPublic(count=len(flagged), flags=[check_public(c) for c in flagged])


__all__ = ["SyncRecord", "router"]
