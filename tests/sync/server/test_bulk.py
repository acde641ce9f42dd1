"""Bulk inserts (COPY on PostgreSQL) store exactly what a plain insert stores."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import sqlalchemy as sa
from sqlalchemy import insert
from sqlmodel import Session, select

from sync.server.bulk import COPY_FROM_ROWS, insert_rows
from sync.server.config import normalise_database_url
from sync.server.db import make_engine, run_migrations
from sync.server.models import AuditEntry, RecordVersion

TABLE: sa.Table = RecordVersion.__table__  # type: ignore[attr-defined]

#: Text that COPY's text format must escape, and content no plain string has.
AWKWARD = ["tab\there", "line\nbreak", "back\\slash", "\\N", "quote'\"", "户主 张三", "", "\r"]


def rows(prefix: str, count: int) -> list[dict[str, Any]]:
    east = timezone(timedelta(hours=8))
    return [
        {
            "entity": "visit",
            "record_id": f"{prefix}-{n}",
            "version": n + 1,
            "seq": 2**40 + n,
            "mutation_id": None if n % 3 == 0 else AWKWARD[n % len(AWKWARD)],
            "user_id": AWKWARD[(n + 1) % len(AWKWARD)],
            "device_id": None,
            "hlc": f"{n:016x}:0000:dev",
            "changed_fields": [AWKWARD[n % len(AWKWARD)], "收入", "a\\b"],
            "changed_ct": bytes(range(256)) * (n % 3) + b"\x00\\\n",
            "created_at": datetime(2026, 12, 6, 8, 30, n % 60, tzinfo=east),
        }
        for n in range(count)
    ]


def stored(session: Session, prefix: str) -> list[tuple[Any, ...]]:
    found = session.exec(
        select(RecordVersion)
        .where(sa.func.substr(RecordVersion.record_id, 1, len(prefix)) == prefix)
        .order_by(RecordVersion.version)
    ).all()
    return [
        (
            r.record_id.removeprefix(prefix),
            r.version,
            r.seq,
            r.mutation_id,
            r.user_id,
            r.device_id,
            r.hlc,
            r.changed_fields,
            r.changed_ct,
            r.created_at,
        )
        for r in found
    ]


def test_bulk_rows_read_back_like_inserted_ones(database_url: str) -> None:
    engine = make_engine(normalise_database_url(database_url))
    try:
        run_migrations(engine)
        count = COPY_FROM_ROWS * 3
        with Session(engine) as session:
            insert_rows(session.connection(), TABLE, rows("bulk", count))
            session.connection().execute(insert(TABLE), rows("plain", count))
            session.commit()
        with Session(engine) as session:
            bulk, plain = stored(session, "bulk"), stored(session, "plain")
        assert len(bulk) == count
        assert bulk == plain
        assert bulk[1][9] == datetime(2026, 12, 6, 0, 30, 1, tzinfo=UTC)
        assert bulk[2][8].startswith(bytes(range(256)))
    finally:
        engine.dispose()


def test_audit_rows_with_nested_detail_survive_a_bulk_insert(database_url: str) -> None:
    engine = make_engine(normalise_database_url(database_url))
    try:
        run_migrations(engine)
        detail = {"fields": ["a\tb", "收入"], "nested": {"n": [1, 2.5, None, True]}}
        entries = [
            {
                "n": n + 1,
                "at": datetime(2026, 12, 6, tzinfo=UTC),
                "user_id": None,
                "device_id": "d",
                "action": "change",
                "entity": "visit",
                "entity_id": f"v{n}",
                "household_id": None,
                "detail": detail,
                "prev_hash": "0" * 64,
                "hash": f"{n:064x}",
            }
            for n in range(COPY_FROM_ROWS + 1)
        ]
        with Session(engine) as session:
            insert_rows(session.connection(), AuditEntry.__table__, entries)  # type: ignore[attr-defined]
            session.commit()
        with Session(engine) as session:
            details = session.exec(select(AuditEntry.detail)).all()
        assert details == [detail] * len(entries)
    finally:
        engine.dispose()
