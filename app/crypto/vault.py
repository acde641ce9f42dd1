"""The vault: password unlock, the key hierarchy, and record encryption.

Key hierarchy::

    password --Argon2id(salt, params from header)--> key-encryption key (KEK, 32 bytes)
    KEK --AEAD wrap (header)--> master key (32 random bytes, never changes)
    master key --HKDF-Expand(suite hash, purpose)--> subkeys:
        "jiafang/v1/wrap/data-key"       wraps per-household (per-scope) data keys
        "jiafang/v1/wrap/device-key"     wraps the device's Ed25519 private key
        "jiafang/v1/blind-index/<p>"     HMAC key for blind-index purpose <p>
    data key (32 random bytes per household) --AEAD--> record envelopes and attachment chunks

Changing the password re-wraps only the master key: no record or data key is re-encrypted.
Destroying one wrapped data key ("shredding") makes exactly that household's envelopes and
attachments unreadable by any key left on disk, because data keys are independent random values.

Vault header, version 1 (98 bytes, integers big-endian)::

    offset size field
    0      7    magic "JFVAULT"
    7      1    header version (1)
    8      1    suite id (1 = AES-256-GCM, 2 = SM4-GCM); also used for the master-key wrap
    9      1    KDF id (1 = Argon2id)
    10     4    Argon2 memory in KiB
    14     4    Argon2 passes (t)
    18     4    Argon2 lanes (p)
    22     16   salt (random per header; a new one at every password change)
    38     12   nonce
    50     48   master key (32) + tag (16), sealed with the KEK

Bytes 0-37 are the associated data of the master-key wrap. Why the parameters are authenticated
although they already feed the KDF: an edited header must never be *used*. Without the AAD an
edited parameter would also give a wrong key, but the failure would be indistinguishable from a
changed salt or suite, and code that re-saves the header (a password change keeps the current
parameters) could be steered into writing weaker parameters for the next header. With the AAD the
only parameters that can ever unwrap the master key are the ones its owner wrote. Parameters
below the floor or above the ceiling (`app.crypto.kdf`) are refused before running the KDF.

Errors: a header that is not a vault header, truncated, of an unknown version, suite or KDF, or
with parameters outside the window -> `VaultHeaderError`; a wrong password or an edited field
inside the window (parameters, salt, suite) -> `WrongPasswordError`; the two cases a user can act
on are therefore told apart, and nothing is decrypted in either.

Keys live only in this object's memory. Python cannot reliably erase bytes, so `lock()` drops every
reference (master key, subkeys, data keys, cipher objects, device key) and later calls raise
`VaultLockedError`; the garbage collector reclaims the memory.

Speed (AES-256-GCM, measured on the 2-core build machine under load, CPU time): sealing a
450-byte JSON record about 11 µs (about 90,000 records/s); the first envelope opened for a key,
which unwraps the key, about 8 µs (0.84 s for 100,000 households); blind index about 2 µs.
SM4-GCM is roughly twice as slow (its cipher context cannot be reused across nonces). This comes
from caching: each key id keeps its envelope prefix and cipher object in bounded caches
(`CIPHER_CACHE_SIZE`), an envelope prefix seen once is never parsed again, and the unwrap path
is written flat. The store should hand over all wrapped keys at unlock with
`add_wrapped_data_keys` (one query instead of a loader call per household); they are unwrapped
only when first used.

A `Vault` may be shared between threads: the hot paths only read dictionaries (atomic in CPython)
and key loading, forgetting and locking take a lock.
"""

from __future__ import annotations

import json
import logging
import os
import struct
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, BinaryIO, Final

from cryptography.exceptions import InvalidTag

