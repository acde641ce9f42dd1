"""Encrypted attachment files: round trips, truncation, reordering, moving, tampering."""

from __future__ import annotations

import hashlib
import io
import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.crypto import CHUNK_SIZE, Vault
from app.crypto.attachments import file_header
from app.errors import DecryptionError, KeyMissingError
from tests.app.crypto.conftest import KeyTable, make_vault

HOUSEHOLD = "0190a1b2-c3d4-7e5f-8a9b-0123456789ab"
PHOTO_ID = "0190a1b2-c3d4-7e5f-8a9b-00000000f070"
SEALED_CHUNK = 12 + CHUNK_SIZE + 16


def encrypt(vault: Vault, data: bytes, attachment_id: str = PHOTO_ID) -> bytes:
    out = io.BytesIO()
    vault.encrypt_attachment(HOUSEHOLD, io.BytesIO(data), out, attachment_id=attachment_id)
    return out.getvalue()


def decrypt(vault: Vault, blob: bytes, attachment_id: str = PHOTO_ID) -> bytes:
    return vault.decrypt_attachment(HOUSEHOLD, io.BytesIO(blob), attachment_id=attachment_id)


def split(blob: bytes) -> tuple[bytes, list[bytes]]:
    header_size = len(file_header(blob[5], HOUSEHOLD))
    body = blob[header_size:]
    return blob[:header_size], [
        body[at : at + SEALED_CHUNK] for at in range(0, len(body), SEALED_CHUNK)
    ]


@pytest.fixture
def vault(vault_and_table: tuple[KeyTable, Vault]) -> Vault:
    table, vault = vault_and_table
    table.new_key(vault, HOUSEHOLD)
    table.new_key(vault, "another-household")
    return vault


@pytest.mark.parametrize(
    ("size", "chunks"),
    [
        (0, 1),
        (1, 1),
        (CHUNK_SIZE - 1, 1),
        (CHUNK_SIZE, 1),
        (CHUNK_SIZE + 1, 2),
        (2 * CHUNK_SIZE, 2),
        (3 * CHUNK_SIZE + 500, 4),
    ],
)
def test_round_trip(vault: Vault, size: int, chunks: int) -> None:
    data = os.urandom(size)
    out = io.BytesIO()
    info = vault.encrypt_attachment(HOUSEHOLD, io.BytesIO(data), out, attachment_id=PHOTO_ID)
    assert (info.size, info.chunks) == (size, chunks)
    assert info.sha256 == hashlib.sha256(data).hexdigest()
    assert len(split(out.getvalue())[1]) == chunks
    assert decrypt(vault, out.getvalue()) == data
    assert (
        vault.decrypt_attachment(
            HOUSEHOLD, io.BytesIO(out.getvalue()), attachment_id=PHOTO_ID, sha256=info.sha256
        )
        == data
    )


@settings(max_examples=25, deadline=None)
@given(data=st.binary(max_size=3 * 1024))
def test_round_trip_small_files(data: bytes) -> None:
    table, vault = make_vault()
    table.new_key(vault, HOUSEHOLD)
    assert decrypt(vault, encrypt(vault, data)) == data


class TrickleReader(io.RawIOBase):
    """A stream that returns at most 1000 bytes per read, like a pipe or a socket."""

    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        return self._data.read(min(size, 1000) if size >= 0 else 1000)


def test_short_reads_are_handled(vault: Vault) -> None:
    data = os.urandom(2 * CHUNK_SIZE + 7)
    out = io.BytesIO()
    vault.encrypt_attachment(HOUSEHOLD, TrickleReader(data), out, attachment_id=PHOTO_ID)  # type: ignore[arg-type]
    assert (
        vault.decrypt_attachment(
            HOUSEHOLD,
            TrickleReader(out.getvalue()),
            attachment_id=PHOTO_ID,  # type: ignore[arg-type]
        )
        == data
    )


