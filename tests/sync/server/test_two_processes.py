"""Two real server processes on one database under concurrent pushes, with a client pulling
throughout: the client ends with exactly the server's rows (checksums equal)."""

from __future__ import annotations

import base64
import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlmodel import Session

from app.domain import RegionLevel, Role
from sync.protocol import SCHEMA_VERSION, bucket_checksum
from sync.server import accounts
from sync.server.config import normalise_database_url
from sync.server.db import make_engine, run_migrations
from tests.sync.server.conftest import PASSWORD, TEST_ARGON2, new_public_key

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def two_servers(tmp_path: Path, database_url: str) -> Iterator[list[str]]:
    engine = make_engine(normalise_database_url(database_url))
    run_migrations(engine)
    with Session(engine) as session:
        accounts.create_region(session, "D1", RegionLevel.DISTRICT, "D")
        accounts.create_region(session, "S1", RegionLevel.STREET, "S", "D1")
        accounts.create_region(session, "C1", RegionLevel.COMMUNITY, "C", "S1")
        accounts.create_region(session, "G1", RegionLevel.GRID, "G", "C1")
        session.flush()
        for name in ("w1", "w2", "w3"):
            accounts.create_user(
                session,
                username=name,
                password=PASSWORD,
                role=Role.FIELD_WORKER,
                argon2=TEST_ARGON2,
                grid_ids=["G1"],
            )
        session.commit()
    engine.dispose()
    env = {k: v for k, v in os.environ.items() if not k.startswith("JIAFANG_")}
    env["JIAFANG_SERVER_MASTER_KEY"] = base64.b64encode(os.urandom(32)).decode()
    env["JIAFANG_DATABASE_URL"] = database_url
    processes: list[subprocess.Popen[bytes]] = []
    bases: list[str] = []
    try:
        for _ in range(2):
            port = _free_port()
            processes.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "sync.server",
                        "--data-dir",
                        str(tmp_path / "shared"),
                        "--port",
                        str(port),
                        "--log-level",
                        "warning",
                    ],
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
            bases.append(f"http://127.0.0.1:{port}")
        deadline = time.monotonic() + 60
        for base, process in zip(bases, processes, strict=True):
            while True:
                try:
                    httpx.get(f"{base}/health", timeout=2).raise_for_status()
                    break
                except httpx.TransportError:
                    assert process.poll() is None, "server process exited"
                    assert time.monotonic() < deadline, "server did not start"
                    time.sleep(0.2)
        yield bases
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=20)


def _register(base: str, name: str) -> dict[str, Any]:
    response = httpx.post(
        f"{base}/v1/auth/register-device",
        json={"username": name, "password": PASSWORD, "public_key": new_public_key()},
        timeout=30,
    )
    assert response.status_code == 201, response.text
    pair: dict[str, Any] = response.json()
    return pair


def test_two_processes_concurrent_pushes_and_a_pulling_client_converge(
    two_servers: list[str],
) -> None:
    first, second = two_servers
    writers = [_register(first, "w1"), _register(second, "w2")]
    reader = _register(second, "w3")
    household = str(uuid.uuid4())
    seed = httpx.post(
        f"{first}/v1/sync/push",
        headers={"Authorization": f"Bearer {writers[0]['access_token']}"},
        json={
            "mutations": [
                {
                    "mutation_id": str(uuid.uuid4()),
                    "device_id": writers[0]["device_id"],
                    "entity": "household",
                    "entity_id": household,
                    "base_version": 0,
                    "op": "upsert",
                    "changed": {"grid_id": "G1", "head_name": "Test", "address": "A"},
                    "hlc": "0000000000000001:0000:seed",
                    "schema_version": SCHEMA_VERSION,
                }
            ]
        },
        timeout=30,
    )
    assert seed.json()["results"][0]["status"] == "applied"
    errors: list[str] = []
    stop = threading.Event()

    def pusher(index: int) -> None:
        writer = writers[index % 2]
        base = two_servers[index % 2]
        with httpx.Client(
            base_url=base, headers={"Authorization": f"Bearer {writer['access_token']}"}, timeout=60
        ) as c:
            for batch in range(5):
                mutations = [
                    {
                        "mutation_id": str(uuid.uuid4()),
                        "device_id": writer["device_id"],
                        "entity": "visit",
                        "entity_id": str(uuid.uuid4()),
                        "household_id": household,
                        "base_version": 0,
                        "op": "upsert",
                        "changed": {"status": "draft", "n": n},
                        "hlc": f"{time.time_ns():016x}:{n:04x}:{writer['device_id']}",
                        "schema_version": SCHEMA_VERSION,
                    }
                    for n in range(10)
                ]
                response = c.post("/v1/sync/push", json={"mutations": mutations})
                if response.status_code != 200 or {
                    r["status"] for r in response.json()["results"]
                } != {"applied"}:
                    errors.append(f"{index}/{batch}: {response.status_code}")

    state: dict[tuple[str, str], int] = {}
    since = 0

    def pull_until_done(client: httpx.Client) -> None:
        nonlocal since
        while True:
            page = client.get(
                "/v1/sync/pull", params={"bucket": "grid:G1", "since": since, "limit": 9}
            ).json()
            for record in page["records"]:
                state[(record["entity"], record["id"])] = record["version"]
            since = page["next_since"]
            if not page["has_more"]:
                return

    def puller() -> None:
        with httpx.Client(
            base_url=first,
            headers={"Authorization": f"Bearer {reader['access_token']}"},
            timeout=60,
        ) as c:
            while not stop.is_set():
                pull_until_done(c)

    pull_thread = threading.Thread(target=puller)
    pull_thread.start()
    threads = [threading.Thread(target=pusher, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    stop.set()
    pull_thread.join(timeout=120)
    with httpx.Client(
        base_url=second, headers={"Authorization": f"Bearer {reader['access_token']}"}, timeout=60
    ) as c:
        pull_until_done(c)
        server = c.get("/v1/sync/checksum", params={"bucket": "grid:G1"}).json()
    assert errors == []
    assert server["count"] == 1 + 4 * 5 * 10
    assert bucket_checksum((e, i, v) for (e, i), v in state.items()) == (
        server["count"],
        server["hash"],
    )
