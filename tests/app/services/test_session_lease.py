"""The offline lease in the account session, without a server: kept sealed in the vault, a
damaged one locks like a lapsed one, and what is typed after the lapse is still kept."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.crypto import KdfParams
from app.domain import VisitKind
from app.lease import HeldLease, LeaseExpiredError, OfflineLease, public_key_bytes, sign_lease
from app.services.profiles import ProfileDirectory
from app.services.session import AccountService, Registration, RegistrationRequest

PASSWORD = "correct horse battery"
SERVER = "https://jiafang.example.cn"
START = datetime(2026, 12, 6, 8, 0, tzinfo=UTC)
SERVER_KEY = Ed25519PrivateKey.generate()


class MovableClock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


def _register(request: RegistrationRequest) -> Registration:
    user, device = f"u-{request.account}", f"d-{request.account}"
    lease = OfflineLease(user, device, "field_worker", START, START + timedelta(days=7))
    held = HeldLease.accept(
        public_key_bytes(SERVER_KEY),
        sign_lease(SERVER_KEY, lease),
        user_id=user,
        device_id=device,
        now=START,
    )
    return Registration(user_id=user, device_id=device, display_name=request.account, lease=held)


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock()


def _accounts(base: Path, clock: MovableClock) -> AccountService:
    return AccountService(
        ProfileDirectory(base), register=_register, kdf=KdfParams.for_tests(), clock=clock
    )


def test_the_first_lease_is_kept_sealed_in_the_vault(tmp_path: Path, clock: MovableClock) -> None:
    session = _accounts(tmp_path, clock).register(SERVER, "wangfang", PASSWORD)
    status = session.lease_status()
    assert (status.state, status.expires_at) == ("valid", START + timedelta(days=7))
    path = session.profile.store_path
    session.close()
    raw = b"".join(p.read_bytes() for p in path.parent.rglob("*") if p.is_file())
    # Only ciphertext on disk: neither the signed lease nor its clock mark in the clear.
    assert b"expires_at" not in raw and b"clock_high_water" not in raw


def test_a_damaged_lease_locks_the_data_like_a_lapsed_one(
    tmp_path: Path, clock: MovableClock
) -> None:
    session = _accounts(tmp_path, clock).register(SERVER, "wangfang", PASSWORD)
    session.seed_demo_data(households=2)
    assert len(session.households()) == 2
    record = session.store.lease_record()
    assert record is not None
    longer = OfflineLease("u-wangfang", "d-wangfang", "field_worker", START, START.replace(2027))
    record["payload"] = sign_lease(Ed25519PrivateKey.generate(), longer).to_wire()["payload"]
    session.store.put_lease_record(record)
    with pytest.raises(LeaseExpiredError):
        session.households()
    assert session.lease_status().state == "expired"
    session.close()


def test_typing_after_the_lapse_is_kept_but_not_shown(tmp_path: Path, clock: MovableClock) -> None:
    session = _accounts(tmp_path, clock).register(SERVER, "wangfang", PASSWORD)
    session.seed_demo_data(households=1)
    household = session.households()[0]
    visit = session.start_visit(household.household_id, VisitKind.PERIODIC_REVIEW)
    clock.now = START + timedelta(days=8)
    session.autosave_visit(visit.visit_id, {"notes": "家具陈旧"})  # not refused: nothing lost
    with pytest.raises(LeaseExpiredError) as refused:
        session.recovered_drafts()
    assert refused.value.code == "lease_expired" and not refused.value.purges_on_lapse
    assert "The offline lease has lapsed" in refused.value.message_en
    session.close()


def test_deleting_the_kept_lease_from_the_file_locks_the_data(
    tmp_path: Path, clock: MovableClock
) -> None:
    session = _accounts(tmp_path, clock).register(SERVER, "wangfang", PASSWORD)
    session.seed_demo_data(households=1)
    path = session.profile.store_path
    session.close()
    # Someone with the laptop removes the lease row, hoping to work on without syncing.
    with sqlite3.connect(path) as conn:
        assert conn.execute("DELETE FROM vault_meta WHERE key = 'offline_lease'").rowcount == 1
    clock.now = START + timedelta(days=30)
    session = _accounts(tmp_path, clock).open(session.profile.profile_id)
    session.unlock(PASSWORD)
    with pytest.raises(LeaseExpiredError):
        session.households()
    assert session.lease_status().lapsed
    session.close()


def test_a_profile_registered_without_a_lease_is_not_locked(
    tmp_path: Path, clock: MovableClock
) -> None:
    def offline_demo(request: RegistrationRequest) -> Registration:
        return Registration(user_id="u-demo", device_id="d-demo", display_name=request.account)

    accounts = AccountService(
        ProfileDirectory(tmp_path), register=offline_demo, kdf=KdfParams.for_tests(), clock=clock
    )
    session = accounts.register(SERVER, "demo", PASSWORD)
    session.seed_demo_data(households=1)
    clock.now = START + timedelta(days=365)
    session.lock()
    session.unlock(PASSWORD)
    assert len(session.households()) == 1
    assert session.lease_status().state == "none"
    session.close()


def test_a_lease_renewed_while_a_screen_reads_is_not_overwritten_by_the_old_one(
    tmp_path: Path, clock: MovableClock
) -> None:
    session = _accounts(tmp_path, clock).register(SERVER, "wangfang", PASSWORD)
    session.seed_demo_data(households=1)
    later = START + timedelta(hours=1)
    renewed = HeldLease.accept(
        public_key_bytes(SERVER_KEY),
        sign_lease(
            SERVER_KEY,
            OfflineLease("u-wangfang", "d-wangfang", "field_worker", later, later + timedelta(7)),
        ),
        user_id="u-wangfang",
        device_id="d-wangfang",
        now=later,
    )

    class SyncMeanwhile(MovableClock):
        """A background sync keeps its renewed lease just as a screen's lease check reads
        the clock (between reading the old lease and moving its clock mark)."""

        synced = False

        def __call__(self) -> datetime:
            if self.now == later and not self.synced:
                self.synced = True
                session.store.put_lease_record(renewed.to_record())
            return self.now

    racing = SyncMeanwhile()
    racing.now = later
    session._clock = racing
    assert len(session.households()) == 1
    racing.now = START + timedelta(days=7, minutes=30)  # the old lease lapsed, the new holds
    assert session.lease_status().expires_at == later + timedelta(days=7)
    assert len(session.households()) == 1
    session.close()


def test_setting_the_clock_back_before_the_mark_is_written_is_still_caught(
    tmp_path: Path, clock: MovableClock
) -> None:
    session = _accounts(tmp_path, clock).register(SERVER, "wangfang", PASSWORD)
    session.seed_demo_data(households=1)
    # Nine minutes of work (the kept clock mark is not moved yet), then the clock goes back
    # thirteen minutes. Done again and again, this would keep the lease from ever running out.
    clock.now = START + timedelta(minutes=9)
    assert len(session.households()) == 1
    clock.now = START - timedelta(minutes=4)
    with pytest.raises(LeaseExpiredError) as caught:
        session.households()
    assert caught.value.clock_turned_back
    assert session.lease_status().state == "clock_turned_back"
    session.close()


def test_the_clock_mark_is_kept_when_the_session_locks(tmp_path: Path, clock: MovableClock) -> None:
    accounts = _accounts(tmp_path, clock)
    session = accounts.register(SERVER, "wangfang", PASSWORD)
    session.seed_demo_data(households=1)
    clock.now = START + timedelta(minutes=9)
    assert len(session.households()) == 1
    session.close()  # the app quits
    clock.now = START - timedelta(minutes=4)
    reopened = accounts.open(session.profile.profile_id)
    reopened.unlock(PASSWORD)
    with pytest.raises(LeaseExpiredError) as caught:
        reopened.households()
    assert caught.value.clock_turned_back
    reopened.close()
