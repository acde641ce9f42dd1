"""Accounts and tokens as a laptop and an attacker experience them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from sqlmodel import select

from sync.server.deps import get_now
from sync.server.models import AccessToken, RefreshToken, User, utcnow
from tests.sync.server.conftest import PASSWORD, World, new_public_key


class Clock:
    """A movable clock for the server's `get_now` dependency."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def __call__(self) -> datetime:
        return utcnow() + self.offset


@pytest.fixture
def clock(world: World) -> Iterator[Clock]:
    clock = Clock()
    world.app.dependency_overrides[get_now] = clock
    yield clock
    world.app.dependency_overrides.pop(get_now, None)


def _login(world: World, name: str, password: str = PASSWORD, device: str | None = None):  # type: ignore[no-untyped-def]
    return world.client.post(
        "/v1/auth/login",
        json={
            "username": name,
            "password": password,
            "device_id": device or world.accounts.get(name, world.accounts["fw_a"]).device_id,
        },
    )


def test_login_gives_tokens_that_open_the_api(world: World) -> None:
    response = _login(world, "fw_a")
    assert response.status_code == 200
    pair = response.json()
    assert pair["role"] == "field_worker" and pair["expires_in"] <= 15 * 60
    me = world.client.get("/v1/me", headers={"Authorization": f"Bearer {pair['access_token']}"})
    assert me.status_code == 200
    assert me.json()["buckets"] == ["grid:G1", "reference"]


def test_unknown_user_and_wrong_password_get_the_same_answer(world: World) -> None:
    unknown = _login(world, "nobody_here", device=world.accounts["fw_a"].device_id)
    wrong = _login(world, "fw_a", password="wrong password")
    assert unknown.status_code == wrong.status_code == 401
    assert unknown.json() == wrong.json()
    assert wrong.json()["code"] == "invalid_credentials"


def test_repeated_failures_lock_the_name_known_or_not(world: World, clock: Clock) -> None:
    for _ in range(3):
        assert _login(world, "fw_a", password="guess").status_code == 401
        assert _login(world, "ghost", password="guess").status_code == 401
    locked_real = _login(world, "fw_a")  # even the right password is refused while locked
    locked_ghost = _login(world, "ghost", device=world.accounts["fw_a"].device_id)
    assert locked_real.status_code == locked_ghost.status_code == 429
    assert locked_real.json()["code"] == locked_ghost.json()["code"] == "locked"
    assert int(locked_real.headers["Retry-After"]) >= 1
    clock.offset = timedelta(minutes=5)
    assert _login(world, "fw_a").status_code == 200


def test_refresh_rotates_and_the_old_access_token_stops_working(world: World) -> None:
    account = world.accounts["fw_a"]
    old_access = account.access_token
    response = world.client.post(
        "/v1/auth/refresh",
        json={"refresh_token": account.refresh_token, "device_id": account.device_id},
    )
    assert response.status_code == 200
    pair = response.json()
    assert pair["refresh_token"] != account.refresh_token
    assert (
        world.client.get("/v1/me", headers={"Authorization": f"Bearer {old_access}"}).status_code
        == 401
    )
    new_headers = {"Authorization": f"Bearer {pair['access_token']}"}
    assert world.client.get("/v1/me", headers=new_headers).status_code == 200


def test_reusing_a_refresh_token_revokes_the_whole_family(world: World) -> None:
    account = world.accounts["fw_a"]
    stolen = account.refresh_token
    first = world.client.post(
        "/v1/auth/refresh", json={"refresh_token": stolen, "device_id": account.device_id}
    ).json()
    reuse = world.client.post(
        "/v1/auth/refresh", json={"refresh_token": stolen, "device_id": account.device_id}
    )
    assert reuse.status_code == 401 and reuse.json()["code"] == "token_reused"
    # The legitimate holder's newer tokens die too: both must log in again.
    headers = {"Authorization": f"Bearer {first['access_token']}"}
    me = world.client.get("/v1/me", headers=headers)
    assert me.status_code == 401 and me.json()["code"] == "token_reused"
    again = world.client.post(
        "/v1/auth/refresh",
        json={"refresh_token": first["refresh_token"], "device_id": account.device_id},
    )
    assert again.status_code == 401
    assert _login(world, "fw_a").status_code == 200


