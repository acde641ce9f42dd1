"""The authorisation matrix of the workflow endpoints (tasks, spot checks, reviews, clues): every
role of the conftest world, anonymous and a revoked device, against each endpoint and object,
listing counts included, compared with an explicit table. Anything not in a table's allow
column must be refused."""

from __future__ import annotations

from typing import Any

import pytest

from tests.sync.server.conftest import MARKER_ID, World
from tests.sync.server.test_tasks import push_visit

ROLES = ["fw_a", "fw_b", "sup_1", "sup_2", "admin", "con_a", "con_b", "aadm_a"]


def call(world: World, who: str | None, method: str, path: str, body: Any = None) -> Any:
    headers = world.accounts[who].headers if who else {}
    return world.client.request(method, path, json=body, headers=headers)


def draw_over_s1(world: World, seed: str, *, inspector: str, sample_size: int) -> Any:
    """sup_1's spot check of street S1, dealt to one named inspector."""
    draw = call(
        world,
        "sup_1",
        "POST",
        "/v1/spot-checks",
        {
            "region_id": "S1",
            "sample_size": sample_size,
            "inspector_count": 1,
            "inspector_ids": [world.accounts[inspector].user_id],
            "seed": seed,
        },
    )
    assert draw.status_code == 201, draw.text
    return draw


def objects(world: World) -> dict[str, str]:
    """A visit and a clue on H1 (street S1, grid G1, in the open agency task T_open) and a
    spot-check draw over S1."""
    visit = push_visit(world, "fw_a", "H1")
    clue = call(world, "sup_1", "POST", "/v1/clues", {"id_number": MARKER_ID, "kind": "vehicle"})
    assert clue.status_code == 201, clue.text
    # The inspector is named: a drawn one could be fw_b, whose spot-check task on H1 would
    # rightly let it read H1's visit (see the test after the matrix).
    draw = draw_over_s1(world, "matrix", inspector="fw_r", sample_size=1)
    return {
        "visit": visit,
        "clue": clue.json()["clues"][0]["id"],
        "draw": draw.json()["id"],
        "task": world.ids["T_open"],
    }


#: Tasks each role lists before anything else is created (T_closed and T_b included).
TASK_LISTING = {
    "fw_a": set(),
    "fw_b": set(),
    "sup_1": {"T_open", "T_closed"},
    "sup_2": {"T_b"},
    "admin": {"T_open", "T_closed", "T_b"},
    "con_a": {"T_open"},
    "con_b": {"T_b"},
    "aadm_a": {"T_open"},
}
#: GET endpoints on the objects: who gets 200 (everyone else of ROLES gets the other status).
READS: list[tuple[str, set[str], int]] = [
    ("/v1/tasks/{task}", {"sup_1", "admin", "con_a", "aadm_a"}, 404),
    ("/v1/visits/{visit}/reviews", {"fw_a", "sup_1", "admin", "con_a", "aadm_a"}, 404),
    ("/v1/clues/{clue}", {"fw_a", "sup_1", "admin", "con_a", "aadm_a"}, 404),
    ("/v1/spot-checks/{draw}", {"sup_1", "admin"}, 0),  # 0: 403 for non-managers, 404 sup_2
    ("/v1/reviews/queue", {"sup_1", "sup_2", "admin"}, 403),
    ("/v1/eligibility-flags", {"sup_1", "sup_2", "admin"}, 403),
]
#: Listing counts per role (after `objects`): (path, {role: count}); absent role = refused.
COUNTS: list[tuple[str, str, dict[str, int]]] = [
    ("/v1/reviews/queue", "count", {"sup_1": 1, "sup_2": 0, "admin": 1}),
    ("/v1/clues", "count", {"fw_a": 1, "sup_1": 1, "admin": 1, "con_a": 1, "aadm_a": 1}),
    ("/v1/spot-checks", "draws", {"sup_1": 1, "sup_2": 0, "admin": 1}),
]
#: State-changing endpoints: the status each role gets when refused (allowed roles run last, in
#: the order given, so a refusal is always checked against the unchanged object).
WRITES: list[tuple[str, str, Any, dict[str, int], list[str]]] = [
    (
        "POST",
        "/v1/visits/{visit}/approve",
        {},
        {"fw_a": 403, "fw_b": 403, "sup_2": 404, "con_a": 403, "con_b": 403, "aadm_a": 403},
        ["sup_1"],
    ),
    (
        "POST",
        "/v1/clues/{clue}/link",
        {"member_id": "{M1}"},
        {"fw_a": 403, "fw_b": 403, "sup_2": 404, "con_a": 403, "con_b": 403, "aadm_a": 403},
        ["sup_1", "admin"],
    ),
    (
        "POST",
        "/v1/tasks/{task}/split",
        {"shares": [{"user_id": "{con_a}", "household_ids": ["{H1}"]}]},
        {"fw_a": 404, "fw_b": 404, "sup_1": 403, "sup_2": 404, "con_a": 403, "con_b": 404},
        ["aadm_a"],
    ),
    (
        "POST",
        "/v1/tasks/{task}/close",
        None,
        {"fw_a": 403, "fw_b": 403, "sup_2": 404, "con_a": 403, "con_b": 403, "aadm_a": 403},
        ["sup_1"],
    ),
]


