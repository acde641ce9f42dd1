"""The printable visit form as an A4 PDF in Chinese, laid out by Qt's rich-text engine.

`app.exports.visit_form` builds the HTML (pure Python); this module lays it out with
`QTextDocument` and writes it with `QPdfWriter`. Neither is a widget, so `print_visit_form` may
run on a worker thread (`ui.jobs`), which is where it belongs: layout of a long form takes a
moment. A `QGuiApplication` must exist (fonts come from it), on any thread.

Chinese text needs a CJK font; Qt embeds the glyphs it uses into the PDF, so the file reads the
same on a machine without that font. The font is set up once per process: a copy of Noto Sans
CJK SC (or Microsoft YaHei, or one shipped in `resources/fonts/`) that copies and searches as
the characters it shows (see `_register_print_font`), else an installed Simplified-Chinese
family. Without any the print is refused with `PrintError` rather than producing a PDF of boxes.

    python -m ui.printing --demo OUT.pdf [--png PAGE.png [--page N]] [--masked]

writes the form of a synthetic demo household (never real data), for the README's screenshot.
"""

from __future__ import annotations

import argparse
import io
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, Final

from PySide6.QtCore import (
    QBuffer,
    QByteArray,
    QIODevice,
    QMarginsF,
    QPointF,
    QRectF,
    QSizeF,
    Qt,
    QUrl,
)
from PySide6.QtGui import (
    QAbstractTextDocumentLayout,
    QColor,
    QFont,
    QFontDatabase,
    QGuiApplication,
    QImage,
    QPageLayout,
    QPageSize,
    QPainter,
    QPainterPath,
    QPdfWriter,
    QPen,
    QTextDocument,
)

from app.domain import Role
from app.errors import JiafangError
from app.exports.gate import ensure_may_export
from app.exports.visit_form import VisitForm, VisitFormDocument, build_visit_form
from app.resources import resources_dir

logger = logging.getLogger(__name__)

