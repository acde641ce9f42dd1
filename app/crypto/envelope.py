"""The envelope: how one encrypted value (a record's payload) is laid out, and the key wrap format.

Envelope, version 1 (all integers big-endian)::

    offset  size  field
    0       1     envelope version (1)
    1       1     suite id (1 = AES-256-GCM, 2 = SM4-GCM)
    2       1+n   key id: length byte n (1..255) + n bytes of UTF-8,
                  or 0 + 16 raw bytes when the key id is a canonical lower-case UUID string
    ..      4     check: CRC-32 of every byte before it
    ..      12    nonce (fresh random 96 bits per encryption)
    ..      m+16  ciphertext + GCM tag

The AEAD's associated data is ``prefix || AssociatedData.encode()`` where ``prefix`` is everything
up to and including the check. So:

- the version, suite and key id are authenticated: none can be swapped to another value that
  opens;
- table, column, row id and record version (`AssociatedData`) are authenticated but not stored:
  a ciphertext copied to another row, column, table or version fails to open;
- the CRC is not a security measure (anyone can recompute it). It exists so that damage to the
  key-id bytes is reported as damage (`DecryptionError`) and not mistaken for a shredded key
  (`KeyMissingError`). A deliberate rewrite of the key id with a fixed-up CRC can only make the
  envelope name a missing key (KeyMissingError) or another key (the tag fails); it never opens.
- UUID key ids (the store uses household ids) take 17 bytes instead of 37, keeping the overhead
  of a record at 51 bytes.

Key wrap (data keys and the device private key, wrapped under a subkey of the master key)::

    0  1   wrap version (1)
    1  1   suite id
    2  12  nonce
    14 48  32-byte secret + tag

with associated data ``label || version || suite || key id field`` (the label says what kind of
secret it is, e.g. ``jiafang/v1/data-key``), so a wrapped key cannot be moved to another key id
or used as another kind of secret.
"""

from __future__ import annotations

import os
import zlib
from dataclasses import dataclass
from functools import cache
from typing import Final, NamedTuple

from cryptography.exceptions import InvalidTag

from app.crypto.canonical import length_prefixed
from app.crypto.suites import KEY_SIZE, KNOWN_SUITES, NONCE_SIZE, TAG_SIZE, Aead
from app.errors import DecryptionError, ValidationError

ENVELOPE_VERSION: Final = 1
WRAP_VERSION: Final = 1
CHECK_SIZE: Final = 4
MAX_KEY_ID_BYTES: Final = 255
# Smallest possible envelope: version, suite, 1-byte key id field + 1 byte, check, nonce, tag.
MIN_ENVELOPE_SIZE: Final = 2 + 2 + CHECK_SIZE + NONCE_SIZE + TAG_SIZE
WRAPPED_KEY_SIZE: Final = 2 + NONCE_SIZE + KEY_SIZE + TAG_SIZE

_UUID_MARKER: Final = 0
_BYTES_LIKE: Final = (bytes, bytearray, memoryview)


@dataclass(frozen=True)
class AssociatedData:
    """Where a ciphertext belongs; authenticated with it, never stored in the envelope."""

    table: str
    column: str
    row_id: str
    version: int

    def encode(self) -> bytes:
        """Canonical bytes: three length-prefixed UTF-8 strings and a signed 64-bit version.

        Length prefixes (not separators) make the encoding unambiguous: ("ab", "c") and
        ("a", "bc") give different bytes.
        """
        table = self.table.encode("utf-8")
        column = self.column.encode("utf-8")
        row_id = self.row_id.encode("utf-8")
        try:
            # Inlined (no helper calls): this runs for every record encrypted or decrypted.
            return b"".join(
                (
                    len(table).to_bytes(2, "big"),
                    table,
                    len(column).to_bytes(2, "big"),
                    column,
                    len(row_id).to_bytes(2, "big"),
                    row_id,
                    self.version.to_bytes(8, "big", signed=True),
                )
            )
        except OverflowError:
            raise ValidationError(
                "记录位置过长或版本号超出范围（文本最多 65535 字节）。",
                "The record place is too long or its version is out of range (text is at most "
                "65535 bytes).",
                code="ad_range",
            ) from None


