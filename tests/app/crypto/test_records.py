"""Record envelopes through the vault: round trips, tampering, moving, nonces, shredding, index."""

from __future__ import annotations

import zlib
from concurrent.futures import ThreadPoolExecutor
from functools import cache

import pytest
from cryptography.exceptions import InvalidTag
from hypothesis import given, settings
from hypothesis import strategies as st

from app.crypto import (
    SUITE_AES_256_GCM,
    SUITE_SM4_GCM,
    AssociatedData,
    Vault,
    create_vault,
    envelope_key_id,
    unlock_vault,
)
from app.crypto.envelope import encode_key_id, parse_envelope_header
from app.crypto.suites import get_suite
from app.errors import CryptoError, DecryptionError, KeyMissingError, VaultLockedError
from tests.app.crypto.conftest import FAST, PASSWORD, KeyTable, make_vault

HOUSEHOLD = "0190a1b2-c3d4-7e5f-8a9b-0123456789ab"
AD = AssociatedData("households", "payload", HOUSEHOLD, 4)
MARKER = "张三丰 110105194912310021".encode()


@cache
def shared(suite: int) -> tuple[KeyTable, Vault]:
    """One vault per suite for hypothesis tests (function-scoped fixtures do not mix with it)."""
    table, vault = make_vault(suite)
    table.new_key(vault, HOUSEHOLD)
    table.new_key(vault, "scope:task-17")
    return table, vault


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)
places = st.builds(
    AssociatedData,
    table=st.text(max_size=20),
    column=st.text(max_size=20),
    row_id=st.text(max_size=40),
    version=st.integers(min_value=0, max_value=2**40),
)


@pytest.mark.parametrize("suite", [SUITE_AES_256_GCM, SUITE_SM4_GCM], ids=["aes", "sm4"])
@settings(deadline=None)
@given(plaintext=st.binary(max_size=4096), place=places)
def test_round_trip(suite: int, plaintext: bytes, place: AssociatedData) -> None:
    _, vault = shared(suite)
    for key_id in (HOUSEHOLD, "scope:task-17"):
        envelope = vault.encrypt(key_id, plaintext, place)
        assert envelope[1] == suite
        assert envelope_key_id(envelope) == key_id
        assert vault.decrypt(envelope, place) == plaintext


@pytest.mark.parametrize("suite", [SUITE_AES_256_GCM, SUITE_SM4_GCM], ids=["aes", "sm4"])
@settings(deadline=None)
@given(value=json_values)
def test_json_round_trip(suite: int, value: object) -> None:
    _, vault = shared(suite)
    assert vault.decrypt_json(vault.encrypt_json(HOUSEHOLD, value, AD), AD) == value


def test_envelope_overhead_is_small() -> None:
    _, vault = shared(SUITE_AES_256_GCM)
    # version, suite, 17-byte UUID key id, check, nonce, tag
    assert len(vault.encrypt(HOUSEHOLD, b"", AD)) == 2 + 17 + 4 + 12 + 16


@pytest.mark.parametrize("key_id", [HOUSEHOLD, "scope:task-17"])
def test_flipping_any_byte_of_an_envelope_fails(suite: int, key_id: str) -> None:
    _, vault = shared(suite)
    envelope = vault.encrypt(key_id, MARKER, AD)
    assert MARKER not in envelope
    for position in range(len(envelope)):
        for flip in (0x01, 0x40, 0xFF):
            altered = bytearray(envelope)
            altered[position] ^= flip
            with pytest.raises(DecryptionError) as info:
                vault.decrypt(bytes(altered), AD)
            assert MARKER.decode() not in str(info.value)
    assert vault.decrypt(envelope, AD) == MARKER  # the original still opens


def test_truncated_or_extended_envelopes_fail(suite: int) -> None:
    _, vault = shared(suite)
    envelope = vault.encrypt(HOUSEHOLD, MARKER, AD)
    for size in range(len(envelope)):
        with pytest.raises(DecryptionError):
            vault.decrypt(envelope[:size], AD)
    with pytest.raises(DecryptionError):
        vault.decrypt(envelope + b"\x00", AD)


