"""A completed visit carries the eligibility result the worker saw, for the server to verify."""

from __future__ import annotations

from pathlib import Path

from app.crypto import KdfParams
from app.domain import Finding, VisitKind
from app.policy.decision import EligibilityDecision
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

    session.complete_visit(draft.visit_id, content)

    [visit] = [
        v for v in session.household_file(household_id).visits if v.visit_id == draft.visit_id
    ]
    assert visit.content.eligibility is not None
    recorded = EligibilityDecision.from_dict(visit.content.eligibility)
    assert recorded.category == shown.category
    assert recorded.monthly_benefit == shown.monthly_benefit
    assert [r.text_zh for r in recorded.reasons] == [r.text_zh for r in shown.reasons]
