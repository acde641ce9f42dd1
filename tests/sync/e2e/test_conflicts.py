"""Three field workers and a supervisor edit the same households concurrently (randomized):
every same-field clash surfaces as a conflict item, no edit vanishes, all replicas converge."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable
from typing import Any

import pytest

from tests.sync.e2e.harness import Laptop, LiveServer, household_content

LaptopFactory = Callable[[str], Laptop]
FIELDS = ("phone", "address", "note")
ACTORS = ("fw1", "fw2", "fw3", "sup")


def _household_values(server: LiveServer) -> dict[str, dict[str, Any]]:
    return {r.id: server.open_data(r) for r in server.records("household")}


def _conflicts(server: LiveServer) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """Field-clash conflict items (other kinds, e.g. eligibility flags, carry a `kind`)."""
    return [
        (dict(r.meta), server.open_data(r))
        for r in server.records("conflict")
        if "kind" not in r.meta
    ]


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 2])
def test_concurrent_edits_surface_every_clash_and_converge(
    seed: int, server: LiveServer, laptop_factory: LaptopFactory
) -> None:
    rng = random.Random(seed)
    laptops = {name: laptop_factory(name) for name in ACTORS}
    households = [
        laptops["fw1"]
        .db.create_household(grid_id="G1", content=household_content(f"户{n}", n))
        .household_id
        for n in range(3)
    ]
    engines = {name: laptop.engine() for name, laptop in laptops.items()}
    for name in ("fw1", "fw2", "fw3", "sup"):
        assert engines[name].run_once().ok

    edits: list[tuple[int, str, str, str, str]] = []  # round, actor, household, field, value
    for round_no in range(6):
        for actor in ACTORS:
            # One edit per actor and record per round: an actor never clashes with itself.
            hid = rng.choice(households)
            for name in rng.sample(FIELDS, k=rng.randint(1, 2)):
                value = f"{actor}-r{round_no}-{name}"
                laptops[actor].db.update_household(hid, **{name: value})
                edits.append((round_no, actor, hid, name, value))
        for actor in rng.sample(ACTORS, k=len(ACTORS)):
            report = engines[actor].run_once()
            assert report.ok and report.rejected == 0, report
    for _ in range(2):  # everyone sees everything
        for actor in ACTORS:
            assert engines[actor].run_once().ok

    final = _household_values(server)
    conflicts = _conflicts(server)
    # Expected clashes: the same field of the same household edited by several actors in one
    # round (they all started from the same version).
    groups: dict[tuple[int, str, str], set[str]] = defaultdict(set)
    for round_no, _actor, hid, name, value in edits:
        groups[(round_no, hid, name)].add(value)
    expected = {k: v for k, v in groups.items() if len(v) > 1}
    assert expected, "the randomized rounds produced no clash; pick another seed"
    for (_round, hid, name), values in expected.items():
        about = [
            data["clashes"][name]
            for meta, data in conflicts
            if meta["subject_id"] == hid and name in meta["fields"]
        ]
        surfaced = {c["other"] for c in about} | {c["kept"] for c in about}
        # Every losing value of the clash is kept in a conflict item.
        assert values - {final[hid][name]} <= surfaced, (name, values, surfaced)
    # No edit vanished: each value is the server's or is held in a conflict item.
    held = {
        str(c[key])
        for _meta, data in conflicts
        for c in data["clashes"].values()
        for key in ("kept", "other")
    }
    for _round, _actor, hid, name, value in edits:
        later = [e for e in edits if e[2] == hid and e[3] == name and e[0] > _round]
        if not later:
            assert value == final[hid][name] or value in held, value
    # Replicas converge: same checksums and the same content everywhere.
    for actor in ACTORS:
        bucket = "street:S1" if actor == "sup" else "grid:G1"
        assert server.checksum(bucket) == engines[actor].local_checksum(bucket), actor
        for hid in households:
            content = laptops[actor].db.get_household(hid).content
            assert {n: getattr(content, n) for n in FIELDS} == {n: final[hid][n] for n in FIELDS}
        # The conflict items are visible to the user on every laptop.
        assert len(laptops[actor].db.list_conflicts(status=None)) == len(server.records("conflict"))
