"""The offline lease on its own: signatures, binding, expiry on the laptop's clock and a clock
turned back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.lease import (
    CLOCK_TOLERANCE,
    HeldLease,
    LeaseError,
    LeaseState,
    OfflineLease,
    SignedLease,
    public_key_bytes,
    sign_lease,
    verify_lease,
)

SERVER_NOW = datetime(2026, 12, 6, 8, 0, tzinfo=UTC)
SERVER_KEY = Ed25519PrivateKey.generate()
USER, DEVICE = "user-1", "device-1"


def _signed(
    days: float = 7, role: str = "field_worker", user: str = USER, device: str = DEVICE
) -> SignedLease:
    lease = OfflineLease(
        user_id=user,
        device_id=device,
        role=role,
        issued_at=SERVER_NOW,
        expires_at=SERVER_NOW + timedelta(days=days),
    )
    return sign_lease(SERVER_KEY, lease)


def _held(local_now: datetime, days: float = 7) -> HeldLease:
    return HeldLease.accept(
        public_key_bytes(SERVER_KEY), _signed(days), user_id=USER, device_id=DEVICE, now=local_now
    )


def test_a_signed_lease_verifies_and_round_trips() -> None:
    lease = verify_lease(public_key_bytes(SERVER_KEY), _signed(), user_id=USER, device_id=DEVICE)
    assert lease.expires_at == SERVER_NOW + timedelta(days=7)
    assert not lease.purges_on_lapse
    assert OfflineLease.from_canonical_bytes(lease.canonical_bytes()) == lease


def test_a_tampered_lease_is_refused() -> None:
    signed = _signed()
    longer = signed.payload.replace(b"2026-12-13", b"2027-12-13")
    assert longer != signed.payload
    with pytest.raises(LeaseError) as refused:
        verify_lease(
            public_key_bytes(SERVER_KEY),
            SignedLease(longer, signed.signature),
            user_id=USER,
            device_id=DEVICE,
        )
    assert refused.value.code == "lease_invalid"


def test_a_lease_signed_by_another_key_is_refused() -> None:
    forged = sign_lease(
        Ed25519PrivateKey.generate(),
        OfflineLease.from_canonical_bytes(_signed(days=365).payload),
    )
    with pytest.raises(LeaseError):
        verify_lease(public_key_bytes(SERVER_KEY), forged, user_id=USER, device_id=DEVICE)


def test_a_lease_for_another_user_is_refused() -> None:
    with pytest.raises(LeaseError):
        verify_lease(
            public_key_bytes(SERVER_KEY), _signed(user="other"), user_id=USER, device_id=DEVICE
        )


def test_a_lease_for_the_same_user_on_another_laptop_is_refused() -> None:
    with pytest.raises(LeaseError) as refused:
        verify_lease(
            public_key_bytes(SERVER_KEY),
            _signed(device="device-2"),
            user_id=USER,
            device_id=DEVICE,
        )
    assert refused.value.message_en == "The offline lease is for another account or laptop"


def test_malformed_wire_text_is_a_lease_error_not_a_crash() -> None:
    with pytest.raises(LeaseError):
        SignedLease.from_wire("not base64!", "")
    with pytest.raises(LeaseError):
        OfflineLease.from_canonical_bytes(b'{"format": 1}')


def test_the_lease_runs_its_length_on_the_laptops_clock() -> None:
    # This laptop's clock is 8 hours behind the server (a wrong time zone): it still gets
    # exactly seven days, no more and no fewer.
    local = SERVER_NOW - timedelta(hours=8)
    held = _held(local)
    assert held.state(local) is LeaseState.VALID
    assert held.state(local + timedelta(days=7) - timedelta(seconds=1)) is LeaseState.VALID
    assert held.state(local + timedelta(days=7)) is LeaseState.EXPIRED
    assert held.local_expiry == local + timedelta(days=7)


def test_a_clock_turned_back_counts_as_lapsed() -> None:
    held = _held(SERVER_NOW).seen(SERVER_NOW + timedelta(days=6))
    # Six days on, the clock is set back five days to stretch the lease: caught.
    assert held.state(SERVER_NOW + timedelta(days=1)) is LeaseState.CLOCK_TURNED_BACK
    # A small step back (an NTP correction) is not.
    small_step = SERVER_NOW + timedelta(days=6) - CLOCK_TOLERANCE + timedelta(seconds=1)
    assert held.state(small_step) is LeaseState.VALID
    # Earlier than the moment the lease arrived is caught even without later use.
    assert _held(SERVER_NOW).state(SERVER_NOW - timedelta(hours=1)) is (
        LeaseState.CLOCK_TURNED_BACK
    )


def test_the_clock_mark_never_moves_down_and_a_new_lease_restarts_it() -> None:
    held = _held(SERVER_NOW).seen(SERVER_NOW + timedelta(days=3))
    assert held.seen(SERVER_NOW + timedelta(days=1)).clock_high_water == (
        SERVER_NOW + timedelta(days=3)
    )
    renewed = _held(SERVER_NOW + timedelta(hours=1))
    assert renewed.clock_high_water == SERVER_NOW + timedelta(hours=1)


def test_the_kept_record_reads_back_and_is_checked_again() -> None:
    held = _held(SERVER_NOW).seen(SERVER_NOW + timedelta(days=2))
    record = held.to_record()
    assert HeldLease.from_record(record, user_id=USER, device_id=DEVICE) == held
    record["payload"] = SignedLease.to_wire(_signed(days=30))["payload"]
    with pytest.raises(LeaseError):
        HeldLease.from_record(record, user_id=USER, device_id=DEVICE)


def test_a_contractor_lease_purges_on_lapse() -> None:
    lease = verify_lease(
        public_key_bytes(SERVER_KEY),
        _signed(days=2, role="contractor"),
        user_id=USER,
        device_id=DEVICE,
    )
    assert lease.purges_on_lapse
