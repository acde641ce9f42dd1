"""Fill an account's store with synthetic households (app.demo_data) for demos, tests and the
screenshots. Never real data: every name, address and ID number comes from the generator."""

from __future__ import annotations

import io
import random
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from app.demo_data import (
    DemoDataset,
    generate_dataset,
    generate_visit_due_for_review,
    synthetic_signature_png,
)
from app.domain import (
    ClueKind,
    ClueStatus,
    SignatureRef,
    VisitContent,
    VisitKind,
    required_signers,
)
from app.ids import uuid7
from app.models.views import VisitView
from app.policy.decision import EligibilityDecision
from app.store.local_store import CHINA_TZ, LocalStore

#: the visitors recorded on demo visits (user ids of the demo field workers)
DEMO_VISITORS: tuple[str, str] = ("demo-worker-1", "demo-worker-2")
_CLUE_KINDS = tuple(ClueKind)

#: the policy engine's decision on a visit: (grid id, visit, visit date) -> decision or None
Evaluate = Callable[[str, VisitContent, date], EligibilityDecision | None]


def seed_store(
    store: LocalStore,
    *,
    seed: int = 0,
    households: int = 60,
    visit_ratio: float = 0.7,
    clue_ratio: float = 0.15,
    today: date | None = None,
    evaluate: Evaluate | None = None,
) -> DemoDataset:
    """Households with completed visits for most, open clues for some; deterministic per seed
    and `today` (default: the clock's day), which every date is relative to.

    Reviews fall due around `today` (a handful overdue, some in the coming weeks, the rest
    later). A household with a visit has its next review where the policy engine (`evaluate`)
    puts it after that visit, as a visit completed in the app would, the visit dated one
    review interval before the household's due date; the others keep a made-up "imported"
    date."""
    today = today or date.today()
    dataset = generate_dataset(seed=seed, households=households, today=today)
    rng = random.Random(f"jiafang-demo/seed-store/{seed}")
    for index, household in enumerate(dataset.households):
        next_review: date | None = household.next_review
        visit_content = None
        if rng.random() < visit_ratio:

            def review_interval(
                visit: VisitContent, on: date, grid_id: str = household.grid_id
            ) -> int | None:
                decision = evaluate(grid_id, visit, on) if evaluate else None
                return decision.review_interval_months if decision is not None else None

            visit_content = generate_visit_due_for_review(
                seed, household, DEMO_VISITORS, today=today, review_interval=review_interval
            )
            started = visit_content.started_at
            if evaluate is not None and started is not None:
                visited_on = started.astimezone(CHINA_TZ).date()
                decision = evaluate(household.grid_id, visit_content, visited_on)
                if decision is not None:
                    next_review = decision.next_review_on
        store.create_household(
            grid_id=household.grid_id,
            content=household.content,
            category=household.category,
            next_review=next_review,
            household_id=household.household_id,
        )
        if visit_content is not None:
            visit = store.create_visit_draft(
                household.household_id, VisitKind.PERIODIC_REVIEW, visit_content
            )
            complete_signed(store, visit.visit_id, completed_at=visit_content.ended_at)
        if rng.random() < clue_ratio:
            member = household.content.members[rng.randrange(len(household.content.members))]
            _add_clue(store, household.household_id, member.member_id, member.name, index, today)
    if dataset.households:
        _add_task(store, [h.household_id for h in dataset.households[:12]], today)
    return dataset


def sign_demo_visit(
    store: LocalStore,
    visit_id: str,
    content: VisitContent | None = None,
    *,
    signed_at: datetime | None = None,
) -> VisitContent:
    """Sign a draft on behalf of everyone who must sign `content` (default: the draft's): the
    household and each visitor, with drawn stand-in images kept as the signature pads keep
    theirs. Returns `content` with those signatures, as the form would complete it."""
    visit = store.get_visit(visit_id)
    content = content or visit.content
    when = signed_at or datetime.now(UTC)
    signed = {s.signer: s for s in (*visit.content.signatures, *content.signatures)}
    for signer in required_signers(content):
        if signer in signed:
            continue
        attachment = store.add_attachment(
            visit.household_id,
            io.BytesIO(synthetic_signature_png(signer)),
            kind="signature",
            visit_id=visit_id,
        )
        signed[signer] = SignatureRef(
            signer=signer, attachment_id=attachment.attachment_id, signed_at=when
        )
    signatures = tuple(signed.values())
    store.update_visit_draft(visit_id, signatures=signatures)
    return content.model_copy(update={"signatures": signatures})


def complete_signed(
    store: LocalStore, visit_id: str, *, completed_at: datetime | None = None, **fields: Any
) -> VisitView:
    """`store.complete_visit` once everyone has signed (`sign_demo_visit`), with the form's
    last changes `fields` as that takes them."""
    content = store.get_visit(visit_id).content
    if fields:
        content = VisitContent.model_validate({**content.model_dump(), **fields})
    signed = sign_demo_visit(store, visit_id, content, signed_at=completed_at)
    if "signatures" in fields:
        fields["signatures"] = signed.signatures
    return store.complete_visit(visit_id, completed_at=completed_at, **fields)


def _add_task(store: LocalStore, household_ids: list[str], today: date) -> None:
    """An open periodic-review task over some of the households (tasks come from the server)."""
    deadline = today + timedelta(days=21)
    store.apply_pull_page(
        [
            {
                "entity": "task",
                "id": uuid7(),
                "version": 1,
                "seq": 1,
                "household_id": None,
                "grid_id": None,
                "deleted": False,
                "meta": {
                    "kind": VisitKind.PERIODIC_REVIEW.value,
                    "status": "open",
                    "deadline": deadline.isoformat(),
                },
                "data": {
                    "title": f"{today.year}年低保对象定期复核",
                    "household_ids": household_ids,
                },
            }
        ],
        "demo-task",
        1,
    )


def _add_clue(
    store: LocalStore,
    household_id: str,
    member_id: str,
    member_name: str,
    index: int,
    today: date,
) -> None:
    kind = _CLUE_KINDS[index % len(_CLUE_KINDS)]
    found_on = today - timedelta(days=index % 40)
    # Clues come from the server's data comparison, so they enter the store as pulled records.
    store.apply_pull_page(
        [
            {
                "entity": "clue",
                "id": uuid7(),
                "version": 1,
                "seq": index + 1,
                "household_id": household_id,
                "grid_id": None,
                "deleted": False,
                "meta": {
                    "member_id": member_id,
                    "kind": kind.value,
                    "status": ClueStatus.OPEN.value,
                },
                "data": {"member_name": member_name, "found_on": found_on.isoformat()},
            }
        ],
        "demo",
        index + 1,
    )
