"""Local schema migrations: ordered `PRAGMA user_version` steps that never lose unsynced data.

Each step runs in its own transaction together with the `user_version` bump, so an interrupted
upgrade leaves the file at the previous version, never half-way. Before the first step the file
is copied with SQLite's online backup (a consistent snapshot including the WAL); the copy is
restored if a step fails and removed once the upgrade has committed and the file passes
`PRAGMA integrity_check` — a lingering copy would keep the wrapped keys of households shredded
later, which would defeat shredding.

Steps only add tables, columns and indexes (or drop an unused index); they never drop or rewrite
rows, which is what keeps the outbox (unsynced edits) intact. Data that needs the vault to rebuild
(the search index added in version 3) is filled in at the next unlock, because migrations run
while the store is locked.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from pathlib import Path

from app.errors import StoreError

logger = logging.getLogger(__name__)

_V1 = """
CREATE TABLE vault_meta (key TEXT NOT NULL PRIMARY KEY, value BLOB NOT NULL);
CREATE TABLE wrapped_key (
    key_id TEXT NOT NULL PRIMARY KEY, wrapped BLOB NOT NULL, created_at TEXT NOT NULL);
CREATE TABLE region (
    id TEXT NOT NULL PRIMARY KEY, parent_id TEXT, level TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 0, seq INTEGER NOT NULL DEFAULT 0, payload BLOB NOT NULL);
CREATE TABLE household (
    id TEXT NOT NULL PRIMARY KEY, grid_id TEXT NOT NULL, status TEXT NOT NULL, category TEXT,
    next_review TEXT, version INTEGER NOT NULL DEFAULT 0, seq INTEGER NOT NULL DEFAULT 0,
    payload BLOB NOT NULL);
CREATE INDEX ix_household_grid_id ON household (grid_id);
CREATE INDEX ix_household_next_review ON household (next_review);
CREATE TABLE member (
    id TEXT NOT NULL PRIMARY KEY, household_id TEXT NOT NULL, blind_index BLOB,
    version INTEGER NOT NULL DEFAULT 0, seq INTEGER NOT NULL DEFAULT 0, payload BLOB NOT NULL);
CREATE INDEX ix_member_household_id ON member (household_id);
CREATE INDEX ix_member_blind_index ON member (blind_index);
CREATE TABLE visit (
    id TEXT NOT NULL PRIMARY KEY, household_id TEXT NOT NULL, kind TEXT NOT NULL,
    status TEXT NOT NULL, revision INTEGER NOT NULL DEFAULT 1, revision_of TEXT,
    visit_date TEXT, completed_at TEXT, version INTEGER NOT NULL DEFAULT 0,
    seq INTEGER NOT NULL DEFAULT 0, payload BLOB NOT NULL);
CREATE INDEX ix_visit_household_id ON visit (household_id);
CREATE TABLE task (
    id TEXT NOT NULL PRIMARY KEY, grid_id TEXT, kind TEXT NOT NULL, status TEXT NOT NULL,
    deadline TEXT, version INTEGER NOT NULL DEFAULT 0, seq INTEGER NOT NULL DEFAULT 0,
    payload BLOB NOT NULL);
CREATE TABLE clue (
    id TEXT NOT NULL PRIMARY KEY, household_id TEXT NOT NULL, member_id TEXT,
    kind TEXT NOT NULL, status TEXT NOT NULL, version INTEGER NOT NULL DEFAULT 0,
    seq INTEGER NOT NULL DEFAULT 0, payload BLOB NOT NULL);
CREATE INDEX ix_clue_household_id ON clue (household_id);
CREATE TABLE review (
    id TEXT NOT NULL PRIMARY KEY, household_id TEXT NOT NULL, visit_id TEXT NOT NULL,
    decision TEXT NOT NULL, reviewed_at TEXT, version INTEGER NOT NULL DEFAULT 0,
    seq INTEGER NOT NULL DEFAULT 0, payload BLOB NOT NULL);
CREATE INDEX ix_review_household_id ON review (household_id);
CREATE INDEX ix_review_visit_id ON review (visit_id);
CREATE TABLE policy_ref (
    id TEXT NOT NULL PRIMARY KEY, region_id TEXT NOT NULL, effective_from TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 0, seq INTEGER NOT NULL DEFAULT 0, payload BLOB NOT NULL);
CREATE TABLE outbox (
    seq INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, mutation_id TEXT NOT NULL UNIQUE,
    device_id TEXT NOT NULL, entity TEXT NOT NULL, entity_id TEXT NOT NULL, household_id TEXT,
    base_version INTEGER NOT NULL, op TEXT NOT NULL, fields TEXT NOT NULL, hlc TEXT NOT NULL,
    schema_version INTEGER NOT NULL, created_at TEXT NOT NULL, payload BLOB NOT NULL);
CREATE INDEX ix_outbox_entity_id ON outbox (entity_id);
CREATE TABLE sync_checkpoint (
    bucket TEXT NOT NULL PRIMARY KEY, checkpoint INTEGER NOT NULL, updated_at TEXT NOT NULL);
CREATE TABLE audit_log (
    seq INTEGER NOT NULL PRIMARY KEY, at TEXT NOT NULL, user_id TEXT NOT NULL,
    device_id TEXT NOT NULL, action TEXT NOT NULL, entity TEXT NOT NULL,
    entity_id TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL);
