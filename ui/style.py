"""Application look: one font that has the CJK glyphs, one light stylesheet."""

from __future__ import annotations

from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

#: preferred UI fonts with Chinese glyphs, by platform; the first one installed is used
_CJK_FONTS = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Microsoft YaHei UI",
    "Microsoft YaHei",
    "PingFang SC",
    "WenQuanYi Micro Hei",
)

ACCENT = "#1f6feb"

STYLESHEET = f"""
QWidget {{ font-size: 10pt; }}
QMainWindow, QStackedWidget#Pages {{ background: #f5f6f8; }}
QFrame#Card {{ background: white; border: 1px solid #dde1e6; border-radius: 8px; }}
QLabel#Title {{ font-size: 16pt; font-weight: 600; color: #1b1f24; }}
QLabel#Subtitle {{ color: #57606a; }}
QLabel#SectionTitle {{ font-size: 12pt; font-weight: 600; color: #1b1f24; }}
QLabel#Error {{ color: #b3261e; }}
QLabel#Verified {{ color: #1a7f37; }}
QLabel#Wait {{ color: #9a6700; font-weight: 600; }}
QLabel#Muted {{ color: #6e7781; }}
QListWidget#Navigation {{
    background: #24292f; color: #e6edf3; border: none; padding-top: 8px; font-size: 11pt;
}}
QListWidget#Navigation::item {{ padding: 10px 16px; }}
QListWidget#Navigation::item:selected {{ background: {ACCENT}; color: white; }}
QListWidget#VisitSteps::item {{ padding: 7px 8px; }}
QListWidget#VisitSteps::item:selected {{ background: {ACCENT}; color: white; }}
QPushButton {{
    padding: 5px 14px; border: 1px solid #c9d1d9; border-radius: 5px; background: white;
}}
QPushButton:hover {{ background: #f0f3f6; }}
QPushButton#RowRemove {{ padding: 4px 0; font-weight: 600; color: #b3261e; }}
QPushButton#Primary {{ background: {ACCENT}; color: white; border-color: {ACCENT}; }}
QPushButton#Primary:disabled {{ background: #8cb4f5; border-color: #8cb4f5; }}
QLineEdit, QComboBox {{
    padding: 4px 6px; border: 1px solid #c9d1d9; border-radius: 4px; background: white;
}}
QLineEdit:focus {{ border-color: {ACCENT}; }}
QLineEdit[invalid="true"] {{ border-color: #b3261e; background: #fff5f5; }}
QTableView {{ background: white; gridline-color: #eaeef2; selection-background-color: #dbe9ff;
    selection-color: #1b1f24; }}
QTableView::item {{ padding: 0 8px; }}
QHeaderView::section {{ background: #f0f3f6; padding: 4px 6px; border: none;
    border-bottom: 1px solid #dde1e6; font-weight: 600; }}
QStatusBar {{ background: #eaeef2; }}
"""


def apply_style(app: QApplication) -> None:
    families = set(QFontDatabase.families())
    for family in _CJK_FONTS:
        if family in families:
            font = QFont(family, 10)
            app.setFont(font)
            break
    app.setStyle("Fusion")
    app.setStyleSheet(STYLESHEET)