def fill(world: World, ids: dict[str, str], text: str) -> str:
    names = {**ids, **world.ids, **{k: a.user_id for k, a in world.accounts.items()}}
    for name, value in names.items():
        text = text.replace("{" + name + "}", value)
    return text


def fill_body(world: World, ids: dict[str, str], body: Any) -> Any:
    if isinstance(body, str):
        return fill(world, ids, body)
    if isinstance(body, list):
        return [fill_body(world, ids, b) for b in body]
    if isinstance(body, dict):
        return {k: fill_body(world, ids, v) for k, v in body.items()}
    return body


def test_task_listing_follows_the_table(world: World) -> None:
    names = {v: k for k, v in world.ids.items()}
    for role in ROLES:
        response = call(world, role, "GET", "/v1/tasks")
        assert response.status_code == 200, role
        listed = {names.get(t["id"], t["id"]) for t in response.json()["tasks"]}
        assert listed == TASK_LISTING[role], role
        assert response.json()["count"] == len(TASK_LISTING[role])


def test_reads_and_counts_follow_the_table(world: World) -> None:
    ids = objects(world)
    for path, allowed, refusal in READS:
        url = fill(world, ids, path)
        for role in ROLES:
            status = call(world, role, "GET", url).status_code
            if role in allowed:
                assert status == 200, (path, role)
            elif refusal:
                assert status == refusal, (path, role, status)
            else:
                assert status in (403, 404), (path, role, status)
    for path, key, counts in COUNTS:
        for role in ROLES:
            response = call(world, role, "GET", path)
            if role not in counts and path != "/v1/clues":
                assert response.status_code == 403, (path, role)
                continue
            assert response.status_code == 200, (path, role)
            value = response.json()[key]
            assert (len(value) if isinstance(value, list) else value) == counts.get(role, 0), (
                path,
                role,
            )


def test_a_spot_check_inspector_reads_the_drawn_household_only_while_the_task_is_open(
    world: World,
) -> None:
    visit = push_visit(world, "fw_a", "H1")
    history = f"/v1/visits/{visit}/reviews"
    assert call(world, "fw_b", "GET", history).status_code == 404
    draw = draw_over_s1(world, "cross-grid", inspector="fw_b", sample_size=2)
    assert draw.json()["assignments"] == {
        world.accounts["fw_b"].user_id: sorted([world.ids["H1"], world.ids["H2"]])
    }
    assert call(world, "fw_b", "GET", history).status_code == 200
    assert call(world, "con_b", "GET", history).status_code == 404
    (task_id,) = draw.json()["task_ids"]
    closed = call(world, "sup_1", "POST", f"/v1/tasks/{task_id}/close", {})
    assert closed.status_code == 200, closed.text
    assert call(world, "fw_b", "GET", history).status_code == 404