def encode_key_id(key_id: str) -> bytes:
    """The key id field: compact 16 bytes for canonical UUIDs, else length + UTF-8."""
    if not isinstance(key_id, str) or not key_id:
        raise ValidationError("密钥编号不能为空。", "The key id must not be empty.", code="key_id")
    if len(key_id) == 36 and key_id[8] == key_id[13] == key_id[18] == key_id[23] == "-":
        compact = key_id[:8] + key_id[9:13] + key_id[14:18] + key_id[19:23] + key_id[24:]
        try:
            raw = bytes.fromhex(compact)
        except ValueError:
            raw = b""
        # Only the exact canonical (lower-case) spelling is compacted, so decoding gives the same
        # string back. `bytes.fromhex` + `hex()` avoids `uuid.UUID`, which costs 2 µs per call.
        if len(raw) == 16 and raw.hex() == compact:
            return b"\x00" + raw
    raw = key_id.encode("utf-8")
    if len(raw) > MAX_KEY_ID_BYTES:
        raise ValidationError(
            f"密钥编号过长：最多 {MAX_KEY_ID_BYTES} 字节。",
            f"The key id is too long: at most {MAX_KEY_ID_BYTES} bytes.",
            code="key_id",
        )
    return bytes((len(raw),)) + raw


def decode_key_id(data: bytes, offset: int) -> tuple[str, int]:
    """(key id, offset after the field); `ValueError` when the field is malformed."""
    if offset >= len(data):
        raise ValueError("key id field missing")
    length = data[offset]
    if length == _UUID_MARKER:
        end = offset + 17
        if end > len(data):
            raise ValueError("key id field truncated")
        h = bytes(data[offset + 1 : end]).hex()
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}", end
    end = offset + 1 + length
    if end > len(data):
        raise ValueError("key id field truncated")
    return bytes(data[offset + 1 : end]).decode("utf-8"), end


def envelope_prefix(suite_id: int, key_id: str) -> bytes:
    """Version, suite, key id field and check: the part of an envelope before the nonce."""
    head = bytes((ENVELOPE_VERSION, suite_id)) + encode_key_id(key_id)
    return head + zlib.crc32(head).to_bytes(CHECK_SIZE, "big")


class EnvelopeHeader(NamedTuple):
    # A NamedTuple, not a frozen dataclass: it is built once per key on the unlock path, where
    # a frozen dataclass's __init__ costs about 1 µs.
    version: int
    suite: int
    key_id: str
    prefix_size: int  # bytes before the nonce
    key_id_field: bytes  # the encoded key id, as it appears in the envelope


def parse_envelope_header(envelope: bytes) -> EnvelopeHeader:
    """Read and check the envelope's prefix. `DecryptionError` if it is damaged or unknown."""
    if type(envelope) is not bytes:
        if not isinstance(envelope, _BYTES_LIKE):
            raise _damaged("too_short")
        envelope = bytes(envelope)
    if len(envelope) >= 1 and envelope[0] != ENVELOPE_VERSION:
        raise DecryptionError(
            f"无法解密：密文格式版本 {envelope[0]} 未知（数据已损坏，或由更新的软件写入）。",
            f"Cannot decrypt: unknown envelope version {envelope[0]} (the data is damaged or was "
            "written by newer software).",
            code="envelope_version",
        )
    suite_id, key_id, prefix_size, field = parse_prefix(envelope)
    return EnvelopeHeader(ENVELOPE_VERSION, suite_id, key_id, prefix_size, field)


def parse_prefix(envelope: bytes) -> tuple[int, str, int, bytes]:
    """(suite, key id, prefix size, key id field) of an envelope given as `bytes`.

    The unlock path runs this once per household, so it is written flat (no helper calls).
    """
    size = len(envelope)
    if size < MIN_ENVELOPE_SIZE or envelope[0] != ENVELOPE_VERSION:
        raise _damaged("too_short" if size < MIN_ENVELOPE_SIZE else "version")
    suite_id = envelope[1]
    if suite_id not in KNOWN_SUITES:
        raise _damaged("unknown_suite")
    marker = envelope[2]
    check_at = 19 if marker == _UUID_MARKER else 3 + marker
    prefix_size = check_at + CHECK_SIZE
    if size < prefix_size + NONCE_SIZE + TAG_SIZE:
        raise _damaged("too_short")
    if zlib.crc32(envelope[:check_at]) != int.from_bytes(envelope[check_at:prefix_size], "big"):
        raise _damaged("check")
    field = envelope[2:check_at]
    if marker == _UUID_MARKER:
        h = field[1:].hex()
        key_id = f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"
    else:
        try:
            key_id = field[1:].decode("utf-8")
        except UnicodeDecodeError:
            raise _damaged("key_id") from None
    return suite_id, key_id, prefix_size, field


