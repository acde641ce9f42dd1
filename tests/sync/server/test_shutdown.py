"""`python -m sync.server` stops within its graceful-shutdown timeout after SIGTERM: idle
keep-alive connections and a request that never completes do not hold it up, and a push in
progress when the signal arrives is still applied, committed and acknowledged."""

from __future__ import annotations

import base64
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlmodel import Session

from app.domain import RegionLevel, Role
from sync.protocol import SCHEMA_VERSION
from sync.server import accounts
from sync.server.db import make_engine, run_migrations
from sync.server.models import SyncRecord
from tests.sync.server.conftest import PASSWORD, TEST_ARGON2, new_public_key

pytestmark = pytest.mark.slow

#: The timeout the server under test is started with (seconds).
SHUTDOWN_TIMEOUT = 3
#: After its shutdown uvicorn re-raises the signal it caught, so a stopped server ends "killed by
#: SIGTERM", which systemd counts as a clean stop (a crash would be another status).
CLEAN_EXIT = -signal.SIGTERM


@dataclass
class RunningServer:
    process: subprocess.Popen[bytes]
    port: int
    database_url: str
    token: str
    device_id: str

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> float:
        """SIGTERM; seconds until the process exited (fails if it outlives the timeout)."""
        started = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=SHUTDOWN_TIMEOUT + 15)
        return time.monotonic() - started


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def server(tmp_path: Path) -> Iterator[RunningServer]:
    database_url = f"sqlite:///{tmp_path / 'server.sqlite3'}"
    engine = make_engine(database_url)
    run_migrations(engine)
    with Session(engine) as session:
        accounts.create_region(session, "D1", RegionLevel.DISTRICT, "D")
        accounts.create_region(session, "S1", RegionLevel.STREET, "S", "D1")
        accounts.create_region(session, "C1", RegionLevel.COMMUNITY, "C", "S1")
        accounts.create_region(session, "G1", RegionLevel.GRID, "G", "C1")
        session.flush()
        accounts.create_user(
            session,
            username="w1",
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
    port = _free_port()
    command = [sys.executable, "-m", "sync.server", "--data-dir", str(tmp_path / "data")]
    command += ["--port", str(port), "--shutdown-timeout", str(SHUTDOWN_TIMEOUT)]
    process = subprocess.Popen(
        [*command, "--log-level", "warning"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).raise_for_status()
                break
            except httpx.TransportError:
                assert process.poll() is None, "server process exited"
                assert time.monotonic() < deadline, "server did not start"
                time.sleep(0.2)
        registered = httpx.post(
            f"http://127.0.0.1:{port}/v1/auth/register-device",
            json={"username": "w1", "password": PASSWORD, "public_key": new_public_key()},
            timeout=30,
        )
        assert registered.status_code == 201, registered.text
        pair = registered.json()
        yield RunningServer(process, port, database_url, pair["access_token"], pair["device_id"])
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=20)


def _push_body(server: RunningServer, household_id: str) -> bytes:
    mutation = {
        "mutation_id": str(uuid.uuid4()),
        "device_id": server.device_id,
        "entity": "household",
        "entity_id": household_id,
        "base_version": 0,
        "op": "upsert",
        "changed": {"grid_id": "G1", "head_name": "Test", "address": "A"},
        "hlc": f"{time.time_ns():016x}:0000:{server.device_id}",
        "schema_version": SCHEMA_VERSION,
    }
    return json.dumps({"mutations": [mutation]}).encode()


def _start_push(server: RunningServer, body: bytes, sent: int) -> http.client.HTTPConnection:
    """A push whose headers and first `sent` body bytes are on the wire, the rest not yet."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    connection.putrequest("POST", "/v1/sync/push")
    connection.putheader("Authorization", f"Bearer {server.token}")
    connection.putheader("Content-Type", "application/json")
    connection.putheader("Content-Length", str(len(body)))
    connection.endheaders(body[:sent])
    return connection


def _stored(server: RunningServer, household_id: str) -> SyncRecord | None:
    engine = make_engine(server.database_url)
    try:
        with Session(engine) as session:
            return session.get(SyncRecord, ("household", household_id))
    finally:
        engine.dispose()


def test_keep_alive_and_stuck_connections_do_not_hold_the_server_past_the_timeout(
    server: RunningServer,
) -> None:
    with httpx.Client(base_url=server.base, timeout=30) as keep_alive:
        # An idle keep-alive connection (the pool keeps it open after the answer)...
        assert keep_alive.get("/health").status_code == 200
        assert keep_alive.get("/health").status_code == 200
        # ...and a push whose body never finishes arriving, which uvicorn would wait for forever.
        stuck = _start_push(server, _push_body(server, str(uuid.uuid4())), sent=10)
        try:
            time.sleep(0.5)
            assert server.process.poll() is None
            elapsed = server.stop()
        finally:
            stuck.close()
    assert elapsed < SHUTDOWN_TIMEOUT + 5, elapsed
    # The stuck push was given its grace period, then cancelled: the server did not just die.
    assert elapsed >= SHUTDOWN_TIMEOUT - 0.5, elapsed
    assert server.process.returncode == CLEAN_EXIT


def test_a_push_in_progress_at_sigterm_is_committed_and_acknowledged(
    server: RunningServer,
) -> None:
    household_id = str(uuid.uuid4())
    body = _push_body(server, household_id)
    with httpx.Client(base_url=server.base, timeout=30) as keep_alive:
        assert keep_alive.get("/health").status_code == 200  # held open through the shutdown
        push = _start_push(server, body, sent=len(body) // 2)
        time.sleep(0.5)  # the server is reading the body now
        started = time.monotonic()
        server.process.send_signal(signal.SIGTERM)
        time.sleep(0.5)
        assert server.process.poll() is None, "the server exited with a push in progress"
        push.send(body[len(body) // 2 :])
        response = push.getresponse()
        answer: dict[str, Any] = json.loads(response.read())
        push.close()
        server.process.wait(timeout=SHUTDOWN_TIMEOUT + 15)
        elapsed = time.monotonic() - started
    assert response.status == 200, answer
    assert [r["status"] for r in answer["results"]] == ["applied"]
    assert server.process.returncode == CLEAN_EXIT
    # Once the push was answered nothing held the server: it did not sit out the timeout.
    assert elapsed < SHUTDOWN_TIMEOUT, elapsed
    # Acknowledged means committed: the record is in the database after the exit.
    stored = _stored(server, household_id)
    assert stored is not None and stored.version == 1
    with pytest.raises(httpx.TransportError):  # and the server is gone
        httpx.get(f"{server.base}/health", timeout=2)
