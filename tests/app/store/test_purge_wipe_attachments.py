"""Purging households when a task closes, wiping a revoked laptop, and attachment files."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest

from app.errors import StoreError
from app.ids import uuid7
from app.store.local_store import LocalStore
from tests.app.store.conftest import PASSWORD, make_household


def test_purge_refuses_households_with_unsynced_edits(store: LocalStore) -> None:
    h = store.create_household(grid_id="g1", content=make_household("程英", serial=1))
    with pytest.raises(StoreError) as info:
        store.purge_households([h.household_id])
    assert info.value.code == "unsynced_edits"
    assert store.get_household(h.household_id)
    store.acknowledge(m.mutation_id for m in store.pending_mutations())
    assert store.purge_households([h.household_id]) == 1
    with pytest.raises(StoreError) as gone:
        store.get_household(h.household_id)
    assert gone.value.code == "not_found"
    assert store.purge_households([]) == 0


def test_purge_leaves_other_households_alone(store: LocalStore) -> None:
    a = store.create_household(grid_id="g1", content=make_household("甲一", serial=2))
    b = store.create_household(grid_id="g1", content=make_household("乙二", serial=3))
    store.acknowledge(m.mutation_id for m in store.pending_mutations())
    store.purge_households([a.household_id])
    assert [s.household_id for s in store.list_households()] == [b.household_id]
    assert store.find_by_id_number(b.members[0].content.id_number)


def test_wipe_destroys_keys_and_every_file(store_path: Path, store: LocalStore) -> None:
    h = store.create_household(grid_id="g1", content=make_household("丁三", serial=4))
    store.add_attachment(h.household_id, io.BytesIO(b"img" * 1000), kind="photo")
    store.wipe()
    assert not store.is_unlocked
    assert list(store_path.parent.iterdir()) == []
    store.close()  # harmless after wipe
    with pytest.raises(StoreError):
        LocalStore.open(store_path)


def test_downloaded_attachment_is_checked_encrypted_and_readable(store: LocalStore) -> None:
    hid, aid = uuid7(), uuid7()
    photo = b"\xff\xd8" + b"jpeg body" * 3000
    digest = hashlib.sha256(photo).hexdigest()
    store.apply_pull_page(
        [
            {"entity": "household", "id": hid, "version": 1, "seq": 1, "household_id": hid,
             "grid_id": "g1", "meta": {"status": "active"},
             "data": {"head_name": "远方户", "address": "远方路"}},
            {"entity": "attachment", "id": aid, "version": 1, "seq": 2, "household_id": hid,
             "meta": {"visit_id": None, "kind": "photo", "sha256": digest,
                      "size": len(photo), "chunks": 1}, "data": {}},
        ],
        "grid:g1",
        2,
    )  # fmt: skip
    assert [a.attachment_id for a in store.missing_attachments()] == [aid]
    with pytest.raises(StoreError):
        store.read_attachment(aid)
    with pytest.raises(StoreError) as info:
        store.store_downloaded_attachment(aid, io.BytesIO(photo + b"tampered"))
    assert info.value.code == "attachment_checksum"
    assert not list(store.attachments_dir.glob("*.part"))
    view = store.store_downloaded_attachment(aid, io.BytesIO(photo))
    assert view.present
    assert store.missing_attachments() == []
    assert store.read_attachment(aid) == photo
    assert photo[:100] not in (store.attachments_dir / f"{aid}.bin").read_bytes()
    assert store.pending_count() == 0
    # A later pull of the same metadata keeps the file marked present.
    store.apply_pull_page(
        [{"entity": "attachment", "id": aid, "version": 2, "seq": 3, "household_id": hid,
          "meta": {"visit_id": None, "kind": "photo", "sha256": digest, "size": len(photo),
                   "chunks": 1}, "data": {"caption": "门口"}}],
        "grid:g1",
        3,
    )  # fmt: skip
    assert store.get_attachment(aid).present


def test_attachment_of_a_reopened_store_still_opens(store_path: Path, store: LocalStore) -> None:
    h = store.create_household(grid_id="g1", content=make_household("戊五", serial=5))
    view = store.add_attachment(h.household_id, io.BytesIO(b"sig" * 50), kind="signature")
    store.close()
    reopened = LocalStore.open(store_path)
    reopened.unlock(PASSWORD)
    assert reopened.read_attachment(view.attachment_id) == b"sig" * 50
    reopened.close()