def test_refresh_token_is_bound_to_its_device(world: World) -> None:
    account = world.accounts["fw_a"]
    other_device = world.accounts["fw_b"].device_id
    response = world.client.post(
        "/v1/auth/refresh", json={"refresh_token": account.refresh_token, "device_id": other_device}
    )
    assert response.status_code == 401 and response.json()["code"] == "device_mismatch"
    assert world.client.get("/v1/me", headers=account.headers).status_code == 401


def test_expired_access_token_asks_for_refresh(world: World, clock: Clock) -> None:
    account = world.accounts["fw_a"]
    clock.offset = timedelta(minutes=16)
    response = world.client.get("/v1/me", headers=account.headers)
    assert response.status_code == 401 and response.json()["code"] == "token_expired"
    refreshed = world.client.post(
        "/v1/auth/refresh",
        json={"refresh_token": account.refresh_token, "device_id": account.device_id},
    )
    assert refreshed.status_code == 200


def test_device_revocation_takes_effect_on_the_next_request(world: World) -> None:
    account = world.accounts["fw_a"]
    assert world.client.get("/v1/me", headers=account.headers).status_code == 200
    revoke = world.client.post(
        f"/v1/admin/devices/{account.device_id}/revoke", headers=world.accounts["admin"].headers
    )
    assert revoke.status_code == 200
    me = world.client.get("/v1/me", headers=account.headers)
    assert me.status_code == 403 and me.json()["code"] == "revoked"
    pull = world.get("fw_a", "/v1/sync/pull", bucket="grid:G1")
    assert pull.status_code == 403 and pull.json()["code"] == "revoked"
    refresh = world.client.post(
        "/v1/auth/refresh",
        json={"refresh_token": account.refresh_token, "device_id": account.device_id},
    )
    assert refresh.status_code == 403 and refresh.json()["code"] == "revoked"
    login = _login(world, "fw_a")
    assert login.status_code == 403 and login.json()["code"] == "revoked"


def test_user_revocation_stops_every_device_of_the_user(world: World) -> None:
    second = world.client.post(
        "/v1/auth/register-device",
        json={"username": "fw_b", "password": PASSWORD, "public_key": new_public_key()},
    ).json()
    revoke = world.client.post(
        f"/v1/admin/users/{world.accounts['fw_b'].user_id}/revoke",
        headers=world.accounts["admin"].headers,
    )
    assert revoke.status_code == 200
    for token in (world.accounts["fw_b"].access_token, second["access_token"]):
        response = world.client.get("/v1/me", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 403 and response.json()["code"] == "revoked"


def test_only_admins_revoke(world: World) -> None:
    response = world.client.post(
        f"/v1/admin/devices/{world.accounts['fw_b'].device_id}/revoke",
        headers=world.accounts["sup_1"].headers,
    )
    assert response.status_code == 403
    assert world.client.get("/v1/me", headers=world.accounts["fw_b"].headers).status_code == 200


def test_logout_ends_the_session(world: World) -> None:
    account = world.accounts["fw_a"]
    assert world.client.post("/v1/auth/logout", headers=account.headers).status_code == 204
    assert world.client.get("/v1/me", headers=account.headers).status_code == 401


def test_device_registration_checks_the_key_and_the_device_owner(world: World) -> None:
    bad_key = world.client.post(
        "/v1/auth/register-device",
        json={"username": "fw_a", "password": PASSWORD, "public_key": "A" * 44},
    )
    assert bad_key.status_code == 422
    foreign = _login(world, "fw_a", device=world.accounts["fw_b"].device_id)
    assert foreign.status_code == 403 and foreign.json()["code"] == "device_mismatch"


def test_only_hashes_are_stored(world: World) -> None:
    account = world.accounts["fw_a"]
    with world.session() as session:
        user = session.exec(select(User).where(User.username == "fw_a")).one()
        assert user.password_hash.startswith("$argon2id$v=19$")
        assert PASSWORD not in user.password_hash
        stored = {t.token_hash for t in session.exec(select(AccessToken))}
        stored |= {t.token_hash for t in session.exec(select(RefreshToken))}
    assert account.access_token not in stored and account.refresh_token not in stored
