"""Unlocking the vault: password, authenticated header, KDF parameters, password change."""

from __future__ import annotations

import os
import struct
import time
import unicodedata

import pytest

from app.crypto import (
    SUITE_SM4_GCM,
    AssociatedData,
    KdfParams,
    Vault,
    calibrate_kdf,
    change_password,
    create_vault,
    read_vault_header,
    unlock_vault,
)
from app.crypto.vault import HEADER_SIZE
from app.errors import (
    DecryptionError,
    KeyMissingError,
    ValidationError,
    VaultHeaderError,
    VaultLockedError,
    WrongPasswordError,
)
from tests.app.crypto.conftest import FAST, PASSWORD, KeyTable, make_vault

# Offsets of the header fields (see app.crypto.vault's docstring).
SUITE_AT, KDF_ID_AT, MEMORY_AT, PASSES_AT, LANES_AT, SALT_AT = 8, 9, 10, 14, 18, 22


def ad(row: str, version: int = 1) -> AssociatedData:
    return AssociatedData("households", "payload", row, version)


def with_field(header: bytes, offset: int, value: int) -> bytes:
    return header[:offset] + struct.pack(">I", value) + header[offset + 4 :]


def populate(table: KeyTable, vault: Vault, count: int) -> dict[str, bytes]:
    """Create households with one record each; return {key id: envelope}."""
    envelopes = {}
    for number in range(count):
        key_id = f"household-{number}"
        table.new_key(vault, key_id)
        envelopes[key_id] = vault.encrypt(key_id, f"member {number}".encode(), ad(key_id))
    return envelopes


def test_unlock_opens_what_the_creating_session_wrote(suite: int) -> None:
    table, vault = make_vault(suite)
    envelopes = populate(table, vault, 5)
    vault.lock()

    reopened = unlock_vault(table.header, PASSWORD)
    reopened.set_key_loader(table.load)
    assert reopened.suite == suite
    for key_id, envelope in envelopes.items():
        assert reopened.decrypt(envelope, ad(key_id)) == f"member {key_id[10:]}".encode()


def test_wrong_password_decrypts_nothing() -> None:
    table, vault = make_vault()
    envelopes = populate(table, vault, 3)
    with pytest.raises(WrongPasswordError) as info:
        unlock_vault(table.header, PASSWORD + "x")
    assert "密码" in info.value.message_zh and "password" in info.value.message_en.lower()
    assert PASSWORD not in str(info.value)
    # Another vault (another password, another master key) cannot open the stored keys either.
    _, stranger = create_vault("another password", kdf=FAST)
    stranger.set_key_loader(table.load)
    for key_id, envelope in envelopes.items():
        with pytest.raises(DecryptionError):
            stranger.decrypt(envelope, ad(key_id))


def test_password_is_unicode_normalised() -> None:
    composed = "café 密码"
    header, _ = create_vault(composed, kdf=FAST)
    unlock_vault(header, unicodedata.normalize("NFD", composed))


def test_header_records_suite_and_parameters() -> None:
    header, _ = create_vault(PASSWORD, suite=SUITE_SM4_GCM, kdf=KdfParams(16384, 2, 2))
    info = read_vault_header(header)
    assert (info.suite, info.kdf) == (SUITE_SM4_GCM, KdfParams(16384, 2, 2))
    assert len(header) == HEADER_SIZE


@pytest.mark.parametrize(
    ("offset", "value"),
    [(MEMORY_AT, 8193), (MEMORY_AT, 65536), (PASSES_AT, 2), (LANES_AT, 2)],
    ids=["memory+1", "memory-raised", "passes+1", "lanes+1"],
)
def test_edited_kdf_parameters_inside_the_window_fail_unlock(offset: int, value: int) -> None:
    header, _ = create_vault(PASSWORD, kdf=FAST)
    edited = with_field(header, offset, value)
    assert read_vault_header(edited).kdf != FAST  # the edit is really in the parameters
    with pytest.raises(WrongPasswordError) as info:
        unlock_vault(edited, PASSWORD)
    assert "altered" in info.value.message_en and "改动" in info.value.message_zh


@pytest.mark.parametrize(
    ("offset", "value"),
    [
        (MEMORY_AT, 8191),
        (MEMORY_AT, 0),
        (PASSES_AT, 0),
        (LANES_AT, 0),
        (MEMORY_AT, 2**32 - 1),
        (PASSES_AT, 1000),
        (LANES_AT, 5000),
    ],
    ids=[
        "memory-below-floor",
        "memory-0",
        "passes-0",
        "lanes-0",
        "memory-huge",
        "passes-huge",
        "lanes-huge",
    ],
)
def test_kdf_parameters_outside_the_window_are_refused_before_any_kdf(
    offset: int, value: int
) -> None:
    header, _ = create_vault(PASSWORD, kdf=FAST)
    started = time.perf_counter()
    with pytest.raises(VaultHeaderError) as info:
        unlock_vault(with_field(header, offset, value), PASSWORD)
    assert time.perf_counter() - started < 0.5  # refused up front, no 4 GiB Argon2 run
    assert info.value.code == "vault_header_kdf_params"
    assert "参数" in info.value.message_zh and "parameters" in info.value.message_en


