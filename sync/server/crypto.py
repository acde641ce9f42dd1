"""Server-side encryption at rest, blind index and keyed hashes, from the server master key.

Sub-keys come from the master key by HKDF-SHA256 with a distinct `info` each, so one key never
serves two purposes. Record content is sealed with AES-256-GCM in the envelope
`version(1) | key id(1) | nonce(12) | ciphertext+tag`; the associated data binds the ciphertext
to its table, column, row and version, so a ciphertext copied to another row or replayed from
an older version fails to open. The primitives come from `cryptography` directly (app.crypto
targets the laptop vault and its password-wrapped keys).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass, field
from typing import Any, Final

import orjson
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from app.entropy import random_bytes
from app.errors import DecryptionError

ENVELOPE_VERSION: Final = 1
#: Key id 1 = the first master key. Rotation adds ids; old envelopes name the key that sealed them.
KEY_ID: Final = 1
_NONCE_LEN: Final = 12


def _derive(master_key: bytes, purpose: str) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=f"jiafang-server/{purpose}".encode()
    ).derive(master_key)


def canonical_json(value: Any) -> bytes:
    """Stable JSON bytes (sorted keys, no spaces): what gets hashed (the audit chain), so it
    must never change."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def sealable_json(value: Any) -> bytes:
    """JSON bytes of a record's content, to be sealed: sorted keys, no spaces, read back with
    `json.loads`. orjson, several times faster than the standard library's encoder: a push
    seals each record it writes twice, and a completed visit is about 10 KB. What orjson will
    not encode (integers beyond 64 bits) falls back to `canonical_json`. Unlike it, orjson
    writes NaN and infinities as null, which keeps the stored content strict JSON."""
    try:
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)
    except (orjson.JSONEncodeError, TypeError):
        return canonical_json(value)


def _associated_data(table: str, column: str, row_id: str, version: int) -> bytes:
    # Length-prefixed parts: no two different places encode to the same bytes.
    parts = [table.encode(), column.encode(), row_id.encode(), str(version).encode()]
    return b"".join(len(p).to_bytes(4, "big") + p for p in parts)


@dataclass(frozen=True)
class ServerKeys:
    """All keys the server derives from its master key."""

    record_key: bytes
    blind_index_key: bytes
    audit_key: bytes
    attachment_key: bytes
    username_key: bytes
    #: Ed25519 seed of the offline-lease signing key: derived, so every process of a
    #: deployment signs with the same key and no second secret needs distributing
    lease_seed: bytes
    #: AES-GCM over `record_key`, made once: building it per record cost a key set-up each time
    _record_aead: AESGCM = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_record_aead", AESGCM(self.record_key))

    @classmethod
    def from_master(cls, master_key: bytes) -> ServerKeys:
        return cls(
            record_key=_derive(master_key, "record-content/v1"),
            blind_index_key=_derive(master_key, "blind-index/id-number/v1"),
            audit_key=_derive(master_key, "audit-chain/v1"),
            attachment_key=_derive(master_key, "attachments/v1"),
            username_key=_derive(master_key, "login-throttle/v1"),
            lease_seed=_derive(master_key, "offline-lease/ed25519/v1"),
        )

    @property
    def lease_signing_key(self) -> Ed25519PrivateKey:
        return Ed25519PrivateKey.from_private_bytes(self.lease_seed)

    # ------------------------------------------------------------------ record content

    def seal(self, value: Any, *, table: str, column: str, row_id: str, version: int) -> bytes:
        return self.seal_json(
            sealable_json(value), table=table, column=column, row_id=row_id, version=version
        )

    def seal_json(
        self, plaintext: bytes, *, table: str, column: str, row_id: str, version: int
    ) -> bytes:
        """Seal a value already encoded by `sealable_json` (encoded once, sealed in several
        places)."""
        nonce = random_bytes(_NONCE_LEN)  # not os.urandom: see app.entropy
        ad = _associated_data(table, column, row_id, version)
        ciphertext = self._record_aead.encrypt(nonce, plaintext, ad)
        return bytes([ENVELOPE_VERSION, KEY_ID]) + nonce + ciphertext

    def open(self, envelope: bytes, *, table: str, column: str, row_id: str, version: int) -> Any:
        return json.loads(
            self.open_json(envelope, table=table, column=column, row_id=row_id, version=version)
        )

    def open_json(
        self, envelope: bytes, *, table: str, column: str, row_id: str, version: int
    ) -> bytes:
        """The sealed value's canonical JSON, undecoded (a pull sends it on as it is)."""
        if len(envelope) < 2 + _NONCE_LEN + 16 or envelope[0] != ENVELOPE_VERSION:
            raise DecryptionError("密文格式无效", "Malformed ciphertext envelope")
        if envelope[1] != KEY_ID:
            raise DecryptionError("密文使用了未知密钥", "Ciphertext names an unknown key")
        nonce = envelope[2 : 2 + _NONCE_LEN]
        ad = _associated_data(table, column, row_id, version)
        try:
            plaintext = self._record_aead.decrypt(nonce, envelope[2 + _NONCE_LEN :], ad)
        except InvalidTag as exc:
            raise DecryptionError(
                "数据无法解密（被篡改或位置不符）",
                "Data failed authentication (altered or moved)",
            ) from exc
        return plaintext

    # ------------------------------------------------------------------ keyed hashes

    def blind_index(self, normalised_id_number: str) -> str:
        return hmac.new(
            self.blind_index_key, normalised_id_number.encode(), hashlib.sha256
        ).hexdigest()

    def username_key_for(self, username: str) -> str:
        return hmac.new(
            self.username_key, username.strip().lower().encode(), hashlib.sha256
        ).hexdigest()

    def audit_mac(self, prev_hash: str, entry: dict[str, Any]) -> str:
        return hmac.new(
            self.audit_key, prev_hash.encode() + b"\n" + canonical_json(entry), hashlib.sha256
        ).hexdigest()

    # ------------------------------------------------------------------ attachment files

    def attachment_stream(self, initial_counter: bytes, offset: int) -> _CtrStream:
        """AES-256-CTR keystream positioned at byte `offset` of an attachment file.

        CTR lets a resumable upload append at any offset. Integrity comes from the content
        address: the SHA-256 of the plaintext is checked on completion and on every download.
        """
        return _CtrStream(self.attachment_key, initial_counter, offset)


class _CtrStream:
    def __init__(self, key: bytes, initial_counter: bytes, offset: int) -> None:
        block, skip = divmod(offset, 16)
        counter = (int.from_bytes(initial_counter, "big") + block) % (1 << 128)
        self._cipher = Cipher(algorithms.AES(key), modes.CTR(counter.to_bytes(16, "big")))
        self._context = self._cipher.encryptor()
        if skip:
            self._context.update(b"\0" * skip)

    def apply(self, data: bytes) -> bytes:
        return self._context.update(data)
