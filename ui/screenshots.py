"""`python -m ui.screenshots OUTDIR [--lang zh_CN|en]`: PNGs of each screen at 1366x768.

Runs the real window on a throw-away profile folder filled with synthetic demo households
(app.demo_data). Meant to run under Xvfb with CJK fonts, e.g.::

    xvfb-run -a -s "-screen 0 1366x768x24" python -m ui.screenshots resources/screenshots
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QElapsedTimer, QEventLoop, QPoint
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QApplication, QLineEdit

from app.lease import LeaseExpiredError
from app.services.profiles import ProfileDirectory
from app.services.readmodels import SyncStatus
from app.services.session import AccountService
from ui.app import build_app, demo_registration
from ui.i18n import DEFAULT_LANGUAGE, LANGUAGES
from ui.shell import WINDOW_SIZE, MainWindow
from ui.widgets.workspace import Section

logger = logging.getLogger(__name__)

DEMO_PASSWORD = "demo-password-2026"
DEMO_SERVER = "https://jiafang.demo.example.cn"


def _settle(until: Callable[[], bool] | None = None, timeout_ms: int = 15_000) -> None:
    """Run the event loop for a moment (layouts, paints), and until `until()` holds if given."""
    timer = QElapsedTimer()
    timer.start()
    while timer.elapsed() < timeout_ms:
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        if timer.elapsed() >= 150 and (until is None or until()):
            return
    raise TimeoutError("the screen did not reach the expected state")


def _synthetic_photo(path: Path, variant: int) -> Path:
    """A drawn stand-in for a room photo (no real home is ever photographed for the docs)."""
    image = QImage(1600, 1200, QImage.Format.Format_RGB32)
    image.fill(QColor(("#d8c9b0", "#c2d0d8", "#d5d0c4")[variant % 3]))
    painter = QPainter(image)
    painter.fillRect(0, 850, 1600, 350, QColor("#8a6f52"))
    painter.fillRect(200 + 150 * variant, 300, 420, 380, QColor("#f4f1ea"))
    painter.fillRect(900, 520, 500, 330, QColor("#5d6b7a"))
    painter.end()
    image.save(str(path), "JPG")
    return path


def _shot(window: MainWindow, out: Path, name: str) -> Path:
    _settle()
    path = out / f"{name}.png"
    if not window.grab().save(str(path)):
        raise OSError(f"could not write {path}")
    logger.info("saved %s", path)
    return path


def take_screenshots(out: Path, language: str = DEFAULT_LANGUAGE) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    base = Path(tempfile.mkdtemp(prefix="jiafang-shots-"))
    # Two accounts on one laptop: the demo worker with synthetic households, and a colleague.
    accounts = AccountService(ProfileDirectory(base), register=demo_registration)
    session = accounts.register(DEMO_SERVER, "王芳", DEMO_PASSWORD)
    # Dated around the day the shots are taken, not a fixed day: the field screens read the
    # clock (Home's due reviews, overdue marks), so data pinned to a fixed day would show every
    # review overdue a year later. The supervisor shots pin their day (their pages take one).
    session.seed_demo_data(seed=2026, households=80, today=date.today())
    session.close()

    shots: list[Path] = []
    fresh = build_app(
        profile_dir=base / "fresh", language=language, register=demo_registration, with_sync=False
    )
    fresh.window.resize(*WINDOW_SIZE)
    fresh.window.start()
    fresh.window.show()
    shots.append(_shot(fresh.window, out, "01-registration"))
    fresh.window.close()

    context = build_app(
        profile_dir=base, language=language, register=demo_registration, with_sync=False
    )
    window = context.window
    window.resize(*WINDOW_SIZE)
    window.start()
    window.show()
    synced = datetime.now(UTC) - timedelta(minutes=42)
    window.set_sync_status(SyncStatus(online=False, waiting=3, last_synced_at=synced))
    shots.append(_shot(window, out, "02-unlock"))

    # Wrong passwords: the message and the growing wait (two free attempts in this run).
    page = window.unlock_page
    for _ in range(5):
        failed: list[str] = []
        window.unlock_failed.connect(failed.append)
        page.password_edit.setText("wrong password")
        page.unlock_button.click()
        _settle(lambda failed=failed: bool(failed))
        window.unlock_failed.disconnect(failed.append)
    shots.append(_shot(window, out, "03-unlock-wrong-password-wait"))
    # Clear the recorded failures (as a later online sign-in would) and unlock for real.
    profile_id = page.selected_profile_id()
    assert profile_id is not None
    window.accounts.directory.get(profile_id).backoff().clear_after_online_login()
    page.reset()
    loaded: list[int] = []
    window.households_loaded.connect(loaded.append)
    page.password_edit.setText(DEMO_PASSWORD)
    page.unlock_button.click()
    _settle(lambda: bool(loaded))
    shots.append(_shot(window, out, "04-home"))

    window.workspace.show_section(Section.HOUSEHOLDS)
    shots.append(_shot(window, out, "05-households"))
    list_page = window.workspace.household_list
    first = list_page.model.item(0)
    list_page.search_edit.setText(first.head_name[:1])
    shots.append(_shot(window, out, "06-households-search"))
    list_page.search_edit.clear()

    session_now = window.session
    assert session_now is not None
    visited = next(
        item.household_id
        for item in session_now.households()
        if item.open_clues and session_now.household_file(item.household_id).visits
    )
    opened: list[str] = []
    window.household_file_loaded.connect(opened.append)
    window.workspace.open_household(visited)
    _settle(lambda: bool(opened))
    shots.append(_shot(window, out, "07-household-file-members"))
    view = window.workspace.household_file_view
    view.tabs.setCurrentIndex(1)
    shots.append(_shot(window, out, "08-household-file-visits"))
    view.tabs.setCurrentIndex(2)
    shots.append(_shot(window, out, "09-household-file-clues"))
    view.tabs.setCurrentIndex(3)
    shots.append(_shot(window, out, "10-household-file-eligibility"))

    # The visit form: a new periodic review of this household, with a typing mistake in an ID
    # number and a negative income, so the inline messages are visible.
    visit_opened: list[str] = []
    evaluated: list[bool] = []
    window.visit_opened.connect(visit_opened.append)
    window.eligibility_updated.connect(lambda: evaluated.append(True))
    view.tabs.setCurrentIndex(0)
    view.new_visit_button.click()
    _settle(lambda: bool(visit_opened) and bool(evaluated))
    form = window.workspace.visit_form
    shots.append(_shot(window, out, "11-visit-basics"))
    form.basics.visitor_edits[1].setText("李军")
    form.go_to_step(1)
    form.members.add_button.click()
    form.members.name_edit.setText("方小雨")
    form.members.id_edit.setText("42921520150304002X")
    shots.append(_shot(window, out, "12-visit-members-id-error"))
    form.members.id_edit.setText("429215201503040024")
    form.go_to_step(2)
    form.incomes.add_button.click()
    amount = form.incomes.row_widget(form.incomes.row_count - 1, "monthly_amount")
    assert isinstance(amount, QLineEdit)
    evaluated.clear()
    amount.setText("-300")
    _settle(lambda: bool(evaluated))
    shots.append(_shot(window, out, "13-visit-incomes-negative"))
    amount.setText("300")
    form.go_to_step(5)
    form.conditions.housing_edit.setPlainText("砖混结构平房，约 45 平方米，屋顶有渗漏")
    form.conditions.living_edit.setPlainText("家电简单，冬季用煤炉取暖")
    shots.append(_shot(window, out, "14-visit-living-conditions"))
    form.go_to_step(6)
    photos_loaded: list[int] = []
    window.photos_loaded.connect(photos_loaded.append)
    form.photos.photos_import_requested.emit(
        [str(_synthetic_photo(base / f"room-{i}.jpg", i)) for i in range(3)]
    )
    _settle(lambda: bool(photos_loaded) and photos_loaded[-1] == 3)
    pad = form.photos.pads["household"]
    pad.draw_stroke([QPoint(30, 70), QPoint(90, 40), QPoint(150, 85), QPoint(240, 45)])
    shots.append(_shot(window, out, "15-visit-photos-signatures"))
    form.go_to_step(7)
    form.finding.notice_check.setChecked(True)
    form.finding.finding_combo.setCurrentIndex(form.finding.finding_combo.findData("eligible"))
    evaluated.clear()
    _settle(lambda: bool(evaluated))
    shots.append(_shot(window, out, "16-visit-finding"))
    form.close_button.click()

    window.workspace.show_section(Section.CLUES)
    shots.append(_shot(window, out, "17-clues"))

    window.workspace.show_section(Section.SYNC)
    window.set_sync_status(
        SyncStatus(
            online=True,
            syncing=True,
            progress=(1_250, 4_000),
            waiting=3,
            last_synced_at=synced,
        )
    )
    shots.append(_shot(window, out, "18-sync"))

    # The offline lease lapsed (no sync for its 7 days): every household view is cleared behind
    # the banner, whose button renews it with a sync. Shown as a worker's failed read shows it.
    window.workspace.show_section(Section.HOME)
    window.set_sync_status(
        SyncStatus(online=False, waiting=3, last_synced_at=synced - timedelta(days=8))
    )
    window._on_job_failed(LeaseExpiredError())
    shots.append(_shot(window, out, "18b-lease-lapsed"))
    window.workspace.hide_lease_lapsed()

    window.lock(idle=True)
    shots.append(_shot(window, out, "19-idle-lock"))
    window.close()
    return shots


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ui.screenshots")
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