def test_plaintext_marker_is_not_in_the_file(vault: Vault) -> None:
    marker = "张三丰 110105194912310021"
    data = b"".join(marker.encode(codec) for codec in ("utf-8", "utf-16-le", "gbk")) * 50
    blob = encrypt(vault, data)
    for codec in ("utf-8", "utf-16-le", "gbk"):
        assert marker.encode(codec) not in blob


def test_dropping_the_last_chunk_fails(vault: Vault) -> None:
    for size in (CHUNK_SIZE + 100, 2 * CHUNK_SIZE, 3 * CHUNK_SIZE):
        header, chunks = split(encrypt(vault, os.urandom(size)))
        with pytest.raises(DecryptionError):
            decrypt(vault, header + b"".join(chunks[:-1]))


def test_truncating_anywhere_or_appending_fails(vault: Vault) -> None:
    blob = encrypt(vault, os.urandom(CHUNK_SIZE + 300))
    for size in [0, 3, 10, 30, len(blob) - SEALED_CHUNK, len(blob) - 300, len(blob) - 1]:
        with pytest.raises(DecryptionError):
            decrypt(vault, blob[:size])
    with pytest.raises(DecryptionError):
        decrypt(vault, blob + b"\x00")
    header, chunks = split(blob)
    with pytest.raises(DecryptionError):
        decrypt(vault, header + b"".join(chunks) + chunks[-1])


def test_reordering_or_duplicating_chunks_fails(vault: Vault) -> None:
    header, chunks = split(encrypt(vault, os.urandom(3 * CHUNK_SIZE)))
    for order in ([1, 0, 2], [0, 2, 1], [0, 0, 2], [2, 1, 0]):
        with pytest.raises(DecryptionError):
            decrypt(vault, header + b"".join(chunks[i] for i in order))


def test_another_attachment_id_or_household_fails(vault: Vault) -> None:
    blob = encrypt(vault, b"signature image")
    with pytest.raises(DecryptionError):
        decrypt(vault, blob, attachment_id="0190a1b2-c3d4-7e5f-8a9b-00000000f071")
    with pytest.raises(DecryptionError):
        vault.decrypt_attachment("another-household", io.BytesIO(blob), attachment_id=PHOTO_ID)


def test_flipping_any_byte_fails(vault: Vault) -> None:
    blob = encrypt(vault, b"a small photo" * 10)
    for position in range(len(blob)):
        altered = bytearray(blob)
        altered[position] ^= 0x01
        with pytest.raises(DecryptionError):
            decrypt(vault, bytes(altered))


def test_flipping_bytes_in_a_large_file_fails(vault: Vault) -> None:
    blob = encrypt(vault, os.urandom(2 * CHUNK_SIZE + 10))
    header_size = len(split(blob)[0])
    positions = [
        header_size + 5,
        header_size + 12 + 1000,
        header_size + SEALED_CHUNK - 1,
        header_size + SEALED_CHUNK + 40_000,
        len(blob) - 17,
        len(blob) - 1,
    ]
    for position in positions:
        altered = bytearray(blob)
        altered[position] ^= 0x80
        with pytest.raises(DecryptionError):
            decrypt(vault, bytes(altered))


def test_wrong_content_hash_fails(vault: Vault) -> None:
    blob = encrypt(vault, b"photo")
    with pytest.raises(DecryptionError):
        vault.decrypt_attachment(
            HOUSEHOLD, io.BytesIO(blob), attachment_id=PHOTO_ID, sha256="00" * 32
        )


def test_shredded_household_attachment_is_unreadable(
    vault_and_table: tuple[KeyTable, Vault],
) -> None:
    table, vault = vault_and_table
    table.new_key(vault, HOUSEHOLD)
    blob = encrypt(vault, b"photo")
    table.shred(vault, HOUSEHOLD)
    with pytest.raises(KeyMissingError):
        decrypt(vault, blob)
