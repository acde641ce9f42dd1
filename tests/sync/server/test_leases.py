"""Offline leases as a laptop receives them: signed, for this user and device, lasting 7 days
(2 for contractors, both configurable), and refused to revoked devices and users."""

from __future__ import annotations

import base64
from datetime import datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from app.lease import LeaseError, SignedLease, verify_lease
from sync.protocol import LeaseGrant
from sync.server.app import create_app
from sync.server.config import load_settings
from sync.server.deps import get_now
from sync.server.errors import ConfigError
from sync.server.models import Task
from tests.sync.server.conftest import World, make_settings, seed_world

FIXED_NOW = datetime.fromisoformat("2026-12-06T08:00:00+00:00")


def _lease(world: World, name: str) -> tuple[LeaseGrant, int]:
    response = world.get(name, "/v1/sync/lease")
    if response.status_code != 200:
        return LeaseGrant(payload="", signature="", public_key="", expires_at=FIXED_NOW), (
            response.status_code
        )
    return LeaseGrant.model_validate(response.json()), 200


def _verified(world: World, name: str, grant: LeaseGrant):  # type: ignore[no-untyped-def]
    account = world.accounts[name]
    return verify_lease(
        base64.b64decode(grant.public_key),
        SignedLease.from_wire(grant.payload, grant.signature),
        user_id=account.user_id,
        device_id=account.device_id,
    )


@pytest.fixture
def fixed_clock(world: World):  # type: ignore[no-untyped-def]
    world.app.dependency_overrides[get_now] = lambda: FIXED_NOW
    yield FIXED_NOW
    world.app.dependency_overrides.pop(get_now, None)


def test_a_field_worker_gets_a_signed_seven_day_lease(world: World, fixed_clock: datetime) -> None:
    grant, status = _lease(world, "fw_a")
    assert status == 200
    lease = _verified(world, "fw_a", grant)
    assert lease.role == "field_worker"
    assert lease.issued_at == fixed_clock
    assert lease.expires_at == grant.expires_at == fixed_clock + timedelta(days=7)


def test_a_contractor_gets_a_shorter_lease(world: World, fixed_clock: datetime) -> None:
    grant, status = _lease(world, "con_a")
    assert status == 200
    lease = _verified(world, "con_a", grant)
    assert lease.role == "contractor" and lease.purges_on_lapse
    assert lease.expires_at - lease.issued_at == timedelta(days=2)


def test_every_lease_is_signed_by_one_key_and_binds_user_and_device(world: World) -> None:
    field_grant, _ = _lease(world, "fw_a")
    other_grant, _ = _lease(world, "sup_1")
    assert field_grant.public_key == other_grant.public_key
    # A lease handed to another laptop does not open it.
    with pytest.raises(LeaseError):
        _verified(world, "fw_b", field_grant)


def test_revoked_device_and_revoked_user_get_no_lease(world: World) -> None:
    _, status = _lease(world, "fw_r")  # device revoked in the seeded world
    assert status == 403
    assert world.get("fw_r", "/v1/sync/lease").json()["code"] == "revoked"
    revoke = world.client.post(
        f"/v1/admin/users/{world.accounts['fw_b'].user_id}/revoke",
        headers=world.accounts["admin"].headers,
    )
    assert revoke.status_code == 200, revoke.text
    _, status = _lease(world, "fw_b")
    assert status == 403
    _, status = _lease(world, None)  # type: ignore[arg-type]
    assert status == 401


def test_lease_lengths_are_configurable(tmp_path, database_url: str) -> None:  # type: ignore[no-untyped-def]
    settings = make_settings(
        tmp_path, database_url, lease_ttl_s=3 * 24 * 3600, contractor_lease_ttl_s=6 * 3600
    )
    application = create_app(settings)
    try:
        with TestClient(application) as client:
            world = seed_world(application, client)
            application.dependency_overrides[get_now] = lambda: FIXED_NOW
            grant, _ = _lease(world, "fw_a")
            assert _verified(world, "fw_a", grant).duration == timedelta(days=3)
            grant, _ = _lease(world, "con_a")
            assert _verified(world, "con_a", grant).duration == timedelta(hours=6)
    finally:
        application.state.context.engine.dispose()


def test_lease_days_come_from_the_environment_and_nonsense_is_refused(tmp_path) -> None:  # type: ignore[no-untyped-def]
    env = {"JIAFANG_LEASE_DAYS": "5", "JIAFANG_CONTRACTOR_LEASE_DAYS": "0.5"}
    settings = load_settings(tmp_path / "d", env=env)
    assert settings.lease_ttl_s == 5 * 24 * 3600
    assert settings.contractor_lease_ttl_s == 12 * 3600
    defaults = load_settings(tmp_path / "e", env={})
    assert defaults.lease_ttl_s == 7 * 24 * 3600
    assert defaults.contractor_lease_ttl_s == 2 * 24 * 3600
    with pytest.raises(ConfigError) as refused:
        load_settings(tmp_path / "f", env={"JIAFANG_LEASE_DAYS": "seven"})
    assert refused.value.code == "config_lease"


def test_a_contractors_lease_ends_with_their_last_task_window(
    world: World, fixed_clock: datetime
) -> None:
    def set_window_end(end: datetime | None) -> None:
        with world.session() as session:
            task = session.get(Task, world.ids["T_b"])
            assert task is not None
            task.window_end = end
            session.add(task)
            session.commit()

    set_window_end(fixed_clock + timedelta(hours=20))
    grant, _ = _lease(world, "con_b")
    assert _verified(world, "con_b", grant).expires_at == fixed_clock + timedelta(hours=20)
    # A window further off than the lease length: the usual two days.
    set_window_end(fixed_clock + timedelta(days=5))
    grant, _ = _lease(world, "con_b")
    assert _verified(world, "con_b", grant).duration == timedelta(days=2)
    # A field worker's lease never depends on task windows.
    grant, _ = _lease(world, "fw_a")
    assert _verified(world, "fw_a", grant).duration == timedelta(days=7)
