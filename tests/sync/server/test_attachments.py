"""Content-addressed, resumable attachment upload and download."""

from __future__ import annotations

import hashlib
import os
import uuid

from tests.sync.server.conftest import World


def _put(world: World, name: str, sha: str, offset: int, size: int, chunk: bytes):  # type: ignore[no-untyped-def]
    return world.client.put(
        f"/v1/attachments/{sha}",
        params={"offset": offset, "size": size},
        content=chunk,
        headers=world.accounts[name].headers,
    )


def _attach(world: World, sha: str, size: int) -> None:
    mutation = world.mutation(
        "fw_a",
        "attachment",
        str(uuid.uuid4()),
        {"sha256": sha, "size": size},
        household_id=world.ids["H1"],
    )
    assert world.push("fw_a", [mutation])["results"][0]["status"] == "applied"


def test_interrupted_upload_resumes_at_the_server_offset(world: World) -> None:
    photo = os.urandom(300_000)
    sha = hashlib.sha256(photo).hexdigest()
    have = world.client.post(
        "/v1/attachments/have", json={"sha256s": [sha]}, headers=world.accounts["fw_a"].headers
    )
    assert have.json()["missing"] == [sha]
    first = _put(world, "fw_a", sha, 0, len(photo), photo[:100_000])
    assert first.status_code == 200 and first.json() == {
        "sha256": sha,
        "offset": 100_000,
        "size": len(photo),
        "complete": False,
    }
    # The connection dropped; the laptop asks where to continue.
    where = world.get("fw_a", f"/v1/attachments/{sha}/offset").json()
    assert where["offset"] == 100_000 and not where["complete"]
    stale = _put(world, "fw_a", sha, 0, len(photo), photo[:100_000])
    assert stale.status_code == 409 and stale.json()["code"] == "offset_mismatch"
    assert stale.json()["detail"]["offset"] == 100_000
    rest = _put(world, "fw_a", sha, 100_000, len(photo), photo[100_000:])
    assert rest.status_code == 200 and rest.json()["complete"]
    have = world.client.post(
        "/v1/attachments/have", json={"sha256s": [sha]}, headers=world.accounts["fw_a"].headers
    )
    assert have.json()["missing"] == []
    _attach(world, sha, len(photo))
    download = world.get("sup_1", f"/v1/attachments/{sha}")
    assert download.status_code == 200 and download.content == photo


def test_wrong_checksum_is_refused_and_the_upload_starts_over(world: World) -> None:
    photo = os.urandom(50_000)
    claimed = hashlib.sha256(b"something else").hexdigest()
    response = _put(world, "fw_a", claimed, 0, len(photo), photo)
    assert response.status_code == 422
    assert response.json()["code"] == "checksum_mismatch"
    assert world.get("fw_a", f"/v1/attachments/{claimed}/offset").json()["offset"] == 0
    assert world.get("fw_a", f"/v1/attachments/{claimed}").status_code == 404


def test_wrong_checksum_over_several_chunks_is_refused_at_the_last(world: World) -> None:
    photo = os.urandom(50_000)
    claimed = hashlib.sha256(photo[:-1] + b"x").hexdigest()
    first = _put(world, "fw_a", claimed, 0, len(photo), photo[:20_000])
    assert first.status_code == 200 and first.json()["offset"] == 20_000
    last = _put(world, "fw_a", claimed, 20_000, len(photo), photo[20_000:])
    assert last.status_code == 422 and last.json()["code"] == "checksum_mismatch"
    assert world.get("fw_a", f"/v1/attachments/{claimed}/offset").json()["offset"] == 0


def test_stored_files_are_not_plaintext(world: World) -> None:
    photo = b"PLAINTEXT-PHOTO-MARKER " * 2000
    sha = hashlib.sha256(photo).hexdigest()
    assert _put(world, "fw_a", sha, 0, len(photo), photo).json()["complete"]
    root = world.context.settings.attachments_dir
    files = [p for p in root.rglob("*") if p.is_file()]
    assert files
    for path in files:
        assert b"PLAINTEXT-PHOTO-MARKER" not in path.read_bytes()


