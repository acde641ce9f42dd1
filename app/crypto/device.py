"""Device identity: an Ed25519 key pair that signs completed visits.

The pair is created when the laptop registers. Its public key (32 raw bytes) goes to the server;
its private key never leaves the vault unwrapped: `Vault.create_device_key` returns it wrapped
by a subkey of the master key (format: `app.crypto.envelope` key wrap, label
``jiafang/v1/device-key``, the device id in the associated data), and the store keeps those bytes.

A signature covers canonical bytes only (`canonical_json` of the visit and its photo hashes), so
the server can verify it against exactly the same bytes. Ed25519 is deterministic: signing the
same bytes twice gives the same signature, and no random source can leak the key.
"""

from __future__ import annotations

from typing import Final

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from app.crypto.canonical import canonical_json
from app.errors import CryptoError

PUBLIC_KEY_SIZE: Final = 32
SIGNATURE_SIZE: Final = 64


class SignatureInvalidError(CryptoError):
    """A signature does not match the data and public key: altered data or another device."""

    code = "signature_invalid"


class DeviceKey:
    """An Ed25519 private key held in memory while the vault is unlocked."""

    __slots__ = ("_private",)

    def __init__(self, private_key: Ed25519PrivateKey) -> None:
        self._private = private_key

    @classmethod
    def generate(cls) -> DeviceKey:
        return cls(Ed25519PrivateKey.generate())

    @classmethod
    def from_private_bytes(cls, raw: bytes) -> DeviceKey:
        return cls(Ed25519PrivateKey.from_private_bytes(raw))

    def private_bytes(self) -> bytes:
        """The raw 32-byte seed, only for wrapping it under the master key."""
        return self._private.private_bytes_raw()

    @property
    def public_key(self) -> bytes:
        return self._private.public_key().public_bytes_raw()

    def sign(self, data: bytes) -> bytes:
        return self._private.sign(data)

    def sign_json(self, obj: object) -> bytes:
        return self._private.sign(canonical_json(obj))

    def __repr__(self) -> str:
        # Never show key material, even in a debugger or a traceback's locals.
        return f"DeviceKey(public={self.public_key.hex()[:16]}…)"


def verify_signature(public_key: bytes, data: bytes, signature: bytes) -> None:
    """Check an Ed25519 signature; `SignatureInvalidError` when it does not match."""
    try:
        if len(public_key) != PUBLIC_KEY_SIZE:
            raise ValueError("public key size")
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, data)
    except (InvalidSignature, ValueError):
        raise SignatureInvalidError(
            "签名无效：数据在签名后被修改，或签名来自另一台设备。",
            "The signature is not valid: the data was changed after signing, or it was signed "
            "by another device.",
        ) from None


def verify_json_signature(public_key: bytes, obj: object, signature: bytes) -> None:
    verify_signature(public_key, canonical_json(obj), signature)
