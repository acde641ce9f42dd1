"""Fixtures shared by the sync tests: the server database on both backends.

`database_url` is parametrised over SQLite (a fresh file per test) and the local PostgreSQL (one
uniquely named database per test session, emptied after each test, dropped at the end). The
PostgreSQL cases are skipped, with the reason, only when the server cannot be reached.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

#: Where the test PostgreSQL lives (trust auth on loopback in the dev and CI machines).
PG_ADMIN_DSN = os.environ.get("JIAFANG_TEST_PG_DSN", "postgresql://postgres@127.0.0.1:5432/test")

#: Rows the schema seeds and tests must find again after a reset.
_KEEP_TABLES = {"alembic_version", "sync_counter", "audit_head"}


def _dsn_with_database(dsn: str, database: str) -> str:
    base, _, _old = dsn.rpartition("/")
    return f"{base}/{database}"


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """A fresh, uniquely named PostgreSQL database for this test session (URL)."""
    try:
        admin = psycopg.connect(PG_ADMIN_DSN, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        pytest.skip(f"PostgreSQL unreachable at {PG_ADMIN_DSN}: {exc}")
    name = f"jiafang_test_{uuid.uuid4().hex[:12]}"
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield _dsn_with_database(PG_ADMIN_DSN, name)
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def reset_postgres(url: str) -> None:
    """Empty every table (the schema stays migrated) so the next test starts clean."""
    with psycopg.connect(url, autocommit=True) as conn:
        tables = [
            row[0]
            for row in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
            if row[0] not in _KEEP_TABLES
        ]
        if tables:
            conn.execute("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " CASCADE")
        if "sync_counter" in {r[0] for r in conn.execute("SELECT tablename FROM pg_tables")}:
            conn.execute("UPDATE sync_counter SET value = 0")
            conn.execute("UPDATE audit_head SET n = 0, last_hash = repeat('0', 64)")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The server database URL, once per backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'server.sqlite3'}"
        return
    url: str = request.getfixturevalue("postgres_database")
    reset_postgres(url)
    try:
        yield url
    finally:
        reset_postgres(url)
