from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from app.domain import MemberContent, SignatureRef
from app.errors import ValidationError
from app.exports.visit_form import (
    INTERNAL_WARNING,
    SignatureImage,
    build_visit_form,
    signature_images,
    visit_form_from_views,
)
from tests.app.exports.conftest import DemoCase


def _form(case: DemoCase, **changes: object):  # type: ignore[no-untyped-def]
    form = visit_form_from_views(
        case.household,
        case.visit,
        grid_name=case.grid_name,
        decision=case.decision,
        visitor_names={"worker-1": "王芳", "worker-2": "李强"},
        signatures=(SignatureImage("走访人 王芳", b"png-1"), SignatureImage("被访家庭", b"png-2")),
        organisation="示范区明德街道",
    )
    return replace(form, **changes)


def test_the_form_holds_address_members_and_every_reason_marked(
    cases: tuple[DemoCase, ...],
) -> None:
    case = cases[0]
    document = build_visit_form(_form(case))
    text = document.html
    assert case.demo.content.address in text
    assert "王芳、李强" in text
    for member in case.demo.content.members:
        assert member.id_number in text  # the internal form prints the full number
    assert INTERNAL_WARNING in text
    assert any(r.passed for r in case.decision.reasons)
    assert not all(r.passed for r in case.decision.reasons)
    for reason in case.decision.reasons:
        # each reason printed next to its verdict, in the order the engine checked them
        mark = "符合" if reason.passed else "不符合"
        escaped = reason.text_zh.replace("<", "&lt;").replace(">", "&gt;")
        assert f"<b>{mark}</b></span></td><td>{escaped}</td>" in text
    assert "低保标准" in text
    assert "1 个月内" in text  # the notice of duties
    assert [url for url, _ in document.images] == ["jiafang-signature-0", "jiafang-signature-1"]
    assert 'src="jiafang-signature-1"' in text


def test_masked_variant_prints_no_full_id_number(cases: tuple[DemoCase, ...]) -> None:
    case = cases[1]
    text = build_visit_form(_form(case), mask_ids=True).html
    assert not re.search(r"\d{17}[\dX]", text)
    for member in case.demo.content.members:
        assert f"{member.id_number[:6]}********{member.id_number[-4:]}" in text
    assert INTERNAL_WARNING not in text


def test_recorded_text_cannot_inject_markup(cases: tuple[DemoCase, ...]) -> None:
    case = cases[2]
    visit = case.visit.content.model_copy(
        update={"housing_conditions": '<img src="file:///etc/passwd">漏雨'}
    )
    text = build_visit_form(_form(case, visit=visit)).html
    assert "&lt;img src=&quot;file:///etc/passwd&quot;&gt;漏雨" in text
    assert 'file:///etc/passwd">' not in text


def test_signatures_are_read_through_the_callers_reader() -> None:
    at = datetime(2025, 3, 1, 2, 30, tzinfo=UTC)
    refs = (
        SignatureRef(signer="worker-1", attachment_id="a1", signed_at=at),
        SignatureRef(signer="household", attachment_id="a2", signed_at=at),
    )
    images = signature_images(refs, {"a1": b"one", "a2": b"two"}.__getitem__,
                              visitor_names={"worker-1": "王芳"})  # fmt: skip
    assert [(i.signer, i.image) for i in images] == [("走访人 王芳", b"one"), ("被访家庭", b"two")]


def test_a_visit_of_another_household_is_refused(cases: tuple[DemoCase, ...]) -> None:
    with pytest.raises(ValidationError):
        visit_form_from_views(cases[0].household, cases[1].visit, grid_name="g")


def test_a_form_without_decision_says_so(cases: tuple[DemoCase, ...]) -> None:
    member: MemberContent = cases[3].demo.content.members[0]
    text = build_visit_form(_form(cases[3], decision=None, signatures=())).html
    assert "未计算核定结果" in text
    assert "无电子签名" in text
    assert member.name in text
