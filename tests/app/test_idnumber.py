"""GB 11643-1999 resident ID numbers: what a worker typing a number sees accepted or refused."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain import Sex
from app.errors import ValidationError
from app.idnumber import (
    PROVINCE_CODES,
    IdNumber,
    check_digit,
    derive,
    is_valid,
    normalise,
    parse_id_number,
)

TODAY = date(2025, 6, 15)

# An independent reference implementation of ISO 7064 MOD 11-2, written out from the standard's
# weight table, so the production code is not checked against itself.
_REFERENCE_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
_REFERENCE_CHECK = {0: "1", 1: "0", 2: "X", 3: "9", 4: "8", 5: "7", 6: "6", 7: "5", 8: "4"}
_REFERENCE_CHECK.update({9: "3", 10: "2"})


def reference_check(first17: str) -> str:
    total = sum(int(c) * w for c, w in zip(first17, _REFERENCE_WEIGHTS, strict=True))
    return _REFERENCE_CHECK[total % 11]


def with_check(first17: str) -> str:
    return first17 + reference_check(first17)


# --- valid numbers ------------------------------------------------------------------------------

VALID = [
    # (number, region, birth date, sex) — the first two are the examples printed in GB 11643-1999
    ("11010519491231002X", "110105", date(1949, 12, 31), Sex.FEMALE),
    ("34052419800101001X", "340524", date(1980, 1, 1), Sex.MALE),
    (with_check("42010219880229123"), "420102", date(1988, 2, 29), Sex.MALE),
    (with_check("65010120240615004"), "650101", date(2024, 6, 15), Sex.FEMALE),
    (with_check("91000019000101001"), "910000", date(1900, 1, 1), Sex.MALE),
]


@pytest.mark.parametrize(("number", "region", "born", "sex"), VALID)
def test_valid_numbers_are_accepted_and_derive_birth_date_and_sex(
    number: str, region: str, born: date, sex: Sex
) -> None:
    parsed = parse_id_number(number, today=TODAY)
    assert parsed.number == number
    assert parsed.region_code == region
    assert parsed.birth_date == born
    assert parsed.sex is sex
    assert parsed.converted_from_15 is False
    assert is_valid(number, today=TODAY)
    assert derive(number, today=TODAY) == parsed


def test_check_digit_matches_the_standard_examples() -> None:
    assert check_digit("11010519491231002") == "X"
    assert check_digit("44052418800101001") == "4"
    assert check_digit("34052419800101001") == "X"


@given(st.text(alphabet="0123456789", min_size=17, max_size=17))
def test_check_digit_agrees_with_the_reference_table(first17: str) -> None:
    assert check_digit(first17) == reference_check(first17)


@pytest.mark.parametrize("bad", ["", "1234", "1101051949123100A", "110105194912310021"])
def test_check_digit_wants_exactly_17_digits(bad: str) -> None:
    with pytest.raises(ValidationError) as info:
        check_digit(bad)
    assert info.value.code == "id_check_input"


# --- normalisation ------------------------------------------------------------------------------

NORMALISED = "11010519491231002X"


@pytest.mark.parametrize(
    "typed",
    [
        "１１０１０５１９４９１２３１００２Ｘ",  # full-width digits and X from a Chinese IME
        "１１０１０５１９４９１２３１００２ｘ",  # full-width lower-case x
        "11010519491231002x",  # lower-case x
        " 110105 19491231 002X ",  # spaces around and inside
        "110105\u300019491231\u3000002X",  # ideographic spaces
        "110105\t19491231\t002x\n",  # tabs and a trailing newline from a paste
        "110105-19491231-002X",  # hyphens
        "110105－19491231－002Ｘ",  # full-width hyphens
        "\ufeff110105\u200b19491231002X",  # byte-order mark and zero-width space from a paste
    ],
)
def test_typed_variants_normalise_to_the_canonical_number(typed: str) -> None:
    assert normalise(typed) == NORMALISED
    assert parse_id_number(typed, today=TODAY).number == NORMALISED


def test_normalise_does_not_validate() -> None:
    assert normalise("ab c") == "abc"
    assert normalise("") == ""


# --- 15-digit legacy numbers --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "born", "sex"),
    [
        ("110105491231002", "11010519491231002X", date(1949, 12, 31), Sex.FEMALE),
        ("340524800101001", "34052419800101001X", date(1980, 1, 1), Sex.MALE),
        ("440524880229123", "440524198802291230", date(1988, 2, 29), Sex.MALE),
        ("３４０５２４ ８００１０１ ００１", "34052419800101001X", date(1980, 1, 1), Sex.MALE),
    ],
)
def test_fifteen_digit_numbers_are_converted(old: str, new: str, born: date, sex: Sex) -> None:
    parsed = parse_id_number(old, today=TODAY)
    assert parsed.number == new
    assert parsed.converted_from_15 is True
    assert parsed.birth_date == born
    assert parsed.sex is sex
    assert parsed.region_code == new[:6]
    # the converted number is itself a valid 18-character number
    assert parse_id_number(parsed.number, today=TODAY).converted_from_15 is False


# --- invalid numbers: each class has its own code and says why ----------------------------------

INVALID = [
    # (input, code, fragment of the English message, fragment of the Chinese message)
    ("", "id_empty", "empty", "为空"),
    (" \u3000\t-", "id_empty", "empty", "为空"),
    ("1101051949123100", "id_length", "16 were given", "16 位"),
    ("11010519491231002X1", "id_length", "19 were given", "19 位"),
    ("1101051949123100", "id_length", "18 characters", "18 位"),
    ("11010519491231002Y", "id_illegal_char", "Character 18", "第 18 位"),
    ("1101O519491231002X", "id_illegal_char", "Character 5", "第 5 位"),
    ("11010519491X31002X", "id_x_position", "not character 12", "第 12 位"),
    ("X10105194912310021", "id_x_position", "not character 1", "第 1 位"),
    ("11010549123100X", "id_x_position", "15-digit", "15 位"),
    (with_check("00010519491231002"), "id_region", "province code", "省级行政区划"),
    (with_check("16010519491231002"), "id_region", "province code", "省级行政区划"),
    (with_check("92010519491231002"), "id_region", "province code", "省级行政区划"),
    (with_check("11010519990230002"), "id_birth_date_invalid", "not a real", "不是真实"),
    (with_check("11010520231301002"), "id_birth_date_invalid", "not a real", "不是真实"),
    (with_check("11010519000229002"), "id_birth_date_invalid", "not a real", "不是真实"),
    ("110105990230002", "id_birth_date_invalid", "not a real", "不是真实"),
    (with_check("11010520250616002"), "id_birth_date_future", "future", "晚于今天"),
    ("440524188001010014", "id_birth_date_too_old", "before 1900", "早于 1900"),
    ("110105194912310021", "id_check_digit", "does not match", "校验码不符"),
    ("340524198001010019", "id_check_digit", "does not match", "校验码不符"),
]


@pytest.mark.parametrize(("raw", "code", "en", "zh"), INVALID)
def test_each_invalid_class_is_refused_with_its_reason(
    raw: str, code: str, en: str, zh: str
) -> None:
    with pytest.raises(ValidationError) as info:
        parse_id_number(raw, today=TODAY)
    error = info.value
    assert error.code == code
    assert en in error.message_en
    assert zh in error.message_zh
    assert not is_valid(raw, today=TODAY)


def test_every_invalid_class_has_a_distinct_code_and_wording() -> None:
    wording: dict[str, str] = {}
    for raw, code, _, _ in INVALID:
        with pytest.raises(ValidationError) as info:
            parse_id_number(raw, today=TODAY)
        wording.setdefault(code, info.value.message_zh)
    assert len(wording) == 9
    # two classes never share a wording, so the user can tell them apart
    assert len(set(wording.values())) == len(wording)


@pytest.mark.parametrize(("raw", "code", "en", "zh"), INVALID)
def test_a_refusal_never_echoes_the_number(raw: str, code: str, en: str, zh: str) -> None:
    with pytest.raises(ValidationError) as info:
        parse_id_number(raw, today=TODAY)
    number = normalise(raw)
    texts = [info.value.message_en, info.value.message_zh, str(info.value), repr(info.value)]
    for text in texts:
        if len(number) >= 8:
            for start in range(len(number) - 7):
                assert number[start : start + 8] not in text


def test_a_wrong_check_character_does_not_reveal_the_right_one() -> None:
    # 11010519491231002X is valid: the refusal of ...0021 must not mention "X".
    with pytest.raises(ValidationError) as info:
        parse_id_number("110105194912310021", today=TODAY)
    assert "X" not in info.value.message_en
    assert "X" not in info.value.message_zh


# --- the birth date boundary against `today` ----------------------------------------------------


def test_born_today_is_valid_and_born_tomorrow_is_not() -> None:
    today = date(2026, 3, 1)
    born_today = with_check(f"320102{today:%Y%m%d}001")
    born_tomorrow = with_check(f"320102{today + timedelta(days=1):%Y%m%d}001")
    parsed = parse_id_number(born_today, today=today)
    assert parsed.birth_date == today
    assert parsed.age_on(today) == 0
    with pytest.raises(ValidationError) as info:
        parse_id_number(born_tomorrow, today=today)
    assert info.value.code == "id_birth_date_future"
    # the same number becomes valid once its birth date has come
    assert is_valid(born_tomorrow, today=today + timedelta(days=1))


def test_today_defaults_to_the_system_date() -> None:
    tomorrow = date.today() + timedelta(days=1)
    assert not is_valid(with_check(f"320102{tomorrow:%Y%m%d}001"))
    assert is_valid(with_check(f"320102{date.today():%Y%m%d}001"))


# --- derived facts and privacy ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("born", "on", "age"),
    [
        (date(1949, 12, 31), date(2024, 12, 30), 74),
        (date(1949, 12, 31), date(2024, 12, 31), 75),
        (date(2000, 2, 29), date(2001, 2, 28), 0),
        (date(2000, 2, 29), date(2001, 3, 1), 1),
        (date(2000, 2, 29), date(2004, 2, 29), 4),
    ],
)
def test_age_counts_completed_years(born: date, on: date, age: int) -> None:
    parsed = parse_id_number(with_check(f"110105{born:%Y%m%d}002"), today=on)
    assert parsed.age_on(on) == age


def test_masked_form_and_repr_hide_the_middle() -> None:
    parsed = parse_id_number("11010519491231002X", today=TODAY)
    assert parsed.masked() == "110105********002X"
    assert "19491231" not in repr(parsed)
    assert "19491231" not in str(parsed)
    assert "19491231" not in f"{[parsed]}"


def test_parsed_numbers_are_immutable() -> None:
    parsed = parse_id_number("11010519491231002X", today=TODAY)
    with pytest.raises(AttributeError):
        parsed.number = "x"  # type: ignore[misc]
    assert isinstance(parsed, IdNumber)


# --- properties ---------------------------------------------------------------------------------

valid_numbers = st.builds(
    lambda province, rest, born, seq: with_check(f"{province}{rest}{born:%Y%m%d}{seq}"),
    st.sampled_from(sorted(PROVINCE_CODES)),
    st.text(alphabet="0123456789", min_size=4, max_size=4),
    st.dates(min_value=date(1900, 1, 1), max_value=TODAY),
    st.text(alphabet="0123456789", min_size=3, max_size=3),
)


@given(valid_numbers, st.integers(min_value=0, max_value=17), st.integers(1, 10))
def test_any_valid_number_passes_and_any_single_change_fails(
    number: str, position: int, shift: int
) -> None:
    parsed = parse_id_number(number, today=TODAY)
    assert parsed.number == number
    assert parsed.sex is (Sex.MALE if int(number[16]) % 2 else Sex.FEMALE)
    alphabet = "0123456789X" if position == 17 else "0123456789"
    original = alphabet.index(number[position])
    replacement = alphabet[(original + shift) % len(alphabet)]
    if replacement == number[position]:  # shift of 10 on the 10-digit alphabet
        replacement = alphabet[(original + 1) % len(alphabet)]
    changed = number[:position] + replacement + number[position + 1 :]
    assert not is_valid(changed, today=TODAY)
