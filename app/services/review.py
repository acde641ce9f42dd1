"""What the review screens need from the laptop's own store: a visit laid out for a reviewer
(data, photos, signatures, eligibility, the diff against the household's previous visit) and,
on the author's side, the comments of a returned visit and the way to revise it.

The decision itself is online (the server's review queue); the visit's content reaches the
supervisor's laptop by ordinary sync (the region's buckets), so reading it here costs no extra
download of personal data and stays encrypted at rest like every other record.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field as _field
from datetime import date
from typing import Any

from app.domain import VisitContent, VisitStatus
from app.errors import JiafangError, StoreError
from app.exports.gate import ensure_may_export
from app.exports.visit_form import VisitForm, signature_images, visit_form_from_views
from app.models.views import VisitView
from app.policy.decision import EligibilityDecision
from app.services.session import AccountSession, latest_return_comments

logger = logging.getLogger(__name__)

#: Fields that hold attachment references or bookkeeping, not observations: not diffed.
_NOT_DIFFED = frozenset({"photo_ids", "signatures", "clue_ids", "started_at", "ended_at"})


@dataclass(frozen=True)
class FieldChange:
    """One value that differs from the household's previous visit (`path` like `incomes.0`)."""

    path: str
    before: str = _field(repr=False)
    after: str = _field(repr=False)


@dataclass(frozen=True)
class ReviewComment:
    """A reviewer's comment pinned to a field path of a visit."""

    field: str
    comment: str = _field(repr=False)

    @property
    def top_field(self) -> str:
        return self.field.split(".", 1)[0]


@dataclass(frozen=True)
class ReviewDetail:
    """Everything the review detail view shows, loaded in one background job."""

    visit: VisitView = _field(repr=False)
    head_name: str = _field(repr=False)
    grid_id: str
    previous: VisitView | None = _field(repr=False)
    changes: tuple[FieldChange, ...] = _field(repr=False)
    #: (attachment id, JPEG bytes) of the photos this laptop holds
    photos: tuple[tuple[str, bytes], ...] = _field(repr=False)
    #: (signer, PNG bytes)
    signatures: tuple[tuple[str, bytes], ...] = _field(repr=False)
    #: photos or signatures named by the visit but not (yet) on this laptop
    missing_attachments: int
    eligibility: EligibilityDecision | None = _field(repr=False)


def _flatten(value: Any, prefix: str, out: dict[str, str]) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _flatten(item, f"{prefix}.{key}" if prefix else str(key), out)
    elif isinstance(value, list | tuple):
        if not value:
            out[prefix] = ""
        for index, item in enumerate(value):
            _flatten(item, f"{prefix}.{index}", out)
    else:
        out[prefix] = "" if value is None else str(value)


def visit_diff(previous: VisitContent | None, current: VisitContent) -> list[FieldChange]:
    """Field-by-field differences between two visits' contents (observations only), in the
    order of the visit's fields; without a previous visit, every field holding a value."""
    base = previous if previous is not None else VisitContent()
    before: dict[str, str] = {}
    after: dict[str, str] = {}
    for name in VisitContent.model_fields:
        if name in _NOT_DIFFED:
            continue
        _flatten(base.model_dump(mode="json")[name], name, before)
        _flatten(current.model_dump(mode="json")[name], name, after)
    paths = list(after) + [p for p in before if p not in after]
    return [
        FieldChange(path, before.get(path, ""), after.get(path, ""))
        for path in paths
        if before.get(path, "") != after.get(path, "")
    ]


def previous_visit(visits: list[VisitView], current: VisitView) -> VisitView | None:
    """The household's latest earlier visit with a finished record, leaving out the current
    visit's own earlier revisions (they are the same visit, corrected)."""
    chain: set[str] = {current.visit_id}
    by_id = {v.visit_id: v for v in visits}
    parent = current.revision_of
    while parent is not None and parent not in chain:
        chain.add(parent)
        parent = by_id[parent].revision_of if parent in by_id else None
    finished = {
        VisitStatus.COMPLETED,
        VisitStatus.SYNCED,
        VisitStatus.UNDER_REVIEW,
        VisitStatus.APPROVED,
    }
    cutoff = current.visit_date or date.max
    earlier = [
        v
        for v in visits
        if v.visit_id not in chain
        and v.status in finished
        and (v.visit_date or date.min) <= cutoff
        and (
            v.completed_at is None
            or current.completed_at is None
            or v.completed_at < current.completed_at
        )
    ]
    earlier.sort(key=lambda v: (v.visit_date or date.min, v.completed_at or v.visit_date))
    return earlier[-1] if earlier else None


