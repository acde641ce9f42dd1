"""Masked identifiers as they appear on a public-notice list or in the contractor view."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.idnumber import parse_id_number
from app.masking import mask_id_number, mask_name, mask_phone


@pytest.mark.parametrize(
    ("number", "masked"),
    [
        ("110105194912311234", "110105********1234"),
        ("11010519491231002X", "110105********002X"),
        ("11010519491231002x", "110105********002X"),
        ("１１０１０５ １９４９１２３１ ００２Ｘ", "110105********002X"),
        ("110105491231002", "110105*****1002"),
    ],
)
def test_id_number_shows_first_six_and_last_four(number: str, masked: str) -> None:
    assert mask_id_number(number) == masked


@pytest.mark.parametrize("malformed", ["1101051949", "1101051949123100", "11010519491231002X12"])
def test_malformed_id_number_is_masked_completely(malformed: str) -> None:
    result = mask_id_number(malformed)
    assert set(result) == {"*"}
    assert len(result) == len(malformed)


def test_empty_id_number_masks_to_empty() -> None:
    assert mask_id_number("") == ""


def test_parsed_number_masks_the_same_way() -> None:
    parsed = parse_id_number("11010519491231002X")
    assert parsed.masked() == mask_id_number(parsed.number)


@given(st.text(alphabet="0123456789", min_size=17, max_size=17))
def test_masked_id_never_reveals_the_birth_date(digits: str) -> None:
    number = digits + "X"
    masked = mask_id_number(number)
    assert masked[6:14] == "********"
    assert masked[:6] == number[:6]
    assert masked[-4:] == number[-4:]


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("张三", "张*"),
        ("张小三", "张*三"),
        ("欧阳娜娜", "欧**娜"),
        ("阿依古丽·买买提", "阿******提"),
        (" 李四 ", "李*"),
        ("王", "*"),
        ("", ""),
    ],
)
def test_name_keeps_first_character_and_last_for_long_names(name: str, masked: str) -> None:
    assert mask_name(name) == masked


@given(st.text(min_size=2, max_size=12).filter(lambda s: len(s.strip()) >= 2))
def test_masked_name_hides_every_middle_character(name: str) -> None:
    chars = name.strip()
    masked = mask_name(name)
    assert len(masked) == len(chars)
    assert masked[0] == chars[0]
    assert set(masked[1:-1]) <= {"*"}


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("13812345678", "138****5678"),
        ("138 1234 5678", "138****5678"),
        ("138-1234-5678", "138****5678"),
        ("１３８１２３４５６７８", "138****5678"),
        ("+86 138 1234 5678", "+86 138****5678"),
        ("008613812345678", "+86 138****5678"),
        ("010-62345678", "*******5678"),
        ("0571 8888 1234", "********1234"),
        ("12345", "*****"),
        ("", ""),
    ],
)
def test_phone_keeps_only_what_the_rule_allows(phone: str, masked: str) -> None:
    assert mask_phone(phone) == masked
