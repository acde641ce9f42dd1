"""Start-up: configuration, migrations from empty on both backends, health, the real server."""

from __future__ import annotations

import base64
import os
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import inspect

from sync.server.config import (
    ENV_MASTER_KEY,
    load_master_key,
    load_settings,
    normalise_database_url,
)
from sync.server.errors import ConfigError
from tests.sync.server.conftest import PASSWORD, new_public_key


def test_postgres_urls_use_psycopg3() -> None:
    assert normalise_database_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_database_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_database_url("sqlite:///x.db") == "sqlite:///x.db"
    with pytest.raises(ConfigError):
        normalise_database_url("postgresql+psycopg2://u@h/db")
    with pytest.raises(ConfigError):
        normalise_database_url("mysql://u@h/db")


def test_defaults_put_sqlite_and_a_private_key_file_in_the_data_dir(tmp_path: Path) -> None:
    settings = load_settings(tmp_path / "d", env={})
    assert settings.database_url == f"sqlite:///{tmp_path / 'd' / 'jiafang.sqlite3'}"
    key_file = tmp_path / "d" / "server_master.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    again = load_settings(tmp_path / "d", env={})
    assert again.master_key == settings.master_key  # same key on restart


def test_environment_supplies_database_url_and_key(tmp_path: Path) -> None:
    key = os.urandom(32)
    env = {
        "JIAFANG_DATABASE_URL": "postgresql://postgres@127.0.0.1/x",
        ENV_MASTER_KEY: base64.b64encode(key).decode(),
    }
    settings = load_settings(tmp_path, env=env)
    assert settings.database_url.startswith("postgresql+psycopg://")
    assert settings.master_key == key
    assert not (tmp_path / "server_master.key").exists()
    with pytest.raises(ConfigError):
        load_master_key(tmp_path, {ENV_MASTER_KEY: "c2hvcnQ="})


def test_migrations_build_the_schema_from_empty(client: TestClient) -> None:
    engine = client.app.state.context.engine  # type: ignore[attr-defined]
    tables = set(inspect(engine).get_table_names())
    assert {
        "user",
        "device",
        "sync_record",
        "record_bucket",
        "audit_entry",
        "alembic_version",
    } <= tables
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.json()["database"] == engine.dialect.name


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.slow
def test_real_server_on_loopback(tmp_path: Path) -> None:
    """`python -m sync.server` with no configuration but a data dir serves HTTP on loopback."""
    from sqlmodel import Session

    from app.domain import Role
    from sync.server import accounts
    from sync.server.config import Argon2Params
    from sync.server.db import make_engine, run_migrations

    data_dir = tmp_path / "srv"
    settings = load_settings(data_dir, env={})
    engine = make_engine(settings.database_url)
    run_migrations(engine)
    with Session(engine) as session:
        accounts.create_user(
            session,
            username="worker",
            password=PASSWORD,
            role=Role.FIELD_WORKER,
            argon2=Argon2Params(memory_kib=64, iterations=1, lanes=1),
        )
        session.commit()
    engine.dispose()

    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("JIAFANG_")}
    process = subprocess.Popen(
        [sys.executable, "-m", "sync.server", "--data-dir", str(data_dir), "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                health = httpx.get(f"{base}/health", timeout=2)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise
                time.sleep(0.2)
        assert health.json()["database"] == "sqlite"
        registered = httpx.post(
            f"{base}/v1/auth/register-device",
            json={"username": "worker", "password": PASSWORD, "public_key": new_public_key()},
            timeout=10,
        )
        assert registered.status_code == 201, registered.text
        me = httpx.get(
            f"{base}/v1/me",
            headers={"Authorization": f"Bearer {registered.json()['access_token']}"},
            timeout=10,
        )
        assert me.status_code == 200 and me.json()["role"] == "field_worker"
    finally:
        process.terminate()
        process.wait(timeout=15)
    verify = subprocess.run(
        [sys.executable, "-m", "sync.server", "verify-audit", "--data-dir", str(data_dir)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert verify.returncode == 0, verify.stdout + verify.stderr
    assert "intact" in verify.stdout


def test_metrics_give_counts_and_nothing_personal(client: TestClient) -> None:
    from tests.sync.server.conftest import MARKER_ID, MARKER_NAME, seed_world

    seed_world(client.app, client)  # type: ignore[arg-type]
    response = client.get("/metrics")
    assert response.status_code == 200
    assert 'jiafang_records{entity="household"} 3' in response.text
    assert 'jiafang_records{entity="member"} 3' in response.text
    assert "jiafang_active_devices 8" in response.text  # nine registered, one revoked
    assert MARKER_NAME not in response.text and MARKER_ID not in response.text
