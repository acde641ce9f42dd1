"""The engine's own bookkeeping in the profile folder: which records each bucket holds, the
bucket set last seen, and when the last sync finished.

It holds ids and bucket names only (nothing personal), so it needs no encryption. Bucket
membership cannot live in the encrypted store's pull transaction (the store is another SQLite
file), so the engine orders its writes to be safe at any crash point: a membership row is added
*before* the page that brings the record commits and removed *after* the record is gone. A stale
extra row is harmless (the record is simply not found); a missing row could leave a record
behind when its bucket is removed, which this order prevents.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable
from pathlib import Path

_SCHEMA = """
CREATE TABLE IF NOT EXISTS membership (
    bucket TEXT NOT NULL, entity TEXT NOT NULL, id TEXT NOT NULL, household_id TEXT,
    PRIMARY KEY (bucket, entity, id));
CREATE INDEX IF NOT EXISTS membership_record ON membership (entity, id);
CREATE TABLE IF NOT EXISTS upload (sha256 TEXT NOT NULL PRIMARY KEY);
CREATE TABLE IF NOT EXISTS kv (key TEXT NOT NULL PRIMARY KEY, value TEXT NOT NULL);
"""

Key = tuple[str, str]  # (entity, id)


class SyncState:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._conn.execute("PRAGMA journal_mode=WAL")
        # NORMAL: a process crash loses nothing; a power cut may lose the last rows, which the
        # checksum verification notices (a bucket re-pull writes them again).
        self._conn.execute("PRAGMA synchronous=NORMAL")
        # Ids of purged households must not linger in freed pages or the WAL either.
        self._conn.execute("PRAGMA secure_delete=ON")
        self._conn.executescript(_SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def delete_file(self) -> None:
        self.close()
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(str(self.path) + suffix).unlink(missing_ok=True)

    # ------------------------------------------------------------------ key/value

    def get(self, key: str) -> str | None:
        with self._lock:
            row = self._conn.execute("SELECT value FROM kv WHERE key = ?", (key,)).fetchone()
            return str(row[0]) if row else None

    def put(self, key: str, value: str) -> None:
        with self._lock:
            self._conn.execute(
                "INSERT INTO kv (key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    def buckets(self) -> list[str]:
        raw = self.get("buckets")
        return list(json.loads(raw)) if raw else []

    def set_buckets(self, buckets: Iterable[str]) -> None:
        self.put("buckets", json.dumps(sorted(buckets)))

    # ------------------------------------------------------------------ uploads in progress

    def upload_started(self, sha256: str) -> bool:
        with self._lock:
            row = self._conn.execute("SELECT 1 FROM upload WHERE sha256 = ?", (sha256,))
            return row.fetchone() is not None

    def mark_upload_started(self, sha256: str) -> None:
        with self._lock:
            self._conn.execute("INSERT OR IGNORE INTO upload (sha256) VALUES (?)", (sha256,))

    def mark_upload_done(self, sha256: str) -> None:
        with self._lock:
            self._conn.execute("DELETE FROM upload WHERE sha256 = ?", (sha256,))

    # ------------------------------------------------------------------ membership

    def add_members(self, bucket: str, rows: Iterable[tuple[str, str, str | None]]) -> None:
        with self._lock:
            self._conn.execute("BEGIN")
            self._conn.executemany(
                "INSERT INTO membership (bucket, entity, id, household_id) VALUES (?, ?, ?, ?) "
                "ON CONFLICT DO UPDATE SET household_id = excluded.household_id",
                [(bucket, e, i, h) for e, i, h in rows],
            )
            self._conn.execute("COMMIT")

    def remove_members(self, bucket: str, keys: Iterable[Key]) -> None:
        with self._lock:
            self._conn.execute("BEGIN")
            self._conn.executemany(
                "DELETE FROM membership WHERE bucket = ? AND entity = ? AND id = ?",
                [(bucket, e, i) for e, i in keys],
            )
            self._conn.execute("COMMIT")

    def drop_bucket(self, bucket: str) -> None:
        with self._lock:
            self._conn.execute("DELETE FROM membership WHERE bucket = ?", (bucket,))
            self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def members(self, bucket: str) -> dict[Key, str | None]:
        with self._lock:
            rows = self._conn.execute(
                "SELECT entity, id, household_id FROM membership WHERE bucket = ?", (bucket,)
            ).fetchall()
            return {(e, i): h for e, i, h in rows}

    def held_elsewhere(self, bucket: str, keys: Iterable[Key]) -> set[Key]:
        """The records among `keys` that some bucket other than `bucket` still holds."""
        wanted = list(keys)
        found: set[Key] = set()
        with self._lock:
            for start in range(0, len(wanted), 400):
                chunk = wanted[start : start + 400]
                marks = ",".join("(?, ?)" for _ in chunk)
                flat = [v for pair in chunk for v in pair]
                rows = self._conn.execute(
                    f"SELECT DISTINCT entity, id FROM membership WHERE bucket != ? "
                    f"AND (entity, id) IN (VALUES {marks})",
                    [bucket, *flat],
                ).fetchall()
                found.update((e, i) for e, i in rows)
        return found

    def households_held(self, buckets: Iterable[str]) -> set[str]:
        names = list(buckets)
        if not names:
            return set()
        marks = ",".join("?" for _ in names)
        with self._lock:
            rows = self._conn.execute(
                f"SELECT DISTINCT household_id FROM membership WHERE bucket IN ({marks}) "
                "AND household_id IS NOT NULL",
                names,
            ).fetchall()
            return {str(r[0]) for r in rows}