def test_writes_follow_the_table(world: World) -> None:
    ids = objects(world)
    for method, path, body, refused, allowed in WRITES:
        url, payload = fill(world, ids, path), fill_body(world, ids, body)
        for role, status in refused.items():
            response = call(world, role, method, url, payload)
            assert response.status_code == status, (path, role, response.text)
        for role in allowed:
            response = call(world, role, method, url, payload)
            assert response.status_code in (200, 201), (path, role, response.text)
    creation = {"kind": "periodic_review", "household_ids": [world.ids["H1"]]}
    creation["assign_to"] = {"agency_id": "A1"}
    for role in ROLES:
        response = call(world, role, "POST", "/v1/tasks", creation)
        expected = {"sup_1": 201, "admin": 201, "sup_2": 404}.get(role, 403)
        assert response.status_code == expected, (role, response.text)


ENDPOINTS = [
    ("GET", "/v1/tasks"),
    ("POST", "/v1/tasks"),
    ("GET", "/v1/tasks/x"),
    ("POST", "/v1/tasks/x/close"),
    ("POST", "/v1/tasks/x/split"),
    ("GET", "/v1/spot-checks"),
    ("POST", "/v1/spot-checks"),
    ("GET", "/v1/spot-checks/x"),
    ("GET", "/v1/reviews/queue"),
    ("POST", "/v1/visits/x/review/start"),
    ("POST", "/v1/visits/x/approve"),
    ("POST", "/v1/visits/x/return"),
    ("GET", "/v1/visits/x/reviews"),
    ("GET", "/v1/eligibility-flags"),
    ("GET", "/v1/clues"),
    ("POST", "/v1/clues"),
    ("GET", "/v1/clues/x"),
    ("POST", "/v1/clues/x/link"),
    ("POST", "/v1/clues/x/close"),
]


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_anonymous_and_revoked_devices_get_nothing(world: World, method: str, path: str) -> None:
    anonymous = call(world, None, method, path, {})
    assert anonymous.status_code == 401, anonymous.text
    revoked = call(world, "fw_r", method, path, {})
    assert revoked.status_code == 403 and revoked.json()["code"] == "revoked", revoked.text


#: Writes whose allowed path is tested with its workflow (test_reviews, test_clues, test_tasks):
#: here every other role is refused, with the status it gets.
_SCOPED_WRITE_REFUSALS = {
    "fw_a": 403,
    "fw_b": 403,
    "sup_2": 404,  # another street's supervisor does not learn the object exists
    "con_a": 403,
    "con_b": 403,
    "aadm_a": 403,
}
REFUSED_WRITES: list[tuple[str, str, Any]] = [
    ("POST", "/v1/visits/{visit}/review/start", {}),
    (
        "POST",
        "/v1/visits/{visit}/return",
        {"comments": [{"field": "incomes", "comment": "请核实"}], "note": ""},
    ),
    ("POST", "/v1/clues", {"id_number": MARKER_ID, "kind": "vehicle"}),
    ("POST", "/v1/clues/{clue}/close", {"outcome": "refuted", "visit_id": "{visit}"}),
    (
        "POST",
        "/v1/spot-checks",
        {"region_id": "S1", "sample_size": 1, "inspector_count": 1, "seed": "refused"},
    ),
]


def test_review_clue_and_spot_check_writes_refuse_every_other_role(world: World) -> None:
    ids = objects(world)
    for method, path, body in REFUSED_WRITES:
        url, payload = fill(world, ids, path), fill_body(world, ids, body)
        for role, status in _SCOPED_WRITE_REFUSALS.items():
            response = call(world, role, method, url, payload)
            assert response.status_code == status, (path, role, response.text)
            assert response.json()["code"] in ("forbidden", "not_found"), (path, role)


def test_only_an_admin_revokes_users_and_everyone_reads_only_themselves(world: World) -> None:
    target = world.accounts["fw_b"].user_id
    for role in ROLES:
        if role == "admin":
            continue
        refused = call(world, role, "POST", f"/v1/admin/users/{target}/revoke")
        assert refused.status_code == 403, (role, refused.text)
        me = call(world, role, "GET", "/v1/me")
        assert me.status_code == 200 and me.json()["user_id"] == world.accounts[role].user_id
    assert world.get("fw_b", "/v1/me").status_code == 200  # nobody above revoked fw_b
    done = call(world, "admin", "POST", f"/v1/admin/users/{target}/revoke")
    assert done.status_code == 200, done.text
    assert world.get("fw_b", "/v1/me").status_code == 403


