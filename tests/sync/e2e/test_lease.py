"""The offline lease over the real server: renewed at each sync, household data locked once it
lapses (or the clock is turned back) until the next sync, and a contractor's households purged
when theirs lapses. The laptop's clock is a movable one; nothing sleeps."""

from __future__ import annotations

import base64
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.domain import VisitKind
from app.errors import StoreError
from app.lease import HeldLease, LeaseExpiredError, OfflineLease, public_key_bytes, sign_lease
from app.services.backoff import UnlockBackoff
from app.services.profiles import ProfileInfo
from app.services.session import AccountSession
from sync.client import ClientConfig, SyncEngine
from tests.sync.e2e.harness import PASSWORD, Laptop, LiveServer, household_content
from tests.sync.e2e.test_buckets_and_wipe import MARKER_NAME, _profile_bytes, _secret_bytes

LaptopFactory = Callable[[str], Laptop]
START = datetime.now(UTC).replace(microsecond=0)


class MovableClock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


def _engine(laptop: Laptop, clock: MovableClock) -> SyncEngine:
    engine = SyncEngine(
        laptop.db,
        ClientConfig(server_url=laptop.server_url, max_attempts=4, backoff_base_s=0.02),
        username=laptop.user,
        password=PASSWORD,
        clock=clock,
    )
    laptop.engines.append(engine)
    return engine


def _session(laptop: Laptop, clock: MovableClock, role: str) -> AccountSession:
    profile = ProfileInfo(
        profile_id="0" * 32,
        path=laptop.folder,
        account=laptop.user,
        server_url=laptop.server_url,
        user_id=laptop.db.user_id,
        device_id=laptop.device_id,
        display_name=laptop.user,
        role=role,
        created_at=START,
    )
    return AccountSession(
        profile, laptop.db, UnlockBackoff(laptop.folder / "unlock.json"), clock=clock
    )


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock()


def test_a_lapsed_lease_locks_the_data_until_the_next_sync_renews_it(
    server: LiveServer, laptop_factory: LaptopFactory, clock: MovableClock
) -> None:
    fw1 = laptop_factory("fw1")
    fw1.db.create_household(grid_id="G1", content=household_content("王芳", 1))
    session = _session(fw1, clock, "field_worker")
    # Registered before leases existed (the harness asks for none): a missing lease is a
    # lapsed one, so the data waits for the first sync.
    assert session.lease_status().state == "expired"
    with pytest.raises(LeaseExpiredError):
        session.households()

    report = _engine(fw1, clock).run_once()
    assert report.ok
    assert report.lease_expires_at == START + timedelta(days=7)
    status = session.lease_status()
    assert (status.state, status.expires_at, status.purges_on_lapse) == (
        "valid",
        START + timedelta(days=7),
        False,
    )
    assert [h.head_name for h in session.households()] == ["王芳"]

    clock.now = START + timedelta(days=7, seconds=1)
    with pytest.raises(LeaseExpiredError) as lapsed:
        session.households()
    assert lapsed.value.code == "lease_expired" and lapsed.value.purged == 0
    assert "离线授权已过期" in lapsed.value.message_zh
    with pytest.raises(LeaseExpiredError):
        session.home()
    assert session.lease_status().state == "expired"
    assert len(fw1.db.list_households()) == 1  # a field worker's data stays, only locked
    # Unlocking still works, so the user can sync.
    session.lock()
    session.unlock(PASSWORD)

    renewed = fw1.engines[0].run_once()
    assert renewed.ok
    assert renewed.lease_expires_at == clock.now + timedelta(days=7)
    assert [h.head_name for h in session.households()] == ["王芳"]


def test_a_clock_turned_back_locks_the_data_until_a_sync(
    server: LiveServer, laptop_factory: LaptopFactory, clock: MovableClock
) -> None:
    fw1 = laptop_factory("fw1")
    fw1.db.create_household(grid_id="G1", content=household_content("王芳", 1))
    session = _session(fw1, clock, "field_worker")
    assert _engine(fw1, clock).run_once().ok

    clock.now = START + timedelta(days=6)
    assert len(session.households()) == 1  # day six: still fine, and remembered
    clock.now = START + timedelta(days=1)  # set back to stretch the lease
    with pytest.raises(LeaseExpiredError) as caught:
        session.households()
    assert caught.value.code == "lease_clock" and caught.value.clock_turned_back
    assert session.lease_status().state == "clock_turned_back"

    assert fw1.engines[0].run_once().ok
    assert len(session.households()) == 1


def test_a_contractors_lapsed_lease_purges_their_households(
    server: LiveServer, laptop_factory: LaptopFactory, clock: MovableClock
) -> None:
    fw1, con = laptop_factory("fw1"), laptop_factory("con")
    tasked = [
        fw1.db.create_household(
            grid_id="G1", content=household_content(f"{MARKER_NAME}{n}", n, members=2)
        ).household_id
        for n in range(3)
    ]
    assert fw1.engine().run_once().ok
    server.create_task(tasked)

    session = _session(con, clock, "contractor")
    first = _engine(con, clock).run_once()
    assert first.ok and first.lease_expires_at == START + timedelta(days=2)
    assert session.lease_status().purges_on_lapse
    assert len(session.households()) == 3
    secrets = _secret_bytes(con, tasked)
    assert len(secrets) == 12
    # One household has an edit the contractor has not sent yet.
    edited = tasked[0]
    con.db.update_household(edited, phone="13900001234")
    kept_secrets = _secret_bytes(con, [edited])
    doomed = tasked[1:]
    doomed_secrets = _secret_bytes(con, doomed)

    clock.now = START + timedelta(days=2, minutes=1)
    with pytest.raises(LeaseExpiredError) as lapsed:
        session.households()
    assert lapsed.value.purged == 2

    for hid in doomed:
        with pytest.raises(StoreError):
            con.db.get_household(hid)
    after = _profile_bytes(con.folder)
    # Marker scan: no data key and no ciphertext of the purged households left in any file.
    assert not [s for s in doomed_secrets if s in after]
    assert MARKER_NAME.encode() not in after
    # The unsent edit is not destroyed: its household stays, encrypted and locked.
    assert all(s in after for s in kept_secrets)
    assert con.db.pending_count() == 1
    with pytest.raises(LeaseExpiredError):
        session.household_file(edited)

    # The next sync sends the edit, renews the lease and brings back what the task still holds.
    report = con.engines[0].run_once()
    assert report.ok and report.acknowledged == 1
    assert {h.household_id for h in session.households()} == set(tasked)