from app.crypto.attachments import AttachmentInfo, decrypt_stream, encrypt_stream
from app.crypto.canonical import canonical_json
from app.crypto.device import DeviceKey
from app.crypto.envelope import (
    ENVELOPE_VERSION,
    WRAP_VERSION,
    WRAPPED_KEY_SIZE,
    AssociatedData,
    authentication_failed,
    bad_wrapped_key,
    encode_key_id,
    envelope_prefix,
    open_sealed,
    parse_envelope_header,
    parse_prefix,
    unwrap_secret,
    wrap_aad_head,
    wrap_secret,
    wrapped_suite,
)
from app.crypto.kdf import SALT_SIZE, KdfParams, derive_kek
from app.crypto.suites import (
    KEY_SIZE,
    KNOWN_SUITES,
    NONCE_SIZE,
    SUITE_AES_256_GCM,
    TAG_SIZE,
    Aead,
    aead_factory,
    get_suite,
    known_suite,
)
from app.errors import (
    CryptoError,
    DecryptionError,
    KeyMissingError,
    ValidationError,
    VaultHeaderError,
    VaultLockedError,
    WrongPasswordError,
)

logger = logging.getLogger(__name__)

MAGIC: Final = b"JFVAULT"
HEADER_VERSION: Final = 1
KDF_ARGON2ID: Final = 1
_AUTHENTICATED: Final = struct.Struct(">7sBBBIII16s")
HEADER_SIZE: Final = _AUTHENTICATED.size + NONCE_SIZE + KEY_SIZE + TAG_SIZE

_INFO_DATA_KEY_WRAP: Final = b"jiafang/v1/wrap/data-key"
_INFO_DEVICE_KEY_WRAP: Final = b"jiafang/v1/wrap/device-key"
_INFO_BLIND_INDEX: Final = b"jiafang/v1/blind-index/"
_LABEL_DATA_KEY: Final = b"jiafang/v1/data-key"
_LABEL_DEVICE_KEY: Final = b"jiafang/v1/device-key"

KeyLoader = Callable[[str], bytes | None]

# Cipher objects kept per direction (sealing, opening). An `AESGCM` object holds about 2.4 KB of
# OpenSSL state, so caching one for each of 100,000 households would take 240 MB; 4096 of each
# is about 20 MB and covers any working set (a grid, a sync page). Unwrapped keys themselves
# (32 bytes each) stay in memory until `lock()` or `forget_data_key`.
CIPHER_CACHE_SIZE: Final = 4096


@dataclass(frozen=True)
class VaultHeaderInfo:
    """What a header says without the password (for display and diagnostics)."""

    version: int
    suite: int
    kdf: KdfParams


@dataclass(frozen=True)
class _ParsedHeader:
    info: VaultHeaderInfo
    salt: bytes
    nonce: bytes
    sealed_master: bytes
    authenticated: bytes


def read_vault_header(header: bytes) -> VaultHeaderInfo:
    """Check a header's structure and return its suite and KDF parameters (no password needed)."""
    return _parse_header(header).info


def create_vault(
    password: str, *, suite: int = SUITE_AES_256_GCM, kdf: KdfParams | None = None
) -> tuple[bytes, Vault]:
    """A new vault with a random master key: (header bytes to persist, the unlocked vault)."""
    get_suite(suite)
    params = kdf if kdf is not None else KdfParams()
    _check_new_params(params)
    _check_new_password(password)
    master = os.urandom(KEY_SIZE)
    header = _seal_header(suite, params, master, password)
    logger.info("vault created (suite %d, Argon2id m=%d KiB t=%d p=%d)", suite, *_p(params))
    return header, Vault(master, suite)


def unlock_vault(header: bytes, password: str) -> Vault:
    """Open a vault. `VaultHeaderError` for a bad header, `WrongPasswordError` otherwise."""
    started = time.perf_counter()
    parsed = _parse_header(header)
    master = _open_master(parsed, password)
    logger.info("vault unlocked in %.2f s", time.perf_counter() - started)
    return Vault(master, parsed.info.suite)


