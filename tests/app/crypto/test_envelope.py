"""The envelope format: unambiguous associated data, key id field, and tamper detection."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.crypto.envelope import (
    AssociatedData,
    decode_key_id,
    encode_key_id,
    envelope_key_id,
    envelope_prefix,
    open_sealed,
    parse_envelope_header,
    seal,
    unwrap_secret,
    wrap_secret,
)
from app.crypto.suites import SUITE_AES_256_GCM, SUITE_SM4_GCM, get_suite
from app.errors import DecryptionError, ValidationError

KEY = bytes(range(32))
AD = AssociatedData("households", "payload", "0190a1b2-0000-7000-8000-000000000001", 3)


def test_associated_data_encoding_is_unambiguous() -> None:
    a = AssociatedData("ab", "c", "r", 1).encode()
    b = AssociatedData("a", "bc", "r", 1).encode()
    c = AssociatedData("a", "b", "cr", 1).encode()
    assert len({a, b, c}) == 3
    assert AssociatedData("t", "c", "r", 1).encode() != AssociatedData("t", "c", "r", 2).encode()


@settings(deadline=None)
@given(
    fields=st.tuples(st.text(max_size=40), st.text(max_size=40), st.text(max_size=40)),
    other=st.tuples(st.text(max_size=40), st.text(max_size=40), st.text(max_size=40)),
    version=st.integers(min_value=0, max_value=2**62),
)
def test_different_places_never_encode_alike(
    fields: tuple[str, str, str], other: tuple[str, str, str], version: int
) -> None:
    first = AssociatedData(*fields, version).encode()
    second = AssociatedData(*other, version).encode()
    assert (first == second) == (fields == other)


def test_version_out_of_range_is_rejected() -> None:
    with pytest.raises(ValidationError):
        AssociatedData("t", "c", "r", 2**70).encode()


@settings(deadline=None)
@given(key_id=st.text(min_size=1, max_size=60))
def test_key_id_field_round_trips(key_id: str) -> None:
    field = encode_key_id(key_id)
    assert decode_key_id(field, 0) == (key_id, len(field))


def test_uuid_key_ids_are_compact_and_exact() -> None:
    canonical = str(uuid.uuid4())
    assert len(encode_key_id(canonical)) == 17
    assert decode_key_id(encode_key_id(canonical), 0)[0] == canonical
    # An upper-case spelling is a different string: it must come back unchanged, so no compaction.
    upper = canonical.upper()
    assert decode_key_id(encode_key_id(upper), 0)[0] == upper
    assert len(encode_key_id(upper)) == 37


def test_bad_key_ids_are_rejected() -> None:
    with pytest.raises(ValidationError):
        encode_key_id("")
    with pytest.raises(ValidationError):
        encode_key_id("x" * 256)


@pytest.mark.parametrize("suite_id", [SUITE_AES_256_GCM, SUITE_SM4_GCM])
def test_seal_open_and_every_flipped_byte_fails(suite_id: int) -> None:
    aead = get_suite(suite_id).aead(KEY)
    key_id = "0190a1b2-0000-7000-8000-00000000abcd"
    envelope = seal(aead, envelope_prefix(suite_id, key_id), b"name: test", AD.encode())
    header = parse_envelope_header(envelope)
    assert (header.suite, header.key_id) == (suite_id, key_id)
    assert envelope_key_id(envelope) == key_id
    assert open_sealed(aead, envelope, header.prefix_size, AD.encode()) == b"name: test"
    for position in range(len(envelope)):
        for flip in (0x01, 0x80, 0xFF):
            altered = bytearray(envelope)
            altered[position] ^= flip
            with pytest.raises(DecryptionError):
                parsed = parse_envelope_header(bytes(altered))
                open_sealed(aead, bytes(altered), parsed.prefix_size, AD.encode())


def test_truncated_envelopes_fail() -> None:
    aead = get_suite(SUITE_AES_256_GCM).aead(KEY)
    envelope = seal(aead, envelope_prefix(SUITE_AES_256_GCM, "k"), b"abc", AD.encode())
    for size in range(len(envelope)):
        with pytest.raises(DecryptionError):
            parsed = parse_envelope_header(envelope[:size])
            open_sealed(aead, envelope[:size], parsed.prefix_size, AD.encode())


def test_wrapped_secret_is_bound_to_key_id_and_label() -> None:
    aead = get_suite(SUITE_AES_256_GCM).aead(KEY)
    secret = bytes(range(100, 132))
    wrapped = wrap_secret(aead, SUITE_AES_256_GCM, b"jiafang/v1/data-key", "h1", secret)
    assert unwrap_secret(aead, b"jiafang/v1/data-key", "h1", wrapped) == secret
    with pytest.raises(DecryptionError):
        unwrap_secret(aead, b"jiafang/v1/data-key", "h2", wrapped)
    with pytest.raises(DecryptionError):
        unwrap_secret(aead, b"jiafang/v1/device-key", "h1", wrapped)
    for position in range(len(wrapped)):
        altered = bytearray(wrapped)
        altered[position] ^= 0x01
        with pytest.raises(DecryptionError):
            unwrap_secret(aead, b"jiafang/v1/data-key", "h1", bytes(altered))
