"""The reference bucket: every account pulls the regions and the server's policy references
(nothing personal), published when first pulled and again when something changes."""

from __future__ import annotations

import pytest

from app.domain import RegionLevel
from app.policy import shipped_policies
from sync.server import accounts
from sync.server.records import lock_changes
from sync.server.reference import publish_policies
from tests.sync.server.conftest import World
from tests.sync.server.test_tasks import buckets, pull_all


@pytest.mark.parametrize("who", ["fw_a", "con_b", "aadm_a", "sup_2", "admin"])
def test_every_account_pulls_regions_and_policy_references(world: World, who: str) -> None:
    assert "reference" in buckets(world, who)
    records = pull_all(world, who, "reference")["records"]
    regions = {rid: r for (entity, rid), r in records.items() if entity == "region"}
    assert set(regions) == {"D1", "S1", "C1", "G1", "G2", "D2", "S2", "C2", "G3"}
    assert regions["G1"]["meta"] == {
        "level": "grid",
        "parent_id": "C1",
        "name": "Grid One",
    }
    assert regions["G1"]["data"] == {"path": "district:D1/street:S1/community:C1/grid:G1"}
    refs = {rid: r for (entity, rid), r in records.items() if entity == "policy_ref"}
    assert set(refs) == {p.id for p in shipped_policies()}
    district = refs["district-x-2025"]
    assert district["meta"]["region_id"] == "district-x"
    assert district["meta"]["effective_from"] == "2025-01-01"
    assert district["data"]["version"] == "1"
    # Nothing of a household travels in this bucket.
    assert all(r["household_id"] is None for r in records.values())
    checksum = world.get(who, "/v1/sync/checksum", bucket="reference").json()
    assert checksum["count"] == len(records)


def test_new_regions_and_changed_policies_reach_the_next_pull(world: World) -> None:
    first = pull_all(world, "fw_a", "reference")["records"]
    again = world.get("fw_a", "/v1/sync/pull", bucket="reference", since=10**9).json()
    assert again["records"] == []  # nothing new: nothing published twice
    with world.session() as session:
        accounts.create_region(session, "G4", RegionLevel.GRID, "Grid Four", "C1")
        session.commit()
    newer = shipped_policies()[0].model_copy(
        update={"policy": shipped_policies()[0].policy.model_copy(update={"version": "2"})}
    )
    with world.session() as session:
        lock_changes(session)
        assert publish_policies(session, world.context.keys, [newer]) == len(shipped_policies())
        session.commit()
    after = pull_all(world, "fw_a", "reference")["records"]
    assert ("region", "G4") in after and ("region", "G4") not in first
    refs = {
        rid for (entity, rid), r in after.items() if entity == "policy_ref" and not r["deleted"]
    }
    assert refs == {newer.id}  # the others were withdrawn (deleted)
    assert after[("policy_ref", newer.id)]["data"]["version"] == "2"