def envelope_key_id(envelope: bytes) -> str:
    """The key id an envelope names (e.g. to find which household key a payload needs)."""
    return parse_envelope_header(envelope).key_id


def envelope_suite(envelope: bytes) -> int:
    return parse_envelope_header(envelope).suite


def seal(aead: Aead, prefix: bytes, plaintext: bytes, ad_bytes: bytes) -> bytes:
    """prefix | fresh nonce | ciphertext+tag, authenticated over prefix and `ad_bytes`."""
    nonce = os.urandom(NONCE_SIZE)
    return prefix + nonce + aead.encrypt(nonce, plaintext, prefix + ad_bytes)


def open_sealed(aead: Aead, envelope: bytes, prefix_size: int, ad_bytes: bytes) -> bytes:
    """The plaintext of an envelope whose prefix has been checked; `DecryptionError` otherwise."""
    body_at = prefix_size + NONCE_SIZE
    if len(envelope) < body_at + TAG_SIZE:
        raise _damaged("too_short")
    try:
        return aead.decrypt(
            envelope[prefix_size:body_at], envelope[body_at:], envelope[:prefix_size] + ad_bytes
        )
    except InvalidTag:
        raise authentication_failed() from None


def authentication_failed() -> DecryptionError:
    return DecryptionError(
        "无法解密：数据已被修改或截断、被移到了别的记录/字段/版本，或不属于这个密钥。"
        "未显示任何内容。",
        "Cannot decrypt: the data was altered or truncated, moved to another record, field or "
        "version, or does not belong to this key. Nothing was shown.",
        code="decryption_failed",
    )


def _damaged(detail: str) -> DecryptionError:
    return DecryptionError(
        "无法解密：密文的头部已损坏或被截断。未显示任何内容。",
        "Cannot decrypt: the ciphertext's header is damaged or truncated. Nothing was shown.",
        code=f"envelope_damaged_{detail}",
    )


@cache
def wrap_aad_head(label: bytes, suite_id: int) -> bytes:
    return length_prefixed(label.decode("ascii")) + bytes((WRAP_VERSION, suite_id))


def wrap_aad(label: bytes, suite_id: int, key_id: str, key_id_field: bytes | None = None) -> bytes:
    field = key_id_field if key_id_field is not None else encode_key_id(key_id)
    return wrap_aad_head(label, suite_id) + field


def wrap_secret(aead: Aead, suite_id: int, label: bytes, key_id: str, secret: bytes) -> bytes:
    """Wrap a 32-byte secret for `key_id` (format in the module docstring)."""
    if len(secret) != KEY_SIZE:
        raise ValueError(f"wrapped secrets are {KEY_SIZE} bytes")
    nonce = os.urandom(NONCE_SIZE)
    body = aead.encrypt(nonce, secret, wrap_aad(label, suite_id, key_id))
    return bytes((WRAP_VERSION, suite_id)) + nonce + body


def wrapped_suite(wrapped: bytes) -> int:
    """The suite a wrapped secret was made with; `DecryptionError` if the format is wrong."""
    if (
        not isinstance(wrapped, _BYTES_LIKE)
        or len(wrapped) != WRAPPED_KEY_SIZE
        or wrapped[0] != WRAP_VERSION
        or wrapped[1] not in KNOWN_SUITES
    ):
        raise bad_wrapped_key()
    return int(wrapped[1])


def unwrap_secret(
    aead: Aead,
    label: bytes,
    key_id: str,
    wrapped: bytes,
    key_id_field: bytes | None = None,
    suite_id: int | None = None,
) -> bytes:
    """The secret wrapped for `key_id`; `key_id_field` and `suite_id` save work when known."""
    if suite_id is None:
        suite_id = wrapped_suite(wrapped)
    try:
        return aead.decrypt(
            wrapped[2 : 2 + NONCE_SIZE],
            wrapped[2 + NONCE_SIZE :],
            wrap_aad(label, suite_id, key_id, key_id_field),
        )
    except InvalidTag:
        raise bad_wrapped_key() from None


def bad_wrapped_key() -> DecryptionError:
    return DecryptionError(
        "保存的密钥已损坏，或属于另一个保险库/另一个编号，无法解开。",
        "A stored key is damaged, or belongs to another vault or another key id, and cannot be "
        "unwrapped.",
        code="wrapped_key_invalid",
    )
