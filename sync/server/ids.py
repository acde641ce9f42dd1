"""Server-generated ids: the clients' UUIDv7 (notes/sync_records.md).

One generator for both sides: ids made by one process in the same millisecond still sort in
creation order. Spot-check draws sort their inspector pool by user id, so a generator that
ordered same-millisecond ids at random made "the same seed draws the same inspector" depend on
how fast the accounts had been created.
"""

from __future__ import annotations

from app.ids import uuid7

__all__ = ["uuid7"]