def change_password(
    header: bytes, old_password: str, new_password: str, *, kdf: KdfParams | None = None
) -> bytes:
    """A new header for the same master key; `kdf=None` keeps the header's current parameters.

    Nothing else changes: every data key and record stays valid, and the old header (and with it
    the old password) stops working once the caller replaces it.
    """
    parsed = _parse_header(header)
    master = _open_master(parsed, old_password)
    _check_new_password(new_password)
    params = kdf if kdf is not None else parsed.info.kdf
    _check_new_params(params)
    logger.info("vault password changed")
    return _seal_header(parsed.info.suite, params, master, new_password)


def _p(params: KdfParams) -> tuple[int, int, int]:
    return params.memory_kib, params.iterations, params.lanes


def _seal_header(suite_id: int, params: KdfParams, master: bytes, password: str) -> bytes:
    salt = os.urandom(SALT_SIZE)
    authenticated = _AUTHENTICATED.pack(
        MAGIC, HEADER_VERSION, suite_id, KDF_ARGON2ID, *_p(params), salt
    )
    kek_aead = get_suite(suite_id).aead(derive_kek(password, salt, params))
    nonce = os.urandom(NONCE_SIZE)
    return authenticated + nonce + kek_aead.encrypt(nonce, master, authenticated)


def _open_master(parsed: _ParsedHeader, password: str) -> bytes:
    kek_aead = get_suite(parsed.info.suite).aead(derive_kek(password, parsed.salt, parsed.info.kdf))
    try:
        return kek_aead.decrypt(parsed.nonce, parsed.sealed_master, parsed.authenticated)
    except InvalidTag:
        raise WrongPasswordError(
            "密码错误，无法解锁（或保险库头中的参数被改动过）。未解密任何数据。",
            "Wrong password: the vault cannot be unlocked (or the parameters in the vault header "
            "were altered). Nothing was decrypted.",
        ) from None


def _header_error(zh: str, en: str, detail: str) -> VaultHeaderError:
    return VaultHeaderError(zh, en, code=f"vault_header_{detail}")


def _parse_header(header: bytes) -> _ParsedHeader:
    if not isinstance(header, bytes | bytearray | memoryview):
        raise _header_error("保险库头不是字节数据。", "The vault header is not bytes.", "type")
    header = bytes(header)
    if header[: len(MAGIC)] != MAGIC:
        raise _header_error(
            "这不是家访保险库的文件头（可能已损坏或是别的文件）。",
            "This is not a Jiafang vault header (it is damaged or another file).",
            "magic",
        )
    if len(header) <= len(MAGIC):
        raise _header_error("保险库头被截断。", "The vault header is truncated.", "size")
    if header[len(MAGIC)] != HEADER_VERSION:
        raise _header_error(
            f"保险库头版本 {header[len(MAGIC)]} 不受支持（已损坏，或由更新的软件写入）。",
            f"Vault header version {header[len(MAGIC)]} is not supported (it is damaged or was "
            "written by newer software).",
            "version",
        )
    if len(header) != HEADER_SIZE:
        raise _header_error(
            f"保险库头长度错误（{len(header)} 字节，应为 {HEADER_SIZE}）：已被截断或损坏。",
            f"The vault header has the wrong length ({len(header)} bytes, expected "
            f"{HEADER_SIZE}): it is truncated or damaged.",
            "size",
        )
    _, _, suite_id, kdf_id, memory_kib, iterations, lanes, salt = _AUTHENTICATED.unpack_from(header)
    if not known_suite(suite_id):
        raise _header_error(
            f"保险库头中的加密套件编号 {suite_id} 未知。",
            f"The vault header names an unknown cipher suite ({suite_id}).",
            "suite",
        )
    if kdf_id != KDF_ARGON2ID:
        raise _header_error(
            f"保险库头中的密钥派生算法编号 {kdf_id} 未知。",
            f"The vault header names an unknown key-derivation function ({kdf_id}).",
            "kdf",
        )
    params = KdfParams(memory_kib=memory_kib, iterations=iterations, lanes=lanes)
    problem = params.problem()
    if problem is not None:
        raise _header_error(*problem, "kdf_params")
    auth_size = _AUTHENTICATED.size
    return _ParsedHeader(
        info=VaultHeaderInfo(version=HEADER_VERSION, suite=suite_id, kdf=params),
        salt=salt,
        nonce=header[auth_size : auth_size + NONCE_SIZE],
        sealed_master=header[auth_size + NONCE_SIZE :],
        authenticated=header[:auth_size],
    )


