"""Fault injection through a loopback proxy between the engine and the real server.

Every scenario ends with the invariants of issue 5: each acknowledged mutation is on the
server exactly once, nothing is applied twice, and every laptop's buckets have the server's
checksums. A run that hits a fault may end `offline` (the retries ran out) — the next run then
finishes the job; what may never happen is a lost or doubled edit.
"""

from __future__ import annotations

import random
from collections.abc import Callable

import pytest

from tests.sync.e2e.harness import Laptop, LiveServer, household_content
from tests.sync.e2e.invariants import (
    acknowledged,
    assert_converged,
    assert_on_server_once,
    outbox_ids,
)
from tests.sync.faults.proxy import Fault, FaultProxy

LaptopFactory = Callable[[str], Laptop]
PUSH, PULL = "/v1/sync/push", "/v1/sync/pull"


def _edit_a_lot(laptop: Laptop, seed: int, households: int = 24) -> None:
    rng = random.Random(seed)
    made = [
        laptop.db.create_household(grid_id="G1", content=household_content(f"户{seed}-{n}", n))
        for n in range(households)
    ]
    for household in rng.sample(made, k=households // 2):
        laptop.db.update_household(household.household_id, phone=f"139{rng.randrange(10**8):08d}")


def _sync_until_ok(laptop: Laptop, url: str, runs: int = 6, **config: object) -> list[str]:
    outcomes = []
    engine = laptop.engine(url, **config)
    for _ in range(runs):
        report = engine.run_once()
        outcomes.append(report.outcome)
        if report.ok:
            return outcomes
    raise AssertionError(f"never synced: {outcomes}")


SCENARIOS: dict[str, list[Fault]] = {
    "dropped connections": [
        Fault("drop", "POST", PUSH, times=2),
        Fault("drop", "GET", PULL, skip=1, times=2),
    ],
    "delays beyond the read timeout": [
        Fault("delay", "POST", PUSH, seconds=1.2),
        Fault("delay", "GET", PULL, seconds=1.2),
    ],
    "truncated bodies": [
        Fault("truncate", "POST", PUSH, fraction=0.5),
        Fault("truncate", "GET", PULL, fraction=0.3, times=2),
        Fault("truncate", "GET", "/v1/sync/checksum", fraction=0.5),
    ],
    "reset in the middle of an upload": [
        Fault("reset_upload", "POST", PUSH, fraction=0.4, times=2),
    ],
    "response lost after the server committed": [
        Fault("lose_response", "POST", PUSH, times=3),
        Fault("lose_response", "GET", PULL, times=1),
    ],
    "gateway errors": [
        Fault("status", "POST", PUSH, status=503),
        Fault("status", "GET", "/v1/sync/buckets", status=502),
    ],
}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_fault_scenario_keeps_the_invariants(
    name: str, server: LiveServer, proxy: FaultProxy, laptop_factory: LaptopFactory
) -> None:
    fw1, fw2 = laptop_factory("fw1"), laptop_factory("fw2")
    _edit_a_lot(fw1, 1)
    _edit_a_lot(fw2, 2)
    before1, before2 = outbox_ids(fw1), outbox_ids(fw2)
    proxy.add(*SCENARIOS[name])

    options = {"read_timeout_s": 0.6, "push_batch_mutations": 25, "pull_limit": 20}
    _sync_until_ok(fw1, proxy.url, **options)
    _sync_until_ok(fw2, proxy.url, **options)
    _sync_until_ok(fw1, proxy.url, **options)  # fw2's households come back to fw1

    assert proxy.log.faults(), "the scenario never fired"
    acked = acknowledged(before1, fw1) | acknowledged(before2, fw2)
    assert acked == before1 | before2  # nothing refused, nothing left behind
    assert_on_server_once(server, acked)
    assert len(server.records("household")) == 48
    for laptop in (fw1, fw2):
        assert_converged(server, laptop, ["grid:G1"])
        assert laptop.db.household_count() == 48


@pytest.mark.slow
def test_lost_push_answers_are_resent_and_answered_duplicate(
    server: LiveServer, proxy: FaultProxy, laptop_factory: LaptopFactory
) -> None:
    fw1 = laptop_factory("fw1")
    _edit_a_lot(fw1, 3, households=10)
    before = outbox_ids(fw1)
    proxy.add(Fault("lose_response", "POST", PUSH, times=1))

    report = fw1.engine(proxy.url).run_once()

    assert report.ok
    # The first batch was applied but its answer lost: sent again, it is answered `duplicate`
    # (the records' later edits went in the next batch, applied normally).
    assert report.duplicates == 20  # ten households and their members
    assert report.applied + report.duplicates == len(before)
    assert_on_server_once(server, acknowledged(before, fw1))


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(4))
def test_random_faults_everywhere(
    seed: int, server: LiveServer, proxy: FaultProxy, laptop_factory: LaptopFactory
) -> None:
    rng = random.Random(seed)
    kinds = ["drop", "delay", "truncate", "lose_response", "status", "reset_upload"]
    paths = [PUSH, PULL, "/v1/sync/checksum", "/v1/sync/buckets", "/v1/auth/login"]
    for _ in range(8):
        proxy.add(
            Fault(
                rng.choice(kinds),
                path_prefix=rng.choice(paths),
                skip=rng.randrange(3),
                seconds=1.0,
                fraction=rng.random(),
            )
        )
    fw1, fw2 = laptop_factory("fw1"), laptop_factory("fw2")
    _edit_a_lot(fw1, 10 + seed, households=20)
    _edit_a_lot(fw2, 20 + seed, households=20)
    before = outbox_ids(fw1) | outbox_ids(fw2)

    options = {"read_timeout_s": 0.6, "push_batch_mutations": 15, "pull_limit": 15}
    for laptop in (fw1, fw2, fw1):
        _sync_until_ok(laptop, proxy.url, runs=10, **options)

    acked = acknowledged(before, fw1) | acknowledged(before, fw2)
    assert acked == before
    assert_on_server_once(server, acked)
    for laptop in (fw1, fw2):
        assert_converged(server, laptop, ["grid:G1"])
