"""What a thief gets from the laptop: no plaintext anywhere, no ciphertext that opens elsewhere,
nothing without the password, nothing at all of a shredded household."""

from __future__ import annotations

import io
import logging
import sqlite3
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.domain import NeighbourInterview, VisitKind
from app.errors import DecryptionError, KeyMissingError, VaultLockedError, WrongPasswordError
from app.store.local_store import LocalStore
from tests.app.store.conftest import (
    PASSWORD,
    complete_visit_content,
    make_household,
    make_id_number,
    make_member,
    new_store,
)

MARKER_NAME = "龚秘测试者"
MARKER_ID = make_id_number(777, birth="19660606", region="420802")
ENCODINGS = ("utf-8", "utf-16-le", "utf-16-be", "gbk")


def _needles() -> list[tuple[str, bytes]]:
    return [(f"{m}/{enc}", m.encode(enc)) for m in (MARKER_NAME, MARKER_ID) for enc in ENCODINGS]


def _files(*folders: Path) -> Iterator[Path]:
    for folder in folders:
        yield from (p for p in folder.rglob("*") if p.is_file())


def _leaks(*folders: Path) -> list[str]:
    found = []
    for path in _files(*folders):
        data = path.read_bytes()
        found += [f"{path.name}: {label}" for label, needle in _needles() if needle in data]
    return found


