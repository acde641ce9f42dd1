"""The visit form driven like a worker in a home: errors next to fields, live eligibility,
autosave and recovery, completion."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QColor, QImage, QMouseEvent
from PySide6.QtMultimedia import QCameraDevice
from PySide6.QtWidgets import QApplication, QComboBox, QLineEdit
from pytestqt.qtbot import QtBot

from app.domain import Role, VisitStatus
from app.exports.visit_form import build_visit_form
from app.services.photos import DEFAULT_MAX_SIDE
from app.services.profiles import ProfileInfo
from app.services.review import printable_visit_form
from tests.ui.conftest import PASSWORD
from ui.printing import print_visit_form
from ui.shell import MainWindow
from ui.widgets import camera
from ui.widgets.signature_pad import SignaturePad
from ui.widgets.visit_form import VisitFormPage

WindowFactory = Callable[..., MainWindow]


def _unlock(qtbot: QtBot, window: MainWindow) -> None:
    with qtbot.wait_signal(window.households_loaded, timeout=10_000):
        window.unlock_page.password_edit.setText(PASSWORD)
        qtbot.mouseClick(window.unlock_page.unlock_button, Qt.MouseButton.LeftButton)


def _start_visit(qtbot: QtBot, window: MainWindow, row: int = 0) -> VisitFormPage:
    household_id = window.workspace.household_list.model.item(row).household_id
    with qtbot.wait_signal(window.household_file_loaded, timeout=10_000):
        window.workspace.open_household(household_id)
    with qtbot.wait_signals([window.visit_opened, window.eligibility_updated], timeout=10_000):
        qtbot.mouseClick(
            window.workspace.household_file_view.new_visit_button, Qt.MouseButton.LeftButton
        )
    form = window.workspace.visit_form
    assert form.isVisible()
    return form


def _typed_then_crashed(qtbot: QtBot, make_window: WindowFactory) -> tuple[str, str]:
    """A visit started and typed into (autosaved), then the process dies: nothing saved by hand,
    the window never closed properly. (visit id, household id)"""
    first = make_window()
    _unlock(qtbot, first)
    form = _start_visit(qtbot, first)
    visit_id, household_id = form.visit_id, form.household_id
    form.go_to_step(5)
    with qtbot.wait_signal(first.visit_saved, timeout=10_000):
        qtbot.keyClicks(form.conditions.housing_edit, "roof leaks")
    first.runner.shutdown()
    first.session = None
    return visit_id, household_id


def _reopened(qtbot: QtBot, make_window: WindowFactory) -> MainWindow:
    """A new window unlocked, which brings back the recovered visit form."""
    window = make_window()
    with qtbot.wait_signal(window.visit_opened, timeout=10_000):
        _unlock(qtbot, window)
    return window


@pytest.fixture
def window(qtbot: QtBot, make_window: WindowFactory, demo_profile: ProfileInfo) -> MainWindow:
    window = make_window()
    _unlock(qtbot, window)
    return window


def test_errors_show_next_to_their_fields_until_fixed(qtbot: QtBot, window: MainWindow) -> None:
    form = _start_visit(qtbot, window)
    # Basics: only the worker is a visitor so far.
    assert form.basics.visitors_error.isVisible()
    assert form.basics.visitors_error.text() == "入户调查须至少两名工作人员"
    qtbot.keyClicks(form.basics.visitor_edits[1], "user-lijun")
    qtbot.wait_until(lambda: not form.basics.visitors_error.isVisible(), timeout=3_000)

    # Members: add a member and type a bad ID number; the reason appears as it is typed.
    form.go_to_step(1)
    members = form.members
    qtbot.mouseClick(members.add_button, Qt.MouseButton.LeftButton)
    members.name_edit.setText("李小红")
    qtbot.keyClicks(members.id_edit, "110105201001010011")
    assert "校验码" in members.id_status.text()
    assert members.id_status.objectName() == "Error"
    members.id_edit.clear()
    qtbot.keyClicks(members.id_edit, "110105201001010010")
    # Birth date, sex (17th digit odd: male) and age derive from the number.
    assert members.id_status.text().startswith("出生 2010-01-01 · 男 · ")

    # Incomes: a negative amount is refused next to the row.
    form.go_to_step(2)
    incomes = form.incomes
    qtbot.mouseClick(incomes.add_button, Qt.MouseButton.LeftButton)
    amount = incomes.row_widget(incomes.row_count - 1, "monthly_amount")
    assert isinstance(amount, QLineEdit)
    qtbot.keyClicks(amount, "-500")
    error = incomes.row_error(incomes.row_count - 1)
    qtbot.wait_until(lambda: error.isVisible(), timeout=3_000)
    assert error.text() == "金额不能为负数"
    amount.clear()
    qtbot.keyClicks(amount, "500")
    qtbot.wait_until(lambda: not error.isVisible(), timeout=3_000)
    qtbot.wait_until(lambda: form.problems_label.text() == "", timeout=3_000)
    # The new member is offered for the income row.
    member_combo = incomes.row_widget(incomes.row_count - 1, "member_id")
    assert isinstance(member_combo, QComboBox)
    assert member_combo.findText("李小红") >= 0
    assert member_combo.itemText(0) == "全户"


def test_eligibility_updates_as_incomes_are_entered(qtbot: QtBot, window: MainWindow) -> None:
    form = _start_visit(qtbot, window)
    before = form.eligibility.decision
    assert before is not None
    form.go_to_step(2)
    with qtbot.wait_signal(window.eligibility_updated, timeout=5_000):
        qtbot.mouseClick(form.incomes.add_button, Qt.MouseButton.LeftButton)
        amount = form.incomes.row_widget(form.incomes.row_count - 1, "monthly_amount")
        qtbot.keyClicks(amount, "20000")
    after = form.eligibility.decision
    assert after is not None
    assert after.per_capita_income > before.per_capita_income
    assert after.category.value == "not_eligible"
    assert form.eligibility.reasons_list.count() > 0


def _sign_all(qtbot: QtBot, window: MainWindow, form: VisitFormPage) -> None:
    """Every pad of the signatures step drawn on and kept: the household and each visitor."""
    photos = form.photos
    for signer in photos.signers:
        _sign(photos.pads[signer])
        with qtbot.wait_signal(window.visit_saved, timeout=10_000):
            qtbot.mouseClick(photos.keep_buttons[signer], Qt.MouseButton.LeftButton)
    qtbot.wait_until(
        lambda: all(photos.signed_labels[s].text() == "已签名" for s in photos.signers),
        timeout=5_000,
    )


def test_completing_a_visit_checks_notice_and_finding(qtbot: QtBot, window: MainWindow) -> None:
    form = _start_visit(qtbot, window)
    qtbot.keyClicks(form.basics.visitor_edits[1], "user-lijun")
    _sign_all(qtbot, window, form)
    form.go_to_step(7)
    with qtbot.wait_signal(window.visit_failed, timeout=5_000) as failed:
        qtbot.mouseClick(form.complete_button, Qt.MouseButton.LeftButton)
    assert failed.args == ["visit_notice"]
    assert form.problems_label.text() == "告知书（承诺书）尚未签署"
    form.finding.notice_check.setChecked(True)
    form.finding.finding_combo.setCurrentIndex(form.finding.finding_combo.findData("eligible"))
    visit_id = form.visit_id
    with qtbot.wait_signal(window.visit_completed, timeout=5_000):
        qtbot.mouseClick(form.complete_button, Qt.MouseButton.LeftButton)
    qtbot.wait_until(
        lambda: (
            window.workspace.household_file_view.isVisible()
            and window.workspace.household_file_view.visits_table.rowCount() >= 1
        ),
        timeout=5_000,
    )
    assert window.session is not None
    assert window.session.visit(visit_id).status is VisitStatus.COMPLETED


def test_incomplete_form_goes_to_the_step_with_the_problem(
    qtbot: QtBot, window: MainWindow
) -> None:
    form = _start_visit(qtbot, window)
    form.go_to_step(7)
    qtbot.mouseClick(form.complete_button, Qt.MouseButton.LeftButton)
    assert form.pages.currentIndex() == 0
    assert form.problems_label.text() == "1 处需要修改"


def test_a_draft_typed_before_a_crash_comes_back(
    qtbot: QtBot, make_window: WindowFactory, demo_profile: ProfileInfo
) -> None:
    _typed_then_crashed(qtbot, make_window)
    second = _reopened(qtbot, make_window)
    recovered = second.workspace.visit_form
    assert recovered.isVisible()
    assert recovered.conditions.housing_edit.toPlainText() == "roof leaks"
    assert recovered.save_state_label.text() == "已恢复未保存的修改"


def test_idle_lock_keeps_the_form_and_hides_it(
    qtbot: QtBot, make_window: WindowFactory, demo_profile: ProfileInfo
) -> None:
    window = make_window()
    _unlock(qtbot, window)
    form = _start_visit(qtbot, window)
    qtbot.keyClicks(form.basics.present_edit, "Zhang")
    with qtbot.wait_signal(window.locked, timeout=3_000):
        window.lock(idle=True)
    assert form.visit_id == "" and form.basics.present_edit.text() == ""
    with qtbot.wait_signal(window.visit_opened, timeout=10_000):
        _unlock(qtbot, window)
    assert window.workspace.visit_form.basics.present_edit.text() == "Zhang"


def test_a_clue_is_resolved_through_a_clue_check_visit(qtbot: QtBot, window: MainWindow) -> None:
    window.workspace.show_section(2)
    clues = window.workspace.clues_page
    before = clues.table.rowCount()
    assert before > 0 and not clues.check_button.isEnabled()
    clues.table.selectRow(0)
    item = clues.selected_clue()
    assert item is not None
    with qtbot.wait_signal(window.visit_opened, timeout=10_000):
        qtbot.mouseClick(clues.check_button, Qt.MouseButton.LeftButton)
    form = window.workspace.visit_form
    assert form.basics.kind_combo.currentData() == "clue_check"
    form.basics.visitor_edits[1].setText("user-lijun")
    _sign_all(qtbot, window, form)
    form.go_to_step(7)
    form.finding.notice_check.setChecked(True)
    form.finding.finding_combo.setCurrentIndex(form.finding.finding_combo.findData("ineligible"))
    outcome = form.finding.clue_outcome_combo(item.clue_id)
    assert outcome.isVisible()
    qtbot.mouseClick(form.complete_button, Qt.MouseButton.LeftButton)
    assert form.pages.currentIndex() == 7
    assert form.problems_label.text() == "1 处需要修改"
    outcome.setCurrentIndex(outcome.findData("confirmed"))
    with qtbot.wait_signal(window.visit_completed, timeout=10_000):
        qtbot.mouseClick(form.complete_button, Qt.MouseButton.LeftButton)
    qtbot.wait_until(lambda: clues.table.rowCount() == before - 1, timeout=10_000)
    assert clues.clue(item.clue_id) is None


def _camera_photo(path: Path) -> Path:
    image = Image.effect_noise((1200, 900), 50).convert("RGB")
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (39.0, 54.0, 20.0), 3: "E", 4: (116.0, 23.0, 30.0)}
    image.save(path, format="JPEG", exif=exif)
    return path


def _sign(pad: SignaturePad) -> None:
    points = [QPointF(20, 60), QPointF(80, 30), QPointF(140, 80), QPointF(220, 40)]

    def send(kind: QEvent.Type, point: QPointF, buttons: Qt.MouseButton) -> None:
        event = QMouseEvent(
            kind,
            point,
            pad.mapToGlobal(point),
            Qt.MouseButton.LeftButton,
            buttons,
            Qt.KeyboardModifier.NoModifier,
        )
        QApplication.sendEvent(pad, event)

    send(QEvent.Type.MouseButtonPress, points[0], Qt.MouseButton.LeftButton)
    for point in points[1:]:
        send(QEvent.Type.MouseMove, point, Qt.MouseButton.LeftButton)
    send(QEvent.Type.MouseButtonRelease, points[-1], Qt.MouseButton.NoButton)


def test_photos_and_signatures_are_added_and_survive_saving(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    form = _start_visit(qtbot, window)
    qtbot.keyClicks(form.basics.visitor_edits[1], "user-lijun")
    form.go_to_step(6)
    photos = form.photos
    assert photos.thumbnails.count() == 0
    paths = [str(_camera_photo(tmp_path / f"p{i}.jpg")) for i in range(2)]
    with qtbot.wait_signal(window.photos_loaded, timeout=10_000, check_params_cb=lambda n: n == 2):
        photos.photos_import_requested.emit(paths)  # what the file dialog returns
    assert photos.thumbnails.count() == 2
    icon = photos.thumbnails.item(0).icon()
    assert not icon.isNull()

    pad = photos.pads["household"]
    assert pad.is_empty
    _sign(pad)
    assert not pad.is_empty
    with qtbot.wait_signal(window.visit_saved, timeout=10_000):
        qtbot.mouseClick(photos.keep_buttons["household"], Qt.MouseButton.LeftButton)
    qtbot.wait_until(lambda: photos.signed_labels["household"].text() == "已签名", timeout=5_000)

    # Saving the form must keep the photos and the signature it did not edit itself.
    with qtbot.wait_signal(window.visit_saved, timeout=10_000):
        qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    assert window.session is not None
    stored = window.session.visit(form.visit_id).content
    assert len(stored.photo_ids) == 2
    assert [s.signer for s in stored.signatures] == ["household"]
    jpeg = window.session.attachment_bytes(stored.photo_ids[0])
    assert dict(Image.open(io.BytesIO(jpeg)).getexif()) == {}


def test_a_policy_differing_from_the_servers_is_flagged_on_the_form(
    qtbot: QtBot, window: MainWindow
) -> None:
    form = _start_visit(qtbot, window)
    panel = form.eligibility
    assert panel.decision is not None and panel.decision.policy_id == "district-x-2025"
    assert not panel.policy_label.isVisible()  # no server reference yet: nothing to compare

    # The server's reference for the district names a newer version of its standards.
    assert window.session is not None
    window.session.store.apply_pull_page(
        [
            {
                "entity": "policy_ref",
                "id": "district-x-2025",
                "version": 2,
                "seq": 5,
                "deleted": False,
                "meta": {"region_id": "district-x", "effective_from": "2025-01-01"},
                "data": {"version": "2", "covers": [], "effective_to": None},
            }
        ],
        "reference",
        5,
    )
    form = _start_visit(qtbot, window, row=1)
    assert form.eligibility.policy_label.isVisible()
    text = form.eligibility.policy_label.text()
    assert "district-x-2025 v1" in text and "district-x-2025 v2" in text
    assert "不一致" in text  # in the user's language


def test_every_visitor_and_the_household_sign_before_completing(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    form = _start_visit(qtbot, window)
    photos = form.photos
    assert window.session is not None
    worker = window.session.profile.user_id
    # Only the worker is listed so far: their pad, the household's, and a slot for visitor 2.
    assert photos.signers == ["household", worker]
    assert [p.text() for p in photos._placeholders] == ["走访人 2：在第 1 步填写其账号后在此签名。"]
    qtbot.keyClicks(form.basics.visitor_edits[1], "user-lijun")
    qtbot.mouseClick(form.basics.add_visitor_button, Qt.MouseButton.LeftButton)
    assert len(form.basics.visitor_edits) == 3
    qtbot.keyClicks(form.basics.visitor_edits[2], "user-zhaomin")
    assert photos.signers == ["household", worker, "user-lijun", "user-zhaomin"]
    assert all(photos.pads[s].isVisibleTo(photos) for s in photos.signers)
    assert photos.pad_labels["user-zhaomin"].text() == "走访人 user-zhaomin 签名"

    form.go_to_step(7)
    form.finding.notice_check.setChecked(True)
    form.finding.finding_combo.setCurrentIndex(form.finding.finding_combo.findData("eligible"))
    # Only the household and the worker sign: completing is refused, naming who is missing.
    for signer in ("household", worker):
        _sign(photos.pads[signer])
        with qtbot.wait_signal(window.visit_saved, timeout=10_000):
            qtbot.mouseClick(photos.keep_buttons[signer], Qt.MouseButton.LeftButton)
    form.go_to_step(7)
    with qtbot.assert_not_emitted(form.complete_requested):
        qtbot.mouseClick(form.complete_button, Qt.MouseButton.LeftButton)
    assert form.pages.currentIndex() == 6
    assert photos.signatures_error.isVisible()
    assert "user-lijun" in photos.signatures_error.text()
    assert "user-zhaomin" in photos.signatures_error.text()
    assert form.problems_label.text() == "还缺 2 个签名"

    _sign_all(qtbot, window, form)
    assert not photos.signatures_error.isVisible()
    visit_id = form.visit_id
    with qtbot.wait_signal(window.visit_completed, timeout=10_000):
        qtbot.mouseClick(form.complete_button, Qt.MouseButton.LeftButton)
    stored = window.session.visit(visit_id)
    assert stored.status is VisitStatus.COMPLETED
    assert sorted(s.signer for s in stored.content.signatures) == sorted(
        ["household", worker, "user-lijun", "user-zhaomin"]
    )

    # The printed form shows every signature under its signer.
    printable = printable_visit_form(window.session, visit_id)
    document = build_visit_form(printable)
    assert len(document.images) == 4
    pdf = print_visit_form(printable, tmp_path / "form.pdf", role=Role.FIELD_WORKER)
    text = "".join("".join(page.extract_text().split()) for page in PdfReader(pdf).pages)
    for label_text in ("被访家庭", f"走访人{worker}", "走访人user-lijun", "走访人user-zhaomin"):
        assert label_text in text


def test_take_photo_is_offered_only_when_the_laptop_has_a_camera(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    form = _start_visit(qtbot, window)
    photos = form.photos
    # This machine has no camera: the real device list is empty and the button stays hidden.
    assert camera.available_cameras() == []
    form.go_to_step(6)
    assert photos.import_button.isVisible()
    assert not photos.camera_button.isVisible()
    # A camera plugged in: the button appears the next time the step is shown.
    monkeypatch.setattr(camera, "available_cameras", lambda: [QCameraDevice()])
    form.go_to_step(5)
    form.go_to_step(6)
    assert photos.camera_button.isVisible()
    assert photos.camera_button.text() == "拍照…"


def test_a_photo_taken_with_the_camera_is_imported_like_a_file(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(camera, "available_cameras", lambda: [QCameraDevice()])
    monkeypatch.setattr(camera, "default_camera", QCameraDevice)
    form = _start_visit(qtbot, window)
    form.go_to_step(6)
    photos = form.photos
    qtbot.mouseClick(photos.camera_button, Qt.MouseButton.LeftButton)
    dialog = photos.camera_dialog
    assert isinstance(dialog, camera.CameraDialog) and dialog.isVisible()

    # The frame the camera hands over (what QImageCapture.imageCaptured delivers).
    frame = QImage(3264, 2448, QImage.Format.Format_RGB32)
    frame.fill(QColor("#7a9cc6"))
    with qtbot.wait_signal(window.photos_loaded, timeout=10_000, check_params_cb=lambda n: n == 1):
        dialog._on_image_captured(1, frame)
    assert dialog.status_label.text() == "已拍 1 张照片"
    assert photos.thumbnails.count() == 1
    qtbot.mouseClick(dialog.close_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()

    assert window.session is not None
    [photo_id] = window.session.visit(form.visit_id).content.photo_ids
    stored = Image.open(io.BytesIO(window.session.attachment_bytes(photo_id)))
    assert stored.format == "JPEG"
    assert max(stored.size) == DEFAULT_MAX_SIDE  # downscaled by the import
    assert dict(stored.getexif()) == {}
