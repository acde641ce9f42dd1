"""Resident identity card numbers (居民身份证号码) after GB 11643-1999.

An 18-character number is: 6 digits of region code (GB/T 2260), 8 digits of birth date
(YYYYMMDD), 3 digits of sequence code (odd for men, even for women) and one check character
computed with ISO 7064 MOD 11-2 (`0`-`9` or `X` for ten). Numbers issued before 1999 had 15
digits (2-digit year, no check character); they are converted to 18 on input.

Every rejection raises `ValidationError` with its own `code` and says why in Chinese and English.
The number itself never appears in a message, a `repr` or a log line (PIPL: it is sensitive
personal information), and a wrong check character is reported without the expected one, which
would help someone forge a number.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from operator import mul
from typing import Final

from app.domain import Sex
from app.errors import ValidationError

#: Error codes, one per way a number can be wrong; the UI translates them.
CODE_EMPTY: Final = "id_empty"
CODE_LENGTH: Final = "id_length"
CODE_ILLEGAL_CHAR: Final = "id_illegal_char"
CODE_X_POSITION: Final = "id_x_position"
CODE_REGION: Final = "id_region"
CODE_BIRTH_DATE_INVALID: Final = "id_birth_date_invalid"
CODE_BIRTH_DATE_FUTURE: Final = "id_birth_date_future"
CODE_BIRTH_DATE_TOO_OLD: Final = "id_birth_date_too_old"
CODE_CHECK_DIGIT: Final = "id_check_digit"
CODE_CHECK_INPUT: Final = "id_check_input"

#: Province-level codes of GB/T 2260 (plus 71 Taiwan, 81/82 Hong Kong/Macao and 83 for Taiwan
#: residents' residence permits, 91 for foreigners' permanent residence cards).
PROVINCE_CODES: Final[frozenset[str]] = frozenset(
    {
        *(str(c) for c in range(11, 16)),
        *(str(c) for c in range(21, 24)),
        *(str(c) for c in range(31, 38)),
        *(str(c) for c in range(41, 47)),
        *(str(c) for c in range(50, 55)),
        *(str(c) for c in range(61, 66)),
        "71",
        "81",
        "82",
        "83",
        "91",
    }
)

#: Nobody alive was born before this; an earlier date is a typing error.
EARLIEST_BIRTH_DATE: Final = date(1900, 1, 1)

#: ISO 7064 MOD 11-2 weights: 2^(17-i) mod 11 for positions 1..17.
CHECK_WEIGHTS: Final[tuple[int, ...]] = tuple(pow(2, 17 - i, 11) for i in range(17))
#: Check character for (weighted sum mod 11) = 0..10.
CHECK_CHARACTERS: Final = "10X98765432"

_FULL_WIDTH = {ord("０") + i: str(i) for i in range(10)}
_FULL_WIDTH.update({ord("Ｘ"): "X", ord("ｘ"): "X", ord("x"): "X"})
#: Separators people type or paste inside a number: hyphens and dashes of every width, and the
#: invisible zero-width characters and byte-order mark that come along with copied text.
_SEPARATORS: Final = frozenset("-－‐‑‒–—―\u200b\u200c\u200d\u2060\ufeff")
_DIGITS: Final = frozenset("0123456789")


def normalise(raw: str) -> str:
    """Canonical spelling of a typed number; does not validate.

    Full-width digits and `Ｘ`/`ｘ` become ASCII, every kind of white space (including the
    ideographic space U+3000 and tabs), hyphens and zero-width characters are removed, and `x`
    becomes `X`.
    """
    translated = raw.translate(_FULL_WIDTH)
    return "".join(ch for ch in translated if not ch.isspace() and ch not in _SEPARATORS)


def check_digit(first17: str) -> str:
    """The ISO 7064 MOD 11-2 check character for the first 17 digits of a number."""
    # isascii() first: isdigit() alone would accept other scripts' digits such as "٣" or "²".
    if len(first17) != 17 or not (first17.isascii() and first17.isdigit()):
        raise ValidationError(
            "计算校验码需要 17 位数字",
            "The check character is computed from exactly 17 digits",
            code=CODE_CHECK_INPUT,
        )
    total = sum(map(mul, map(int, first17), CHECK_WEIGHTS))
    return CHECK_CHARACTERS[total % 11]


@dataclass(frozen=True, repr=False)
class IdNumber:
    """A valid, normalised 18-character number and what it says about its holder."""

    number: str
    region_code: str
    birth_date: date
    sex: Sex
    converted_from_15: bool

    def age_on(self, on: date) -> int:
        """Completed years of age on a day (a birthday counts on the day itself)."""
        had_birthday = (on.month, on.day) >= (self.birth_date.month, self.birth_date.day)
        return on.year - self.birth_date.year - (0 if had_birthday else 1)

    def masked(self) -> str:
        """The public-notice form: first 6 and last 4 characters, 8 asterisks between."""
        return f"{self.number[:6]}{'*' * 8}{self.number[-4:]}"

    def __repr__(self) -> str:
        # Keep the full number out of tracebacks, debugger output and log lines.
        return f"IdNumber({self.masked()!r})"

    __str__ = __repr__


def parse_id_number(raw: str, *, today: date | None = None) -> IdNumber:
    """Normalise, convert a 15-digit number, validate, and derive birth date and sex.

    `today` is the day against which a birth date counts as "in the future" (default: the
    system date); a number born on `today` is valid.
    """
    reference = today if today is not None else date.today()
    number = normalise(raw)
    if not number:
        raise ValidationError("身份证号码为空", "The ID number is empty", code=CODE_EMPTY)
    _check_characters(number)
    if len(number) not in (15, 18):
        raise ValidationError(
            f"身份证号码应为 18 位（或旧版 15 位），实际输入了 {len(number)} 位",
            f"An ID number has 18 characters (or 15 for an old number); {len(number)} were given",
            code=CODE_LENGTH,
        )
    _check_x_position(number)
    _check_region(number[:2])
    converted = len(number) == 15
    if converted:
        # Old numbers carry a 2-digit year of the 1900s and no check character.
        first17 = f"{number[:6]}19{number[6:]}"
        birth_digits = first17[6:14]
    else:
        first17 = number[:17]
        birth_digits = number[6:14]
    birth_date = _check_birth_date(birth_digits, reference)
    if not converted and check_digit(first17) != number[17]:
        raise ValidationError(
            "身份证号码校验码不符，请核对每一位是否输错",
            "The check character does not match; a digit was probably mistyped",
            code=CODE_CHECK_DIGIT,
        )
    full = number if not converted else first17 + check_digit(first17)
    sex = Sex.MALE if int(full[16]) % 2 == 1 else Sex.FEMALE
    return IdNumber(
        number=full,
        region_code=full[:6],
        birth_date=birth_date,
        sex=sex,
        converted_from_15=converted,
    )


#: Same as `parse_id_number`; reads better where the caller wants the derived facts.
derive = parse_id_number


def is_valid(raw: str, *, today: date | None = None) -> bool:
    """True when `parse_id_number` accepts the input."""
    try:
        parse_id_number(raw, today=today)
    except ValidationError:
        return False
    return True


def _check_characters(number: str) -> None:
    for position, ch in enumerate(number, start=1):
        if ch not in _DIGITS and ch != "X":
            raise ValidationError(
                f"身份证号码第 {position} 位不是数字（只有最后一位可以是 X）",
                f"Character {position} of the ID number is not a digit "
                "(only the last character may be X)",
                code=CODE_ILLEGAL_CHAR,
            )


def _check_x_position(number: str) -> None:
    position = number.find("X") + 1
    if position == 0:
        return
    if len(number) == 15:
        raise ValidationError(
            f"15 位旧身份证号码只含数字，第 {position} 位却是 X",
            f"An old 15-digit ID number has only digits, but character {position} is X",
            code=CODE_X_POSITION,
        )
    if position != 18:
        raise ValidationError(
            f"X 只能是身份证号码的最后一位，不能出现在第 {position} 位",
            f"X may only be the last character of an ID number, not character {position}",
            code=CODE_X_POSITION,
        )


def _check_region(province: str) -> None:
    if province not in PROVINCE_CODES:
        raise ValidationError(
            f"身份证号码前两位“{province}”不是有效的省级行政区划代码",
            f"The first two digits '{province}' are not a valid province code (GB/T 2260)",
            code=CODE_REGION,
        )


def _check_birth_date(digits: str, today: date) -> date:
    try:
        born = date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        raise ValidationError(
            "身份证号码中的出生日期不是真实存在的日期",
            "The birth date in the ID number is not a real calendar date",
            code=CODE_BIRTH_DATE_INVALID,
        ) from None
    if born > today:
        raise ValidationError(
            "身份证号码中的出生日期晚于今天",
            "The birth date in the ID number is in the future",
            code=CODE_BIRTH_DATE_FUTURE,
        )
    if born < EARLIEST_BIRTH_DATE:
        raise ValidationError(
            "身份证号码中的出生日期早于 1900 年 1 月 1 日，不合常理",
            "The birth date in the ID number is before 1900-01-01, which is implausible",
            code=CODE_BIRTH_DATE_TOO_OLD,
        )
    return born