#: Bodies no write accepts: broken JSON, an unknown field, wrong types, nothing at all.
BAD_BODIES: list[bytes] = [
    b"{not json",
    b'{"unexpected": true}',
    b'{"comments": "not a list", "member_id": 7, "outcome": 1, "id_number": []}',
    b"",
]
#: Review, clue, task, split and spot-check writes: the caller is checked before the body is
#: even parsed, so a refused role gets its refusal (403, or 404 where the object is out of its
#: area) whatever it sends, and only a permitted role learns that the body is wrong (400
#: malformed, 422 invalid).
BAD_BODY_WRITES: list[tuple[str, dict[str, int], str]] = [
    ("/v1/visits/{visit}/approve", _SCOPED_WRITE_REFUSALS, "sup_1"),
    ("/v1/visits/{visit}/return", _SCOPED_WRITE_REFUSALS, "sup_1"),
    ("/v1/clues/{clue}/link", _SCOPED_WRITE_REFUSALS, "admin"),
    ("/v1/clues/{clue}/close", _SCOPED_WRITE_REFUSALS, "sup_1"),
    # sup_2 manages clues: which numbers it may ledger depends on the body, so it is not refused
    # up front (its bad body is a 422 like any manager's).
    ("/v1/clues", {r: s for r, s in _SCOPED_WRITE_REFUSALS.items() if r != "sup_2"}, "sup_2"),
    # Task creation and spot-check draws likewise: the households or the region are in the body.
    ("/v1/tasks", {r: s for r, s in _SCOPED_WRITE_REFUSALS.items() if r != "sup_2"}, "sup_2"),
    ("/v1/spot-checks", {r: s for r, s in _SCOPED_WRITE_REFUSALS.items() if r != "sup_2"}, "sup_1"),
    # Splitting: who does not reach the task gets 404, who reaches it without splitting it 403.
    (
        "/v1/tasks/{task}/split",
        {"fw_a": 404, "fw_b": 404, "sup_1": 403, "sup_2": 404, "con_a": 403, "con_b": 404},
        "aadm_a",
    ),
]


def send_raw(world: World, who: str | None, path: str, body: bytes) -> Any:
    headers = dict(world.accounts[who].headers) if who else {}
    headers["Content-Type"] = "application/json"
    return world.client.post(path, content=body, headers=headers)


def test_workflow_writes_check_the_caller_before_the_body(world: World) -> None:
    ids = objects(world)
    tasks_before = world.get("admin", "/v1/tasks").json()["count"]
    for path, refused, permitted in BAD_BODY_WRITES:
        url = fill(world, ids, path)
        for body in BAD_BODIES:
            for role, status in refused.items():
                response = send_raw(world, role, url, body)
                assert response.status_code == status, (path, role, body, response.text)
                assert response.json()["code"] in ("forbidden", "not_found"), (path, role, body)
            assert send_raw(world, None, url, body).status_code == 401, (path, body)
            revoked = send_raw(world, "fw_r", url, body)
            assert revoked.status_code == 403 and revoked.json()["code"] == "revoked"
            checked = send_raw(world, permitted, url, body)
            assert checked.status_code == (400 if body in (b"{not json", b"") else 422), (
                path,
                body,
                checked.text,
            )
            assert checked.json()["code"] in ("malformed_json", "invalid_request")
    # Nothing above changed anything: the visit is still waiting and the clue still open, no
    # task was made or split and no draw added.
    assert world.get("sup_1", "/v1/reviews/queue").json()["count"] == 1
    assert world.get("admin", "/v1/tasks").json()["count"] == tasks_before
    assert len(world.get("admin", "/v1/spot-checks").json()["draws"]) == 1
    clue = world.get("sup_1", f"/v1/clues/{ids['clue']}").json()
    assert clue["status"] == "open" and clue["member_id"] == world.ids["M1"]
