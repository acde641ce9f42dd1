"""Password to key-encryption key: Argon2id with parameters kept in the vault header.

Defaults follow DESIGN section 3: 64 MiB, 3 passes, 4 lanes (about 0.2-0.5 s on a field laptop).
The header stores the parameters so they can be raised later without breaking old vaults; because
a header can be edited by whoever holds the file, unlock refuses parameters outside a window:

- below the floor (`MIN_KDF`: 8 MiB, t=1, p=1) -> `VaultHeaderError`: a weakened header is never
  used, not even to check a password;
- above the ceiling (`MAX_KDF`: 4 GiB, t=64, p=64) -> `VaultHeaderError`: a tampered header
  cannot make unlock allocate the machine's memory or run for hours.

Inside the window, the parameters are authenticated as associated data of the master-key wrap
(see `app.crypto.vault`), so any edit is detected after one KDF run.

Passwords are normalised to Unicode NFC before hashing, so the same password typed through
different input methods (composed or decomposed characters) gives the same key.
"""

from __future__ import annotations

import math
import os
import time
import unicodedata
from dataclasses import dataclass, replace
from typing import Final

from cryptography.hazmat.primitives.kdf.argon2 import Argon2id

from app.crypto.suites import KEY_SIZE

SALT_SIZE: Final = 16


@dataclass(frozen=True)
class KdfParams:
    """Argon2id cost parameters (memory in KiB, passes, lanes)."""

    memory_kib: int = 65536
    iterations: int = 3
    lanes: int = 4

    @classmethod
    def for_tests(cls) -> KdfParams:
        """The smallest parameters unlock accepts (8 MiB, t=1, p=1): for fast tests only."""
        return cls(memory_kib=8192, iterations=1, lanes=1)

    def problem(self) -> tuple[str, str] | None:
        """Why these parameters are not acceptable (zh, en), or None if they are."""
        if (
            self.memory_kib < MIN_KDF.memory_kib
            or self.iterations < MIN_KDF.iterations
            or self.lanes < MIN_KDF.lanes
        ):
            return (
                "密钥派生参数低于允许的下限（内存至少 8 MiB、迭代至少 1 次），"
                "保险库头可能被篡改以削弱保护。",
                "The key-derivation parameters are below the allowed floor (at least 8 MiB of "
                "memory and 1 pass); the vault header may have been altered to weaken it.",
            )
        if (
            self.memory_kib > MAX_KDF.memory_kib
            or self.iterations > MAX_KDF.iterations
            or self.lanes > MAX_KDF.lanes
        ):
            return (
                "密钥派生参数超出允许的上限（内存最多 4 GiB、迭代最多 64 次、并行度最多 64），"
                "保险库头可能已损坏。",
                "The key-derivation parameters exceed the allowed ceiling (4 GiB of memory, "
                "64 passes, 64 lanes); the vault header may be damaged.",
            )
        if self.memory_kib < 8 * self.lanes:
            # Argon2 needs at least 8 KiB per lane.
            return (
                "密钥派生参数不一致：每个并行通道至少需要 8 KiB 内存。",
                "Inconsistent key-derivation parameters: each lane needs at least 8 KiB.",
            )
        return None


MIN_KDF: Final = KdfParams(memory_kib=8192, iterations=1, lanes=1)
MAX_KDF: Final = KdfParams(memory_kib=4 * 1024 * 1024, iterations=64, lanes=64)


def normalise_password(password: str) -> bytes:
    return unicodedata.normalize("NFC", password).encode("utf-8")


def derive_kek(password: str, salt: bytes, params: KdfParams) -> bytes:
    """The 32-byte key-encryption key for `password`. Parameters must have been checked."""
    kdf = Argon2id(
        salt=salt,
        length=KEY_SIZE,
        iterations=params.iterations,
        lanes=params.lanes,
        memory_cost=params.memory_kib,
    )
    return kdf.derive(normalise_password(password))


def calibrate_kdf(target_seconds: float = 0.5, *, base: KdfParams | None = None) -> KdfParams:
    """Parameters that take about `target_seconds` on this machine, never weaker than `base`.

    DESIGN asks for Argon2id "tuned to ~0.5 s": memory and lanes stay as in `base` (64 MiB, 4 by
    default) and only the number of passes grows, measured with one derivation. Meant for vault
    creation and password changes, where the result is written into the header.
    """
    params = base if base is not None else KdfParams()
    started = time.perf_counter()
    derive_kek("calibration", os.urandom(SALT_SIZE), params)
    elapsed = max(time.perf_counter() - started, 1e-6)
    passes = math.floor(params.iterations * target_seconds / elapsed)
    return replace(params, iterations=min(max(passes, params.iterations), MAX_KDF.iterations))