"""

# Version 2: photos and signatures, crash-safe draft autosave, and quarantine of mutations the
# server rejects (they stay in the outbox with a reason instead of being dropped).
_V2 = """
CREATE TABLE attachment (
    id TEXT NOT NULL PRIMARY KEY, household_id TEXT NOT NULL, visit_id TEXT,
    kind TEXT NOT NULL, sha256 TEXT NOT NULL, size INTEGER NOT NULL, chunks INTEGER NOT NULL,
    present INTEGER NOT NULL DEFAULT 0, version INTEGER NOT NULL DEFAULT 0,
    seq INTEGER NOT NULL DEFAULT 0, payload BLOB NOT NULL);
CREATE INDEX ix_attachment_household_id ON attachment (household_id);
CREATE TABLE draft (
    visit_id TEXT NOT NULL PRIMARY KEY REFERENCES visit (id) ON DELETE CASCADE,
    household_id TEXT NOT NULL, saved_at TEXT NOT NULL, payload BLOB NOT NULL);
ALTER TABLE outbox ADD COLUMN state TEXT NOT NULL DEFAULT 'pending';
ALTER TABLE outbox ADD COLUMN reason TEXT;
"""

# Version 3: supervisor conflict items, the encrypted search chunks (filled at the next unlock),
# a covering index that lists households without reading their payloads, and an index to find
# the revisions of a visit.
_V3 = """
CREATE TABLE conflict (
    id TEXT NOT NULL PRIMARY KEY, household_id TEXT, target_entity TEXT NOT NULL,
    target_id TEXT NOT NULL, status TEXT NOT NULL, version INTEGER NOT NULL DEFAULT 0,
    seq INTEGER NOT NULL DEFAULT 0, payload BLOB NOT NULL);
CREATE INDEX ix_conflict_household_id ON conflict (household_id);
CREATE TABLE search_chunk (chunk_id INTEGER NOT NULL PRIMARY KEY, payload BLOB NOT NULL);
CREATE INDEX ix_household_listing ON household (id, grid_id, status, category, next_review);
CREATE INDEX ix_visit_revision_of ON visit (revision_of);
"""

# Version 4: drop two household indexes no query uses (listing and filters are served by the
# in-memory index built from ix_household_listing). Each pulled household landed at a random
# place in both, so every pull page rewrote ~2 index pages per household into the WAL: about a
# fifth of the bulk pull's write volume. Dropping an index loses no row.
_V4 = """
DROP INDEX IF EXISTS ix_household_grid_id;
DROP INDEX IF EXISTS ix_household_next_review;
"""

# Version 5: a completed visit's device signature (`app.crypto.visit_signature`): the signing
# device, the Ed25519 signature (base64) and the signed-bytes version, plaintext like the other
# visit bookkeeping (none of it is personal data). Older visits keep NULL: unsigned.
_V5 = """
ALTER TABLE visit ADD COLUMN signed_by_device TEXT;
ALTER TABLE visit ADD COLUMN device_signature TEXT;
ALTER TABLE visit ADD COLUMN signature_version INTEGER;
"""

#: (version reached, SQL) in order. Append new steps; never edit a released one.
STEPS: tuple[tuple[int, str], ...] = ((1, _V1), (2, _V2), (3, _V3), (4, _V4), (5, _V5))
LATEST_SCHEMA_VERSION = STEPS[-1][0]


def schema_version(conn: sqlite3.Connection) -> int:
    row = conn.execute("PRAGMA user_version").fetchone()
    return int(row[0])


def apply_steps(conn: sqlite3.Connection, *, target: int = LATEST_SCHEMA_VERSION) -> list[int]:
    """Run the steps between the file's version and `target`, one transaction each.

    `conn` must be in autocommit mode (isolation_level=None). Returns the versions reached.
    """
    current = schema_version(conn)
    if current > LATEST_SCHEMA_VERSION:
        raise StoreError(
            "数据文件来自更新版本的软件，请升级后再打开",
            "The store was written by a newer version of the software; upgrade to open it",
            code="schema_too_new",
        )
    done = []
    for version, sql in STEPS:
        if version <= current or version > target:
            continue
        statements = [s.strip() for s in sql.split(";") if s.strip()]
        conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in statements:
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {version:d}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        logger.info("local store schema upgraded to version %d", version)
        done.append(version)
    return done


def migrate_file(
    conn: sqlite3.Connection,
    path: Path,
    *,
    target: int = LATEST_SCHEMA_VERSION,
    remove_file: Callable[[Path], None] | None = None,
) -> list[int]:
    """Upgrade an existing store file, with a backup copy that is restored on failure."""
    current = schema_version(conn)
    if current >= target:
        if current > LATEST_SCHEMA_VERSION:
            apply_steps(conn, target=target)  # raises schema_too_new
        return []
    backup = path.with_name(f"{path.name}.v{current}.bak")
    with sqlite3.connect(backup) as dest:
        conn.backup(dest)
    dest.close()
    try:
        done = apply_steps(conn, target=target)
        check = conn.execute("PRAGMA integrity_check").fetchone()[0]
        if check != "ok":
            raise StoreError(
                "升级后的数据文件校验失败",
                "The upgraded store failed its integrity check",
                code="migration_integrity",
            )
    except Exception as exc:
        logger.error("schema upgrade failed (%s); restoring the backup", type(exc).__name__)
        with sqlite3.connect(backup) as src:
            src.backup(conn)
        src.close()
        raise StoreError(
            "数据文件升级失败，已恢复升级前的状态",
            "The store upgrade failed; the file was restored to its previous state",
            code="migration_failed",
        ) from exc
    (remove_file or _unlink)(backup)
    return done


def _unlink(path: Path) -> None:
    path.unlink(missing_ok=True)
