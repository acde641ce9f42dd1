"""Tasks: creation in the supervisor's area, assignment, the agency admin's split, closing (the
contractor's buckets shrink so the laptop purges), progress. On SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from typing import Any

from sqlmodel import col, select

from app.domain import Role
from sync.server import accounts, records
from sync.server.models import RecordBucket
from tests.sync.server.conftest import PASSWORD, Account, World


def visit_fields(household_id: str, **extra: Any) -> dict[str, Any]:
    """A finished visit as a laptop pushes it (content fields kept small)."""
    fields: dict[str, Any] = {
        "household_id": household_id,
        "kind": "periodic_review",
        "status": "completed",
        "visit_date": "2025-06-02",
        "completed_at": "2025-06-02T03:00:00+00:00",
        "visitors": ["u1", "u2"],
        "housing_conditions": "two rooms",
        "finding": "eligible",
    }
    fields.update(extra)
    return fields


def push_visit(world: World, who: str, household: str, **extra: Any) -> str:
    visit_id = str(uuid.uuid4())
    body = world.push(
        who,
        [
            world.mutation(
                who,
                "visit",
                visit_id,
                visit_fields(world.ids[household], **extra),
                household_id=world.ids[household],
            )
        ],
    )
    assert body["results"][0]["status"] == "applied", body
    return visit_id


def buckets(world: World, who: str) -> set[str]:
    response = world.get(who, "/v1/sync/buckets")
    assert response.status_code == 200, response.text
    return set(response.json()["buckets"])


def pull_all(world: World, who: str, bucket: str) -> dict[str, Any]:
    """Every page of a bucket: {"records": {(entity, id): record}, "removed": {(entity, id)}}."""
    since, found, removed = 0, {}, set()
    while True:
        response = world.get(who, "/v1/sync/pull", bucket=bucket, since=since, limit=1000)
        assert response.status_code == 200, response.text
        page = response.json()
        for record in page["records"]:
            found[(record["entity"], record["id"])] = record
            removed.discard((record["entity"], record["id"]))
        for gone in page["removed"]:
            found.pop((gone["entity"], gone["id"]), None)
            removed.add((gone["entity"], gone["id"]))
        since = page["next_since"]
        if not page["has_more"]:
            return {"records": found, "removed": removed}


def add_contractor(world: World, name: str, agency: str) -> Account:
    with world.session() as session:
        user = accounts.create_user(
            session,
            username=name,
            password=PASSWORD,
            role=Role.CONTRACTOR,
            argon2=world.context.settings.argon2,
            agency_id=agency,
        )
        session.commit()
    world.accounts[name] = Account(name=name, user_id=user.id)
    return world.register(name)


def create_task(
    world: World,
    who: str,
    *,
    agency_id: str | None = None,
    assignee_user_id: str | None = None,
    **body: Any,
) -> Any:
    assign_to: dict[str, str] = {}
    if agency_id is not None:
        assign_to["agency_id"] = agency_id
    if assignee_user_id is not None:
        assign_to["user_id"] = assignee_user_id
    return world.client.post(
        "/v1/tasks", json={**body, "assign_to": assign_to}, headers=world.accounts[who].headers
    )


def test_supervisor_assigns_a_task_to_an_agency_whose_staff_then_sync_it(world: World) -> None:
    response = create_task(
        world,
        "sup_1",
        kind="clue_check",
        household_ids=[world.ids["H2"]],
        agency_id="A1",
        deadline="2026-12-31",
        title="核查",
    )
    assert response.status_code == 201, response.text
    task = response.json()
    assert task["status"] == "open" and task["households"] == 1 and task["deadline"] == "2026-12-31"
    bucket = f"task:{task['id']}"
    assert bucket in buckets(world, "con_a")
    assert bucket in buckets(world, "aadm_a")
    assert bucket not in buckets(world, "con_b")
    pulled = pull_all(world, "con_a", bucket)["records"]
    assert ("household", world.ids["H2"]) in pulled
    assert ("member", world.ids["M2"]) in pulled
    task_record = pulled[("task", task["id"])]
    assert task_record["meta"]["agency_id"] == "A1"
    assert task_record["data"]["household_ids"] == [world.ids["H2"]]
    # The supervisor sees the task in the street bucket; the other street does not.
    assert ("task", task["id"]) in pull_all(world, "sup_1", "street:S1")["records"]
    assert ("task", task["id"]) not in pull_all(world, "sup_2", "street:S2")["records"]
    assert world.get("con_b", "/v1/sync/pull", bucket=bucket).status_code == 403


def test_tasks_are_created_only_by_supervisors_within_their_area(world: World) -> None:
    h1 = world.ids["H1"]
    outside = create_task(
        world, "sup_2", kind="periodic_review", household_ids=[h1], agency_id="A2"
    )
    assert outside.status_code == 404  # not in their street: as if it did not exist
    assert outside.json()["code"] == "not_found"
    for who in ("fw_a", "con_a", "aadm_a"):
        denied = create_task(world, who, kind="periodic_review", household_ids=[h1], agency_id="A1")
        assert denied.status_code == 403, who
    both = create_task(
        world,
        "sup_1",
        kind="periodic_review",
        household_ids=[h1],
        agency_id="A1",
        assignee_user_id=world.accounts["fw_a"].user_id,
    )
    assert both.status_code == 422  # a worker or an agency, not both
    unknown = create_task(
        world, "admin", kind="periodic_review", household_ids=["nope"], agency_id="A1"
    )
    assert unknown.status_code == 404
    supervisor_as_assignee = create_task(
        world,
        "admin",
        kind="periodic_review",
        household_ids=[h1],
        assignee_user_id=world.accounts["sup_1"].user_id,
    )
    assert supervisor_as_assignee.status_code == 404  # no such field worker or contractor


def test_closing_a_task_takes_its_households_off_the_contractor(world: World) -> None:
    task_id = world.ids["T_open"]
    bucket = f"task:{task_id}"
    assert bucket in buckets(world, "con_a")
    before = world.get("con_a", "/v1/sync/checksum", bucket=bucket).json()
    assert before["count"] >= 2
    # Only supervisors and admins close; the contractor and the agency admin cannot.
    for who in ("con_a", "aadm_a", "fw_a"):
        refused = world.client.post(
            f"/v1/tasks/{task_id}/close", headers=world.accounts[who].headers
        )
        assert refused.status_code == 403, who
    closed = world.client.post(
        f"/v1/tasks/{task_id}/close", headers=world.accounts["sup_1"].headers
    )
    assert closed.status_code == 200, closed.text
    assert closed.json()["status"] == "closed" and closed.json()["closed_at"]
    # The bucket left the contractor's set: the laptop purges what no other bucket holds.
    assert bucket not in buckets(world, "con_a")
    assert bucket not in buckets(world, "aadm_a")
    assert world.get("con_a", "/v1/sync/pull", bucket=bucket).status_code == 403
    assert world.get("con_a", f"/v1/households/{world.ids['H1']}").status_code == 404
    with world.session() as session:
        assert records.checksum(session, bucket).count == 0
        still = session.exec(
            select(RecordBucket).where(
                RecordBucket.bucket == bucket, col(RecordBucket.present).is_(True)
            )
        ).all()
        assert still == []
    # The supervisor's copy of the task record says closed.
    task_record = pull_all(world, "sup_1", "street:S1")["records"][("task", task_id)]
    assert task_record["meta"]["status"] == "closed"
    again = world.client.post(f"/v1/tasks/{task_id}/close", headers=world.accounts["sup_1"].headers)
    assert again.status_code == 409


def test_agency_admin_splits_a_task_among_staff(world: World) -> None:
    con_c = add_contractor(world, "con_c", "A1")
    h1, h2 = world.ids["H1"], world.ids["H2"]
    # The world's open A1 task also covers H1; close it so only the new task gives access.
    world.client.post(
        f"/v1/tasks/{world.ids['T_open']}/close", headers=world.accounts["admin"].headers
    ).raise_for_status()
    parent = create_task(
        world, "admin", kind="periodic_review", household_ids=[h1, h2], agency_id="A1"
    )
    assert parent.status_code == 201, parent.text
    parent_id = parent.json()["id"]
    # Before the split every contractor of A1 reaches both households.
    assert world.get("con_c", f"/v1/households/{h2}").status_code == 200
    split_body = {
        "shares": [
            {"user_id": world.accounts["con_a"].user_id, "household_ids": [h1]},
            {"user_id": con_c.user_id, "household_ids": [h2]},
        ]
    }
    for who, status in (("con_a", 403), ("con_b", 404), ("sup_1", 403)):
        refused = world.client.post(
            f"/v1/tasks/{parent_id}/split", json=split_body, headers=world.accounts[who].headers
        )
        assert refused.status_code == status, (who, refused.text)
    response = world.client.post(
        f"/v1/tasks/{parent_id}/split", json=split_body, headers=world.accounts["aadm_a"].headers
    )
    assert response.status_code == 201, response.text
    subtasks = {t["assignee_user_id"]: t for t in response.json()["tasks"]}
    assert subtasks[con_c.user_id]["household_ids"] == [h2]
    assert all(t["parent_task_id"] == parent_id for t in subtasks.values())
    # Each contractor now reaches only their share; the parent bucket reports both as removed.
    assert world.get("con_c", f"/v1/households/{h2}").status_code == 200
    assert world.get("con_c", f"/v1/households/{h1}").status_code == 404
    assert world.get("con_a", f"/v1/households/{h2}").status_code == 404
    parent_pull = pull_all(world, "con_c", f"task:{parent_id}")
    assert ("household", h2) in parent_pull["removed"]
    assert ("household", h1) in parent_pull["removed"]
    assert f"task:{subtasks[con_c.user_id]['id']}" in buckets(world, "con_c")
    # The agency admin watches all of it.
    listed = world.get("aadm_a", "/v1/tasks").json()
    assert {parent_id, *(t["id"] for t in subtasks.values())} <= {t["id"] for t in listed["tasks"]}
    # A household can only be handed out once.
    twice = world.client.post(
        f"/v1/tasks/{parent_id}/split", json=split_body, headers=world.accounts["aadm_a"].headers
    )
    assert twice.status_code == 409
    # Closing the parent closes the shares too.
    closed = world.client.post(
        f"/v1/tasks/{parent_id}/close", headers=world.accounts["admin"].headers
    )
    assert closed.status_code == 200
    assert not any(b.startswith("task:") for b in buckets(world, "con_c"))


def test_task_progress_counts_visits_made_for_the_task(world: World) -> None:
    task_id = world.ids["T_open"]
    listed = {t["id"]: t for t in world.get("sup_1", "/v1/tasks").json()["tasks"]}
    assert listed[task_id]["households"] == 1 and listed[task_id]["visited"] == 0
    push_visit(world, "con_a", "H1", task_id=task_id)
    detail = world.get("con_a", f"/v1/tasks/{task_id}").json()
    assert detail["visited"] == 1
    # Other roles see only their tasks; an unreachable task is not found.
    assert world.get("con_b", f"/v1/tasks/{task_id}").status_code == 404
    assert task_id not in {t["id"] for t in world.get("sup_2", "/v1/tasks").json()["tasks"]}
    assert world.get(None, "/v1/tasks").status_code == 401
