"""`python -m ui.supervisor.screenshots OUTDIR [--lang zh_CN|en]`: the supervision screens at
1366x768 (review queue and detail, changes, photos, history, the author's view of a returned
visit, dashboards, tasks, spot checks).

A supervisor's demo profile is filled with synthetic households (app.demo_data), and the online
calls are answered by `DemoServer`, a stand-in that builds the server's answers from that same
profile (no network, no real person). Run under Xvfb with CJK fonts::

    xvfb-run -a -s "-screen 0 1366x768x24" python -m ui.supervisor.screenshots resources/screenshots
"""

from __future__ import annotations

import argparse
import json
import logging
import shutil
import subprocess
import sys
import tempfile
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QApplication

from app.domain import ClueStatus, Finding, IncomeItem, IncomeType, Role, VisitKind, VisitStatus
from app.services.demo import complete_signed, seed_store
from app.services.profiles import ProfileDirectory
from app.services.review import ReviewComment
from app.services.session import AccountService, AccountSession, Registration, RegistrationRequest
from sync.client.supervisor import SupervisorApi
from sync.client.transport import Answer
from ui.app import build_app
from ui.i18n import DEFAULT_LANGUAGE, LANGUAGES
from ui.printing import demo_form, print_visit_form
from ui.screenshots import _settle, _shot, _synthetic_photo
from ui.shell import WINDOW_SIZE, MainWindow
from ui.supervisor.comments import ReviewCommentsBar

logger = logging.getLogger(__name__)

DEMO_PASSWORD = "demo-password-2026"
DEMO_SERVER = "https://jiafang.demo.example.cn"
#: A fixed "today" for the demo data and the dashboards (not the clock), so the PNGs are the
#: same whenever they are taken; the synthetic visits of app.demo_data fall in the months before.
DEMO_TODAY = date(2025, 6, 30)


def supervisor_registration(request: RegistrationRequest) -> Registration:
    return Registration(
        user_id=f"demo-{request.account}",
        device_id=str(uuid.uuid4()),
        display_name=request.account,
        role="supervisor",
    )


