"""Server test fixtures: a migrated server per test (SQLite and PostgreSQL), a TestClient and a
small seeded world of regions, agencies, users with registered devices, households and tasks.

World (D = district, S = street, C = community, G = grid, A = agency, T = task):

    D1/S1/C1/{G1, G2}     D2/S2/C2/G3
    H1 in G1, H2 in G2, H3 in G3; each with one member (M1, M2, M3)
    T_open   agency A1, H1, open       T_closed agency A1, H2, closed
    T_b      agency A2, H3, open
    fw_a: field worker of G1   fw_b: field worker of G2   fw_r: field worker of G1, device revoked
    sup_1: supervisor of S1    sup_2: supervisor of S2    admin: admin of everything
    con_a: contractor of A1    con_b: contractor of A2    aadm_a: agency admin of A1
"""

from __future__ import annotations

import base64
import itertools
import os
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.crypto.device import DeviceKey
from app.domain import RegionLevel, Role
from sync.protocol import SCHEMA_VERSION
from sync.server import accounts, visit_checks
from sync.server.app import create_app
from sync.server.audit import bind_keys
from sync.server.config import Argon2Params, Settings, normalise_database_url
from sync.server.deps import ServerContext

#: Cheap Argon2id so the suite stays fast; production defaults are in config.Argon2Params.
TEST_ARGON2 = Argon2Params(memory_kib=64, iterations=1, lanes=1)
PASSWORD = "correct horse battery"

#: A marker name and ID number (valid GB 11643 check digit) that must never appear in plaintext.
MARKER_NAME = "ZhangMarkerSanfeng"
MARKER_ID = "11010519491231002X"


def new_public_key() -> str:
    raw = Ed25519PrivateKey.generate().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return base64.b64encode(raw).decode()


def make_settings(tmp_path: Any, database_url: str, **overrides: Any) -> Settings:
    data_dir = tmp_path / "data"
    data_dir.mkdir(parents=True, exist_ok=True)
    values: dict[str, Any] = {
        "data_dir": data_dir,
        "database_url": normalise_database_url(database_url),
        "master_key": os.urandom(32),
        "argon2": TEST_ARGON2,
        "lockout_threshold": 3,
    }
    values.update(overrides)
    return Settings(**values)


@pytest.fixture
def settings(tmp_path: Any, database_url: str) -> Settings:
    return make_settings(tmp_path, database_url)


@pytest.fixture
def server_app(settings: Settings) -> Iterator[FastAPI]:
    application = create_app(settings)
    yield application
    application.state.context.engine.dispose()


@pytest.fixture
def client(server_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(server_app) as test_client:
        yield test_client


@dataclass
class Account:
    name: str
    user_id: str
    device_id: str = ""
    access_token: str = ""
    refresh_token: str = ""
    #: the registered device's signing key (after `World.register`)
    key: DeviceKey | None = None

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access_token}"}


