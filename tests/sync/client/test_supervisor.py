"""The supervisor's online client against the real server on loopback: the review loop (return
with a comment on the income field, revise, approve), history, tasks and a spot-check draw."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest

from app.domain import IncomeItem, IncomeType, VisitKind
from app.services.demo import complete_signed
from sync.client.errors import ApiAnswerError
from sync.client.supervisor import FieldComment, SupervisorApi
from tests.sync.e2e.harness import Laptop, LiveServer, household_content, visit_content

pytestmark = pytest.mark.slow


def _completed_visit(worker: Laptop, income: str) -> tuple[str, str]:
    household = worker.db.create_household(grid_id="G1", content=household_content("赵秀英", 1, 2))
    content = visit_content().model_copy(
        update={"incomes": (IncomeItem(type=IncomeType.WAGES, monthly_amount=Decimal(income)),)}
    )
    visit = worker.db.create_visit_draft(
        household.household_id, VisitKind.PERIODIC_REVIEW, content, visit_date=date(2026, 3, 2)
    )
    complete_signed(worker.db, visit.visit_id)
    return household.household_id, visit.visit_id


def test_return_revise_and_approve_through_the_server(
    server: LiveServer, laptop_factory: Callable[[str], Laptop]
) -> None:
    worker = laptop_factory("fw1")
    supervisor = laptop_factory("sup")
    household_id, visit_id = _completed_visit(worker, "800")
    assert worker.engine().run_once().ok
    sup_engine = supervisor.engine()
    assert sup_engine.run_once().ok
    api = SupervisorApi.for_engine(sup_engine)

    queue = api.review_queue()
    assert [item.visit_id for item in queue] == [visit_id]
    assert queue[0].household_id == household_id
    assert api.start_review(visit_id) == "under_review"
    returned = api.return_visit(visit_id, [FieldComment("incomes.0.monthly_amount", "工资条不符")])
    assert returned.decision == "returned"
    assert returned.author_id == server.user_ids["fw1"]
    assert api.review_queue() == []

    # The worker's laptop receives the decision and its comment, and revises.
    assert worker.engine().run_once().ok
    reviews = worker.db.list_reviews(visit_id)
    assert [r.decision.value for r in reviews] == ["returned"]
    revision = worker.db.revise_visit(visit_id)
    worker.db.update_visit_draft(
        revision.visit_id,
        incomes=(IncomeItem(type=IncomeType.WAGES, monthly_amount=Decimal("1200")),),
    )
    complete_signed(worker.db, revision.visit_id)
    assert worker.engine().run_once().ok

    assert [item.visit_id for item in api.review_queue()] == [revision.visit_id]
    approved = api.approve(revision.visit_id, "核实无误")
    assert approved.decision == "approved"
    history = api.history(revision.visit_id)
    assert [r.visit_id for r in history.revisions] == [visit_id, revision.visit_id]
    assert [r.decision for r in history.reviews] == ["returned", "approved"]
    assert history.reviews[0].comments == (FieldComment("incomes.0.monthly_amount", "工资条不符"),)
    # A decided visit cannot be decided again.
    with pytest.raises(ApiAnswerError) as refused:
        api.approve(revision.visit_id)
    assert refused.value.status == 409


def test_a_field_worker_is_refused_the_review_queue(
    server: LiveServer, laptop_factory: Callable[[str], Laptop]
) -> None:
    worker = laptop_factory("fw1")
    engine = worker.engine()
    assert engine.run_once().ok
    with pytest.raises(ApiAnswerError) as refused:
        SupervisorApi.for_engine(engine).review_queue()
    assert refused.value.status == 403


def test_tasks_and_a_reproducible_spot_check_draw(
    server: LiveServer, laptop_factory: Callable[[str], Laptop]
) -> None:
    worker = laptop_factory("fw1")
    supervisor = laptop_factory("sup")
    household_id, visit_id = _completed_visit(worker, "800")
    assert worker.engine().run_once().ok
    engine = supervisor.engine()
    assert engine.run_once().ok
    api = SupervisorApi.for_engine(engine)
    task = api.create_task(
        kind="periodic_review",
        household_ids=[household_id],
        user_id=server.user_ids["fw2"],
        deadline=date(2026, 12, 31),
        title="复核",
    )
    assert (task.households, task.assignee_user_id) == (1, server.user_ids["fw2"])
    assert task.task_id in {t.task_id for t in api.tasks()}
    assert api.close_task(task.task_id).status == "closed"
    api.approve(visit_id)
    draw = api.spot_check(region_id="S1", sample_size=1, inspector_count=1, seed="2026-抽查-1")
    assert draw.seed == "2026-抽查-1"
    assert draw.selected == (household_id,)
    assert draw.reproducible
    assert len(draw.task_ids) == 1
    assert draw.draw_id in {d.draw_id for d in api.spot_checks()}
