"""Clues: ledgered by ID number through the blind index, linked to members, closed as
confirmed or refuted through a clue_check visit; confirmed suspends the household."""

from __future__ import annotations

from typing import Any

from tests.sync.server.conftest import MARKER_ID, MARKER_NAME, World
from tests.sync.server.test_tasks import pull_all, push_visit


def new_clue(world: World, who: str, **body: Any) -> Any:
    return world.client.post("/v1/clues", json=body, headers=world.accounts[who].headers)


def close(world: World, who: str, clue_id: str, **body: Any) -> Any:
    return world.client.post(
        f"/v1/clues/{clue_id}/close", json=body, headers=world.accounts[who].headers
    )


def test_a_clue_by_id_number_reaches_the_members_household(world: World) -> None:
    response = new_clue(
        world,
        "sup_1",
        id_number=MARKER_ID.lower(),  # normalised like the index
        kind="business_registration",
        detail="名下有一家个体工商户",
        source="市场监管局比对 2026-10",
        found_on="2026-10-15",
    )
    assert response.status_code == 201, response.text
    [clue] = response.json()["clues"]
    assert clue["member_id"] == world.ids["M1"] and clue["household_id"] == world.ids["H1"]
    assert clue["status"] == "open" and clue["kind"] == "business_registration"
    assert MARKER_ID not in response.text and MARKER_NAME not in response.text
    # The grid's worker pulls it with the member's name for the visit.
    pulled = pull_all(world, "fw_a", "grid:G1")["records"][("clue", clue["id"])]
    assert pulled["data"]["member_name"] == MARKER_NAME
    assert pulled["data"]["found_on"] == "2026-10-15"
    # Ledger views follow the household.
    assert [c["id"] for c in world.get("fw_a", "/v1/clues").json()["clues"]] == [clue["id"]]
    assert world.get("fw_b", "/v1/clues").json()["count"] == 0
    assert world.get("sup_2", f"/v1/clues/{clue['id']}").status_code == 404
    detail = world.get("sup_1", f"/v1/clues/{clue['id']}").json()
    assert detail["detail"] == "名下有一家个体工商户"


def test_clue_ids_are_checked_and_scoped(world: World) -> None:
    bad = new_clue(world, "sup_1", id_number="110105194912310021", kind="vehicle")
    assert bad.status_code == 404  # nobody can hold it; the reason says why
    assert bad.json()["detail"]["reason"] == "id_check_digit"  # the parser's reason
    assert "校验码" in bad.json()["message_zh"]
    unknown = new_clue(world, "sup_1", id_number="110105195001010016", kind="vehicle")
    assert unknown.status_code == 404
    other_street = new_clue(world, "sup_2", id_number=MARKER_ID, kind="vehicle")
    assert other_street.status_code == 404
    assert new_clue(world, "fw_a", id_number=MARKER_ID, kind="vehicle").status_code == 403


def test_clue_closes_only_through_a_finished_clue_check_visit(world: World) -> None:
    [clue] = new_clue(world, "sup_1", id_number=MARKER_ID, kind="death").json()["clues"]
    review_visit = push_visit(world, "fw_a", "H1")  # a periodic review, not a clue check
    draft = push_visit(world, "fw_a", "H1", kind="clue_check", status="draft")
    other_household = push_visit(world, "fw_b", "H2", kind="clue_check")
    for visit_id, status in (
        (review_visit, 409),
        (draft, 409),
        (other_household, 409),
        ("no-such-visit", 404),
    ):
        refused = close(world, "sup_1", clue["id"], outcome="confirmed", visit_id=visit_id)
        assert refused.status_code == status, (visit_id, refused.text)
    check = push_visit(world, "fw_a", "H1", kind="clue_check", clue_ids=[clue["id"]])
    assert close(world, "fw_a", clue["id"], outcome="confirmed", visit_id=check).status_code == 403
    assert close(world, "sup_1", clue["id"], outcome="open", visit_id=check).status_code == 422
    done = close(world, "sup_1", clue["id"], outcome="confirmed", visit_id=check, note="已查实")
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "confirmed" and done.json()["visit_id"] == check
    # 先停保: the household is suspended, and the laptop learns both on its next pull.
    pulled = pull_all(world, "fw_a", "grid:G1")["records"]
    assert pulled[("clue", clue["id"])]["meta"]["status"] == "confirmed"
    assert pulled[("household", world.ids["H1"])]["meta"]["status"] == "suspended"
    assert close(world, "sup_1", clue["id"], outcome="refuted", visit_id=check).status_code == 409
    assert world.get("sup_1", "/v1/clues", status="confirmed").json()["count"] == 1
    assert world.get("sup_1", "/v1/clues", status="open").json()["count"] == 0


def test_refuted_clue_leaves_the_household_active(world: World) -> None:
    [clue] = new_clue(world, "sup_1", id_number=MARKER_ID, kind="vehicle").json()["clues"]
    check = push_visit(world, "fw_a", "H1", kind="clue_check", clue_ids=[clue["id"]])
    wrong_clue_listed = push_visit(world, "fw_a", "H1", kind="clue_check", clue_ids=["other"])
    refused = close(world, "sup_1", clue["id"], outcome="refuted", visit_id=wrong_clue_listed)
    assert refused.status_code == 409
    assert close(world, "sup_1", clue["id"], outcome="refuted", visit_id=check).status_code == 200
    household = pull_all(world, "fw_a", "grid:G1")["records"][("household", world.ids["H1"])]
    assert household["meta"]["status"] == "active"


def test_linking_a_clue_to_another_member_moves_it_with_the_household(world: World) -> None:
    [clue] = new_clue(world, "sup_1", id_number=MARKER_ID, kind="public_payroll_relative").json()[
        "clues"
    ]
    moved = world.client.post(
        f"/v1/clues/{clue['id']}/link",
        json={"member_id": world.ids["M2"]},
        headers=world.accounts["sup_1"].headers,
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["household_id"] == world.ids["H2"]
    assert ("clue", clue["id"]) in pull_all(world, "fw_b", "grid:G2")["records"]
    assert ("clue", clue["id"]) in pull_all(world, "fw_a", "grid:G1")["removed"]
    # A member outside the supervisor's area cannot be linked.
    outside = world.client.post(
        f"/v1/clues/{clue['id']}/link",
        json={"member_id": world.ids["M3"]},
        headers=world.accounts["sup_1"].headers,
    )
    assert outside.status_code == 404
