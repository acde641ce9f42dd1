"""The supervisor's dashboard figures and export buttons over a real (encrypted) local store."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from app.crypto import KdfParams
from app.domain import AssistanceCategory, Finding, VisitContent, VisitKind
from app.exports.gate import ExportForbiddenError
from app.services.demo import complete_signed
from app.services.profiles import ProfileDirectory
from app.services.session import AccountService, AccountSession, Registration, RegistrationRequest
from app.services.supervisor_dashboard import (
    TaskProgress,
    agency_progress,
    build_dashboard,
    month_range,
)
from app.services.supervisor_exports import community_of, export_ledger, export_public_notice
from tests.sync.e2e.harness import household_content

PASSWORD = "correct horse battery"
TODAY = date(2026, 6, 15)


def _accounts(base: Path, role: str) -> AccountService:
    def register(request: RegistrationRequest) -> Registration:
        return Registration(user_id=f"u-{request.account}", device_id="d1", role=role)

    return AccountService(ProfileDirectory(base), register=register, kdf=KdfParams.for_tests())


@pytest.fixture
def open_session(tmp_path: Path) -> Callable[[str], AccountSession]:
    def make(role: str) -> AccountSession:
        return _accounts(tmp_path / role, role).register("https://x.example.cn", "chen", PASSWORD)

    return make


def _visit(session: AccountSession, grid: str, serial: int, day: date, finding: Finding) -> str:
    store = session.store
    made = household_content(f"户主{serial}", serial, 2)
    household = store.create_household(
        grid_id=grid, content=made, category=AssistanceCategory.MINIMUM_LIVING
    )
    started = datetime(day.year, day.month, day.day, 2, tzinfo=UTC)
    content = VisitContent(
        visitors=("a", "b"),
        started_at=started,
        ended_at=started.replace(hour=3),
        members=made.members,
        notice_of_duties_signed=True,
        finding=finding,
    )
    visit = store.create_visit_draft(household.household_id, VisitKind.PERIODIC_REVIEW, content)
    complete_signed(store, visit.visit_id)
    return household.household_id


def test_months_end_with_the_given_day_and_cross_the_year() -> None:
    assert month_range(date(2026, 2, 3), 4) == ["2025-11", "2025-12", "2026-01", "2026-02"]


def test_agency_progress_counts_open_top_level_tasks_once() -> None:
    tasks = [
        TaskProgress("A1", None, 10, 4),
        TaskProgress("A1", "u1", 5, 2, is_subtask=True),  # a share of the task above
        TaskProgress("A1", None, 3, 3, open=False),
        TaskProgress("A2", None, 6, 6),
        TaskProgress(None, "u2", 4, 1),
    ]
    assert [(p.name, p.planned, p.done, p.share) for p in agency_progress(tasks)] == [
        ("A1", 10, 4, 0.4),
        ("A2", 6, 6, 1.0),
    ]


def test_dashboard_counts_visits_per_grid_and_the_ineligible_rate(
    open_session: Callable[[str], AccountSession],
) -> None:
    session = open_session("supervisor")
    _visit(session, "G1", 1, date(2026, 5, 2), Finding.ELIGIBLE)
    _visit(session, "G1", 2, date(2026, 6, 1), Finding.INELIGIBLE)
    _visit(session, "G2", 3, date(2026, 6, 3), Finding.ELIGIBLE)
    _visit(session, "G2", 4, date(2025, 1, 3), Finding.INELIGIBLE)  # outside the window
    board = build_dashboard(
        session, tasks=[TaskProgress("A1", None, 8, 2)], reviews_due=3, today=TODAY
    )
    assert [(p.name, p.planned, p.done) for p in board.per_grid] == [("G1", 2, 2), ("G2", 1, 1)]
    assert [(m.month, m.first, m.second) for m in board.findings][-2:] == [
        ("2026-05", 1, 0),
        ("2026-06", 2, 1),
    ]
    assert board.ineligible_rate == pytest.approx(1 / 3)
    assert (board.reviews_due, [a.name for a in board.per_agency]) == (3, ["A1"])


def test_exports_write_the_ledger_and_a_masked_public_notice(
    open_session: Callable[[str], AccountSession], tmp_path: Path
) -> None:
    session = open_session("supervisor")
    _visit(session, "G1", 1, date(2026, 5, 2), Finding.ELIGIBLE)
    _visit(session, "G1", 2, date(2026, 6, 1), Finding.ELIGIBLE)
    ledger = export_ledger(session, tmp_path / "台账.xlsx")
    rows = list(load_workbook(ledger).active.iter_rows(values_only=True))
    assert sorted(str(r[3]) for r in rows[1:] if r[3]) == ["户主1", "户主2"]
    notice = export_public_notice(session, tmp_path / "公示.xlsx")
    cells = [
        str(c) for row in load_workbook(notice).active.iter_rows(values_only=True) for c in row
    ]
    numbers = [m.id_number for n in (1, 2) for m in household_content(f"户主{n}", n, 2).members]
    assert not [n for n in numbers if any(n in cell for cell in cells)]
    assert any(n[:6] + "********" + n[-4:] in cells for n in numbers)


def test_the_public_notice_names_the_community_not_the_door() -> None:
    assert community_of("东城区和平里社区12号楼3单元") == "东城区和平里社区"
    assert community_of("城关镇杨家村3组12号") == "城关镇杨家村"
    assert community_of("幸福街道1号") == "幸福街道"


def test_contractors_get_no_export(
    open_session: Callable[[str], AccountSession], tmp_path: Path
) -> None:
    session = open_session("contractor")
    with pytest.raises(ExportForbiddenError):
        export_ledger(session, tmp_path / "x.xlsx")
    assert not (tmp_path / "x.xlsx").exists()