@dataclass
class World:
    app: FastAPI
    client: TestClient
    accounts: dict[str, Account] = field(default_factory=dict)
    ids: dict[str, str] = field(default_factory=dict)
    _hlc_counter: itertools.count[int] = field(default_factory=itertools.count)

    @property
    def context(self) -> ServerContext:
        context: ServerContext = self.app.state.context
        return context

    def session(self) -> Session:
        session = Session(self.context.engine, expire_on_commit=False)
        bind_keys(session, self.context.keys)
        return session

    def register(self, name: str) -> Account:
        account = self.accounts[name]
        account.key = DeviceKey.generate()
        response = self.client.post(
            "/v1/auth/register-device",
            json={
                "username": name,
                "password": PASSWORD,
                "public_key": base64.b64encode(account.key.public_key).decode(),
                "name": name,
            },
        )
        assert response.status_code == 201, response.text
        pair = response.json()
        account.device_id = pair["device_id"]
        account.access_token = pair["access_token"]
        account.refresh_token = pair["refresh_token"]
        return account

    def hlc(self, device: str) -> str:
        return f"{time.time_ns() // 1_000_000:016x}:{next(self._hlc_counter):04x}:{device}"

    def mutation(
        self,
        name: str,
        entity: str,
        entity_id: str,
        changed: dict[str, Any],
        *,
        base_version: int = 0,
        household_id: str | None = None,
        op: str = "upsert",
        hlc: str | None = None,
    ) -> dict[str, Any]:
        device = self.accounts[name].device_id
        return {
            "mutation_id": str(uuid.uuid4()),
            "device_id": device,
            "entity": entity,
            "entity_id": entity_id,
            "household_id": household_id,
            "base_version": base_version,
            "op": op,
            "changed": changed,
            "hlc": hlc or self.hlc(device),
            "schema_version": SCHEMA_VERSION,
        }

    def push(self, name: str, mutations: list[dict[str, Any]]) -> dict[str, Any]:
        response = self.client.post(
            "/v1/sync/push", json={"mutations": mutations}, headers=self.accounts[name].headers
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def get(self, name: str | None, path: str, **params: Any) -> Any:
        headers = self.accounts[name].headers if name else {}
        return self.client.get(path, params=params, headers=headers)

    def wait_for_checks(self) -> None:
        """Until every finished visit pushed so far has its checks (`visit_checks`: made after
        the push). The rest are made here, as a supervisor's read makes them: the server's
        worker waits for a spare core, which a busy test machine seldom has. (The worker
        itself: tests/sync/server/test_visit_checks.py.)"""
        visit_checks.make_pending_checks(self.context.engine, self.context.keys)


def household_fields(grid: str, head: str, n: int) -> dict[str, Any]:
    return {
        "grid_id": grid,
        "status": "active",
        "category": "minimum_living",
        "head_name": head,
        "address": f"No. {n} Example Lane",
        "phone": f"1380000{n:04d}",
    }


def member_fields(household_id: str, name: str, id_number: str) -> dict[str, Any]:
    return {
        "household_id": household_id,
        "name": name,
        "id_number": id_number,
        "relation": "head",
        "health": "serious",
    }


#: Other valid ID numbers for the seeded members.
ID_M2 = "110105198001010011"
ID_M3 = "310101199002020024"


def seed_world(application: FastAPI, test_client: TestClient) -> World:
    world = World(app=application, client=test_client)
    argon2 = world.context.settings.argon2
    with world.session() as session:
        accounts.create_region(session, "D1", RegionLevel.DISTRICT, "District One")
        accounts.create_region(session, "S1", RegionLevel.STREET, "Street One", "D1")
        accounts.create_region(session, "C1", RegionLevel.COMMUNITY, "Community One", "S1")
        accounts.create_region(session, "G1", RegionLevel.GRID, "Grid One", "C1")
        accounts.create_region(session, "G2", RegionLevel.GRID, "Grid Two", "C1")
        accounts.create_region(session, "D2", RegionLevel.DISTRICT, "District Two")
        accounts.create_region(session, "S2", RegionLevel.STREET, "Street Two", "D2")
        accounts.create_region(session, "C2", RegionLevel.COMMUNITY, "Community Two", "S2")
        accounts.create_region(session, "G3", RegionLevel.GRID, "Grid Three", "C2")
        session.flush()
        accounts.create_agency(session, "A1", "Agency One")
        accounts.create_agency(session, "A2", "Agency Two")
        session.flush()
        specs: list[tuple[str, Role, dict[str, Any]]] = [
            ("fw_a", Role.FIELD_WORKER, {"grid_ids": ["G1"]}),
            ("fw_b", Role.FIELD_WORKER, {"grid_ids": ["G2"]}),
            ("fw_r", Role.FIELD_WORKER, {"grid_ids": ["G1"]}),
            ("sup_1", Role.SUPERVISOR, {"region_id": "S1"}),
            ("sup_2", Role.SUPERVISOR, {"region_id": "S2"}),
            ("admin", Role.ADMIN, {}),
            ("con_a", Role.CONTRACTOR, {"agency_id": "A1"}),
            ("con_b", Role.CONTRACTOR, {"agency_id": "A2"}),
            ("aadm_a", Role.AGENCY_ADMIN, {"agency_id": "A1"}),
        ]
        for name, role, extra in specs:
            user = accounts.create_user(
                session, username=name, password=PASSWORD, role=role, argon2=argon2, **extra
            )
            world.accounts[name] = Account(name=name, user_id=user.id)
        session.commit()
    for name in world.accounts:
        world.register(name)

    # Households and members, pushed by the admin (who reaches every grid).
    for n, (hid, grid, head, mid, id_number) in enumerate(
        [
            ("H1", "G1", MARKER_NAME, "M1", MARKER_ID),
            ("H2", "G2", "Li Er", "M2", ID_M2),
            ("H3", "G3", "Wang San", "M3", ID_M3),
        ],
        start=1,
    ):
        world.ids[hid] = str(uuid.uuid4())
        world.ids[mid] = str(uuid.uuid4())
        body = world.push(
            "admin",
            [
                world.mutation(
                    "admin", "household", world.ids[hid], household_fields(grid, head, n)
                ),
                world.mutation(
                    "admin",
                    "member",
                    world.ids[mid],
                    member_fields(world.ids[hid], head, id_number),
                    household_id=world.ids[hid],
                ),
            ],
        )
        assert [r["status"] for r in body["results"]] == ["applied", "applied"], body

    with world.session() as session:
        world.ids["T_open"] = accounts.create_task(
            session, kind="periodic_review", household_ids=[world.ids["H1"]], agency_id="A1"
        ).id
        world.ids["T_closed"] = accounts.create_task(
            session, kind="periodic_review", household_ids=[world.ids["H2"]], agency_id="A1"
        ).id
        world.ids["T_b"] = accounts.create_task(
            session, kind="clue_check", household_ids=[world.ids["H3"]], agency_id="A2"
        ).id
        session.commit()
        accounts.close_task(session, world.ids["T_closed"])
        session.commit()
    revoke = test_client.post(
        f"/v1/admin/devices/{world.accounts['fw_r'].device_id}/revoke",
        headers=world.accounts["admin"].headers,
    )
    assert revoke.status_code == 200, revoke.text
    return world


@pytest.fixture
def world(server_app: FastAPI, client: TestClient) -> World:
    return seed_world(server_app, client)
