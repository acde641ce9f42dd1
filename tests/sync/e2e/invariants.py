"""The invariants every fault scenario ends with (issue 5): every acknowledged mutation is on
the server exactly once, nothing is applied twice, and client and server converge."""

from __future__ import annotations

from collections import Counter

from sqlmodel import select

from sync.server.models import AppliedMutation, RecordVersion
from tests.sync.e2e.harness import Laptop, LiveServer


def outbox_ids(laptop: Laptop) -> set[str]:
    return {e.mutation_id for e in laptop.db.pending_mutations(limit=1_000_000)}


def quarantined_ids(laptop: Laptop) -> set[str]:
    return {q.entry.mutation_id for q in laptop.db.quarantined_mutations()}


def acknowledged(before: set[str], laptop: Laptop) -> set[str]:
    """Mutations that left the outbox because the server acknowledged them."""
    return before - outbox_ids(laptop) - quarantined_ids(laptop)


def assert_on_server_once(server: LiveServer, acked: set[str]) -> None:
    with server.session() as session:
        answered = set(session.exec(select(AppliedMutation.mutation_id)).all())
        versions = Counter(
            m for m in session.exec(select(RecordVersion.mutation_id)).all() if m is not None
        )
    missing = acked - answered
    assert not missing, f"{len(missing)} acknowledged mutations are not on the server"
    twice = [m for m, n in versions.items() if n > 1]
    assert not twice, f"{len(twice)} mutations were applied more than once"


def assert_converged(server: LiveServer, laptop: Laptop, buckets: list[str]) -> None:
    engine = laptop.engines[-1] if laptop.engines else laptop.engine()
    for bucket in buckets:
        assert server.checksum(bucket) == engine.local_checksum(bucket), bucket
