"""Engine, sessions and start-up migrations for SQLite (default) and PostgreSQL.

SQLite: WAL, foreign keys, a busy timeout, and every transaction opened with `BEGIN IMMEDIATE`
so writers queue on the database lock instead of failing when a read transaction later tries to
write (most requests write: audit entries, token use). PostgreSQL: psycopg 3, READ COMMITTED;
writers serialise only where they must (the change sequence and the audit chain rows).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, text
from sqlmodel import Session

logger = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
#: Arbitrary constant: PostgreSQL advisory lock that lets one process migrate at a time.
_MIGRATION_LOCK_ID = 7_301_948_112
#: Connections per server process on PostgreSQL (kept + extra under load); several processes
#: must together stay under the server's `max_connections` (DEPLOY.md).
PG_POOL_SIZE = 10
PG_POOL_OVERFLOW = 10


def make_engine(database_url: str, *, echo: bool = False) -> Engine:
    if database_url.startswith("sqlite"):
        engine = create_engine(
            database_url,
            echo=echo,
            connect_args={"check_same_thread": False, "timeout": 30},
        )
        _configure_sqlite(engine)
        return engine
    return create_engine(
        database_url,
        echo=echo,
        pool_pre_ping=True,
        pool_size=PG_POOL_SIZE,
        max_overflow=PG_POOL_OVERFLOW,
        json_serializer=json_text,
    )


def json_text(value: Any) -> str:
    """JSON columns' text on PostgreSQL, written by orjson: a push writes a few JSON values per
    record (metadata, field clocks, changed-field lists), and the standard library's encoder
    was a measurable part of the time the change lock is held. What orjson will not encode
    (non-string keys, integers beyond 64 bits, dates) goes to the standard library as before,
    which writes it or refuses it as it always did."""
    try:
        return orjson.dumps(value, default=_not_json, option=_STRICT).decode()
    except (orjson.JSONEncodeError, TypeError):
        return json.dumps(value)


#: Dates and dataclasses go to `_not_json` (refused), as the standard library refuses them: a
#: value of the wrong type must fail on PostgreSQL as it does on SQLite.
_STRICT = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS


def _not_json(value: Any) -> Any:
    raise TypeError(f"{type(value).__name__} is not JSON")


def request_concurrency(engine: Engine, active_requests: int) -> int | None:
    """How many requests may be in progress at once: `active_requests`, never more than the
    pool has connections (each request uses one session), so a burst waits its turn instead of
    every request of it being slowed down by all the others. None: no limit (SQLite, whose
    writers queue on the database lock anyway)."""
    if engine.dialect.name == "postgresql":
        return max(1, min(active_requests, PG_POOL_SIZE + PG_POOL_OVERFLOW))
    return None


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control from the sqlite3 module so `begin` below decides the mode.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def run_migrations(engine: Engine) -> None:
    """Bring the schema to the latest Alembic revision (from empty on a new database)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # Several server processes may start together: one migrates, the others wait.
            connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _MIGRATION_LOCK_ID})
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    logger.info("database schema is at the latest revision")


def session_scope(engine: Engine) -> Iterator[Session]:
    """One session per unit of work (request); closed (and rolled back if open) afterwards."""
    with Session(engine, expire_on_commit=False) as session:
        yield session