class DemoServer:
    """Answers the supervisor's online calls from the demo profile (a screenshot stand-in)."""

    def __init__(self, session: AccountSession) -> None:
        self.session = session
        store = session.store
        self.visits = [
            v
            for h in store.list_households()
            for v in store.list_visits(h.household_id)
            if v.status is VisitStatus.COMPLETED
        ]
        self.visits.sort(key=lambda v: v.visit_date or date.min, reverse=True)
        self.grids = {h.household_id: h.grid_id for h in store.list_households()}

    def __call__(self, method: str, path: str, **kwargs: Any) -> Answer:
        body = self.answer(method, path, kwargs.get("json_body"))
        return Answer(200, json.dumps(body, ensure_ascii=False).encode())

    def answer(self, method: str, path: str, body: Any) -> Any:
        now = datetime(DEMO_TODAY.year, DEMO_TODAY.month, DEMO_TODAY.day, 2, tzinfo=UTC)
        if path == "/v1/reviews/queue":
            return {
                "count": len(self.visits[:14]),
                "visits": [
                    {
                        "visit_id": v.visit_id,
                        "household_id": v.household_id,
                        "grid_id": self.grids.get(v.household_id),
                        "kind": v.kind.value,
                        "status": v.status.value,
                        "visit_date": v.visit_date.isoformat() if v.visit_date else None,
                        "author_id": "demo-worker",
                        "eligibility": {
                            "visit_id": v.visit_id,
                            "household_id": v.household_id,
                            "outcome": "differs" if i == 2 else "match",
                            "differences": ["monthly_benefit"] if i == 2 else [],
                            "policy_id": "district-x-2026",
                            "evaluated_on": None,
                            "flag_id": None,
                            "checked_at": now.isoformat(),
                        },
                        # the fourth visit was altered after it was signed on the laptop
                        "device_signature": {
                            "outcome": "invalid" if i == 3 else "verified",
                            "device_id": "laptop-wangfang-01",
                            "device_user_id": "demo-worker",
                            "signature_version": 1,
                            "checked_at": now.isoformat(),
                        },
                    }
                    for i, v in enumerate(self.visits[:14])
                ],
            }
        if path == "/v1/conflicts":
            household = self.session.store.list_households()[0]
            return {
                "count": 1,
                "conflicts": [
                    {
                        "id": "conflict-demo-1",
                        "household_id": household.household_id,
                        "grid_id": household.grid_id,
                        "subject_entity": "household",
                        "subject_id": household.household_id,
                        "status": "open",
                        "created_at": (now - timedelta(hours=5)).isoformat(),
                        "clashes": [
                            {
                                "field": "address",
                                "kept": "幸福街道12号3单元201",
                                "other": "幸福街道12号3单元202",
                                "other_source": "incoming",
                                "other_device_id": "laptop-lijun-02",
                            },
                            {
                                "field": "phone",
                                "kept": "13800001111",
                                "other": "13911112222",
                                "other_source": "incoming",
                                "other_device_id": "laptop-lijun-02",
                            },
                        ],
                        "resolution": None,
                        "resolved_by": None,
                        "resolved_at": None,
                    }
                ],
            }
        if path.endswith("/review/start"):
            return {"visit_id": path.split("/")[3], "status": "under_review", "version": 3}
        if path.endswith("/reviews"):
            visit_id = path.split("/")[3]
            at = (now - timedelta(days=3)).isoformat()
            return {
                "revisions": [
                    {
                        "visit_id": visit_id,
                        "revision_of": None,
                        "status": "under_review",
                        "version": 3,
                        "status_history": [
                            {"version": 2, "status": "completed", "user_id": "w", "at": at},
                            {
                                "version": 3,
                                "status": "under_review",
                                "user_id": "s",
                                "at": now.isoformat(),
                            },
                        ],
                    }
                ],
                "reviews": [],
            }
        if path == "/v1/tasks":

            def task(
                i: int,
                title: str,
                agency: str | None,
                user: str | None,
                n: int,
                done: int,
            ) -> dict[str, Any]:
                return {
                    "id": f"task-{i}",
                    "kind": "periodic_review",
                    "status": "open",
                    "agency_id": agency,
                    "assignee_user_id": user,
                    "parent_task_id": None,
                    "deadline": (DEMO_TODAY + timedelta(days=14 * i)).isoformat(),
                    "title": title,
                    "source": None,
                    "household_ids": [],
                    "households": n,
                    "visited": done,
                    "created_at": now.isoformat(),
                    "closed_at": None,
                }

            tasks = [
                task(1, "第三方核查（第一批）", "A1", None, 60, 41),
                task(2, "第三方核查（第二批）", "A2", None, 35, 12),
                task(3, "到期复核 G1", None, "王芳", 18, 15),
                task(4, "线索核实", None, "李军", 6, 2),
            ]
            return {"count": len(tasks), "tasks": tasks}
        if path == "/v1/spot-checks":
            ids = [v.household_id for v in self.visits[:6]]
            draw = {
                "id": "draw-1",
                "region_id": "S1",
                "kind": "periodic_review",
                "algorithm": "sha256-fisher-yates/v1",
                "seed": "20250630-街道抽查",
                "sample_size": 6,
                "population_size": len(self.grids),
                "population_digest": "d" * 64,
                "inspector_count": 2,
                "agency_id": None,
                "selected": ids,
                "assignments": {"李军": ids[:3], "赵敏": ids[3:]},
                "task_ids": ["task-7", "task-8"],
                "drawn_by": "demo",
                "drawn_at": now.isoformat(),
                "reproducible": True,
            }
            return draw if method == "POST" else {"draws": [draw]}
        raise KeyError(path)


