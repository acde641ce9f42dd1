"""Every visible string is translated in both languages; the .qm build; switching language."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QCoreApplication, Qt, QTranslator
from pytestqt.qtbot import QtBot

from app.services.profiles import ProfileInfo
from tests.ui.conftest import PASSWORD
from ui import i18n
from ui.shell import MainWindow

WindowFactory = Callable[..., MainWindow]


def test_no_string_in_the_code_lacks_a_translation() -> None:
    # lupdate re-extracts every tr()/translate() string of ui/ into copies of the .ts files:
    # a new string nobody translated shows up as unfinished here.
    problems = i18n.check_sources_complete()
    listing = "\n".join(f"{p.language} [{p.context}] {p.source}" for p in problems)
    assert not problems, f"untranslated strings:\n{listing}"


def test_the_checker_catches_an_unfinished_string(tmp_path: Path) -> None:
    copy = tmp_path / "jiafang_zh_CN.ts"
    tree = ET.parse(i18n.ts_path("zh_CN"))
    message = next(tree.iter("message"))
    translation = message.find("translation")
    assert translation is not None
    translation.set("type", "unfinished")
    tree.write(copy, encoding="utf-8")
    problems = i18n.unfinished_messages(copy, "zh_CN")
    assert [p.source for p in problems] == [message.findtext("source")]


def test_chinese_translation_is_chinese() -> None:
    tree = ET.parse(i18n.ts_path("zh_CN"))
    for message in tree.iter("message"):
        source = message.findtext("source") or ""
        translation = message.find("translation")
        assert translation is not None
        forms = [f.text or "" for f in translation.findall("numerusform")] or [
            translation.text or ""
        ]
        for text in forms:
            has_cjk = any("\u4e00" <= ch <= "\u9fff" for ch in text)
            assert has_cjk, f"not translated to Chinese: {source!r} -> {text!r}"
            for placeholder in ("%1", "%2", "%3", "%n"):
                assert (placeholder in source) == (placeholder in text), (source, text)


def test_qm_files_are_built_from_the_sources(tmp_path: Path, qapp: object) -> None:
    qm = tmp_path / "zh.qm"
    i18n.compile_ts(i18n.ts_path("zh_CN"), qm)
    translator = QTranslator()
    assert translator.load(str(qm))
    assert translator.translate("WorkspaceWidget", "Households") == "家庭"
    assert translator.translate("SyncStatusWidget", "%n change(s) waiting", "", 3) == "%n 项待上传"
    assert all(path.exists() for path in i18n.ensure_compiled())


def test_switching_language_retranslates_open_screens(
    qtbot: QtBot, make_window: WindowFactory, demo_profile: ProfileInfo
) -> None:
    window = make_window()
    assert window.unlock_page.title.text() == "解锁家访"
    combo = window.language_combo
    combo.setCurrentIndex(combo.findData("en"))
    assert window.language.language == "en"
    assert window.unlock_page.title.text() == "Unlock Jiafang"
    assert window.unlock_page.unlock_button.text() == "Unlock"
    with qtbot.wait_signal(window.households_loaded, timeout=10_000):
        window.unlock_page.password_edit.setText(PASSWORD)
        qtbot.mouseClick(window.unlock_page.unlock_button, Qt.MouseButton.LeftButton)
    workspace = window.workspace
    assert workspace.navigation.item(1).text() == "Households"
    model = workspace.household_list.model
    assert model.headerData(0, Qt.Orientation.Horizontal) == "Head of household"
    assert workspace.household_list.count_label.text() == "40 of 40 households"
    combo.setCurrentIndex(combo.findData("zh_CN"))
    assert workspace.navigation.item(1).text() == "家庭"
    assert model.headerData(0, Qt.Orientation.Horizontal) == "户主"
    assert workspace.household_list.count_label.text() == "显示 40 户，共 40 户"
    assert QCoreApplication.translate("Labels", "Minimum living") == "低保"


def test_the_chosen_language_is_remembered(qtbot: QtBot, tmp_path: Path) -> None:
    from ui.app import build_app

    first = build_app(profile_dir=tmp_path, idle_lock_seconds=300)
    qtbot.addWidget(first.window)
    try:
        assert first.language.language == "zh_CN"
        first.window.language_combo.setCurrentIndex(first.window.language_combo.findData("en"))
    finally:
        first.window.close()
        first.language.uninstall()
        first.collector.stop()
    second = build_app(profile_dir=tmp_path)
    qtbot.addWidget(second.window)
    try:
        assert second.language.language == "en"
        second.window.start()
        assert second.window.registration_page.title.text() == "Register this laptop"
    finally:
        second.window.close()
        second.language.uninstall()
        second.collector.stop()
