"""Argon2id password hashes in PHC string form (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`), so
each hash carries its own parameters and salt and old hashes stay verifiable after the cost
is raised."""

from __future__ import annotations

import os

from cryptography.exceptions import InvalidKey
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id

from sync.server.config import Argon2Params

_SALT_LEN = 16
_HASH_LEN = 32


def hash_password(password: str, params: Argon2Params) -> str:
    kdf = Argon2id(
        salt=os.urandom(_SALT_LEN),
        length=_HASH_LEN,
        iterations=params.iterations,
        lanes=params.lanes,
        memory_cost=params.memory_kib,
    )
    return kdf.derive_phc_encoded(password.encode())


def verify_password(password: str, encoded: str) -> bool:
    try:
        Argon2id.verify_phc_encoded(password.encode(), encoded)
    except (InvalidKey, ValueError):
        return False
    return True


def needs_rehash(encoded: str, params: Argon2Params) -> bool:
    return f"m={params.memory_kib},t={params.iterations},p={params.lanes}" not in encoded
