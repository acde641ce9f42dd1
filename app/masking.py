"""Masked forms of personal identifiers for public-notice lists (公示) and the contractor view.

A masked value must never give back more than the rule allows, whatever the input looks like:
malformed input is masked completely rather than partly, so a typo cannot leak a number.
"""

from __future__ import annotations

from typing import Final

from app.idnumber import normalise

MASK: Final = "*"


def mask_id_number(number: str) -> str:
    """First 6 and last 4 characters of an ID number, the rest as asterisks.

    `110105194912310021` → `110105********0021` (the public-notice form of domain.md). The input
    is normalised first (full-width, spaces, lower-case x); anything that is not 15 or 18
    characters long comes back fully masked.
    """
    canonical = normalise(number)
    if len(canonical) not in (15, 18):
        return MASK * len(canonical)
    return canonical[:6] + MASK * (len(canonical) - 10) + canonical[-4:]


def mask_name(name: str) -> str:
    """Keep the first character (usually the surname) and, for 3+ characters, the last.

    `张三` → `张*`, `张小三` → `张*三`, `欧阳娜娜` → `欧**娜`. A single character is masked
    completely: keeping it would show the whole name.
    """
    chars = name.strip()
    if len(chars) <= 1:
        return MASK * len(chars)
    if len(chars) == 2:
        return chars[0] + MASK
    return chars[0] + MASK * (len(chars) - 2) + chars[-1]


def mask_phone(phone: str) -> str:
    """Mobile numbers keep the first 3 and last 4 digits (`138****5678`); others the last 4.

    Spaces, hyphens and full-width digits are tolerated; a `+86`/`0086` prefix is kept as
    `+86 `. A landline keeps only its last 4 digits (`010-62345678` → `*******5678`), and
    anything with fewer than 7 digits is masked completely.
    """
    digits = "".join(ch for ch in normalise(phone) if ch.isdigit() and ch.isascii())
    prefix = ""
    for country in ("0086", "86"):
        if digits.startswith(country) and len(digits) == len(country) + 11:
            prefix, digits = "+86 ", digits[len(country) :]
            break
    if len(digits) == 11 and digits.startswith("1"):
        return f"{prefix}{digits[:3]}{MASK * 4}{digits[-4:]}"
    if len(digits) < 7:
        return MASK * len(digits)
    return prefix + MASK * (len(digits) - 4) + digits[-4:]