def review_detail(
    session: AccountSession, visit_id: str, *, on: date | None = None
) -> ReviewDetail:
    """Lay a synced visit out for the reviewer (reads only this laptop's store)."""
    store = session.records
    visit = store.get_visit(visit_id)
    household = store.get_household(visit.household_id)
    previous = previous_visit(store.list_visits(visit.household_id), visit)
    content = visit.content
    photos: list[tuple[str, bytes]] = []
    signatures: list[tuple[str, bytes]] = []
    missing = 0
    for photo_id in content.photo_ids:
        try:
            photos.append((photo_id, store.read_attachment(photo_id)))
        except JiafangError:
            missing += 1  # not fetched yet (photos come on demand)
    for signature in content.signatures:
        try:
            signatures.append((signature.signer, store.read_attachment(signature.attachment_id)))
        except JiafangError:
            missing += 1
    return ReviewDetail(
        visit=visit,
        head_name=household.content.head_name,
        grid_id=household.grid_id,
        previous=previous,
        changes=tuple(visit_diff(previous.content if previous else None, content)),
        photos=tuple(photos),
        signatures=tuple(signatures),
        missing_attachments=missing,
        eligibility=session.evaluate(visit.household_id, content, on=on or visit.visit_date),
    )


def head_names(session: AccountSession, household_ids: Iterable[str | None]) -> dict[str, str]:
    """Head of household by household id, for the supervisor's server lists (review queue,
    conflicts); a household not synced to this laptop yet is left out (its row says so)."""
    heads: dict[str, str] = {}
    for household_id in household_ids:
        if household_id is None:
            continue
        with contextlib.suppress(JiafangError):
            heads[household_id] = session.records.get_household(household_id).content.head_name
    return heads


def review_comments(session: AccountSession, visit_id: str) -> tuple[ReviewComment, ...]:
    """The comments of the latest `returned` decision on this visit, or — for a new revision
    — on the visit it corrects: what the author must see at the fields while revising."""
    store = session.records
    visit = store.get_visit(visit_id)
    target = visit_id
    if visit.status is not VisitStatus.RETURNED and visit.revision_of is not None:
        target = visit.revision_of
    return tuple(
        ReviewComment(c["field"], c["comment"])
        for c in latest_return_comments(store.list_reviews(target))
    )


def returned_visits(session: AccountSession) -> list[VisitView]:
    """This laptop's visits that a reviewer sent back and that have no revision yet."""
    return session.records.list_visits_with_status(VisitStatus.RETURNED)


def revise_returned(session: AccountSession, visit_id: str) -> VisitView:
    """Start the new revision of a returned visit (the returned one is kept as `revised`)."""
    visit = session.records.get_visit(visit_id)
    if visit.status is not VisitStatus.RETURNED:
        raise StoreError(
            "只有退回的走访记录可以修改",
            "Only a returned visit can be revised",
            code="visit_not_returned",
        )
    revision = session.records.revise_visit(visit_id)
    logger.info("revision started for a returned visit")
    return revision


def printable_visit_form(session: AccountSession, visit_id: str) -> VisitForm:
    """The visit's printable form (eligibility reasons and signatures included); printing
    itself checks the role (`app.exports.gate`)."""
    ensure_may_export(session.profile.role)
    store = session.records
    visit = store.get_visit(visit_id)
    household = store.get_household(visit.household_id)
    return visit_form_from_views(
        household,
        visit,
        grid_name=household.grid_id,
        decision=session.evaluate(visit.household_id, visit.content, on=visit.visit_date),
        signatures=signature_images(visit.content.signatures, store.read_attachment),
    )
