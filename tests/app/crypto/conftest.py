"""Fixtures for the crypto tests: fast KDF parameters and a dict standing in for the key table."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from app.crypto import SUITE_AES_256_GCM, SUITE_SM4_GCM, KdfParams, Vault, create_vault

PASSWORD = "正确的马电池订书钉 correct horse"
FAST = KdfParams.for_tests()


class KeyTable:
    """What the store persists: the vault header and one wrapped data key per key id."""

    def __init__(self, header: bytes) -> None:
        self.header = header
        self.wrapped: dict[str, bytes] = {}

    def load(self, key_id: str) -> bytes | None:
        return self.wrapped.get(key_id)

    def new_key(self, vault: Vault, key_id: str) -> None:
        self.wrapped[key_id] = vault.new_data_key(key_id)

    def shred(self, vault: Vault, key_id: str) -> None:
        del self.wrapped[key_id]
        vault.forget_data_key(key_id)


def make_vault(suite: int = SUITE_AES_256_GCM) -> tuple[KeyTable, Vault]:
    header, vault = create_vault(PASSWORD, suite=suite, kdf=FAST)
    table = KeyTable(header)
    vault.set_key_loader(table.load)
    return table, vault


@pytest.fixture(params=[SUITE_AES_256_GCM, SUITE_SM4_GCM], ids=["aes", "sm4"])
def suite(request: pytest.FixtureRequest) -> int:
    return int(request.param)


@pytest.fixture
def vault_and_table(suite: int) -> Iterator[tuple[KeyTable, Vault]]:
    table, vault = make_vault(suite)
    yield table, vault
    vault.lock()