def _add_second_visits(session: AccountSession) -> None:
    """Later visits for a few demo households, with changed incomes and findings, so the
    review queue has a diff to show against the previous visit."""
    store = session.store
    photo_dir = Path(tempfile.mkdtemp(prefix="jiafang-photos-"))
    for index, household in enumerate(store.list_households()[:6]):
        visits = store.list_visits(household.household_id)
        if not visits:
            continue
        before = visits[0].content
        started = datetime.combine(DEMO_TODAY - timedelta(days=2 + index), datetime.min.time(), UTC)
        incomes = (
            *before.incomes,
            IncomeItem(type=IncomeType.WAGES, monthly_amount=Decimal("1200"), note="灵活就业"),
        )
        content = before.model_copy(
            update={
                "started_at": started + timedelta(hours=1),
                "ended_at": started + timedelta(hours=2),
                "incomes": incomes,
                "finding": Finding.INELIGIBLE if index % 3 == 0 else Finding.ELIGIBLE,
                "housing_conditions": before.housing_conditions + "；屋顶已修缮",
            }
        )
        visit = store.create_visit_draft(household.household_id, VisitKind.PERIODIC_REVIEW, content)
        for n in range(2):
            session.add_photo(visit.visit_id, _synthetic_photo(photo_dir / f"{index}-{n}.jpg", n))
        complete_signed(store, visit.visit_id)
        for clue in store.list_clues(household_id=household.household_id):
            store.close_clue(clue.clue_id, ClueStatus.CONFIRMED, visit_id=visit.visit_id)


