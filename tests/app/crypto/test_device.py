"""Device identity: Ed25519 keys wrapped by the master key; signatures over canonical bytes."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.crypto import (
    DeviceKey,
    SignatureInvalidError,
    canonical_json,
    unlock_vault,
    verify_json_signature,
    verify_signature,
)
from app.errors import DecryptionError, KeyMissingError, ValidationError
from tests.app.crypto.conftest import PASSWORD, make_vault

DEVICE = "device-0190a1b2"
VISIT = {
    "visit_id": "0190a1b2-c3d4-7e5f-8a9b-0123456789ab",
    "finding": "符合条件",
    "photos": ["9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"],
    "income": "1200.00",
}


@settings(deadline=None)
@given(data=st.binary(max_size=2048))
def test_signatures_verify_and_fail_on_altered_data(data: bytes) -> None:
    key = DeviceKey.generate()
    signature = key.sign(data)
    verify_signature(key.public_key, data, signature)
    with pytest.raises(SignatureInvalidError):
        verify_signature(key.public_key, data + b"\x00", signature)
    altered = bytearray(signature)
    altered[0] ^= 1
    with pytest.raises(SignatureInvalidError):
        verify_signature(key.public_key, data, bytes(altered))


def test_another_devices_key_does_not_verify() -> None:
    signature = DeviceKey.generate().sign(b"visit")
    with pytest.raises(SignatureInvalidError) as info:
        verify_signature(DeviceKey.generate().public_key, b"visit", signature)
    assert "签名" in info.value.message_zh and "signature" in info.value.message_en
    with pytest.raises(SignatureInvalidError):
        verify_signature(b"short", b"visit", signature)


def test_vault_device_key_survives_unlock_and_signs_canonical_json() -> None:
    table, vault = make_vault()
    wrapped = vault.create_device_key(DEVICE)
    public = vault.device_public_key
    signature = vault.sign_json(VISIT)

    reopened = unlock_vault(table.header, PASSWORD)
    reopened.load_device_key(DEVICE, wrapped)
    assert reopened.device_public_key == public
    # Same keys in another order: the canonical bytes, hence the signature, are the same.
    reordered = dict(reversed(list(VISIT.items())))
    assert reopened.sign_json(reordered) == signature
    verify_json_signature(public, reordered, signature)
    verify_signature(public, canonical_json(VISIT), reopened.sign(canonical_json(VISIT)))
    with pytest.raises(SignatureInvalidError):
        verify_json_signature(public, {**VISIT, "income": "1300.00"}, signature)


def test_wrapped_device_key_is_bound_to_vault_and_device() -> None:
    _, vault = make_vault()
    wrapped = vault.create_device_key(DEVICE)
    with pytest.raises(DecryptionError):
        vault.load_device_key("another-device", wrapped)
    _, stranger = make_vault()
    with pytest.raises(DecryptionError):
        stranger.load_device_key(DEVICE, wrapped)
    for position in range(len(wrapped)):
        altered = bytearray(wrapped)
        altered[position] ^= 0x01
        with pytest.raises(DecryptionError):
            vault.load_device_key(DEVICE, bytes(altered))


def test_signing_needs_a_device_key() -> None:
    _, vault = make_vault()
    with pytest.raises(KeyMissingError):
        vault.sign(b"x")


def test_canonical_json_is_stable_and_strict() -> None:
    assert canonical_json({"b": 1, "a": "家"}) == '{"a":"家","b":1}'.encode()
    with pytest.raises(ValidationError):
        canonical_json({"x": float("nan")})
    with pytest.raises(ValidationError):
        canonical_json({"x": object()})


def test_device_key_repr_hides_the_private_key() -> None:
    key = DeviceKey.generate()
    assert key.private_bytes().hex() not in repr(key)