#: Simplified-Chinese families in order of preference, when no font file below can be used.
PREFERRED_FAMILIES: Final = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "Microsoft YaHei",
    "PingFang SC",
    "WenQuanYi Micro Hei",
    "Noto Sans SC",
    "SimSun",
)
#: Font files (regular, bold) the print font is derived from, first found wins; a deployment
#: may ship its own in `resources/fonts/` (`*-Regular.*` and `*-Bold.*`). In a collection the
#: face whose family ends in " SC" is taken.
FONT_FILES: Final = (
    (
        "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
        "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    ),
    (
        "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
        "/usr/share/fonts/noto-cjk/NotoSansCJK-Bold.ttc",
    ),
    (
        "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
        "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Bold.ttc",
    ),
    ("C:/Windows/Fonts/msyh.ttc", "C:/Windows/Fonts/msyhbd.ttc"),
)
#: the family name the derived print font is registered under (never clashes with the system's)
PRINT_FAMILY: Final = "Jiafang Print SC"
#: Code points a shared glyph must copy as: CJK ideographs, CJK punctuation, full-width forms.
PREFERRED_RANGES: Final = (
    (0x3000, 0x303F),
    (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF),
    (0xFF00, 0xFFEF),
    (0x20000, 0x2FFFF),
)
#: Glyph substitution is dropped from the print font: a substituted glyph (Qt's shaper picked
#: alternate digit forms in some runs) is in no character map, so the PDF had no text for it and
#: "0001" copied as control characters. Simplified-Chinese forms are the SC face's defaults.
DROPPED_TABLES: Final = frozenset({"GSUB"})
BODY_POINT_SIZE: Final = 9.5
FOOTER_POINT_SIZE: Final = 7.5
MARGIN_MM: Final = 15.0
FOOTER_MM: Final = 8.0
#: layout resolution; the signature table's `cellpadding` (device pixels) assumes it
PDF_RESOLUTION: Final = 300

_font_lock = threading.Lock()
_font_family: str | None = None


class PrintError(JiafangError):
    """The form could not be printed to PDF (no Chinese font, unreadable image, file error)."""

    code = "print_failed"


def cjk_font_family() -> str:
    """The Simplified-Chinese font family used for forms, registered once per process."""
    global _font_family
    with _font_lock:
        if _font_family is None:
            if QGuiApplication.instance() is None:
                raise PrintError(
                    "打印前需要先启动 Qt 图形应用",
                    "A QGuiApplication must exist before printing",
                    code="print_no_application",
                )
            _font_family = _register_print_font() or _system_family()
            logger.info("visit forms use the font family %s", _font_family)
        return _font_family


def _register_print_font() -> str | None:
    """Register a copy of a CJK font that copies and searches as the text it shows.

    Qt's PDF writer maps each embedded glyph back to the LOWEST code point that shows it (the
    ToUnicode table, used for copy, search and text extraction). CJK fonts draw the Kangxi
    radical ⼊ (U+2F0A) and the character 入 (U+5165) with one glyph, so text copied from the
    PDF came out as "⼊⼾" instead of "入户" and a search for an address failed. The copy drops
    such shadowing code points from its character map (and its glyph substitutions, see
    `DROPPED_TABLES`), so every glyph maps back to the ordinary character. It is built in memory
    (about a second, once per process) and never written to disk.
    """
    shipped = sorted((resources_dir() / "fonts").glob("*-Regular.*"))
    candidates = [(str(r), str(r).replace("-Regular.", "-Bold.")) for r in shipped]
    for regular, bold in [*candidates, *FONT_FILES]:
        if not Path(regular).is_file():
            continue
        try:
            faces = [_print_font_data(regular)]
            if Path(bold).is_file():
                faces.append(_print_font_data(bold))
        except Exception:  # fontTools raises many types on a font it cannot read
            logger.warning("cannot derive the print font from a system font", exc_info=True)
            continue
        registered = [QFontDatabase.addApplicationFontFromData(QByteArray(f)) for f in faces]
        if registered[0] >= 0:
            return PRINT_FAMILY
    return None


def _print_font_data(path: str) -> bytes:
    from fontTools.ttLib import TTCollection, TTFont

    if path.lower().endswith((".ttc", ".otc")):
        collection = TTCollection(path, lazy=True)
        try:
            fonts = collection.fonts
            sc = [f for f in fonts if f["name"].getDebugName(1).endswith(" SC")]
            return _rebuilt(sc[0] if sc else fonts[0])
        finally:
            collection.close()
    font = TTFont(path, lazy=True)
    try:
        return _rebuilt(font)
    finally:
        font.close()


def _rebuilt(font: Any) -> bytes:
    from fontTools.ttLib.sfnt import SFNTWriter

    original = font["name"].getDebugName(1)
    cmap = font["cmap"]
    for subtable in cmap.tables:
        if subtable.isUnicode():
            for code in _shadowing_code_points(subtable.cmap):
                del subtable.cmap[code]
    names = font["name"]
    for record in names.names:
        if record.nameID in (1, 3, 4, 6, 16):
            text = record.toUnicode()
            record.string = text.replace(original, PRINT_FAMILY).replace(
                original.replace(" ", ""), PRINT_FAMILY.replace(" ", "")
            )
    # Only cmap and name are rebuilt; every other table is copied byte for byte (compiling
    # the CFF outlines of 65,000 glyphs again would take half a minute).
    rebuilt = {"cmap": cmap.compile(font), "name": names.compile(font)}
    tags = sorted(set(font.reader.keys()) - DROPPED_TABLES)
    out = io.BytesIO()
    writer = SFNTWriter(out, len(tags), font.sfntVersion)
    for tag in tags:
        writer[tag] = rebuilt.get(tag) or font.reader[tag]
    writer.close()
    return out.getvalue()


def _shadowing_code_points(mapping: dict[int, str]) -> list[int]:
    """Code points that would stand in for a preferred one sharing their glyph (⼊ for 入,
    ∕ for ／): lower than it, so Qt's reverse map would pick them."""
    by_glyph: dict[str, list[int]] = {}
    for code, glyph in mapping.items():
        by_glyph.setdefault(glyph, []).append(code)
    shadowing = []
    for codes in by_glyph.values():
        preferred = [c for c in codes if _is_preferred(c)]
        if len(codes) > 1 and preferred:
            first = min(preferred)
            shadowing += [c for c in codes if c < first and not _is_preferred(c)]
    return shadowing


def _is_preferred(code: int) -> bool:
    return any(low <= code <= high for low, high in PREFERRED_RANGES)


def _system_family() -> str:
    chinese = QFontDatabase.families(QFontDatabase.WritingSystem.SimplifiedChinese)
    for family in PREFERRED_FAMILIES:
        if family in chinese:
            return family
    if chinese:
        return chinese[0]
    raise PrintError(
        "找不到中文字体，无法生成 PDF（请安装 Noto Sans CJK 或微软雅黑）",
        "No Chinese font found, so no PDF can be made (install Noto Sans CJK or Microsoft YaHei)",
        code="cjk_font_missing",
    )


def print_visit_form(
    form: VisitForm,
    path: str | os.PathLike[str],
    *,
    role: Role | str,
    mask_ids: bool = False,
    printed_at: datetime | None = None,
) -> Path:
    """Write the visit form as an A4 PDF at `path`; contractors are refused."""
    ensure_may_export(role)
    document = build_visit_form(form, mask_ids=mask_ids, printed_at=printed_at)
    return write_pdf(document, path)


def write_pdf(document: VisitFormDocument, path: str | os.PathLike[str]) -> Path:
    """Lay out the HTML on A4 and write it; the file appears complete or not at all."""
    family = cjk_font_family()
    text = QTextDocument()
    font = QFont(family)
    font.setPointSizeF(BODY_POINT_SIZE)
    text.setDefaultFont(font)
    text.setDefaultStyleSheet(f'body {{ font-family: "{family}"; }}')
    text.setHtml(document.html)
    # setHtml() clears earlier resources, so the images are added after it.
    for url, data in document.images:
        image = QImage.fromData(data)
        if image.isNull():
            raise PrintError(
                "签名图像无法读取，未生成 PDF",
                "A signature image cannot be read; no PDF was written",
                code="print_bad_image",
            )
        text.addResource(QTextDocument.ResourceType.ImageResource, QUrl(url), image)

    target = Path(path)
    fd, partial_name = tempfile.mkstemp(
        prefix=f".{target.name}.", suffix=".partial", dir=target.parent
    )
    os.close(fd)
    partial = Path(partial_name)
    try:
        writer = QPdfWriter(str(partial))
        writer.setTitle(document.title)
        writer.setCreator("Jiafang")
        writer.setResolution(PDF_RESOLUTION)
        writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
        writer.setPageMargins(
            QMarginsF(MARGIN_MM, MARGIN_MM, MARGIN_MM, MARGIN_MM), QPageLayout.Unit.Millimeter
        )
        pages = _paint_pages(text, writer, document.footer, family)
        del writer  # the PDF trailer is written when the writer goes
        if pages == 0 or partial.stat().st_size == 0:
            raise PrintError("PDF 文件为空", "The PDF came out empty", code="print_empty")
        os.replace(partial, target)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise PrintError(
            f"无法写入 PDF 文件：{exc.strerror or exc.__class__.__name__}",
            f"Cannot write the PDF file: {exc.strerror or exc.__class__.__name__}",
        ) from exc
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    logger.info("visit form printed to PDF (%d pages)", pages)
    return target


def _paint_pages(text: QTextDocument, writer: QPdfWriter, footer: str, family: str) -> int:
    """Paginate into the page body and paint each page with a footer: "第 n 页／共 m 页".

    `QTextDocument.print_()` would add its own 2 cm margin and a bare page number; laying the
    pages out here keeps the page margins as set and puts the record number on every page, so a
    loose sheet can be matched to its form.
    """
    layout = text.documentLayout()
    layout.setPaintDevice(writer)
    page = writer.pageLayout().paintRectPixels(writer.resolution())
    footer_height = FOOTER_MM / 25.4 * writer.resolution()
    body = QSizeF(page.width(), page.height() - footer_height)
    text.setPageSize(body)
    pages = text.pageCount()
    footer_font = QFont(family)
    footer_font.setPointSizeF(FOOTER_POINT_SIZE)
    painter = QPainter()
    if not painter.begin(writer):
        raise PrintError("无法开始写入 PDF", "Cannot start writing the PDF", code="print_failed")
    try:
        for index in range(pages):
            if index:
                writer.newPage()
            top = index * body.height()
            painter.save()
            painter.translate(0, -top)
            context = QAbstractTextDocumentLayout.PaintContext()
            context.clip = QRectF(0, top, body.width(), body.height())
            layout.draw(painter, context)
            painter.restore()
            foot = QRectF(0, body.height(), body.width(), footer_height)
            painter.setFont(footer_font)
            painter.setPen(QColor("#555555"))
            bottom = Qt.AlignmentFlag.AlignBottom
            painter.drawText(foot, int(Qt.AlignmentFlag.AlignLeft | bottom), footer)
            painter.drawText(
                foot, int(Qt.AlignmentFlag.AlignRight | bottom), f"第 {index + 1} 页／共 {pages} 页"
            )
    finally:
        painter.end()
    return pages


# --- the demo form (README screenshot) ----------------------------------------------------------


def demo_signature_png(seed: int) -> bytes:
    """A synthetic hand-drawn stroke, standing in for a signature pad's image."""
    image = QImage(300, 120, QImage.Format.Format_ARGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(QPen(QColor("#1b2a4a"), 4))
    path = QPainterPath(QPointF(20, 80))
    for step in range(1, 9):
        x = 20 + step * 32
        y = 60 + ((step * 37 + seed * 23) % 50) - 25
        path.quadTo(QPointF(x - 16, y - 30 + (seed % 3) * 10), QPointF(x, y))
    painter.drawPath(path)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    buffer.close()
    return bytes(data.data())


def demo_form() -> VisitForm:
    """The form of one synthetic demo household: a 低保 family with a reason list and expenses."""
    from app.demo_data import generate_dataset, generate_visit_content
    from app.domain import (
        AssistanceCategory,
        Finding,
        HouseholdStatus,
        VisitKind,
        VisitStatus,
    )
    from app.exports.visit_form import SignatureImage, visit_form_from_views
    from app.models.views import HouseholdView, MemberView, VisitView
    from app.policy import evaluate_visit, policy_by_id

    dataset = generate_dataset(seed=2025, households=40)
    regions = {r.region_id: r for r in dataset.regions}
    policy = policy_by_id("district-x-2025")
    visitors = {"demo-worker-1": "王芳", "demo-worker-2": "李强"}
    for index, demo in enumerate(dataset.households):
        content = generate_visit_content(2025, demo, ("demo-worker-1", "demo-worker-2"))
        assert content.started_at is not None and content.ended_at is not None
        on = content.started_at.date()
        decision = evaluate_visit(policy, content, on)
        if not (
            decision.category is AssistanceCategory.MINIMUM_LIVING
            and 2 <= len(demo.content.members) <= 4
            and content.expenses
            and content.incomes
            and content.finding is Finding.ELIGIBLE
        ):
            continue
        household = HouseholdView(
            household_id=demo.household_id,
            grid_id=demo.grid_id,
            status=HouseholdStatus.ACTIVE,
            category=decision.category,
            next_review=decision.next_review_on,
            version=1,
            content=demo.content,
            members=tuple(
                MemberView(m.member_id, demo.household_id, 1, m) for m in demo.content.members
            ),
        )
        visit = VisitView(
            visit_id=f"demo-visit-{index:04d}",
            household_id=demo.household_id,
            kind=VisitKind.PERIODIC_REVIEW,
            status=VisitStatus.COMPLETED,
            revision=1,
            revision_of=None,
            visit_date=on,
            completed_at=content.ended_at,
            version=1,
            content=content,
        )
        grid = regions[demo.grid_id]
        street = regions[regions[grid.parent_id or ""].parent_id or ""]
        return visit_form_from_views(
            household,
            visit,
            grid_name=grid.name,
            decision=decision,
            visitor_names=visitors,
            signatures=(
                SignatureImage("走访人 王芳", demo_signature_png(1), content.ended_at),
                SignatureImage("走访人 李强", demo_signature_png(2), content.ended_at),
                SignatureImage("被访家庭", demo_signature_png(3), content.ended_at),
            ),
            organisation=f"{street.name}社会救助入户核查",
        )
    raise RuntimeError("the demo data set has no suitable household")  # pragma: no cover


def render_page_png(pdf: Path, png: Path, *, page: int = 1, dpi: int = 110) -> Path:
    """Render one page with poppler's `pdftoppm` (how the README screenshot is made)."""
    tool = shutil.which("pdftoppm")
    if tool is None:
        raise PrintError(
            "未安装 pdftoppm（poppler-utils），无法生成预览图",
            "pdftoppm (poppler-utils) is not installed; no preview image can be made",
            code="pdftoppm_missing",
        )
    prefix = png.with_suffix("")
    pages = ["-f", str(page), "-l", str(page)]
    command = [tool, "-png", "-r", str(dpi), *pages, "-singlefile", str(pdf), str(prefix)]
    subprocess.run(command, check=True, timeout=60)
    return prefix.with_suffix(".png")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m ui.printing", description="Print the demo visit form to PDF."
    )
    parser.add_argument("--demo", type=Path, required=True, metavar="OUT.pdf")
    parser.add_argument("--png", type=Path, metavar="PAGE.png", help="also render one page")
    parser.add_argument("--page", type=int, default=1, help="the page --png renders")
    parser.add_argument("--masked", action="store_true", help="mask ID numbers")
    args = parser.parse_args(argv)
    # No window is shown, so the offscreen platform works everywhere, with or without a display.
    app = QGuiApplication.instance() or QGuiApplication(["jiafang-print", "-platform", "offscreen"])
    try:
        out = print_visit_form(demo_form(), args.demo, role=Role.SUPERVISOR, mask_ids=args.masked)
        sys.stdout.write(f"{out}\n")
        if args.png is not None:
            sys.stdout.write(f"{render_page_png(out, args.png, page=args.page)}\n")
    except JiafangError as exc:
        sys.stderr.write(f"{exc.message('zh')}\n{exc.message('en')}\n")
        return 1
    finally:
        del app
    return 0


if __name__ == "__main__":
    sys.exit(main())
