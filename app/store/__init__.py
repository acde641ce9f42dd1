"""Encrypted local store: SQLite in WAL mode, outbox, audit, migrations."""

from app.store.local_store import LocalStore
from app.store.migrations import LATEST_SCHEMA_VERSION

__all__ = ["LATEST_SCHEMA_VERSION", "LocalStore"]