def _check_new_params(params: KdfParams) -> None:
    problem = params.problem()
    if problem is not None:
        raise ValidationError(*problem, code="kdf_params")


def _check_new_password(password: str) -> None:
    if not isinstance(password, str) or not password:
        raise ValidationError("密码不能为空。", "The password must not be empty.", code="password")


class _DataKey:
    """One unwrapped data key and the envelope prefixes its cached openers are filed under.

    One small object per key (no dict or list unless a key is seen under several prefixes, i.e.
    several suites): 100,000 of them are created at unlock.
    """

    __slots__ = ("extra_prefixes", "prefix", "raw")

    def __init__(self, raw: bytes) -> None:
        self.raw = raw
        self.prefix: bytes | None = None
        self.extra_prefixes: list[bytes] | None = None

    def aead(self, suite_id: int) -> Aead:
        return aead_factory(suite_id)(self.raw)

    def add_prefix(self, prefix: bytes) -> None:
        if self.prefix is None:
            self.prefix = prefix
        elif prefix != self.prefix:
            if self.extra_prefixes is None:
                self.extra_prefixes = []
            if prefix not in self.extra_prefixes:
                self.extra_prefixes.append(prefix)

    def all_prefixes(self) -> list[bytes]:
        first = [] if self.prefix is None else [self.prefix]
        return first + (self.extra_prefixes or [])


