"""What goes into the laptop bundle: Qt modules, plugins, libraries, resources, translations."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import build_installer as bi
from tests.installer.conftest import ROOT

QT_MAGIC = bytes.fromhex("3CB86418CAEF9C95CD211CBF60A1BDDD")


def test_ui_imports_decide_which_qt_modules_are_kept(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("from PySide6.QtSvg import QSvgRenderer\n", encoding="utf-8")
    (tmp_path / "b.py").write_text(
        "from PySide6 import (QtCharts,\n    QtGui)\nimport PySide6.QtPrintSupport\n",
        encoding="utf-8",
    )
    used = bi.used_qt_modules([tmp_path])
    assert used == {"QtCore", "QtGui", "QtWidgets", "QtSvg", "QtCharts", "QtPrintSupport"}


def test_every_qt_module_the_client_loads_is_kept_and_heavy_ones_are_excluded() -> None:
    # Import every ui module in a fresh interpreter and see which Qt modules are really loaded
    # (independent of the source scan the exclusion list is made from).
    script = (
        "import importlib, pkgutil, sys, ui\n"
        "for m in pkgutil.walk_packages(ui.__path__, 'ui.'):\n"
        "    importlib.import_module(m.name)\n"
        "print(' '.join(sorted(n for n in sys.modules if n.startswith('PySide6.Qt'))))\n"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    assert "PySide6.QtWidgets" in loaded
    excluded = set(bi.excluded_modules())
    assert not excluded & set(loaded)
    for heavy in (
        "QtWebEngineCore",
        "QtWebEngineWidgets",
        "Qt3DCore",
        "QtQuick",
        "QtQml",
        "QtPdf",
        "QtMultimedia",
    ):
        if heavy in bi.used_qt_modules():
            continue
        assert f"PySide6.{heavy}" in excluded
    for server_side in ("sync.server", "fastapi", "uvicorn", "alembic", "psycopg"):
        assert server_side in excluded


@pytest.mark.parametrize(
    ("dest", "kept"),
    [
        ("PySide6/Qt/plugins/platforms/libqxcb.so", True),
        ("PySide6/Qt/plugins/platforms/libqoffscreen.so", True),
        ("PySide6/Qt/plugins/platforms/libqwayland-generic.so", False),
        ("PySide6/Qt/plugins/platforms/libqeglfs.so", False),
        ("PySide6/Qt/plugins/platforms/libqminimalegl.so", False),
        ("PySide6/plugins/platforms/qwindows.dll", True),
        ("PySide6/Qt/plugins/imageformats/libqjpeg.so", True),
        ("PySide6/Qt/plugins/imageformats/libqtiff.so", False),
        ("PySide6/Qt/plugins/imageformats/libqpdf.so", False),
        ("PySide6/Qt/plugins/platforminputcontexts/libibusplatforminputcontextplugin.so", True),
        ("PySide6/Qt/plugins/platforminputcontexts/libqtvirtualkeyboardplugin.so", False),
        ("PySide6/Qt/plugins/platformthemes/libqgtk3.so", False),
        ("PySide6/Qt/plugins/multimedia/libffmpegmediaplugin.so", True),  # the camera
        ("PySide6/Qt/plugins/networkinformation/libqnetworkmanager.so", True),
        ("PySide6/Qt/plugins/networkinformation/libqglib.so", False),
        ("PySide6/Qt/plugins/wayland-shell-integration/libxdg-shell.so", False),
        ("PySide6/Qt/lib/libQt6Widgets.so.6", True),
        ("PySide6/Qt/lib/libQt6XcbQpa.so.6", True),
        ("PySide6/Qt/lib/libQt6WebEngineCore.so.6", False),
        ("PySide6/Qt/lib/libQt6Quick.so.6", True),  # QtMultimedia's FFmpeg plugin links it
        ("PySide6/Qt/lib/libQt6Quick3D.so.6", False),
        ("PySide6/Qt/lib/libavcodec.so.61", True),
        ("PySide6/Qt/lib/libQt6WaylandClient.so.6", False),
        ("PySide6/Qt/translations/qtbase_zh_CN.qm", True),
        ("PySide6/Qt/translations/qtbase_de.qm", False),
        ("PySide6/Qt/translations/qtwebengine_zh_CN.qm", False),
        # the app's own translations and resources are never pruned
        ("resources/translations/jiafang_zh_CN.qm", True),
        ("resources/policies/district-x-2025.toml", True),
        ("libpython3.11.so.1.0", True),
        ("libglib-2.0.so.0", True),  # Qt's event loop
        ("libcairo.so.2", False),
        ("pillow.libs/libharfbuzz-fb49c9fc.so.0.61450.0", True),  # Pillow's own copy
    ],
)
def test_pruning_rules(dest: str, kept: bool) -> None:
    assert bi.keep_in_bundle(dest) is kept
    assert bi.keep_in_bundle(dest.replace("/", "\\")) is kept


def test_libraries_of_qt_modules_the_ui_imports_are_never_pruned() -> None:
    network = "PySide6/Qt/lib/libQt6Network.so.6"
    assert bi.keep_in_bundle(network, frozenset({"Qt6Core"})) is False
    assert bi.keep_in_bundle(network, frozenset({"Qt6Core", "Qt6Network"})) is True
    assert bi.keep_in_bundle("PySide6/Qt6Network.dll", frozenset({"Qt6Network"})) is True
    # the real UI's own libraries
    for module in bi.used_qt_modules():
        name = "Qt6" + module.removeprefix("Qt")
        assert bi.keep_in_bundle(f"PySide6/Qt/lib/lib{name}.so.6")


def test_the_camera_keeps_qtmultimedia_its_ffmpeg_and_what_its_plugin_links() -> None:
    without = frozenset({"Qt6Core", "Qt6Gui", "Qt6Widgets"})
    for dest in (
        "PySide6/Qt/lib/libavcodec.so.61",
        "PySide6/Qt/lib/libswscale.so.8",
        "PySide6/avformat-61.dll",
        "PySide6/Qt/lib/libQt6Quick.so.6",
        "PySide6/Qt/lib/libQt6Multimedia.so.6",
    ):
        assert bi.keep_in_bundle(dest, without) is False
    assert "QtMultimedia" in bi.used_qt_modules()  # ui/widgets/camera.py
    for dest in (
        "PySide6/Qt/lib/libavcodec.so.61",
        "PySide6/avformat-61.dll",
        "PySide6/Qt/lib/libQt6Quick.so.6",
        "PySide6/Qt/lib/libQt6Qml.so.6",
        "PySide6/Qt/lib/libQt6Multimedia.so.6",
        "PySide6/Qt/plugins/multimedia/libffmpegmediaplugin.so",
    ):
        assert bi.keep_in_bundle(dest)
    assert "libpulse0" in bi.DEB_DEPENDS


def test_translations_are_compiled_when_only_ts_sources_exist(tmp_path: Path) -> None:
    for ts in (ROOT / "resources" / "translations").glob("*.ts"):
        (tmp_path / ts.name).write_bytes(ts.read_bytes())
    compiled = bi.compile_translations(tmp_path)
    names = sorted(p.name for p in compiled)
    assert names == sorted(p.with_suffix(".qm").name for p in tmp_path.glob("*.ts"))
    for qm in compiled:
        assert qm.read_bytes().startswith(QT_MAGIC), f"{qm.name} is not a Qt translation"
        # the frozen app refuses a .qm older than its .ts, even at whole-second precision
        assert int(qm.stat().st_mtime) > int(qm.with_suffix(".ts").stat().st_mtime)


def test_a_stale_qm_is_recompiled(tmp_path: Path) -> None:
    ts = next((ROOT / "resources" / "translations").glob("*zh_CN.ts"))
    (tmp_path / ts.name).write_bytes(ts.read_bytes())
    stale = tmp_path / ts.with_suffix(".qm").name
    stale.write_bytes(b"not a translation")
    os.utime(stale, (1, 1))
    assert bi.compile_translations(tmp_path) == [stale]
    assert stale.read_bytes().startswith(QT_MAGIC)


def test_staged_resources_hold_what_the_app_reads_and_nothing_else(tmp_path: Path) -> None:
    staged = bi.stage_resources(tmp_path)
    assert (staged / "policies" / "district-x-2025.toml").is_file()
    assert (staged / "policies" / "examples" / "household-three-members.json").is_file()
    for language in ("zh_CN", "en"):
        assert (staged / "translations" / f"jiafang_{language}.qm").is_file()
        assert (staged / "translations" / f"jiafang_{language}.ts").is_file()
    assert not (staged / "screenshots").exists()
    assert not (staged / "packaging").exists()
    # the checkout itself is left as it was
    assert (ROOT / "resources" / "packaging").is_dir()