def test_bad_requests_get_clear_errors(world: World) -> None:
    headers = world.accounts["fw_a"].headers
    bad_name = world.client.put(
        "/v1/attachments/not-a-hash", params={"offset": 0, "size": 1}, content=b"x", headers=headers
    )
    assert bad_name.status_code == 404 and bad_name.json()["code"] == "not_found"
    sha = hashlib.sha256(b"abc").hexdigest()
    too_long = _put(world, "fw_a", sha, 0, 2, b"abc")
    assert too_long.status_code == 409 and too_long.json()["code"] == "invalid_request"
    empty = _put(world, "fw_a", sha, 0, 3, b"")
    assert empty.status_code == 400
    put_on_have = world.client.put("/v1/attachments/have", headers=headers)
    assert put_on_have.status_code == 405 and put_on_have.headers["Allow"] == "POST"
    patch = world.client.patch(f"/v1/attachments/{sha}", headers=headers)
    assert patch.status_code == 405 and set(patch.headers["Allow"].split(", ")) == {
        "GET",
        "PUT",
    }
    huge_chunk = _put(world, "fw_a", sha, 0, 10_000_000, b"\0" * (4 * 1024 * 1024 + 1))
    assert huge_chunk.status_code == 413 and huge_chunk.json()["code"] == "payload_too_large"
    have = world.client.post("/v1/attachments/have", json={"sha256s": ["xyz"]}, headers=headers)
    assert have.status_code == 422


def _stored_photo(world: World, size: int = 200_000) -> tuple[bytes, str]:
    photo = os.urandom(size)
    sha = hashlib.sha256(photo).hexdigest()
    assert _put(world, "fw_a", sha, 0, len(photo), photo).json()["complete"]
    _attach(world, sha, len(photo))
    return photo, sha


def test_download_resumes_from_a_byte_offset_with_range(world: World) -> None:
    photo, sha = _stored_photo(world)
    whole = world.get("sup_1", f"/v1/attachments/{sha}")
    assert whole.status_code == 200 and whole.content == photo
    assert whole.headers["ETag"] == f'"{sha}"' and whole.headers["Accept-Ranges"] == "bytes"

    headers = world.accounts["sup_1"].headers
    rest = world.client.get(f"/v1/attachments/{sha}", headers=headers | {"Range": "bytes=123456-"})
    assert rest.status_code == 206
    assert rest.content == photo[123456:]
    assert rest.headers["Content-Range"] == f"bytes 123456-{len(photo) - 1}/{len(photo)}"
    assert rest.headers["ETag"] == f'"{sha}"'

    middle = world.client.get(f"/v1/attachments/{sha}", headers=headers | {"Range": "bytes=10-19"})
    assert middle.status_code == 206 and middle.content == photo[10:20]
    tail = world.client.get(f"/v1/attachments/{sha}", headers=headers | {"Range": "bytes=-5"})
    assert tail.status_code == 206 and tail.content == photo[-5:]

    # A partial copy of the same content (If-Range = this ETag) resumes; of other bytes, not.
    same = world.client.get(
        f"/v1/attachments/{sha}",
        headers=headers | {"Range": "bytes=100-", "If-Range": f'"{sha}"'},
    )
    assert same.status_code == 206 and same.content == photo[100:]
    other = world.client.get(
        f"/v1/attachments/{sha}",
        headers=headers | {"Range": "bytes=100-", "If-Range": '"' + "0" * 64 + '"'},
    )
    assert other.status_code == 200 and other.content == photo


def test_a_range_past_the_end_is_416_and_a_malformed_one_is_ignored(world: World) -> None:
    photo, sha = _stored_photo(world, 1000)
    headers = world.accounts["fw_a"].headers
    for past in ("bytes=1000-", "bytes=5000-6000", "bytes=-0"):
        refused = world.client.get(f"/v1/attachments/{sha}", headers=headers | {"Range": past})
        assert refused.status_code == 416, past
        assert refused.json()["code"] == "range_not_satisfiable"
        assert refused.headers["Content-Range"] == "bytes */1000"
    last = world.client.get(f"/v1/attachments/{sha}", headers=headers | {"Range": "bytes=999-"})
    assert last.status_code == 206 and last.content == photo[999:]
    for ignored in ("bytes=5-2", "bytes=0-1,5-6", "lines=1-", "bytes=x-"):
        whole = world.client.get(f"/v1/attachments/{sha}", headers=headers | {"Range": ignored})
        assert whole.status_code == 200 and whole.content == photo, ignored
    # A range never lets anyone read what the household's visibility hides.
    hidden = world.client.get(
        f"/v1/attachments/{sha}", headers=world.accounts["fw_b"].headers | {"Range": "bytes=0-"}
    )
    assert hidden.status_code == 404
