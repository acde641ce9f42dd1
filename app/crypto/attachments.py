"""Encrypted attachment files (photos, signature images): chunked AEAD, decrypted into memory.

File format, version 1 (integers big-endian)::

    header:  "JFAT" | version (1) | suite id (1) | key id field (as in envelopes) | chunk size (4)
    chunk i: nonce (12) | ciphertext (chunk size bytes, fewer for the last chunk) | tag (16)

Every chunk is sealed with the household's data key and associated data::

    header bytes | attachment id (length-prefixed UTF-8) | chunk index (8) | last-chunk flag (1)

so that:

- reordering or duplicating chunks fails (the index is authenticated);
- dropping trailing chunks fails (the new final chunk was sealed with flag 0), as does appending
  anything after the real last chunk (it was sealed with flag 1);
- a file copied to another attachment id or another household fails (both authenticated);
- an attachment chunk can never be opened as a record envelope or the other way round (record
  associated data starts with the envelope version byte 0x01, attachment data with "J").

Every plaintext chunk is full size except the last, so a reader knows where each chunk ends; an
empty file is one empty chunk flagged last. Decryption collects all chunks in memory and returns
only after the last tag and the optional SHA-256 have been checked: nothing partial is returned
and no plaintext touches the disk. The SHA-256 of the plaintext is the content address used by
sync (DESIGN section 4).
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO, Final

from cryptography.exceptions import InvalidTag

from app.crypto.canonical import length_prefixed
from app.crypto.envelope import decode_key_id, encode_key_id
from app.crypto.suites import NONCE_SIZE, TAG_SIZE, Aead, known_suite
from app.errors import DecryptionError

MAGIC: Final = b"JFAT"
FORMAT_VERSION: Final = 1
CHUNK_SIZE: Final = 64 * 1024


@dataclass(frozen=True)
class AttachmentInfo:
    size: int  # plaintext bytes
    sha256: str  # hex of the plaintext (content address)
    chunks: int


def file_header(suite_id: int, key_id: str, chunk_size: int = CHUNK_SIZE) -> bytes:
    return (
        MAGIC
        + bytes((FORMAT_VERSION, suite_id))
        + encode_key_id(key_id)
        + chunk_size.to_bytes(4, "big")
    )


def _chunk_aad(header: bytes, attachment_id: bytes, index: int, last: bool) -> bytes:
    return header + attachment_id + index.to_bytes(8, "big") + (b"\x01" if last else b"\x00")


def _read_exact(src: BinaryIO, size: int) -> bytes:
    """Up to `size` bytes; fewer only at end of file (streams may return short reads)."""
    parts: list[bytes] = []
    remaining = size
    while remaining > 0:
        part = src.read(remaining)
        if not part:
            break
        parts.append(part)
        remaining -= len(part)
    return b"".join(parts)


def encrypt_stream(
    aead: Aead, suite_id: int, key_id: str, src: BinaryIO, dst: BinaryIO, *, attachment_id: str
) -> AttachmentInfo:
    """Read `src` to its end and write the encrypted file to `dst`."""
    header = file_header(suite_id, key_id)
    aid = length_prefixed(attachment_id)
    digest = hashlib.sha256()
    dst.write(header)
    size = 0
    index = 0
    current = _read_exact(src, CHUNK_SIZE)
    while True:
        # Read one chunk ahead: only then do we know whether the current chunk is the last.
        following = _read_exact(src, CHUNK_SIZE) if len(current) == CHUNK_SIZE else b""
        last = not following
        nonce = os.urandom(NONCE_SIZE)
        dst.write(nonce)
        dst.write(aead.encrypt(nonce, current, _chunk_aad(header, aid, index, last)))
        digest.update(current)
        size += len(current)
        index += 1
        if last:
            break
        current = following
    return AttachmentInfo(size=size, sha256=digest.hexdigest(), chunks=index)


def decrypt_stream(
    aead_for_suite: Callable[[int], Aead],
    key_id: str,
    src: BinaryIO,
    *,
    attachment_id: str,
    sha256: str | None = None,
) -> bytes:
    """The whole plaintext, or `DecryptionError`; never a part of it."""
    header = _read_header(src, key_id)
    aead = aead_for_suite(header[len(MAGIC) + 1])
    aid = length_prefixed(attachment_id)
    sealed_size = NONCE_SIZE + CHUNK_SIZE + TAG_SIZE
    plaintext: list[bytes] = []
    index = 0
    current = _read_exact(src, sealed_size)
    while True:
        if len(current) < NONCE_SIZE + TAG_SIZE:
            raise _failed("truncated")
        following = _read_exact(src, sealed_size) if len(current) == sealed_size else b""
        last = not following
        try:
            plaintext.append(
                aead.decrypt(
                    current[:NONCE_SIZE],
                    current[NONCE_SIZE:],
                    _chunk_aad(header, aid, index, last),
                )
            )
        except InvalidTag:
            raise _failed("chunk") from None
        index += 1
        if last:
            break
        current = following
    data = b"".join(plaintext)
    if sha256 is not None and not hmac.compare_digest(
        hashlib.sha256(data).hexdigest(), sha256.lower()
    ):
        raise _failed("sha256")
    return data


def _read_header(src: BinaryIO, key_id: str) -> bytes:
    fixed = _read_exact(src, len(MAGIC) + 3)
    if len(fixed) < len(MAGIC) + 3 or fixed[: len(MAGIC)] != MAGIC:
        raise _failed("not_attachment")
    if fixed[len(MAGIC)] != FORMAT_VERSION or not known_suite(fixed[len(MAGIC) + 1]):
        raise _failed("version")
    marker = fixed[-1]
    rest = _read_exact(src, (16 if marker == 0 else marker) + 4)
    header = fixed + rest
    try:
        stored_key_id, chunk_at = decode_key_id(header, len(MAGIC) + 2)
    except (ValueError, UnicodeDecodeError):
        raise _failed("header") from None
    if len(header) != chunk_at + 4:
        raise _failed("header")
    if stored_key_id != key_id:
        raise _failed("other_key")
    if int.from_bytes(header[chunk_at:], "big") != CHUNK_SIZE:
        raise _failed("header")
    return header


def _failed(detail: str) -> DecryptionError:
    return DecryptionError(
        "附件无法解密：文件已被修改、截断或重新排序，或属于另一个附件/另一户。未显示任何内容。",
        "The attachment cannot be decrypted: the file was altered, truncated or reordered, or it "
        "belongs to another attachment or household. Nothing was shown.",
        code=f"attachment_{detail}",
    )