@pytest.mark.parametrize(
    "elsewhere",
    [
        AssociatedData("households", "payload", "0190a1b2-c3d4-7e5f-8a9b-000000000000", 4),
        AssociatedData("households", "notes", HOUSEHOLD, 4),
        AssociatedData("households", "payload", HOUSEHOLD, 5),
        AssociatedData("households", "payload", HOUSEHOLD, 3),
        AssociatedData("members", "payload", HOUSEHOLD, 4),
    ],
    ids=["other-row", "other-column", "next-version", "older-version", "other-table"],
)
def test_a_ciphertext_moved_elsewhere_does_not_open(elsewhere: AssociatedData) -> None:
    _, vault = shared(SUITE_AES_256_GCM)
    envelope = vault.encrypt(HOUSEHOLD, MARKER, AD)
    with pytest.raises(DecryptionError):
        vault.decrypt(envelope, elsewhere)


def test_rewriting_the_key_id_never_opens() -> None:
    table, vault = make_vault()
    table.new_key(vault, "household-a")
    table.new_key(vault, "household-b")
    envelope = vault.encrypt("household-a", MARKER, AD)

    def renamed(key_id: str) -> bytes:
        # A deliberate rewrite, with the CRC fixed up so the header looks intact.
        head = bytes((1, SUITE_AES_256_GCM)) + encode_key_id(key_id)
        rest = envelope[2 + len(encode_key_id("household-a")) + 4 :]
        return head + zlib.crc32(head).to_bytes(4, "big") + rest

    with pytest.raises(DecryptionError):
        vault.decrypt(renamed("household-b"), AD)
    with pytest.raises(KeyMissingError):
        vault.decrypt(renamed("household-z"), AD)


def test_same_plaintext_twice_gives_different_envelopes(suite: int) -> None:
    _, vault = shared(suite)
    first, second = (vault.encrypt(HOUSEHOLD, MARKER, AD) for _ in range(2))
    assert first != second
    assert vault.decrypt(first, AD) == vault.decrypt(second, AD) == MARKER


def test_no_nonce_repeats_across_100000_encryptions() -> None:
    _, vault = shared(SUITE_AES_256_GCM)
    prefix_size = 2 + 17 + 4
    nonces = {
        vault.encrypt(HOUSEHOLD, b"same", AD)[prefix_size : prefix_size + 12]
        for _ in range(100_000)
    }
    assert len(nonces) == 100_000


def test_shredded_key_opens_nothing_and_no_other_key_can(suite: int) -> None:
    table, vault = make_vault(suite)
    households = [f"0190a1b2-0000-7000-8000-{n:012d}" for n in range(6)]
    envelopes = {}
    for key_id in households:
        table.new_key(vault, key_id)
        envelopes[key_id] = vault.encrypt(key_id, MARKER, AD)
        assert vault.decrypt(envelopes[key_id], AD) == MARKER  # every cache is warm
    victim = households[0]
    table.shred(vault, victim)
    with pytest.raises(KeyMissingError):
        vault.encrypt(victim, MARKER, AD)

    with pytest.raises(KeyMissingError) as info:
        vault.decrypt(envelopes[victim], AD)
    assert info.value.message_zh and info.value.message_en
    assert not vault.has_data_key(victim)
    for key_id in households[1:]:
        assert vault.decrypt(envelopes[key_id], AD) == MARKER

    # After a fresh unlock: no key left on disk opens the shredded household's envelope, whether
    # a wrapped key is relabelled as the victim's or its unwrapped key is applied directly.
    reopened = unlock_vault(table.header, PASSWORD)
    for wrapped in table.wrapped.values():
        reopened.set_key_loader(lambda key_id, w=wrapped: w)
        with pytest.raises(DecryptionError):
            reopened.decrypt(envelopes[victim], AD)
        reopened.forget_data_key(victim)
    reopened.set_key_loader(table.load)
    with pytest.raises(KeyMissingError):
        reopened.decrypt(envelopes[victim], AD)
    victim_envelope = envelopes[victim]
    header = parse_envelope_header(victim_envelope)
    nonce_end = header.prefix_size + 12
    for survivor in households[1:]:
        assert reopened.decrypt(envelopes[survivor], AD) == MARKER
        raw_key = reopened._keys[survivor].raw
        with pytest.raises(InvalidTag):
            get_suite(suite).aead(raw_key).decrypt(
                victim_envelope[header.prefix_size : nonce_end],
                victim_envelope[nonce_end:],
                victim_envelope[: header.prefix_size] + AD.encode(),
            )