def take_screenshots(out: Path, language: str = DEFAULT_LANGUAGE) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    base = Path(tempfile.mkdtemp(prefix="jiafang-supervisor-shots-"))
    accounts = AccountService(ProfileDirectory(base), register=supervisor_registration)
    session = accounts.register(DEMO_SERVER, "陈主任", DEMO_PASSWORD)
    seed_store(session.store, seed=2026, households=60, today=DEMO_TODAY)
    _add_second_visits(session)
    session.close()

    context = build_app(
        profile_dir=base, language=language, register=supervisor_registration, with_sync=False
    )
    window: MainWindow = context.window
    window.resize(*WINDOW_SIZE)
    window.start()
    window.show()
    loaded: list[int] = []
    window.households_loaded.connect(loaded.append)
    window.unlock_page.password_edit.setText(DEMO_PASSWORD)
    window.unlock_page.unlock_button.click()
    _settle(lambda: bool(loaded))
    opened_session = window.session
    assert opened_session is not None
    section = window.supervision
    api = SupervisorApi(DemoServer(opened_session))
    section.api = api
    section.attach(opened_session)
    section.dashboard_page.today = DEMO_TODAY
    window.workspace.show_section(section.nav_row)

    shots: list[Path] = []
    review = section.review_page
    queue: list[int] = []
    review.queue_loaded.connect(queue.append)
    review.refresh()
    _settle(lambda: bool(queue))
    detail: list[str] = []
    review.detail_loaded.connect(detail.append)
    review.queue_table.selectRow(0)
    _settle(lambda: bool(detail))
    shots.append(_shot(window, out, "20-review-queue"))
    review.tabs.setCurrentIndex(1)
    review.add_comment("incomes.1.monthly_amount", "灵活就业收入请提供近三个月的收入证明")
    review.add_comment("housing_conditions", "请补拍修缮后的屋顶照片")
    shots.append(_shot(window, out, "21-review-changes-comments"))
    review.tabs.setCurrentIndex(2)
    shots.append(_shot(window, out, "22-review-photos"))
    review.tabs.setCurrentIndex(3)
    shots.append(_shot(window, out, "23-review-history"))
    review.queue_table.selectRow(2)
    _settle(lambda: len(detail) >= 2)
    review.tabs.setCurrentIndex(0)
    shots.append(_shot(window, out, "24-review-server-differs"))
    review.queue_table.selectRow(3)
    _settle(lambda: len(detail) >= 3)
    shots.append(_shot(window, out, "24b-review-signature-warning"))

    section.tabs.setCurrentWidget(section.conflicts_page)
    conflicts_page = section.conflicts_page
    listed: list[int] = []
    conflicts_page.conflicts_loaded.connect(listed.append)
    conflicts_page.refresh()
    _settle(lambda: bool(listed))
    conflicts_page.conflicts_table.selectRow(0)
    conflicts_page.choice_box(0).setCurrentIndex(2)
    conflicts_page.merged_edit(0).setText("幸福街道12号3单元201（原登记202）")
    conflicts_page.choice_box(1).setCurrentIndex(1)
    shots.append(_shot(window, out, "24c-conflicts"))

    section.tabs.setCurrentWidget(section.dashboard_page)
    board: list[object] = []
    section.dashboard_page.dashboard_loaded.connect(board.append)
    section.dashboard_page.refresh()
    _settle(lambda: bool(board))
    shots.append(_shot(window, out, "25-dashboards"))

    section.tabs.setCurrentWidget(section.tasks_page)
    tasks: list[int] = []
    section.tasks_page.tasks_loaded.connect(tasks.append)
    section.tasks_page.refresh()
    _settle(lambda: bool(tasks))
    shots.append(_shot(window, out, "26-tasks"))

    section.tabs.setCurrentWidget(section.spotcheck_page)
    spot = section.spotcheck_page
    spot.region_edit.setText("S1")
    spot.sample_spin.setValue(6)
    spot.seed_edit.setText("20250630-街道抽查")
    drawn: list[object] = []
    spot.draw_finished.connect(drawn.append)
    spot.draw_button.click()
    _settle(lambda: bool(drawn))
    shots.append(_shot(window, out, "27-spot-check"))

    # The author's side: a revision open in the visit form with the reviewer's comments.
    first = opened_session.households()[0].household_id
    file_loaded: list[str] = []
    window.household_file_loaded.connect(file_loaded.append)
    window.workspace.open_household(first)
    _settle(lambda: bool(file_loaded))
    shown: list[int] = []
    section.comments_shown.connect(shown.append)
    window.workspace.household_file_view.new_visit_button.click()
    _settle(lambda: bool(shown))  # (a new draft has no comments: the bar is hidden first)
    form = window.workspace.visit_form
    form.incomes.add_button.click()
    comments = [
        ReviewComment("incomes.0.monthly_amount", "工资条显示每月1200元，请核对"),
        ReviewComment("signatures", "户主签名缺失"),
    ]
    ReviewCommentsBar.pin(form, comments)
    form.go_to_step(2)
    shots.append(_shot(window, out, "28-returned-visit-comments"))
    window.close()
    page = printed_page(out / "29-printed-visit-form-page1.png")
    if page is not None:
        shots.append(page)
    return shots


def printed_page(png: Path) -> Path | None:
    """Page 1 of the printable visit form (the demo household) as the PDF renders it, at
    100 dpi through poppler's pdftoppm; None (logged) where poppler is not installed."""
    tool = shutil.which("pdftoppm")
    if tool is None:
        logger.warning("pdftoppm not installed: no image of the printed form")
        return None
    with tempfile.TemporaryDirectory(prefix="jiafang-print-") as folder:
        pdf = print_visit_form(demo_form(), Path(folder) / "form.pdf", role=Role.SUPERVISOR)
        prefix = Path(folder) / "page"
        subprocess.run(
            [tool, "-png", "-r", "100", "-f", "1", "-l", "1", "-singlefile", str(pdf), str(prefix)],
            check=True,
            timeout=120,
        )
        shutil.move(prefix.with_suffix(".png"), png)
    return png


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ui.supervisor.screenshots")
    parser.add_argument("outdir", type=Path)
    parser.add_argument("--lang", choices=LANGUAGES, default=DEFAULT_LANGUAGE)
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    app = QApplication.instance() or QApplication([sys.argv[0]])
    for path in take_screenshots(args.outdir, args.lang):
        sys.stdout.write(f"{path}\n")
    del app
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
