"""The authorisation matrix: every role against every endpoint and object, compared with an
explicit allow/deny table (see the world in conftest.py)."""

from __future__ import annotations

import hashlib
import uuid
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import select

from app.policy import shipped_policies
from sync.server import accounts
from sync.server.models import UserGrid, utcnow
from tests.sync.server.conftest import World

ROLES = ["fw_a", "fw_b", "sup_1", "sup_2", "admin", "con_a", "con_b", "aadm_a"]
BUCKETS = [
    "grid:G1",
    "grid:G2",
    "grid:G3",
    "community:C1",
    "street:S1",
    "street:S2",
    "district:D1",
    "district:D2",
    "task:T_open",
    "task:T_closed",
    "task:T_b",
    "reference",
]

#: Explicit allow table: the buckets each role may pull (everything else is denied).
ALLOWED_BUCKETS: dict[str, set[str]] = {
    "fw_a": {"grid:G1", "reference"},
    "fw_b": {"grid:G2", "reference"},
    "sup_1": {"street:S1", "reference"},
    "sup_2": {"street:S2", "reference"},
    "admin": {"district:D1", "district:D2", "reference"},
    "con_a": {"task:T_open", "reference"},  # not the closed task, not agency A2's task
    "con_b": {"task:T_b", "reference"},
    "aadm_a": {"task:T_open", "reference"},
}
#: Records a pull of each bucket delivers (household + member each).
BUCKET_RECORDS = {
    "grid:G1": 2,
    "grid:G2": 2,
    "street:S1": 4,
    "street:S2": 2,
    "district:D1": 4,
    "district:D2": 2,
    "task:T_open": 2,
    "task:T_b": 2,
    "reference": 9 + len(shipped_policies()),  # the world's regions and the shipped policies
}
#: Households each role can read (listing and detail).
VISIBLE: dict[str, set[str]] = {
    "fw_a": {"H1"},
    "fw_b": {"H2"},
    "sup_1": {"H1", "H2"},
    "sup_2": {"H3"},
    "admin": {"H1", "H2", "H3"},
    "con_a": {"H1"},
    "con_b": {"H3"},
    "aadm_a": {"H1"},
}
#: Households each role may add records to (agency admins only watch).
WRITABLE: dict[str, set[str]] = VISIBLE | {"aadm_a": set()}
#: Role-gated endpoints.
DUPLICATES_ALLOWED = {"sup_1", "sup_2", "admin"}
ADMIN_ONLY = {"admin"}


def _bucket(world: World, bucket: str) -> str:
    kind, _, name = bucket.partition(":")
    return f"task:{world.ids[name]}" if kind == "task" else bucket


def test_pull_and_checksum_follow_the_bucket_table(world: World) -> None:
    for role in ROLES:
        for bucket in BUCKETS:
            real = _bucket(world, bucket)
            pull = world.get(role, "/v1/sync/pull", bucket=real)
            checksum = world.get(role, "/v1/sync/checksum", bucket=real)
            if bucket in ALLOWED_BUCKETS[role]:
                assert pull.status_code == 200, (role, bucket, pull.text)
                assert len(pull.json()["records"]) == BUCKET_RECORDS[bucket], (role, bucket)
                assert checksum.status_code == 200
                assert checksum.json()["count"] == BUCKET_RECORDS[bucket]
            else:
                assert pull.status_code == 403, (role, bucket, pull.status_code)
                assert checksum.status_code == 403, (role, bucket)
        me = world.get(role, "/v1/sync/buckets").json()["buckets"]
        assert set(me) == {_bucket(world, b) for b in ALLOWED_BUCKETS[role]}, role


def test_household_listing_and_detail_follow_the_visibility_table(world: World) -> None:
    for role in ROLES:
        listing = world.get(role, "/v1/households")
        assert listing.status_code == 200
        listed = {h["id"] for h in listing.json()["households"]}
        expected = {world.ids[h] for h in VISIBLE[role]}
        assert listed == expected, role
        assert listing.json()["count"] == len(expected), role
        for household in ("H1", "H2", "H3"):
            detail = world.get(role, f"/v1/households/{world.ids[household]}")
            if household in VISIBLE[role]:
                assert detail.status_code == 200, (role, household)
                assert len(detail.json()["members"]) == 1
            else:
                assert detail.status_code == 404, (role, household, detail.status_code)