def test_a_wrapped_key_is_bound_to_its_key_id() -> None:
    table, vault = make_vault()
    table.new_key(vault, "household-a")
    reopened = unlock_vault(table.header, PASSWORD)
    reopened.add_wrapped_data_keys({"household-b": table.wrapped["household-a"]})
    with pytest.raises(DecryptionError):
        reopened.encrypt("household-b", b"x", AD)


def test_bulk_handed_keys_open_records() -> None:
    table, vault = make_vault()
    envelopes = {}
    for number in range(50):
        key_id = f"h{number}"
        table.new_key(vault, key_id)
        envelopes[key_id] = vault.encrypt(key_id, key_id.encode(), AD)
    reopened = unlock_vault(table.header, PASSWORD)
    reopened.add_wrapped_data_keys(table.wrapped)
    assert all(reopened.has_data_key(key_id) for key_id in envelopes)
    for key_id, envelope in envelopes.items():
        assert reopened.decrypt(envelope, AD) == key_id.encode()


def test_an_existing_stored_key_is_never_replaced() -> None:
    table, vault = make_vault()
    table.new_key(vault, "h1")
    envelope = vault.encrypt("h1", MARKER, AD)
    with pytest.raises(CryptoError) as info:
        vault.new_data_key("h1")
    assert info.value.code == "key_exists"
    assert vault.decrypt(envelope, AD) == MARKER


def test_decrypted_non_json_is_reported() -> None:
    _, vault = shared(SUITE_AES_256_GCM)
    with pytest.raises(DecryptionError) as info:
        vault.decrypt_json(vault.encrypt(HOUSEHOLD, b"\xff not json", AD), AD)
    assert info.value.code == "payload_not_json"


@settings(max_examples=50, deadline=None)
@given(value=st.text(min_size=1, max_size=30))
def test_blind_index_is_deterministic_per_vault(value: str) -> None:
    _, vault = shared(SUITE_AES_256_GCM)
    assert vault.blind_index(value) == vault.blind_index(value)
    assert vault.blind_index(value) != vault.blind_index(value + "0")


def test_blind_index_differs_between_vaults_purposes_and_suites() -> None:
    id_number = "11010519491231002X"
    _, first = create_vault(PASSWORD, kdf=FAST)
    _, second = create_vault(PASSWORD, kdf=FAST)
    assert first.blind_index(id_number) != second.blind_index(id_number)
    assert first.blind_index(id_number) != first.blind_index(id_number, purpose="phone")
    assert len(first.blind_index(id_number)) == 64
    assert id_number not in first.blind_index(id_number)
    _, sm4 = shared(SUITE_SM4_GCM)
    assert len(sm4.blind_index(id_number)) == 64


def test_threads_share_a_vault(suite: int) -> None:
    table, vault = make_vault(suite)
    envelopes = []
    for number in range(200):
        key_id = f"0190a1b2-0000-7000-8000-{number:012d}"
        table.new_key(vault, key_id)
        envelopes.append((vault.encrypt(key_id, key_id.encode(), AD), key_id.encode()))
    reopened = unlock_vault(table.header, PASSWORD)
    reopened.set_key_loader(table.load)

    def open_all() -> int:
        return sum(reopened.decrypt(envelope, AD) == expected for envelope, expected in envelopes)

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: open_all(), range(8)))
    assert results == [200] * 8


def test_small_cipher_cache_still_opens_everything_and_forgets() -> None:
    table, vault = make_vault()
    envelopes = {}
    for number in range(10):
        key_id = f"h{number}"
        table.new_key(vault, key_id)
        envelopes[key_id] = vault.encrypt(key_id, key_id.encode(), AD)
    # A vault whose cipher caches hold two entries: every pass evicts and rebuilds.
    small = Vault(vault._require_master(), SUITE_AES_256_GCM, cipher_cache_size=2)
    small.set_key_loader(table.load)
    for _ in range(3):
        for key_id, envelope in envelopes.items():
            assert small.decrypt(envelope, AD) == key_id.encode()
            assert small.decrypt(small.encrypt(key_id, b"again", AD), AD) == b"again"
    assert len(small._openers) <= 2 and len(small._sealers) <= 2
    table.shred(small, "h0")
    with pytest.raises(KeyMissingError):
        small.decrypt(envelopes["h0"], AD)
    small.lock()
    with pytest.raises(VaultLockedError):
        small.decrypt(envelopes["h9"], AD)
