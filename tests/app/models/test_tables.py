"""The SQLModel tables and the migrated SQLite schema describe the same database."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy import Index

from app.models.tables import ALL_TABLES
from app.store.migrations import LATEST_SCHEMA_VERSION, apply_steps, schema_version


def _migrated(tmp_path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(tmp_path / "s.sqlite3", isolation_level=None)
    apply_steps(conn)
    return conn


def test_every_model_column_exists_with_the_same_nullability_and_key(tmp_path: Path) -> None:
    conn = _migrated(tmp_path)
    assert schema_version(conn) == LATEST_SCHEMA_VERSION
    for model in ALL_TABLES:
        table = model.__table__  # type: ignore[attr-defined]
        info = {
            row[1]: (bool(row[3]) or bool(row[5]), bool(row[5]))
            for row in conn.execute(f"PRAGMA table_info({table.name})")
        }
        expected = {c.name: (not c.nullable, c.primary_key) for c in table.columns}
        assert info == expected, table.name


def test_every_model_index_exists(tmp_path: Path) -> None:
    conn = _migrated(tmp_path)
    for model in ALL_TABLES:
        table = model.__table__  # type: ignore[attr-defined]
        indexed = {
            tuple(r[2] for r in conn.execute(f"PRAGMA index_info({row[1]})"))
            for row in conn.execute(f"PRAGMA index_list({table.name})")
        }
        index: Index
        for index in table.indexes:
            assert tuple(c.name for c in index.columns) in indexed, (table.name, index.name)


def test_no_table_exists_that_the_models_do_not_describe(tmp_path: Path) -> None:
    conn = _migrated(tmp_path)
    tables = {
        r[0]
        for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        if not r[0].startswith("sqlite_")
    }
    assert tables == {m.__table__.name for m in ALL_TABLES}  # type: ignore[attr-defined]
