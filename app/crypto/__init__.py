"""Vault, envelopes, suites, blind index, attachment encryption and device signatures.

The formats and the reasons behind them are documented in the module docstrings:
`envelope` (record envelopes, key wrap), `vault` (header, key hierarchy), `kdf` (Argon2id window),
`attachments` (chunked files), `suites` (AES-256-GCM, SM4-GCM/SM3), `device` (Ed25519).
"""

from app.crypto.attachments import CHUNK_SIZE, AttachmentInfo
from app.crypto.canonical import canonical_json
from app.crypto.device import (
    DeviceKey,
    SignatureInvalidError,
    verify_json_signature,
    verify_signature,
)
from app.crypto.envelope import AssociatedData, envelope_key_id, envelope_suite
from app.crypto.kdf import MAX_KDF, MIN_KDF, KdfParams, calibrate_kdf
from app.crypto.suites import SUITE_AES_256_GCM, SUITE_SM4_GCM
from app.crypto.vault import (
    KeyLoader,
    Vault,
    VaultHeaderInfo,
    change_password,
    create_vault,
    read_vault_header,
    unlock_vault,
)

__all__ = [
    "CHUNK_SIZE",
    "MAX_KDF",
    "MIN_KDF",
    "SUITE_AES_256_GCM",
    "SUITE_SM4_GCM",
    "AssociatedData",
    "AttachmentInfo",
    "DeviceKey",
    "KdfParams",
    "KeyLoader",
    "SignatureInvalidError",
    "Vault",
    "VaultHeaderInfo",
    "calibrate_kdf",
    "canonical_json",
    "change_password",
    "create_vault",
    "envelope_key_id",
    "envelope_suite",
    "read_vault_header",
    "unlock_vault",
    "verify_json_signature",
    "verify_signature",
]