def test_edited_salt_suite_or_kdf_id_fail() -> None:
    header, _ = create_vault(PASSWORD, kdf=FAST)
    salt_edit = bytearray(header)
    salt_edit[SALT_AT] ^= 1
    with pytest.raises(WrongPasswordError):
        unlock_vault(bytes(salt_edit), PASSWORD)
    suite_edit = bytearray(header)
    suite_edit[SUITE_AT] = SUITE_SM4_GCM
    with pytest.raises(WrongPasswordError):
        unlock_vault(bytes(suite_edit), PASSWORD)
    suite_edit[SUITE_AT] = 77
    with pytest.raises(VaultHeaderError):
        unlock_vault(bytes(suite_edit), PASSWORD)
    kdf_edit = bytearray(header)
    kdf_edit[KDF_ID_AT] = 2
    with pytest.raises(VaultHeaderError):
        unlock_vault(bytes(kdf_edit), PASSWORD)


def test_no_single_byte_edit_of_the_header_unlocks() -> None:
    header, _ = create_vault(PASSWORD, kdf=FAST)
    for position in range(len(header)):
        edited = bytearray(header)
        edited[position] ^= 0x01
        with pytest.raises((WrongPasswordError, VaultHeaderError)):
            unlock_vault(bytes(edited), PASSWORD)


def test_truncated_or_garbage_headers_are_header_errors() -> None:
    header, _ = create_vault(PASSWORD, kdf=FAST)
    for size in range(len(header)):
        with pytest.raises(VaultHeaderError):
            unlock_vault(header[:size], PASSWORD)
    garbage = [b"", os.urandom(HEADER_SIZE), b"SQLite format 3\x00" + bytes(82), header + b"\x00"]
    for candidate in garbage:
        with pytest.raises(VaultHeaderError) as info:
            unlock_vault(candidate, PASSWORD)
        assert info.value.message_zh and info.value.message_en
    newer = bytearray(header)
    newer[7] = 2
    with pytest.raises(VaultHeaderError) as info:
        unlock_vault(bytes(newer), PASSWORD)
    assert "newer software" in info.value.message_en


def test_change_password_keeps_every_record_and_retires_the_old_password(suite: int) -> None:
    table, vault = make_vault(suite)
    envelopes = populate(table, vault, 20)
    index_before = vault.blind_index("11010519491231002X")

    new_header = change_password(table.header, PASSWORD, "新的密码 new password")
    assert new_header != table.header
    assert read_vault_header(new_header).kdf == FAST  # parameters kept when not given
    with pytest.raises(WrongPasswordError):
        unlock_vault(new_header, PASSWORD)

    reopened = unlock_vault(new_header, "新的密码 new password")
    reopened.set_key_loader(table.load)  # same wrapped keys: nothing was re-encrypted
    for key_id, envelope in envelopes.items():
        assert reopened.decrypt(envelope, ad(key_id)).startswith(b"member ")
    assert reopened.blind_index("11010519491231002X") == index_before


def test_change_password_can_raise_parameters_and_checks_the_old_password() -> None:
    header, _ = create_vault(PASSWORD, kdf=FAST)
    with pytest.raises(WrongPasswordError):
        change_password(header, "not it", "new")
    stronger = change_password(header, PASSWORD, "new", kdf=KdfParams(16384, 2, 1))
    assert read_vault_header(stronger).kdf == KdfParams(16384, 2, 1)
    unlock_vault(stronger, "new")
    with pytest.raises(ValidationError):
        change_password(header, PASSWORD, "")
    with pytest.raises(ValidationError):
        change_password(header, PASSWORD, "new", kdf=KdfParams(1024, 1, 1))


def test_creating_with_weak_parameters_or_empty_password_is_refused() -> None:
    with pytest.raises(ValidationError):
        create_vault(PASSWORD, kdf=KdfParams(memory_kib=4096, iterations=3, lanes=4))
    with pytest.raises(ValidationError):
        create_vault("", kdf=FAST)


def test_default_parameters_unlock_within_two_seconds() -> None:
    header, _ = create_vault(PASSWORD)
    assert read_vault_header(header).kdf == KdfParams(memory_kib=65536, iterations=3, lanes=4)
    started = time.perf_counter()
    unlock_vault(header, PASSWORD)
    assert time.perf_counter() - started < 2.0


def test_locked_vault_refuses_everything() -> None:
    table, vault = make_vault()
    envelopes = populate(table, vault, 1)
    vault.lock()
    assert vault.locked
    key_id, envelope = next(iter(envelopes.items()))
    with pytest.raises(VaultLockedError):
        vault.decrypt(envelope, ad(key_id))
    with pytest.raises(VaultLockedError):
        vault.encrypt(key_id, b"x", ad(key_id))
    with pytest.raises(VaultLockedError):
        vault.blind_index("x")
    with pytest.raises(VaultLockedError):
        vault.new_data_key("new")
    with pytest.raises(VaultLockedError):
        vault.has_data_key(key_id)
    with pytest.raises(VaultLockedError):
        vault.sign(b"x")


def test_unknown_key_before_any_loader_is_missing() -> None:
    _, vault = create_vault(PASSWORD, kdf=FAST)
    with pytest.raises(KeyMissingError):
        vault.encrypt("nobody", b"x", ad("r"))
    assert not vault.has_data_key("nobody")


def test_calibration_never_weakens_and_stays_in_the_window() -> None:
    quick = calibrate_kdf(0.0, base=FAST)
    assert quick == FAST  # a zero target keeps the base, never goes below it
    tuned = calibrate_kdf(0.1, base=FAST)
    assert tuned.memory_kib == FAST.memory_kib and tuned.lanes == FAST.lanes
    assert FAST.iterations <= tuned.iterations <= 64
    assert tuned.problem() is None
    header, _ = create_vault(PASSWORD, kdf=tuned)
    assert read_vault_header(header).kdf == tuned
