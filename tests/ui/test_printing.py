"""The printed visit form: Chinese text that a PDF reader can find, pages that are not blank,
contractors refused, and printing from a worker thread (no widgets involved)."""

from __future__ import annotations

import re
import shutil
import subprocess
import threading
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader

from app.domain import Role
from app.exports import ExportForbiddenError
from app.exports.visit_form import SignatureImage, VisitForm
from ui.printing import PrintError, demo_form, demo_signature_png, print_visit_form

FULL_ID = re.compile(r"\d{17}[\dX]")


@dataclass(frozen=True)
class Printed:
    form: VisitForm
    pdf: Path
    text: str
    thread_name: str


def _text(pdf: Path) -> str:
    # Line breaks fall where the layout wrapped, so compare without any white space.
    raw = "".join(page.extract_text() for page in PdfReader(pdf).pages)
    return "".join(raw.split())


@pytest.fixture(scope="module")
def printed(qapp: object, tmp_path_factory: pytest.TempPathFactory) -> Printed:
    """The demo form printed once, from a worker thread as the app does it."""
    form = demo_form()
    out = tmp_path_factory.mktemp("pdf") / "入户核查记录表.pdf"
    outcome: dict[str, object] = {}

    def work() -> None:
        try:
            outcome["path"] = print_visit_form(form, out, role=Role.SUPERVISOR)
        except BaseException as exc:  # handed to the test thread below
            outcome["error"] = exc
        outcome["thread"] = threading.current_thread().name

    worker = threading.Thread(target=work, name="print-worker")
    worker.start()
    worker.join(timeout=120)
    if "error" in outcome:
        raise AssertionError("printing failed on the worker thread") from outcome["error"]
    assert outcome["path"] == out
    return Printed(form, out, _text(out), str(outcome["thread"]))


def test_printed_from_a_worker_thread_as_an_a4_pdf(printed: Printed) -> None:
    assert printed.thread_name == "print-worker"
    reader = PdfReader(printed.pdf)
    assert len(reader.pages) >= 2
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 in points
    assert reader.metadata is not None and reader.metadata.title == "社会救助家庭入户核查记录表"
    # the Chinese font travels inside the file
    fonts = reader.pages[0]["/Resources"]["/Font"]
    descriptors = [
        f.get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
        for f in fonts.values()
    ]
    assert any("/FontFile2" in d or "/FontFile3" in d for d in descriptors)


def test_the_pdf_text_holds_the_household_and_the_reasons(printed: Printed) -> None:
    form, text = printed.form, printed.text
    assert form.decision is not None
    assert "社会救助家庭入户核查记录表" in text
    assert "".join(form.household.address.split()) in text  # 示范区…: no radical look-alikes
    assert form.household.head_name in text
    assert "低保标准" in text
    for reason in form.decision.reasons:
        assert "".join(reason.text_zh.split()) in text
    assert "不符合" in text and "符合" in text
    assert "第1页／共" in text
    for member in form.visit.members:
        assert member.id_number in text  # the internal form prints full ID numbers


def test_page_one_renders_to_a_non_blank_image(printed: Printed, tmp_path: Path) -> None:
    tool = shutil.which("pdftoppm")
    if tool is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    prefix = tmp_path / "page"
    subprocess.run(
        [
            tool,
            "-png",
            "-r",
            "40",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            str(printed.pdf),
            str(prefix),
        ],
        check=True,
        timeout=60,
    )
    with Image.open(prefix.with_suffix(".png")) as png:
        image = png.convert("L")
    histogram = image.histogram()  # pixel count per grey level 0 (black) .. 255 (white)
    total = image.size[0] * image.size[1]
    assert image.size[0] < image.size[1]  # portrait
    assert sum(histogram[:128]) / total > 0.01, "page 1 is blank"
    assert sum(histogram[:60]) > 0  # real ink, not a grey wash


def test_masked_variant_has_no_full_id_number(printed: Printed, tmp_path: Path) -> None:
    form = replace(printed.form, signatures=())
    out = print_visit_form(form, tmp_path / "masked.pdf", role=Role.FIELD_WORKER, mask_ids=True)
    text = _text(out)
    assert not FULL_ID.search(text)
    head = form.visit.members[0].id_number
    assert f"{head[:6]}********{head[-4:]}" in text


def test_contractors_cannot_print(printed: Printed, tmp_path: Path) -> None:
    with pytest.raises(ExportForbiddenError):
        print_visit_form(printed.form, tmp_path / "x.pdf", role=Role.CONTRACTOR)
    assert list(tmp_path.iterdir()) == []


def test_an_unreadable_signature_image_leaves_no_file(printed: Printed, tmp_path: Path) -> None:
    form = replace(
        printed.form,
        signatures=(SignatureImage("走访人", demo_signature_png(1)), SignatureImage("户", b"nope")),
    )
    with pytest.raises(PrintError) as caught:
        print_visit_form(form, tmp_path / "x.pdf", role=Role.SUPERVISOR)
    assert caught.value.code == "print_bad_image"
    assert list(tmp_path.iterdir()) == []