class Vault:
    """An unlocked vault. Create it with `create_vault` or `unlock_vault`."""

    def __init__(
        self,
        master_key: bytes,
        suite: int = SUITE_AES_256_GCM,
        *,
        cipher_cache_size: int = CIPHER_CACHE_SIZE,
    ) -> None:
        if len(master_key) != KEY_SIZE:
            raise ValueError(f"master keys are {KEY_SIZE} bytes")
        self._cipher_cache_size = max(1, cipher_cache_size)
        self.suite: int = get_suite(suite).suite_id
        self._suite = get_suite(suite)
        self._master: bytes | None = master_key
        self._loader: KeyLoader | None = None
        self._mutex = threading.RLock()
        self._pending: dict[str, bytes] = {}
        self._keys: dict[str, _DataKey] = {}
        # key id -> (envelope prefix, cipher) for sealing with this vault's suite
        self._sealers: OrderedDict[str, tuple[bytes, Aead]] = OrderedDict()
        # exact envelope prefix bytes -> cipher, so opening skips parsing and the CRC
        self._openers: OrderedDict[bytes, Aead] = OrderedDict()
        self._wrap_aeads: dict[tuple[bytes, int], Aead] = {}
        self._blind_keys: dict[str, bytes] = {}
        self._device: DeviceKey | None = None

    def __repr__(self) -> str:
        state = "locked" if self._master is None else f"unlocked, {len(self._keys)} keys loaded"
        return f"Vault(suite={self.suite}, {state})"

    # -- state -------------------------------------------------------------------------------

    @property
    def locked(self) -> bool:
        return self._master is None

    def lock(self) -> None:
        """Forget the master key, every data key and the device key."""
        with self._mutex:
            self._master = None
            self._loader = None
            self._pending = {}
            self._keys = {}
            self._sealers = OrderedDict()
            self._openers = OrderedDict()
            self._wrap_aeads = {}
            self._blind_keys = {}
            self._device = None
        logger.info("vault locked")

    def _require_master(self) -> bytes:
        master = self._master
        if master is None:
            raise VaultLockedError(
                "保险库已锁定，请输入密码重新解锁。",
                "The vault is locked; enter the password to unlock it again.",
            )
        return master

    # -- data keys ---------------------------------------------------------------------------

    def set_key_loader(self, loader: KeyLoader) -> None:
        """`loader(key_id)` returns the stored wrapped data key, or None if shredded/unknown."""
        self._require_master()
        self._loader = loader

    def add_wrapped_data_keys(
        self, items: Mapping[str, bytes] | Iterable[tuple[str, bytes]]
    ) -> None:
        """Hand over many wrapped keys at once (e.g. all of them at unlock); unwrapped lazily."""
        with self._mutex:
            self._require_master()
            self._pending.update(items)

    def new_data_key(self, key_id: str) -> bytes:
        """Create a random data key for `key_id`, keep it, and return it wrapped for storage.

        Refuses (`CryptoError`, code `key_exists`) when a wrapped key for this id is already
        stored, because replacing it would make that household's records unreadable. A key that
        was created but never persisted (a rolled-back transaction) is simply replaced.
        """
        encode_key_id(key_id)
        with self._mutex:
            self._require_master()
            loader = self._loader
            if key_id in self._pending or (loader is not None and loader(key_id) is not None):
                raise CryptoError(
                    "该编号已有数据密钥，不能覆盖（否则原有记录将无法打开）。",
                    "A data key already exists for this id and cannot be replaced (its records "
                    "would become unreadable).",
                    code="key_exists",
                )
            raw = os.urandom(KEY_SIZE)
            wrapped = wrap_secret(
                self._wrap_aead(_INFO_DATA_KEY_WRAP, self.suite),
                self.suite,
                _LABEL_DATA_KEY,
                key_id,
                raw,
            )
            self._drop_key(key_id)
            self._keys[key_id] = _DataKey(raw)
        return wrapped

    def has_data_key(self, key_id: str) -> bool:
        """True if the key is in memory or can be loaded (its wrapped copy exists)."""
        self._require_master()
        if key_id in self._keys or key_id in self._pending:
            return True
        loader = self._loader
        return loader is not None and loader(key_id) is not None

    def forget_data_key(self, key_id: str) -> None:
        """Drop a data key from memory (after the store has deleted its wrapped copy)."""
        with self._mutex:
            self._drop_key(key_id)

    def _drop_key(self, key_id: str) -> None:
        entry = self._keys.pop(key_id, None)
        self._pending.pop(key_id, None)
        self._sealers.pop(key_id, None)
        if entry is not None:
            for prefix in entry.all_prefixes():
                self._openers.pop(prefix, None)

    def _data_key(self, key_id: str, key_id_field: bytes | None = None) -> _DataKey:
        entry = self._keys.get(key_id)
        if entry is not None:
            return entry
        with self._mutex:
            return self._load_key_locked(key_id, key_id_field)

    def _load_key_locked(self, key_id: str, key_id_field: bytes | None) -> _DataKey:
        """The data key for `key_id`, unwrapped on first use. The caller holds the mutex."""
        self._require_master()
        entry = self._keys.get(key_id)
        if entry is not None:
            return entry
        wrapped = self._pending.get(key_id)
        if wrapped is None and self._loader is not None:
            wrapped = self._loader(key_id)
        if wrapped is None:
            raise KeyMissingError(
                "这条数据的密钥已不存在（该户已被销毁密钥或尚未同步），无法打开。",
                "The key for this data is not available (it was destroyed for this household "
                "or has not been synced), so it cannot be opened.",
            )
        if key_id_field is None:
            key_id_field = encode_key_id(key_id)
        # Unwrapping inline (rather than through `unwrap_secret`): this runs once per household
        # at unlock, where every call layer costs a measurable share of the 2 s budget.
        if (
            type(wrapped) is not bytes
            or len(wrapped) != WRAPPED_KEY_SIZE
            or wrapped[0] != WRAP_VERSION
            or wrapped[1] not in KNOWN_SUITES
        ):
            raise bad_wrapped_key()
        suite_id = wrapped[1]
        try:
            raw = self._wrap_aead(_INFO_DATA_KEY_WRAP, suite_id).decrypt(
                wrapped[2:14], wrapped[14:], wrap_aad_head(_LABEL_DATA_KEY, suite_id) + key_id_field
            )
        except InvalidTag:
            raise bad_wrapped_key() from None
        entry = _DataKey(raw)
        self._keys[key_id] = entry
        if self._pending:
            self._pending.pop(key_id, None)
        return entry

    def _wrap_aead(self, info: bytes, suite_id: int) -> Aead:
        aead = self._wrap_aeads.get((info, suite_id))
        if aead is None:
            suite = get_suite(suite_id)
            aead = suite.aead(suite.derive(self._require_master(), info))
            self._wrap_aeads[(info, suite_id)] = aead
        return aead

    def _unwrap(
        self,
        label: bytes,
        info: bytes,
        key_id: str,
        wrapped: bytes,
        key_id_field: bytes | None = None,
    ) -> bytes:
        suite_id = wrapped_suite(wrapped)
        aead = self._wrap_aead(info, suite_id)
        return unwrap_secret(aead, label, key_id, wrapped, key_id_field, suite_id)

    # -- records -----------------------------------------------------------------------------

    def encrypt(self, key_id: str, plaintext: bytes, ad: AssociatedData) -> bytes:
        """An envelope (format in `app.crypto.envelope`) with a fresh random nonce."""
        sealer = self._sealers.get(key_id)
        if sealer is None:
            sealer = self._make_sealer(key_id)
        prefix, aead = sealer
        nonce = os.urandom(NONCE_SIZE)
        return prefix + nonce + aead.encrypt(nonce, plaintext, prefix + ad.encode())

    def _make_sealer(self, key_id: str) -> tuple[bytes, Aead]:
        entry = self._data_key(key_id)
        with self._mutex:
            self._require_master()
            sealer = (envelope_prefix(self.suite, key_id), entry.aead(self.suite))
            self._sealers[key_id] = sealer
            if len(self._sealers) > self._cipher_cache_size:
                self._sealers.popitem(last=False)
        return sealer

    def decrypt(self, envelope: bytes, ad: AssociatedData) -> bytes:
        """The plaintext, or `DecryptionError` / `KeyMissingError`; never anything partial."""
        if type(envelope) is not bytes:
            envelope = bytes(envelope) if isinstance(envelope, bytearray | memoryview) else b""
        if len(envelope) < 3:
            raise authentication_failed()
        marker = envelope[2]
        prefix_size = 23 if marker == 0 else 7 + marker
        aead = self._openers.get(envelope[:prefix_size])
        if aead is None:
            aead = self._make_opener(envelope)
        return open_sealed(aead, envelope, prefix_size, ad.encode())

    def _make_opener(self, envelope: bytes) -> Aead:
        # First envelope seen for a key (at unlock: once per household), so one lock, no
        # nested calls that take it again.
        if envelope and envelope[0] != ENVELOPE_VERSION:
            parse_envelope_header(envelope)  # raises the specific "unknown version" error
        suite_id, key_id, prefix_size, key_id_field = parse_prefix(envelope)
        with self._mutex:
            entry = self._keys.get(key_id)
            if entry is None:
                entry = self._load_key_locked(key_id, key_id_field)
            elif self._master is None:
                self._require_master()
            aead = entry.aead(suite_id)
            prefix = envelope[:prefix_size]
            self._openers[prefix] = aead
            entry.add_prefix(prefix)
            if len(self._openers) > self._cipher_cache_size:
                self._openers.popitem(last=False)
        return aead

    def encrypt_json(self, key_id: str, obj: object, ad: AssociatedData) -> bytes:
        return self.encrypt(key_id, canonical_json(obj), ad)

    def decrypt_json(self, envelope: bytes, ad: AssociatedData) -> Any:
        plaintext = self.decrypt(envelope, ad)
        try:
            return json.loads(plaintext)
        except ValueError:
            raise DecryptionError(
                "解密后的内容不是有效的 JSON。",
                "The decrypted content is not valid JSON.",
                code="payload_not_json",
            ) from None

    # -- blind index -------------------------------------------------------------------------

    def blind_index(self, value: str, *, purpose: str = "id_number") -> str:
        """Hex HMAC of an already-normalised value with this vault's subkey for `purpose`.

        Deterministic within one vault (exact lookups work), unrelated between vaults and between
        purposes (an index column cannot be joined with another vault's or another field's).
        """
        key = self._blind_keys.get(purpose)
        if key is None:
            key = self._suite.derive(
                self._require_master(), _INFO_BLIND_INDEX + purpose.encode("utf-8")
            )
            self._blind_keys[purpose] = key
        return self._suite.mac(key, value.encode("utf-8")).hex()

    # -- attachments -------------------------------------------------------------------------

    def encrypt_attachment(
        self, key_id: str, src: BinaryIO, dst: BinaryIO, *, attachment_id: str
    ) -> AttachmentInfo:
        """Encrypt `src` into `dst` in 64 KiB chunks (format in `app.crypto.attachments`)."""
        aead = self._data_key(key_id).aead(self.suite)
        return encrypt_stream(aead, self.suite, key_id, src, dst, attachment_id=attachment_id)

    def decrypt_attachment(
        self, key_id: str, src: BinaryIO, *, attachment_id: str, sha256: str | None = None
    ) -> bytes:
        """The attachment's plaintext in memory; `DecryptionError` on any alteration.

        `sha256` (optional) is the expected content hash; a mismatch is a `DecryptionError`.
        """
        entry = self._data_key(key_id)
        return decrypt_stream(entry.aead, key_id, src, attachment_id=attachment_id, sha256=sha256)

    # -- device identity ---------------------------------------------------------------------

    def create_device_key(self, device_id: str, device: DeviceKey | None = None) -> bytes:
        """Take this device's Ed25519 key pair (a new one unless `device` is given, e.g. the pair
        whose public key was just registered); return the private key wrapped for storage."""
        device = device or DeviceKey.generate()
        with self._mutex:
            self._require_master()
            wrapped = wrap_secret(
                self._wrap_aead(_INFO_DEVICE_KEY_WRAP, self.suite),
                self.suite,
                _LABEL_DEVICE_KEY,
                device_id,
                device.private_bytes(),
            )
            self._device = device
        return wrapped

    def load_device_key(self, device_id: str, wrapped: bytes) -> None:
        """Unwrap the stored device key (`DecryptionError` if damaged or for another device)."""
        with self._mutex:
            self._require_master()
            raw = self._unwrap(_LABEL_DEVICE_KEY, _INFO_DEVICE_KEY_WRAP, device_id, wrapped)
            self._device = DeviceKey.from_private_bytes(raw)

    def _device_key(self) -> DeviceKey:
        self._require_master()
        device = self._device
        if device is None:
            raise KeyMissingError(
                "本机的设备签名密钥尚未创建或加载。",
                "This device's signing key has not been created or loaded.",
                code="device_key_missing",
            )
        return device

    @property
    def has_device_key(self) -> bool:
        return self._device is not None

    @property
    def device_public_key(self) -> bytes:
        """The raw 32-byte Ed25519 public key, to register with the server."""
        return self._device_key().public_key

    def sign(self, data: bytes) -> bytes:
        """An Ed25519 signature of `data` by this device (verify with `verify_signature`)."""
        return self._device_key().sign(data)

    def sign_json(self, obj: object) -> bytes:
        """Sign the canonical JSON of `obj` (e.g. a completed visit with its photo hashes)."""
        return self._device_key().sign(canonical_json(obj))