def test_a_lease_signed_by_another_key_is_refused(
    server: LiveServer, laptop_factory: LaptopFactory, clock: MovableClock
) -> None:
    fw1 = laptop_factory("fw1")
    session = _session(fw1, clock, "field_worker")
    # This laptop pinned a different key (say, a rogue server answered its registration).
    rogue = Ed25519PrivateKey.generate()
    lease = OfflineLease(
        user_id=fw1.db.user_id,
        device_id=fw1.device_id,
        role="field_worker",
        issued_at=START - timedelta(days=10),
        expires_at=START - timedelta(days=3),
    )
    fw1.db.put_lease_record(
        HeldLease.accept(
            public_key_bytes(rogue),
            sign_lease(rogue, lease),
            user_id=fw1.db.user_id,
            device_id=fw1.device_id,
            now=START - timedelta(days=10),
        ).to_record()
    )
    assert session.lease_status().state == "expired"

    report = _engine(fw1, clock).run_once()
    assert report.outcome == "error" and report.error_code == "lease_invalid"
    assert report.lease_expires_at is None
    assert session.lease_status().state == "expired"  # still locked
    kept = fw1.db.lease_record()
    assert kept is not None
    assert base64.b64decode(kept["public_key"]) == public_key_bytes(rogue)


def _contractor_with_a_task(
    server: LiveServer, laptop_factory: LaptopFactory, clock: MovableClock, households: int
) -> tuple[Laptop, AccountSession, list[str]]:
    """A worker's households, a task giving them to the contractor, and the contractor's laptop
    synced once under its lease (on `clock`)."""
    fw1, con = laptop_factory("fw1"), laptop_factory("con")
    tasked = [
        fw1.db.create_household(grid_id="G1", content=household_content(f"户主{n}", n)).household_id
        for n in range(households)
    ]
    assert fw1.engine().run_once().ok
    server.create_task(tasked)
    session = _session(con, clock, "contractor")
    assert _engine(con, clock).run_once().ok
    return con, session, tasked


def test_a_contractors_lapse_keeps_a_visit_form_autosaved_since_the_last_sync(
    server: LiveServer, laptop_factory: LaptopFactory, clock: MovableClock
) -> None:
    con, session, tasked = _contractor_with_a_task(server, laptop_factory, clock, 2)
    visited = tasked[0]
    visit = session.start_visit(visited, VisitKind.PERIODIC_REVIEW)
    assert con.engines[0].run_once().ok  # the draft visit is on the server; the outbox is empty
    assert con.db.pending_count() == 0
    # An afternoon of typing: the form autosaves its state (not an outbox row) while offline.
    session.autosave_visit(visit.visit_id, {"notes": "两室一厅，家具陈旧"})

    clock.now = START + timedelta(days=2, minutes=1)
    with pytest.raises(LeaseExpiredError) as lapsed:
        session.households()
    assert lapsed.value.purged == 1  # the other household goes
    with pytest.raises(StoreError):
        con.db.get_household(tasked[1])
    # The typing is not shredded: the household with the autosaved form stays, locked.
    assert [d.content for d in con.db.recover_drafts()] == [{"notes": "两室一厅，家具陈旧"}]


def test_a_contractor_whose_every_household_has_unsent_work_is_told_none_was_removed(
    server: LiveServer, laptop_factory: LaptopFactory, clock: MovableClock
) -> None:
    con, session, tasked = _contractor_with_a_task(server, laptop_factory, clock, 2)
    for hid in tasked:
        con.db.update_household(hid, phone="13900001234")

    clock.now = START + timedelta(days=2, minutes=1)
    session.lock()
    session.unlock(PASSWORD)  # the lapse is found (and the purge runs) at unlock
    with pytest.raises(LeaseExpiredError) as lapsed:
        session.households()
    assert (lapsed.value.purged, lapsed.value.kept) == (0, 2)
    assert len(con.db.list_households()) == 2


def test_households_removed_at_unlock_are_still_reported_by_the_next_screen(
    server: LiveServer, laptop_factory: LaptopFactory, clock: MovableClock
) -> None:
    con, session, tasked = _contractor_with_a_task(server, laptop_factory, clock, 3)
    con.db.update_household(tasked[0], phone="13900001234")

    clock.now = START + timedelta(days=2, minutes=1)
    session.lock()
    session.unlock(PASSWORD)
    with pytest.raises(LeaseExpiredError) as lapsed:
        session.households()
    assert (lapsed.value.purged, lapsed.value.kept) == (2, 1)
    # After a renewal the count starts again.
    assert con.engines[0].run_once().ok
    assert len(session.households()) == 3
