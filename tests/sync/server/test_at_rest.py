"""Sensitive data at rest: encrypted payloads, blind index, hash-chained audit log."""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid

import pytest
from sqlalchemy import text
from sqlmodel import col, select

from app.errors import DecryptionError
from sync.server.audit import verify_chain
from sync.server.models import AuditEntry, SyncRecord
from tests.sync.server.conftest import (
    MARKER_ID,
    MARKER_NAME,
    World,
    household_fields,
    member_fields,
)


def _make_traffic(world: World) -> None:
    """Reads and edits that put the marker through every path (history, conflicts, audit)."""
    assert world.get("sup_1", f"/v1/households/{world.ids['H1']}").json()["household"]["data"][
        "head_name"
    ] == (MARKER_NAME)
    edit = world.mutation(
        "fw_a", "household", world.ids["H1"], {"note": f"{MARKER_NAME} {MARKER_ID}"}, base_version=1
    )
    world.push("fw_a", [edit])
    clash = world.mutation(
        "sup_1",
        "household",
        world.ids["H1"],
        {"note": f"{MARKER_NAME}!"},
        base_version=1,
        hlc="0000000000000000:0000:z",
    )
    assert world.push("sup_1", [clash])["results"][0]["status"] == "conflict"
    world.get("fw_a", "/v1/sync/pull", bucket="grid:G1")


def _stored_bytes(world: World) -> bytes:
    """Everything the database keeps on disk: the SQLite files, or a PostgreSQL dump."""
    settings = world.context.settings
    if settings.is_sqlite:
        world.context.engine.dispose()  # close, so the bytes on disk are all there is
        database = settings.database_url.removeprefix("sqlite:///")
        stored = b""
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(database + suffix):
                with open(database + suffix, "rb") as handle:
                    stored += handle.read()
        return stored
    pg_dump = shutil.which("pg_dump")
    assert pg_dump is not None, "pg_dump is needed for this check"
    url = settings.database_url.replace("postgresql+psycopg://", "postgresql://")
    dump = subprocess.run(
        [pg_dump, "--no-owner", url], capture_output=True, check=True, timeout=120
    ).stdout
    assert b"sync_record" in dump
    return dump


def test_the_database_holds_no_plaintext_name_or_id_number(world: World) -> None:
    _make_traffic(world)
    stored = _stored_bytes(world)
    assert len(stored) > 10_000
    for marker in (MARKER_NAME, MARKER_ID, MARKER_ID.lower()):
        assert marker.encode() not in stored
        assert marker.encode("utf-16-le") not in stored


def test_ciphertext_moved_to_another_row_does_not_open(world: World) -> None:
    keys = world.context.keys
    with world.session() as session:
        h1 = session.get(SyncRecord, ("household", world.ids["H1"]))
        h2 = session.get(SyncRecord, ("household", world.ids["H2"]))
        assert h1 is not None and h2 is not None
        with pytest.raises(DecryptionError):
            keys.open(
                h1.data_ct,
                table="sync_record",
                column="data",
                row_id=f"household/{h2.id}",
                version=h2.version,
            )
        with pytest.raises(DecryptionError):
            keys.open(
                h1.data_ct,
                table="sync_record",
                column="data",
                row_id=f"household/{h1.id}",
                version=h1.version + 1,
            )


def test_blind_index_reports_the_same_person_in_two_households(world: World) -> None:
    h4, m4 = str(uuid.uuid4()), str(uuid.uuid4())
    same_person = MARKER_ID[:-1] + MARKER_ID[-1].lower()  # typed with a lower-case x
    results = world.push(
        "fw_b",
        [
            world.mutation("fw_b", "household", h4, household_fields("G2", "Someone", 4)),
            world.mutation(
                "fw_b", "member", m4, member_fields(h4, "Zhang S.", same_person), household_id=h4
            ),
        ],
    )["results"]
    assert [r["status"] for r in results] == ["applied", "applied"]
    report = world.get("sup_1", "/v1/duplicates")
    assert report.status_code == 200
    assert report.json()["duplicates"] == [
        {
            "member_ids": sorted([world.ids["M1"], m4]),
            "household_ids": sorted([world.ids["H1"], h4]),
        }
    ]
    assert MARKER_ID not in report.text
    # A supervisor of another street reaches neither household: nothing to report to them.
    assert world.get("sup_2", "/v1/duplicates").json()["duplicates"] == []
    # Correcting the number removes the match.
    fix = world.mutation(
        "fw_b", "member", m4, {"id_number": "110105198001010038"}, base_version=1, household_id=h4
    )
    assert world.push("fw_b", [fix])["results"][0]["status"] == "applied"
    assert world.get("sup_1", "/v1/duplicates").json()["duplicates"] == []


def test_audit_log_records_reads_and_changes_without_content(world: World) -> None:
    _make_traffic(world)
    with world.session() as session:
        entries = session.exec(select(AuditEntry).order_by(col(AuditEntry.n))).all()
    actions = {e.action for e in entries}
    assert {"create", "change", "read", "pull", "device_registered", "device_revoked"} <= actions
    reads = [e for e in entries if e.action == "read" and e.entity_id == world.ids["H1"]]
    assert reads and reads[0].user_id == world.accounts["sup_1"].user_id
    changes = [e for e in entries if e.action == "change" and e.entity_id == world.ids["H1"]]
    assert changes and changes[0].detail["fields"] == ["note"]
    for entry in entries:
        flat = repr(entry.detail)
        assert MARKER_NAME not in flat and MARKER_ID not in flat


def _run_sql(world: World, sql: str, **params: object) -> None:
    with world.session() as session:
        session.execute(text(sql), params)
        session.commit()


def test_audit_verification_detects_edits_removals_and_truncation(world: World) -> None:
    keys = world.context.keys

    def verify() -> tuple[bool, int | None, str | None]:
        with world.session() as session:
            result = verify_chain(session, keys)
            return result.ok, result.first_bad_entry, result.reason

    assert verify() == (True, None, None)
    assert world.get("admin", "/v1/admin/audit/verify").json()["ok"] is True
    with world.session() as session:
        entries = session.exec(select(AuditEntry).order_by(col(AuditEntry.n))).all()
    total = len(entries)
    assert total > 10
    saved = {e.n: e.model_dump() for e in entries}

    _run_sql(world, "UPDATE audit_entry SET action = 'nothing' WHERE n = 5")
    assert verify() == (False, 5, "altered_entry")
    _run_sql(world, "UPDATE audit_entry SET action = :a WHERE n = 5", a=saved[5]["action"])
    assert verify() == (True, None, None)

    _run_sql(world, "DELETE FROM audit_entry WHERE n = 7")
    assert verify() == (False, 8, "missing_entry")
    with world.session() as session:
        session.add(AuditEntry(**saved[7]))
        session.commit()
    assert verify() == (True, None, None)

    _run_sql(world, "DELETE FROM audit_entry WHERE n = :n", n=total)
    assert verify() == (False, total, "truncated")


def test_a_tampered_ciphertext_is_refused_with_a_clear_error(world: World) -> None:
    with world.session() as session:
        record = session.get(SyncRecord, ("household", world.ids["H2"]))
        assert record is not None
        tampered = bytearray(record.data_ct)
        tampered[-1] ^= 1
        record.data_ct = bytes(tampered)
        session.add(record)
        session.commit()
    response = world.get("sup_1", f"/v1/households/{world.ids['H2']}")
    assert response.status_code == 500
    assert response.json()["code"] == "decryption_failed"
    assert world.get("sup_1", f"/v1/households/{world.ids['H1']}").status_code == 200
