"""Visits: drafts, autosave and crash recovery, completion rules, immutability and revisions."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from app.domain import Finding, SignatureRef, VisitContent, VisitKind, VisitStatus
from app.errors import ValidationError
from app.services.demo import complete_signed, sign_demo_visit
from app.store.local_store import LocalStore
from tests.app.store.conftest import PASSWORD, complete_visit_content, make_household


@pytest.fixture
def household_id(store: LocalStore) -> str:
    return store.create_household(
        grid_id="g1", content=make_household("钱进", serial=70)
    ).household_id


def test_draft_is_saved_updated_and_completed(store: LocalStore, household_id: str) -> None:
    draft = store.create_visit_draft(household_id, VisitKind.PERIODIC_REVIEW)
    assert draft.status is VisitStatus.DRAFT
    store.update_visit_draft(draft.visit_id, **complete_visit_content().model_dump())
    done = complete_signed(store, draft.visit_id)
    assert done.status is VisitStatus.COMPLETED
    assert done.completed_at is not None
    assert done.visit_date is not None and done.visit_date.isoformat() == "2026-03-02"
    assert [v.visit_id for v in store.list_visits(household_id)] == [draft.visit_id]


def test_final_changes_are_saved_with_the_completion_in_one_mutation(
    store: LocalStore, household_id: str
) -> None:
    draft = store.create_visit_draft(household_id, VisitKind.PERIODIC_REVIEW)
    store.autosave_draft(draft.visit_id, {"living_conditions": "未保存"})
    signed = sign_demo_visit(store, draft.visit_id, complete_visit_content())
    before = store.pending_count()
    final = signed.model_copy(update={"living_conditions": "屋内整洁"}).model_dump()
    done = store.complete_visit(draft.visit_id, **final)
    assert done.status is VisitStatus.COMPLETED
    assert done.content.living_conditions == "屋内整洁"
    assert store.pending_count() == before + 1
    last = store.pending_mutations(500)[-1]
    assert last.changed["status"] == "completed"
    assert last.changed["living_conditions"] == "屋内整洁"
    assert store.recover_drafts() == []  # the autosave is obsolete once completed
    with pytest.raises(ValidationError):
        store.complete_visit(
            store.create_visit_draft(household_id, VisitKind.PERIODIC_REVIEW).visit_id,
            colour="blue",
        )


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"visitors": ("worker-1",)}, "visit_visitors"),
        ({"visitors": ("worker-1", "worker-1")}, "visit_visitors"),
        ({"notice_of_duties_signed": False}, "visit_notice"),
        ({"finding": None}, "visit_finding"),
    ],
)
def test_completion_requires_two_visitors_notice_and_finding(
    store: LocalStore, household_id: str, overrides: dict[str, Any], code: str
) -> None:
    draft = store.create_visit_draft(
        household_id, VisitKind.APPLICATION, complete_visit_content(**overrides)
    )
    with pytest.raises(ValidationError) as info:
        store.complete_visit(draft.visit_id)
    assert info.value.code == code
    assert store.get_visit(draft.visit_id).status is VisitStatus.DRAFT


def test_completion_requires_the_household_and_every_visitor_to_have_signed(
    store: LocalStore, household_id: str
) -> None:
    draft = store.create_visit_draft(
        household_id, VisitKind.PERIODIC_REVIEW, complete_visit_content()
    )
    with pytest.raises(ValidationError) as info:
        store.complete_visit(draft.visit_id)
    assert info.value.code == "visit_signatures"
    assert info.value.message_en == (
        "Signatures missing: the household, visitor worker-1, visitor worker-2"
    )
    assert (
        info.value.message_zh == "以下签名尚未完成：被访家庭、走访人员 worker-1、走访人员 worker-2"
    )
    signed = sign_demo_visit(store, draft.visit_id)
    # A signature whose image is not kept on this laptop does not count.
    lost = SignatureRef(signer="worker-2", attachment_id="not-kept", signed_at=datetime.now(UTC))
    kept = tuple(s for s in signed.signatures if s.signer != "worker-2")
    store.update_visit_draft(draft.visit_id, signatures=(*kept, lost))
    with pytest.raises(ValidationError) as again:
        store.complete_visit(draft.visit_id)
    assert again.value.message_en == "Signatures missing: visitor worker-2"
    assert store.get_visit(draft.visit_id).status is VisitStatus.DRAFT
    store.update_visit_draft(draft.visit_id, signatures=signed.signatures)
    assert store.complete_visit(draft.visit_id).status is VisitStatus.COMPLETED


def test_completed_visit_is_immutable(store: LocalStore, household_id: str) -> None:
    draft = store.create_visit_draft(
        household_id, VisitKind.WELFARE_VISIT, complete_visit_content()
    )
    complete_signed(store, draft.visit_id)
    with pytest.raises(ValidationError) as info:
        store.update_visit_draft(draft.visit_id, living_conditions="改动")
    assert info.value.code == "visit_immutable"
    with pytest.raises(ValidationError) as second:
        store.complete_visit(draft.visit_id)
    assert second.value.code == "visit_transition"
    with pytest.raises(ValidationError):
        store.autosave_draft(draft.visit_id, {"living_conditions": "x"})


def _server_copy(store: LocalStore, visit_id: str, *, status: str, version: int) -> dict[str, Any]:
    view = store.get_visit(visit_id)
    return {
        "entity": "visit",
        "id": visit_id,
        "version": version,
        "seq": version * 10,
        "household_id": view.household_id,
        "grid_id": "g1",
        "deleted": False,
        "meta": {
            "kind": view.kind.value,
            "status": status,
            "revision": view.revision,
            "revision_of": view.revision_of,
            "visit_date": view.visit_date.isoformat() if view.visit_date else None,
            "completed_at": view.completed_at.isoformat() if view.completed_at else None,
        },
        "data": view.content.model_dump(mode="json"),
    }


def test_returned_visit_is_corrected_in_a_new_revision(
    store: LocalStore, household_id: str
) -> None:
    draft = store.create_visit_draft(household_id, VisitKind.CLUE_CHECK, complete_visit_content())
    complete_signed(store, draft.visit_id)
    store.acknowledge(m.mutation_id for m in store.pending_mutations())
    store.apply_pull_page(
        [_server_copy(store, draft.visit_id, status="returned", version=3)], "grid:g1", 30
    )
    assert store.get_visit(draft.visit_id).status is VisitStatus.RETURNED

    revision = store.revise_visit(draft.visit_id)
    assert revision.status is VisitStatus.DRAFT
    assert revision.revision == 2
    assert revision.revision_of == draft.visit_id
    assert revision.content.finding is Finding.ELIGIBLE  # the author starts from what they had
    old = store.get_visit(draft.visit_id)
    assert old.status is VisitStatus.REVISED
    assert old.content == store.get_visit(draft.visit_id).content  # the returned record is kept
    store.update_visit_draft(revision.visit_id, finding=Finding.DOUBTFUL)
    assert complete_signed(store, revision.visit_id).content.finding is Finding.DOUBTFUL
    pending = [(m.entity_id, m.changed) for m in store.pending_mutations()]
    assert (draft.visit_id, {"status": "revised"}) in pending
    with pytest.raises(ValidationError):
        store.revise_visit(draft.visit_id)  # a revised visit cannot be revised again


def test_only_a_returned_visit_can_be_revised(store: LocalStore, household_id: str) -> None:
    draft = store.create_visit_draft(household_id, VisitKind.DISCOVERY, complete_visit_content())
    with pytest.raises(ValidationError) as info:
        store.revise_visit(draft.visit_id)
    assert info.value.code == "visit_transition"


def test_autosaved_draft_survives_a_crash_and_is_cleared_by_saving(
    store_path: Path, store: LocalStore, household_id: str
) -> None:
    draft = store.create_visit_draft(household_id, VisitKind.PERIODIC_REVIEW)
    store.autosave_draft(draft.visit_id, {"living_conditions": "正在输"})
    store.autosave_draft(draft.visit_id, '{"living_conditions": "正在输入的内容"}')
    # No close(), no lock(): the process just goes away; a new one opens the file.
    other = LocalStore.open(store_path)
    other.unlock(PASSWORD)
    drafts = other.recover_drafts()
    assert [(d.visit_id, d.content) for d in drafts] == [
        (draft.visit_id, {"living_conditions": "正在输入的内容"})
    ]
    other.update_visit_draft(draft.visit_id, living_conditions="正在输入的内容")
    assert other.recover_drafts() == []
    assert other.get_visit(draft.visit_id).content.living_conditions == "正在输入的内容"
    other.close()


def test_autosave_does_not_touch_the_outbox(store: LocalStore, household_id: str) -> None:
    draft = store.create_visit_draft(household_id, VisitKind.PERIODIC_REVIEW)
    before = store.pending_count()
    for i in range(20):
        store.autosave_draft(draft.visit_id, {"living_conditions": "字" * i})
    assert store.pending_count() == before


def test_visit_content_round_trips_with_money_as_decimal(
    store: LocalStore, household_id: str
) -> None:
    from decimal import Decimal

    from app.domain import IncomeItem, IncomeType

    content = complete_visit_content(
        incomes=(IncomeItem(type=IncomeType.WAGES, monthly_amount=Decimal("1234.50")),)
    )
    draft = store.create_visit_draft(household_id, VisitKind.APPLICATION, content)
    again = store.get_visit(draft.visit_id).content
    assert isinstance(again, VisitContent)
    assert again.incomes[0].monthly_amount == Decimal("1234.50")
    assert isinstance(again.incomes[0].monthly_amount, Decimal)


def test_an_acknowledged_completion_makes_the_visit_synced(
    store: LocalStore, household_id: str
) -> None:
    draft = store.create_visit_draft(household_id, VisitKind.PERIODIC_REVIEW)
    signed = sign_demo_visit(store, draft.visit_id, complete_visit_content())
    store.complete_visit(draft.visit_id, **signed.model_dump())
    *creation, completion = store.pending_mutations()
    # The draft's creation names a status too, but the completion is not sent yet.
    store.acknowledge(m.mutation_id for m in creation)
    assert store.get_visit(draft.visit_id).status is VisitStatus.COMPLETED
    store.acknowledge([completion.mutation_id])
    synced = store.get_visit(draft.visit_id)
    assert synced.status is VisitStatus.SYNCED
    assert synced.content == signed  # the content still opens
    # The server made that move: nothing is queued for it, and the audit log says what happened.
    assert store.pending_count() == 0
    assert store.audit_entries(limit=1)[0].action == "visit.synced"
    assert store.verify_audit_chain().ok


def test_a_refused_completion_leaves_the_visit_completed(
    store: LocalStore, household_id: str
) -> None:
    draft = store.create_visit_draft(household_id, VisitKind.PERIODIC_REVIEW)
    signed = sign_demo_visit(store, draft.visit_id, complete_visit_content())
    store.complete_visit(draft.visit_id, **signed.model_dump())
    *creation, completion = store.pending_mutations()
    store.quarantine(completion.mutation_id, "forbidden")
    store.acknowledge(m.mutation_id for m in creation)
    assert store.get_visit(draft.visit_id).status is VisitStatus.COMPLETED


def test_a_pulled_completed_version_does_not_set_a_synced_visit_back(
    store: LocalStore, household_id: str
) -> None:
    draft = store.create_visit_draft(
        household_id, VisitKind.PERIODIC_REVIEW, complete_visit_content()
    )
    complete_signed(store, draft.visit_id)
    store.acknowledge(m.mutation_id for m in store.pending_mutations())
    assert store.get_visit(draft.visit_id).status is VisitStatus.SYNCED
    # A server that still holds the visit as `completed` (pushed before it marked visits
    # synced) sends that version: the laptop keeps `synced` but takes the version.
    store.apply_pull_page(
        [_server_copy(store, draft.visit_id, status="completed", version=2)], "grid:g1", 20
    )
    kept = store.get_visit(draft.visit_id)
    assert kept.status is VisitStatus.SYNCED and kept.version == 2
    # Later statuses from the server apply as usual.
    store.apply_pull_page(
        [_server_copy(store, draft.visit_id, status="under_review", version=4)], "grid:g1", 40
    )
    assert store.get_visit(draft.visit_id).status is VisitStatus.UNDER_REVIEW
    # A visit this laptop has only as `completed` takes the pulled `completed` as it is.
    other = store.create_visit_draft(
        household_id, VisitKind.PERIODIC_REVIEW, complete_visit_content()
    )
    complete_signed(store, other.visit_id)
    store.apply_pull_page(
        [_server_copy(store, other.visit_id, status="completed", version=1)], "grid:g1", 50
    )
    assert store.get_visit(other.visit_id).status is VisitStatus.COMPLETED
