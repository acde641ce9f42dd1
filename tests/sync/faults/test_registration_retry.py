"""Registration that fails after the server recorded the device (the first lease never
arrives): the error says so, and a retry on the same laptop re-uses that device instead of
leaving it behind (real server, fault proxy in between)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import select

from app.crypto import KdfParams
from app.errors import RegistrationIncompleteError
from app.services.profiles import PENDING_FILE_NAME, ProfileDirectory
from app.services.session import AccountService
from sync.client import ClientConfig, SyncEngine
from sync.server.models import Device, User
from tests.sync.e2e.harness import PASSWORD, LiveServer
from tests.sync.faults.proxy import Fault, FaultProxy
from ui.app import server_registration


def _devices(server: LiveServer, username: str) -> list[Device]:
    with server.session() as session:
        user = session.exec(select(User).where(User.username == username)).one()
        return list(session.exec(select(Device).where(Device.user_id == user.id)))


def _accounts(tmp_path: Path) -> AccountService:
    return AccountService(
        ProfileDirectory(tmp_path / "base"),
        register=server_registration,
        kdf=KdfParams.for_tests(),
    )


def _lose_the_lease(proxy: FaultProxy) -> None:
    # Every attempt of the lease fetch after the device was registered is cut off.
    proxy.add(Fault("drop", method="GET", path_prefix="/v1/sync/lease", times=6))


@pytest.mark.slow
def test_a_registration_cut_off_after_the_device_was_recorded_is_resumed_on_retry(
    server: LiveServer, proxy: FaultProxy, tmp_path: Path
) -> None:
    accounts = _accounts(tmp_path)
    before = len(_devices(server, "fw1"))
    _lose_the_lease(proxy)

    with pytest.raises(RegistrationIncompleteError) as failed:
        accounts.register(proxy.url, "fw1", PASSWORD)

    assert "registered on the server" in failed.value.message_en
    assert "try again" in failed.value.message_en
    assert "重试" in failed.value.message_zh
    assert accounts.profiles() == []  # nothing half-made on the laptop
    devices = _devices(server, "fw1")
    assert len(devices) == before + 1
    half = failed.value.device_id
    assert half in {d.id for d in devices}

    proxy.clear()
    session = accounts.register(proxy.url, "fw1", PASSWORD)
    try:
        # The same device, not a second one; the lease arrived and the laptop syncs.
        assert session.profile.device_id == half
        assert len(_devices(server, "fw1")) == before + 1
        assert session.lease_status().state == "valid"
        assert not (tmp_path / "base" / PENDING_FILE_NAME).exists()
        engine = SyncEngine(
            session.store, ClientConfig(server_url=proxy.url), username="fw1", password=PASSWORD
        )
        try:
            assert engine.run_once().ok
        finally:
            engine.close()
    finally:
        session.close()


@pytest.mark.slow
def test_a_retry_after_the_half_registered_device_was_revoked_registers_a_new_one(
    server: LiveServer, proxy: FaultProxy, tmp_path: Path
) -> None:
    accounts = _accounts(tmp_path)
    _lose_the_lease(proxy)
    with pytest.raises(RegistrationIncompleteError) as failed:
        accounts.register(proxy.url, "fw1", PASSWORD)
    server.revoke_device(failed.value.device_id)  # an administrator cleaned it up meanwhile

    proxy.clear()
    session = accounts.register(proxy.url, "fw1", PASSWORD)
    try:
        assert session.profile.device_id != failed.value.device_id
        assert session.lease_status().state == "valid"
    finally:
        session.close()
