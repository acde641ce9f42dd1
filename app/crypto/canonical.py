"""Canonical byte encodings shared by envelopes, wraps, attachments and signatures.

Everything that goes into associated data or under a signature must have exactly one byte
representation, otherwise two different values could authenticate as the same bytes. Strings are
therefore always length-prefixed (never joined with separators) and JSON is serialised with sorted
keys, no insignificant whitespace, UTF-8 and no NaN/Infinity.
"""

from __future__ import annotations

import json

from app.errors import ValidationError


def length_prefixed(value: str, *, width: int = 2) -> bytes:
    """`value` as UTF-8 preceded by its byte length (big-endian, `width` bytes)."""
    raw = value.encode("utf-8")
    try:
        return len(raw).to_bytes(width, "big") + raw
    except OverflowError:
        raise ValidationError(
            f"文本过长：最多 {256**width - 1} 字节。",
            f"Text too long: at most {256**width - 1} bytes.",
            code="text_too_long",
        ) from None


def canonical_json(obj: object) -> bytes:
    """The one byte form of a JSON value: sorted keys, compact, UTF-8, no NaN.

    Used for encrypted payloads and for what a device signs (a visit's canonical JSON), so the
    same logical record always produces the same bytes on every machine.
    """
    try:
        text = json.dumps(
            obj, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False
        )
        return text.encode("utf-8")
    except (TypeError, ValueError) as exc:
        # The exception text names only the offending type, never the value itself.
        raise ValidationError(
            f"数据无法转换为规范 JSON（{type(exc).__name__}）：只允许 JSON 基本类型。",
            f"The data cannot be turned into canonical JSON ({type(exc).__name__}): "
            "only plain JSON types are allowed.",
            code="not_canonical_json",
        ) from None
