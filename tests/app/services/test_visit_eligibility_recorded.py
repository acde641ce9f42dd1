"""A completed visit carries the eligibility result the worker saw, for the server to verify."""

from __future__ import annotations

from pathlib import Path

from app.crypto import KdfParams
from app.domain import Finding, VisitKind
from app.policy.decision import EligibilityDecision
from app.services.demo import sign_demo_visit
from app.services.profiles import ProfileDirectory
from app.services.session import AccountService, Registration, RegistrationRequest

PASSWORD = "correct horse battery"


def _register(request: RegistrationRequest) -> Registration:
    return Registration(user_id="u-wang", device_id="d-wang", display_name=request.account)


def test_the_completed_visit_holds_the_decision_shown_on_the_form(tmp_path: Path) -> None:
    accounts = AccountService(
        ProfileDirectory(tmp_path), register=_register, kdf=KdfParams.for_tests()
    )
    session = accounts.register("https://jiafang.example.cn", "wang", PASSWORD)
    session.seed_demo_data(seed=11, households=3)
    household_id = session.households()[0].household_id
    draft = session.start_visit(household_id, VisitKind.PERIODIC_REVIEW)
    content = draft.content.model_copy(
        update={
            "visitors": ("u-wang", "u-li"),
            "notice_of_duties_signed": True,
            "finding": Finding.ELIGIBLE,
        }
    )
    shown = session.evaluate(household_id, content, on=draft.visit_date)
    assert shown is not None

    session.complete_visit(draft.visit_id, sign_demo_visit(session.store, draft.visit_id, content))

    [visit] = [
        v for v in session.household_file(household_id).visits if v.visit_id == draft.visit_id
    ]
    assert visit.content.eligibility is not None
    recorded = EligibilityDecision.from_dict(visit.content.eligibility)
    assert recorded.category == shown.category
    assert recorded.monthly_benefit == shown.monthly_benefit
    assert [r.text_zh for r in recorded.reasons] == [r.text_zh for r in shown.reasons]


def test_completing_a_visit_dates_the_next_review_as_the_engine_decides(tmp_path: Path) -> None:
    accounts = AccountService(
        ProfileDirectory(tmp_path), register=_register, kdf=KdfParams.for_tests()
    )
    session = accounts.register("https://jiafang.example.cn", "wang", PASSWORD)
    session.seed_demo_data(seed=11, households=6)
    household = next(
        h
        for h in session.households()
        if (d := session.household_file(h.household_id).eligibility) is not None
        and d.next_review_on is not None
        and d.next_review_on != h.next_review
    )
    imported = household.next_review
    draft = session.start_visit(household.household_id, VisitKind.PERIODIC_REVIEW)
    content = draft.content.model_copy(
        update={
            "visitors": ("u-wang", "u-li"),
            "notice_of_duties_signed": True,
            "finding": Finding.ELIGIBLE,
        }
    )
    # Until then the list shows the imported date.
    other = [h for h in session.households() if h.household_id != household.household_id]
    session.complete_visit(draft.visit_id, sign_demo_visit(session.store, draft.visit_id, content))

    [visit] = [
        v
        for v in session.household_file(household.household_id).visits
        if v.visit_id == draft.visit_id
    ]
    assert visit.content.eligibility is not None
    engine = EligibilityDecision.from_dict(visit.content.eligibility).next_review_on
    assert engine is not None and engine != imported
    [listed] = [h for h in session.households() if h.household_id == household.household_id]
    assert listed.next_review == engine
    assert session.household_file(household.household_id).household.next_review == engine
    due = {h.household_id for h in session.home(on=engine).reviews_due}
    assert household.household_id in due
    # Households without a completed visit keep their imported date.
    assert {h.household_id: h.next_review for h in other} == {
        h.household_id: h.next_review
        for h in session.households()
        if h.household_id != household.household_id
    }


def test_demo_households_with_a_visit_are_dated_by_the_engine(tmp_path: Path) -> None:
    accounts = AccountService(
        ProfileDirectory(tmp_path), register=_register, kdf=KdfParams.for_tests()
    )
    session = accounts.register("https://jiafang.example.cn", "wang", PASSWORD)
    session.seed_demo_data(seed=5, households=12)
    dated = 0
    for item in session.households():
        visits = session.household_file(item.household_id).visits
        if not visits:
            continue
        [visit] = visits
        decision = session.evaluate(item.household_id, visit.content, on=visit.visit_date)
        if decision is not None:
            assert item.next_review == decision.next_review_on
            dated += 1
    assert dated > 0