def test_pushes_follow_the_write_table(world: World) -> None:
    for role in ROLES:
        for household in ("H1", "H2", "H3"):
            mutation = world.mutation(
                role,
                "visit",
                str(uuid.uuid4()),
                {"status": "draft", "kind": "periodic_review", "housing_conditions": "checked"},
                household_id=world.ids[household],
            )
            result = world.push(role, [mutation])["results"][0]
            if household in WRITABLE[role]:
                assert result["status"] == "applied", (role, household, result)
            else:
                assert result["status"] == "rejected", (role, household)
                assert result["reason"] == "forbidden"


def test_role_gated_endpoints(world: World) -> None:
    for role in ROLES:
        duplicates = world.get(role, "/v1/duplicates")
        assert duplicates.status_code == (200 if role in DUPLICATES_ALLOWED else 403), role
        verify = world.get(role, "/v1/admin/audit/verify")
        assert verify.status_code == (200 if role in ADMIN_ONLY else 403), role
        revoke = world.client.post(
            "/v1/admin/devices/no-such-device/revoke", headers=world.accounts[role].headers
        )
        assert revoke.status_code == (404 if role in ADMIN_ONLY else 403), role
        cannot_push_conflicts = world.push(
            role,
            [world.mutation(role, "conflict", str(uuid.uuid4()), {"status": "resolved"})],
        )["results"][0]
        assert cannot_push_conflicts["status"] == "rejected"


def test_attachment_download_follows_the_household(world: World) -> None:
    photo = b"photo of the kitchen" * 100
    sha = hashlib.sha256(photo).hexdigest()
    admin = world.accounts["admin"]
    put = world.client.put(
        f"/v1/attachments/{sha}",
        params={"offset": 0, "size": len(photo)},
        content=photo,
        headers=admin.headers,
    )
    assert put.status_code == 200 and put.json()["complete"]
    pushed = world.push(
        "admin",
        [
            world.mutation(
                "admin",
                "attachment",
                str(uuid.uuid4()),
                {"sha256": sha, "size": len(photo), "mime": "image/jpeg"},
                household_id=world.ids["H1"],
            )
        ],
    )
    assert pushed["results"][0]["status"] == "applied"
    for role in ROLES:
        response = world.get(role, f"/v1/attachments/{sha}")
        if "H1" in VISIBLE[role]:
            assert response.status_code == 200 and response.content == photo, role
        else:
            assert response.status_code == 404, role


#: Who may upload attachment bytes (have-check, offset query, chunks): every role that adds
#: records somewhere now. Agency admins only watch: refused (403).
UPLOADERS = {"fw_a", "fw_b", "sup_1", "sup_2", "admin", "con_a", "con_b"}


def _upload_calls(world: World, role: str, photo: bytes) -> list[tuple[str, int]]:
    """Upload `photo` in two chunks as `role`, the way a laptop does; (step, status) per call."""
    sha = hashlib.sha256(photo).hexdigest()
    headers = world.accounts[role].headers
    half = len(photo) // 2
    have = world.client.post("/v1/attachments/have", json={"sha256s": [sha]}, headers=headers)
    first = world.client.put(
        f"/v1/attachments/{sha}",
        params={"offset": 0, "size": len(photo)},
        content=photo[:half],
        headers=headers,
    )
    where = world.get(role, f"/v1/attachments/{sha}/offset")
    if where.status_code == 200:
        assert where.json()["offset"] == half, role
        assert have.json()["missing"] == [sha], role
    rest = world.client.put(
        f"/v1/attachments/{sha}",
        params={"offset": half, "size": len(photo)},
        content=photo[half:],
        headers=headers,
    )
    if rest.status_code == 200:
        assert rest.json()["complete"], role
    return [
        ("have", have.status_code),
        ("chunk", first.status_code),
        ("offset", where.status_code),
        ("last chunk", rest.status_code),
    ]


