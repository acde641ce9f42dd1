"""Supervisors resolve conflict items: per field the kept value, the other one or a merged
value; the record gets a new version, the conflict is marked resolved, the audit log says so.
Only supervisors and admins of the household's area may resolve."""

from __future__ import annotations

from typing import Any

from sqlmodel import col, select

from sync.server.audit import verify_chain
from sync.server.models import AuditEntry
from tests.sync.server.conftest import World
from tests.sync.server.test_tasks import pull_all


def _clash(world: World, field: str, first: Any, second: Any) -> str:
    """fw_a and sup_1 change the same field of H1 from the same version: a conflict item."""
    household = world.ids["H1"]
    world.push(
        "fw_a", [world.mutation("fw_a", "household", household, {field: first}, base_version=1)]
    )
    body = world.push(
        "sup_1", [world.mutation("sup_1", "household", household, {field: second}, base_version=1)]
    )
    [result] = body["results"]
    assert result["status"] == "conflict", body
    conflict_id: str = result["conflict_id"]
    return conflict_id


def _resolve(world: World, who: str, conflict_id: str, **body: Any) -> Any:
    return world.client.post(
        f"/v1/conflicts/{conflict_id}/resolve", json=body, headers=world.accounts[who].headers
    )


def _household(world: World, who: str) -> dict[str, Any]:
    records = pull_all(world, who, "grid:G1")["records"]
    record: dict[str, Any] = records[("household", world.ids["H1"])]
    return record


def test_only_the_areas_supervisors_and_admins_resolve(world: World) -> None:
    conflict_id = _clash(world, "phone", "13800000001", "13900000002")
    choose = {"fields": [{"field": "phone", "choice": "other"}]}
    # The author of one side does not settle the dispute alone; nor do contractors or agency
    # admins; the other street's supervisor does not even see the item.
    for who in ("fw_a", "con_a", "aadm_a"):
        assert _resolve(world, who, conflict_id, **choose).status_code == 403, who
        assert world.get(who, "/v1/conflicts").status_code == 403, who
    assert _resolve(world, "sup_2", conflict_id, **choose).status_code == 404
    assert world.get("sup_2", "/v1/conflicts").json()["count"] == 0
    listed = world.get("sup_1", "/v1/conflicts").json()["conflicts"]
    assert [c["id"] for c in listed] == [conflict_id]
    [clash] = listed[0]["clashes"]
    assert clash["field"] == "phone"
    assert {clash["kept"], clash["other"]} == {"13800000001", "13900000002"}
    assert world.get("admin", "/v1/conflicts").json()["count"] == 1


def test_resolution_writes_the_chosen_value_and_is_audited(world: World) -> None:
    conflict_id = _clash(world, "phone", "13800000001", "13900000002")
    [item] = world.get("sup_1", "/v1/conflicts").json()["conflicts"]
    [clash] = item["clashes"]
    before = _household(world, "fw_a")["version"]

    bad = [
        {"fields": [{"field": "note", "choice": "kept"}]},  # not the clashing field
        {"fields": [{"field": "phone", "choice": "merged"}]},  # merged without a value
        {"fields": [{"field": "phone", "choice": "kept", "value": "1"}]},  # value without merge
        {
            "fields": [
                {"field": "phone", "choice": "kept"},
                {"field": "phone", "choice": "other"},
            ]
        },
    ]
    for body in bad:
        assert _resolve(world, "sup_1", conflict_id, **body).status_code == 422, body

    response = _resolve(
        world, "sup_1", conflict_id, fields=[{"field": "phone", "choice": "other"}], note="核实过"
    )
    assert response.status_code == 200, response.text
    resolved = response.json()
    assert resolved["status"] == "resolved"
    assert resolved["resolution"] == {"phone": "other"}
    assert resolved["resolved_by"] == world.accounts["sup_1"].user_id
    assert resolved["resolved_at"]

    # The worker's next pull brings the decided value in a new version, and the item closed.
    household = _household(world, "fw_a")
    assert household["version"] > before
    assert household["data"]["phone"] == clash["other"]
    records = pull_all(world, "fw_a", "grid:G1")["records"]
    assert records[("conflict", conflict_id)]["meta"]["status"] == "resolved"
    assert world.get("sup_1", "/v1/conflicts").json()["count"] == 0
    assert (
        _resolve(
            world, "sup_1", conflict_id, fields=[{"field": "phone", "choice": "kept"}]
        ).status_code
        == 409
    )

    with world.session() as session:
        [entry] = session.exec(
            select(AuditEntry).where(col(AuditEntry.action) == "conflict_resolve")
        ).all()
        assert entry.user_id == world.accounts["sup_1"].user_id
        assert entry.entity_id == conflict_id
        assert verify_chain(session, world.context.keys).ok


def test_a_merged_value_is_checked_against_the_content_model(world: World) -> None:
    conflict_id = _clash(world, "address", "一号楼101", "一号楼102")
    # An address may not be empty: refused, naming the field, and nothing changes.
    refused = _resolve(
        world, "admin", conflict_id, fields=[{"field": "address", "choice": "merged", "value": ""}]
    )
    assert refused.status_code == 422
    assert refused.json()["detail"]["field"] == "address"
    assert world.get("admin", "/v1/conflicts").json()["count"] == 1
    merged = _resolve(
        world,
        "admin",
        conflict_id,
        fields=[{"field": "address", "choice": "merged", "value": "一号楼101室（原102）"}],
    )
    assert merged.status_code == 200, merged.text
    assert merged.json()["resolution"] == {"address": "merged"}
    assert _household(world, "fw_a")["data"]["address"] == "一号楼101室（原102）"


def test_a_clash_over_the_households_grid_only_keeps_the_current_place(world: World) -> None:
    household = world.ids["H1"]
    world.push(
        "sup_1",
        [world.mutation("sup_1", "household", household, {"grid_id": "G2"}, base_version=1)],
    )
    body = world.push(
        "admin",
        [world.mutation("admin", "household", household, {"grid_id": "G3"}, base_version=1)],
    )
    [result] = body["results"]
    assert result["status"] == "conflict", body
    conflict_id = result["conflict_id"]
    moved = _resolve(world, "admin", conflict_id, fields=[{"field": "grid_id", "choice": "other"}])
    assert moved.status_code == 409
    kept = _resolve(world, "admin", conflict_id, fields=[{"field": "grid_id", "choice": "kept"}])
    assert kept.status_code == 200, kept.text
    assert kept.json()["resolution"] == {"grid_id": "kept"}