@pytest.fixture
def private_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A temp dir of our own, so every temp file this test causes can be inspected."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setenv("TMPDIR", str(folder))
    monkeypatch.setenv("SQLITE_TMPDIR", str(folder))
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def test_markers_never_reach_disk_or_logs_in_plaintext(
    tmp_path: Path, private_tmp: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    profile = tmp_path / "profile"
    store = new_store(profile / "store.sqlite3")
    content = make_household(MARKER_NAME, serial=1, address=f"{MARKER_NAME}家 幸福路1号")
    marked = make_member(MARKER_NAME, 0).model_copy(update={"id_number": MARKER_ID})
    content = content.model_copy(update={"members": (*content.members, marked)})
    h = store.create_household(grid_id="g1", content=content)
    store.update_household(h.household_id, note=f"{MARKER_NAME} {MARKER_ID}")
    visit = store.create_visit_draft(
        h.household_id,
        VisitKind.APPLICATION,
        complete_visit_content(
            present=(MARKER_NAME,),
            neighbour_interviews=(
                NeighbourInterview(name=MARKER_NAME, statement=f"认识{MARKER_ID}的主人"),
            ),
        ),
    )
    store.autosave_draft(visit.visit_id, {"living_conditions": f"{MARKER_NAME}{MARKER_ID}"})
    photo = f"fake image bytes {MARKER_NAME} {MARKER_ID}".encode() * 5000
    attachment = store.add_attachment(
        h.household_id, io.BytesIO(photo), kind="photo", visit_id=visit.visit_id
    )
    # Everything went where it should and reads back (so the markers really were written).
    assert store.find_by_id_number(MARKER_ID)[0].content.name == MARKER_NAME
    assert store.search_households(MARKER_NAME)[0].household_id == h.household_id
    assert store.read_attachment(attachment.attachment_id) == photo
    assert any(MARKER_ID in str(m.changed) for m in store.pending_mutations(500))
    assert store.recover_drafts()

    wal = profile / "store.sqlite3-wal"
    assert wal.exists() and wal.stat().st_size > 0  # the open store's WAL is inspected too
    assert _leaks(profile, private_tmp) == []
    store.close()
    assert _leaks(profile, private_tmp) == []
    log_text = caplog.text + "".join(str(r.args) for r in caplog.records)
    assert caplog.records  # the store does log at DEBUG
    assert MARKER_NAME not in log_text and MARKER_ID not in log_text


def test_the_leak_scanner_itself_finds_each_encoding(tmp_path: Path) -> None:
    for label, needle in _needles():
        sample = tmp_path / "sample.bin"
        sample.write_bytes(b"prefix" + needle + b"suffix")
        assert any(label in leak for leak in _leaks(tmp_path))


def _payload(path: Path, table: str, row_id: str) -> bytes:
    with sqlite3.connect(path) as conn:
        return bytes(
            conn.execute(f"SELECT payload FROM {table} WHERE id = ?", (row_id,)).fetchone()[0]
        )


def _set_payload(path: Path, table: str, row_id: str, payload: bytes) -> None:
    conn = sqlite3.connect(path)
    with conn:
        conn.execute(f"UPDATE {table} SET payload = ? WHERE id = ?", (payload, row_id))
    conn.close()


def test_ciphertext_moved_to_another_row_or_table_fails_to_open(
    store_path: Path, store: LocalStore
) -> None:
    h = store.create_household(
        grid_id="g1", content=make_household("马原", serial=2, extra_members=(("马丽", 3),))
    )
    other = store.create_household(grid_id="g1", content=make_household("牛二", serial=4))
    a, b = (m.member_id for m in store.get_household(h.household_id).members)
    store.close()

    # Member b's ciphertext copied over member a (same household key, different row).
    _set_payload(store_path, "member", a, _payload(store_path, "member", b))
    # The household's ciphertext copied into another household's row (different key and row).
    _set_payload(
        store_path,
        "household",
        other.household_id,
        _payload(store_path, "household", h.household_id),
    )
    reopened = LocalStore.open(store_path)
    reopened.unlock(PASSWORD)
    with pytest.raises(DecryptionError) as info:
        reopened.get_household(h.household_id)
    assert info.value.code == "decryption_failed"
    assert "payload" not in info.value.message_en or info.value.message_zh  # bilingual text
    with pytest.raises((DecryptionError, KeyMissingError)):
        reopened.get_household(other.household_id)
    reopened.close()


def test_household_ciphertext_moved_into_a_visit_column_fails(
    store_path: Path, store: LocalStore
) -> None:
    h = store.create_household(grid_id="g1", content=make_household("杨帆", serial=5))
    visit = store.create_visit_draft(h.household_id, VisitKind.DISCOVERY, complete_visit_content())
    store.close()
    _set_payload(
        store_path, "visit", visit.visit_id, _payload(store_path, "household", h.household_id)
    )
    reopened = LocalStore.open(store_path)
    reopened.unlock(PASSWORD)
    with pytest.raises(DecryptionError):
        reopened.get_visit(visit.visit_id)
    assert reopened.get_household(h.household_id).content.head_name == "杨帆"
    reopened.close()


def test_a_flipped_byte_in_a_payload_shows_nothing(store_path: Path, store: LocalStore) -> None:
    h = store.create_household(grid_id="g1", content=make_household("黄河", serial=6))
    store.close()
    envelope = bytearray(_payload(store_path, "household", h.household_id))
    envelope[-5] ^= 0x01
    _set_payload(store_path, "household", h.household_id, bytes(envelope))
    reopened = LocalStore.open(store_path)
    reopened.unlock(PASSWORD)
    with pytest.raises(DecryptionError):
        reopened.get_household(h.household_id)
    reopened.close()


def test_wrong_password_decrypts_nothing(store_path: Path, store: LocalStore) -> None:
    h = store.create_household(grid_id="g1", content=make_household("林森", serial=7))
    store.close()
    reopened = LocalStore.open(store_path)
    with pytest.raises(WrongPasswordError):
        reopened.unlock("not the password")
    assert not reopened.is_unlocked
    with pytest.raises(VaultLockedError):
        reopened.get_household(h.household_id)
    with pytest.raises(VaultLockedError):
        reopened.search_households("林")
    reopened.close()


def test_after_password_change_old_fails_and_every_record_opens(
    store_path: Path, store: LocalStore
) -> None:
    h = store.create_household(grid_id="g1", content=make_household("罗兰", serial=8))
    visit = store.create_visit_draft(
        h.household_id, VisitKind.APPLICATION, complete_visit_content()
    )
    store.autosave_draft(visit.visit_id, {"note": "草稿"})
    photo = store.add_attachment(h.household_id, io.BytesIO(b"\x89PNG" * 100), kind="photo")
    old_header = None
    with sqlite3.connect(store_path) as conn:
        old_header = conn.execute(
            "SELECT value FROM vault_meta WHERE key='vault_header'"
        ).fetchone()[0]
    store.change_password(PASSWORD, "a brand new passphrase")
    store.close()

    reopened = LocalStore.open(store_path)
    with pytest.raises(WrongPasswordError):
        reopened.unlock(PASSWORD)
    reopened.unlock("a brand new passphrase")
    assert reopened.get_household(h.household_id).content.head_name == "罗兰"
    assert reopened.get_visit(visit.visit_id).content.finding is not None
    assert reopened.recover_drafts()[0].content == {"note": "草稿"}
    assert reopened.read_attachment(photo.attachment_id) == b"\x89PNG" * 100
    assert len(reopened.pending_mutations(500)) == 4
    assert reopened.search_households("罗兰")
    assert reopened.verify_audit_chain().ok
    reopened.close()
    # The old header (which the old password opens) is gone from every file.
    assert all(old_header not in p.read_bytes() for p in _files(store_path.parent))


def test_shredded_household_cannot_be_opened_and_its_key_is_gone_from_disk(
    store_path: Path, store: LocalStore
) -> None:
    doomed = store.create_household(grid_id="g1", content=make_household("苏醒", serial=9))
    kept = store.create_household(grid_id="g1", content=make_household("白云", serial=10))
    photo = store.add_attachment(doomed.household_id, io.BytesIO(b"x" * 70_000), kind="photo")
    with sqlite3.connect(store_path) as conn:
        wrapped = bytes(
            conn.execute(
                "SELECT wrapped FROM wrapped_key WHERE key_id = ?", (doomed.household_id,)
            ).fetchone()[0]
        )
        row = conn.execute(
            "SELECT id, grid_id, status, category, next_review, version, seq, payload "
            "FROM household WHERE id = ?",
            (doomed.household_id,),
        ).fetchone()
    store.acknowledge(m.mutation_id for m in store.pending_mutations(500))
    store.shred_household(doomed.household_id)
    assert store.search_households("苏醒") == []
    assert not (store.attachments_dir / f"{photo.attachment_id}.bin").exists()

    # The wrapped key's bytes (and the household's ciphertext) are on no file any more.
    leftovers = [p.name for p in _files(store_path.parent) if wrapped in p.read_bytes()]
    assert leftovers == []
    assert all(bytes(row[7]) not in p.read_bytes() for p in _files(store_path.parent))

    # Someone restores the ciphertext from an old copy: it still cannot be opened.
    attacker = sqlite3.connect(store_path)
    with attacker:
        attacker.execute(
            "INSERT INTO household (id, grid_id, status, category, next_review, version, seq, "
            "payload) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            row,
        )
    attacker.close()
    with pytest.raises(KeyMissingError):
        store.get_household(doomed.household_id)
    store.close()
    reopened = LocalStore.open(store_path)
    reopened.unlock(PASSWORD)
    with pytest.raises(KeyMissingError):
        reopened.get_household(doomed.household_id)
    assert reopened.get_household(kept.household_id).content.head_name == "白云"
    assert reopened.verify_audit_chain().ok
    reopened.close()