def _attach_to(world: World, role: str, sha: str, size: int, household: str) -> dict[str, Any]:
    mutation = world.mutation(
        role,
        "attachment",
        str(uuid.uuid4()),
        {"sha256": sha, "size": size, "mime": "image/jpeg"},
        household_id=world.ids[household],
    )
    result: dict[str, Any] = world.push(role, [mutation])["results"][0]
    return result


def test_the_have_check_refuses_a_non_uploader_before_reading_its_body(world: World) -> None:
    """An agency admin is refused (403) whatever it sends; an uploader's broken body is a 400,
    an invalid one a 422."""
    bodies = {b"{not json": 400, b"": 400, b'{"sha256s": ["nothex"]}': 422, b'{"x": 1}': 422}
    for body, status in bodies.items():
        for role in ROLES:
            response = world.client.post(
                "/v1/attachments/have",
                content=body,
                headers=world.accounts[role].headers | {"Content-Type": "application/json"},
            )
            expected = status if role in UPLOADERS else 403
            assert response.status_code == expected, (role, body, response.text)
            assert response.json()["code"] in ("forbidden", "malformed_json", "invalid_request")


def test_attachment_upload_offset_and_download_follow_the_role_table(world: World) -> None:
    """Each role uploads a photo of its own and attaches it to H1 (grid G1, task T_open): the
    bytes go up for every uploader; the record only where the role may write H1 (fw_b: another
    grid; con_b: another agency's task; sup_2: another street); the photo is then readable by
    exactly the roles that see H1, and an orphan (record refused) only by its uploader."""
    photos: dict[str, tuple[str, bool]] = {}
    for role in ROLES:
        photo = f"{role}'s photo of the kitchen ".encode() * 500
        sha = hashlib.sha256(photo).hexdigest()
        calls = _upload_calls(world, role, photo)
        expected = 200 if role in UPLOADERS else 403
        assert calls == [(step, expected) for step, _ in calls], (role, calls)
        if role not in UPLOADERS:
            assert world.get(role, f"/v1/attachments/{sha}").status_code == 404
            continue
        attached = _attach_to(world, role, sha, len(photo), "H1")
        if "H1" in WRITABLE[role]:
            assert attached["status"] == "applied", (role, attached)
        else:
            assert (attached["status"], attached["reason"]) == ("rejected", "forbidden"), role
        photos[role] = (sha, attached["status"] == "applied")
    for owner, (sha, on_h1) in photos.items():
        for role in ROLES:
            download = world.get(role, f"/v1/attachments/{sha}")
            ranged = world.client.get(
                f"/v1/attachments/{sha}",
                headers=world.accounts[role].headers | {"Range": "bytes=10-"},
            )
            allowed = "H1" in VISIBLE[role] if on_h1 else role == owner
            assert download.status_code == (200 if allowed else 404), (owner, role)
            assert ranged.status_code == (206 if allowed else 404), (owner, role)


def test_a_contractor_loses_upload_and_download_when_its_task_closes(world: World) -> None:
    photo = b"photo taken during the contracted visit " * 400
    sha = hashlib.sha256(photo).hexdigest()
    assert {status for _, status in _upload_calls(world, "con_a", photo)} == {200}
    assert _attach_to(world, "con_a", sha, len(photo), "H1")["status"] == "applied"
    assert world.get("con_a", f"/v1/attachments/{sha}").status_code == 200
    with world.session() as session:
        accounts.close_task(session, world.ids["T_open"])
        session.commit()

    # Its only task closed: no more uploads, and not even the photo it took itself.
    later = b"a photo after the task closed " * 400
    assert {status for _, status in _upload_calls(world, "con_a", later)} == {403}
    assert world.get("con_a", f"/v1/attachments/{sha}").status_code == 404
    assert world.get("fw_a", f"/v1/attachments/{sha}").status_code == 200  # the grid keeps it
    # Another agency's contractor keeps uploading for its own open task.
    assert {status for _, status in _upload_calls(world, "con_b", later)} == {200}


