"""Child process for the kill -9 test: unlock, start a visit, type, wait for the autosave, then
say so on stdout and keep running until the parent kills it (`python -m tests.ui.typing_child
PROFILE_DIR PASSWORD TEXT`)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication

import ui  # noqa: F401  (the refcount guard)
from tests.ui.conftest import make_accounts
from ui.i18n import LanguageManager
from ui.shell import MainWindow


def main() -> int:
    profile_dir, password, text = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
    app = QApplication([sys.argv[0]])
    language = LanguageManager()
    language.install("zh_CN")
    window = MainWindow(make_accounts(profile_dir), language)
    window.start()
    window.show()
    state: dict[str, bool] = {"typed": False}

    def on_loaded(_count: int) -> None:
        household_id = window.workspace.household_list.model.item(0).household_id
        window.workspace.open_household(household_id)

    def on_file_loaded(_household_id: str) -> None:
        window.workspace.household_file_view.new_visit_button.click()

    def on_visit_opened(_visit_id: str) -> None:
        form = window.workspace.visit_form
        form.go_to_step(5)
        form.conditions.housing_edit.setPlainText(text)
        state["typed"] = True

    def on_saved(_visit_id: str) -> None:
        if state["typed"]:
            sys.stdout.write("AUTOSAVED\n")
            sys.stdout.flush()

    window.households_loaded.connect(on_loaded)
    window.household_file_loaded.connect(on_file_loaded)
    window.visit_opened.connect(on_visit_opened)
    window.visit_saved.connect(on_saved)
    window.unlock_page.password_edit.setText(password)
    window.unlock_page.unlock_button.click()
    return int(app.exec())


if __name__ == "__main__":
    raise SystemExit(main())
