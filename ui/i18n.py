"""Translations: Qt `.ts` sources in `resources/translations/`, compiled `.qm` beside them.

Source strings are written in **English** in the code (`self.tr("Households")`) and translated to
Chinese in `jiafang_zh_CN.ts`; Chinese is the default language. English as the source keeps the
lupdate contexts and the code readable for every contributor and lets `jiafang_en.ts` be the
identity translation, which `python -m ui.i18n update` fills in by itself.

The `.qm` files are build outputs (ignored by git): `ensure_compiled()` runs Qt's `lrelease`
from the PySide6 wheel when a `.qm` is missing or older than its `.ts`, so a fresh checkout, the
tests and the app all find them. Commands::

    python -m ui.i18n update    # re-scan ui/ with lupdate, fill the English file, compile
    python -m ui.i18n compile   # only compile .ts -> .qm
    python -m ui.i18n check     # exit 1 and list strings that are unfinished in any language
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import PySide6
from PySide6.QtCore import QCoreApplication, QEvent, QLibraryInfo, QLocale, QTranslator

from app.resources import resources_dir

logger = logging.getLogger(__name__)

LANGUAGES: tuple[str, ...] = ("zh_CN", "en")
DEFAULT_LANGUAGE = "zh_CN"
SOURCE_LANGUAGE = "en"
TS_PREFIX = "jiafang_"


def translations_dir() -> Path:
    return resources_dir() / "translations"


def ts_path(language: str) -> Path:
    return translations_dir() / f"{TS_PREFIX}{language}.ts"


def qm_path(language: str) -> Path:
    return translations_dir() / f"{TS_PREFIX}{language}.qm"


def ui_source_dir() -> Path:
    return Path(__file__).resolve().parent


def _qt_tool(name: str) -> Path:
    """`lupdate` / `lrelease` shipped inside the PySide6 wheel."""
    tool = Path(PySide6.__file__).resolve().parent / name
    if sys.platform == "win32":
        tool = tool.with_suffix(".exe")
    if not tool.exists():
        found = shutil.which(f"pyside6-{name}")
        if found is None:
            raise FileNotFoundError(f"Qt tool {name} not found in the PySide6 installation")
        return Path(found)
    return tool


def compile_ts(ts: Path, qm: Path) -> None:
    subprocess.run(
        [str(_qt_tool("lrelease")), "-silent", str(ts), "-qm", str(qm)],
        check=True,
        capture_output=True,
    )


def ensure_compiled(*, force: bool = False) -> list[Path]:
    """Compile each `.ts` whose `.qm` is missing or stale; returns the `.qm` paths."""
    outputs: list[Path] = []
    for language in LANGUAGES:
        ts, qm = ts_path(language), qm_path(language)
        stale = not qm.exists() or qm.stat().st_mtime < ts.stat().st_mtime
        if force or stale:
            if getattr(sys, "frozen", False):
                # An installed app cannot run lrelease; the installer ships the .qm files.
                raise FileNotFoundError(f"translation {qm.name} missing from the bundle")
            compile_ts(ts, qm)
            logger.info("compiled %s", qm.name)
        outputs.append(qm)
    return outputs


def run_lupdate(ts_files: list[Path]) -> None:
    """Re-scan every Python file under ui/ into the given .ts files (obsolete strings dropped)."""
    sources = sorted(str(p) for p in ui_source_dir().rglob("*.py"))
    subprocess.run(
        [
            str(_qt_tool("lupdate")),
            "-silent",
            "-no-obsolete",
            "-locations",
            "none",
            *sources,
            "-ts",
            *(str(t) for t in ts_files),
        ],
        check=True,
        capture_output=True,
    )


def english_plural_forms(source: str) -> tuple[str, str]:
    """Singular and plural of an English source written as "%n change(s) waiting"."""
    return source.replace("(s)", ""), source.replace("(s)", "s")


def fill_identity_translations(ts: Path) -> int:
    """In the source-language file every translation is the source text itself; plural
    messages get their two English forms from the "(s)" convention of the source."""
    tree = ET.parse(ts)
    filled = 0
    for message in tree.iter("message"):
        source = message.findtext("source") or ""
        translation = message.find("translation")
        if translation is None:
            translation = ET.SubElement(message, "translation")
        if message.get("numerus") == "yes":
            forms = english_plural_forms(source)
            current = tuple(f.text or "" for f in translation.findall("numerusform"))
            if current == forms and translation.get("type") != "unfinished":
                continue
            for form in translation.findall("numerusform"):
                translation.remove(form)
            for text in forms:
                ET.SubElement(translation, "numerusform").text = text
        elif translation.get("type") == "unfinished" or not _has_text(translation):
            translation.text = source
        else:
            continue
        translation.attrib.pop("type", None)
        filled += 1
    _write_ts(tree, ts)
    return filled


def _has_text(translation: ET.Element) -> bool:
    forms = translation.findall("numerusform")
    if forms:
        return all((f.text or "").strip() for f in forms)
    return bool((translation.text or "").strip())


def _write_ts(tree: ET.ElementTree, path: Path) -> None:
    ET.indent(tree, space="    ")
    body = ET.tostring(tree.getroot(), encoding="unicode")
    path.write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE TS>\n' + body + "\n", encoding="utf-8"
    )


@dataclass(frozen=True)
class UnfinishedMessage:
    language: str
    context: str
    source: str


def unfinished_messages(ts: Path, language: str) -> list[UnfinishedMessage]:
    """Messages without a finished translation (unfinished, empty, or missing plural forms)."""
    tree = ET.parse(ts)
    problems: list[UnfinishedMessage] = []
    for context in tree.iter("context"):
        name = context.findtext("name") or ""
        for message in context.iter("message"):
            translation = message.find("translation")
            kind = translation.get("type") if translation is not None else "missing"
            if (
                translation is None
                or kind in {"unfinished", "vanished", "obsolete"}
                or not _has_text(translation)
            ):
                problems.append(UnfinishedMessage(language, name, message.findtext("source", "")))
    return problems


def check_sources_complete() -> list[UnfinishedMessage]:
    """Re-extract the strings from the current code into copies of the .ts files and report
    every string that is not translated (new strings nobody added to a .ts count too)."""
    problems: list[UnfinishedMessage] = []
    with tempfile.TemporaryDirectory() as tmp:
        copies = []
        for language in LANGUAGES:
            copy = Path(tmp) / ts_path(language).name
            shutil.copyfile(ts_path(language), copy)
            copies.append(copy)
        run_lupdate(copies)
        for language, copy in zip(LANGUAGES, copies, strict=True):
            problems.extend(unfinished_messages(copy, language))
    return problems


def update_sources() -> None:
    run_lupdate([ts_path(language) for language in LANGUAGES])
    fill_identity_translations(ts_path(SOURCE_LANGUAGE))
    ensure_compiled(force=True)


class LanguageManager:
    """Installs our translator and Qt's own (dialog buttons etc.) and switches them at run time.

    Switching sends `QEvent.LanguageChange` to every widget; each screen re-applies its texts in
    `changeEvent`, so nothing needs a restart.
    """

    def __init__(self) -> None:
        self.language = DEFAULT_LANGUAGE
        self._translators: list[QTranslator] = []

    def install(self, language: str) -> None:
        if language not in LANGUAGES:
            raise ValueError(f"unsupported language {language!r}")
        ensure_compiled()
        app = QCoreApplication.instance()
        if app is None:
            raise RuntimeError("create the QApplication before installing translations")
        for old in self._translators:
            QCoreApplication.removeTranslator(old)
        self._translators = []
        ours = QTranslator(app)
        if not ours.load(str(qm_path(language))):
            raise FileNotFoundError(f"cannot load translation {qm_path(language).name}")
        qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
        qtbase = QTranslator(app)
        if qtbase.load(f"qtbase_{language}", qt_dir):
            self._translators.append(qtbase)
        self._translators.append(ours)
        for translator in self._translators:
            QCoreApplication.installTranslator(translator)
        QLocale.setDefault(QLocale(language))
        self.language = language
        # Deliver the LanguageChange events now, so every screen shows the new language
        # before control returns (no half-translated window for one event-loop turn).
        QCoreApplication.sendPostedEvents(None, QEvent.Type.LanguageChange)
        logger.info("language set to %s", language)

    def uninstall(self) -> None:
        """Remove this manager's translators (tests that build several apps in one process)."""
        for old in self._translators:
            QCoreApplication.removeTranslator(old)
        self._translators = []

    @property
    def is_chinese(self) -> bool:
        return self.language.startswith("zh")


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    command = args[0] if args else "compile"
    if command == "update":
        update_sources()
    elif command == "compile":
        ensure_compiled(force=True)
    elif command == "check":
        problems = check_sources_complete()
        for problem in problems:
            sys.stderr.write(f"{problem.language}\t{problem.context}\t{problem.source}\n")
        return 1 if problems else 0
    else:
        sys.stderr.write("usage: python -m ui.i18n [update|compile|check]\n")
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