def test_a_field_worker_taken_off_every_grid_may_no_longer_upload(world: World) -> None:
    photo = b"photo taken in the grid " * 400
    assert {status for _, status in _upload_calls(world, "fw_a", photo)} == {200}
    with world.session() as session:
        for row in session.exec(
            select(UserGrid).where(UserGrid.user_id == world.accounts["fw_a"].user_id)
        ):
            session.delete(row)
        session.commit()

    later = b"a photo after leaving the grid " * 400
    assert {status for _, status in _upload_calls(world, "fw_a", later)} == {403}
    assert {status for _, status in _upload_calls(world, "fw_b", later)} == {200}


_SHA = hashlib.sha256(b"abc").hexdigest()
ENDPOINTS = [
    ("GET", "/v1/me"),
    ("GET", "/v1/households"),
    ("GET", "/v1/sync/buckets"),
    ("GET", "/v1/sync/pull?bucket=grid:G1"),
    ("GET", "/v1/sync/checksum?bucket=grid:G1"),
    ("GET", "/v1/duplicates"),
    ("GET", "/v1/admin/audit/verify"),
    ("POST", "/v1/attachments/have"),
    ("GET", f"/v1/attachments/{_SHA}/offset"),
    ("PUT", f"/v1/attachments/{_SHA}?offset=0&size=3"),
    ("GET", f"/v1/attachments/{_SHA}"),
    ("POST", "/v1/sync/push"),
]


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_anonymous_and_revoked_devices_get_nothing(world: World, method: str, path: str) -> None:
    bodies = {
        "/v1/attachments/have": {"sha256s": []},
        "/v1/sync/push": {
            "mutations": [world.mutation("fw_r", "household", "x", {"grid_id": "G1"})]
        },
    }
    json_body = bodies.get(path)
    anonymous = world.client.request(method, path, json=json_body)
    assert anonymous.status_code == 401
    assert anonymous.json()["code"] == "unauthenticated"
    revoked = world.client.request(
        method, path, json=json_body, headers=world.accounts["fw_r"].headers
    )
    assert revoked.status_code == 403
    assert revoked.json()["code"] == "revoked"
    assert world.get(None, "/v1/households/" + world.ids["H1"]).status_code == 401


def test_contractor_access_ends_when_the_task_closes(world: World) -> None:
    bucket = f"task:{world.ids['T_open']}"
    assert world.get("con_a", "/v1/sync/pull", bucket=bucket).status_code == 200
    with world.session() as session:
        accounts.close_task(session, world.ids["T_open"])
        session.commit()
    assert world.get("con_a", "/v1/sync/pull", bucket=bucket).status_code == 403
    assert world.get("con_a", "/v1/households").json()["count"] == 0
    assert world.get("con_a", f"/v1/households/{world.ids['H1']}").status_code == 404
    result = world.push(
        "con_a",
        [
            world.mutation(
                "con_a",
                "visit",
                str(uuid.uuid4()),
                {"status": "draft"},
                household_id=world.ids["H1"],
            )
        ],
    )["results"][0]
    assert result["reason"] == "forbidden"
    # The field worker of the grid still has it.
    assert world.get("fw_a", "/v1/households").json()["count"] == 1


def test_contractor_access_only_inside_the_task_window(world: World) -> None:
    now = utcnow()
    with world.session() as session:
        future = accounts.create_task(
            session,
            kind="clue_check",
            household_ids=[world.ids["H2"]],
            agency_id="A2",
            window_start=now + timedelta(days=1),
            window_end=now + timedelta(days=10),
        )
        past = accounts.create_task(
            session,
            kind="clue_check",
            household_ids=[world.ids["H2"]],
            agency_id="A2",
            window_start=now - timedelta(days=10),
            window_end=now - timedelta(days=1),
        )
        session.commit()
    buckets = set(world.get("con_b", "/v1/sync/buckets").json()["buckets"])
    assert f"task:{future.id}" not in buckets and f"task:{past.id}" not in buckets
    assert world.get("con_b", f"/v1/households/{world.ids['H2']}").status_code == 404
    assert world.get("con_b", "/v1/sync/pull", bucket=f"task:{past.id}").status_code == 403
