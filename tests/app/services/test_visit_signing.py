"""A completed visit is signed with the key registered for this laptop, and is locked."""

from __future__ import annotations

import base64
import io
import sqlite3
from pathlib import Path

import pytest
from PIL import Image

from app.crypto import KdfParams
from app.crypto.device import verify_signature
from app.crypto.visit_signature import visit_signed_bytes
from app.domain import Finding, VisitKind, VisitStatus
from app.errors import ValidationError
from app.services.profiles import ProfileDirectory
from app.services.session import (
    AccountService,
    AccountSession,
    Registration,
    RegistrationRequest,
)

PASSWORD = "correct horse battery"


class _Server:
    """Keeps the public key each laptop registers, like the server's device table."""

    def __init__(self) -> None:
        self.public_keys: dict[str, bytes] = {}

    def register(self, request: RegistrationRequest) -> Registration:
        device_id = f"d-{request.account}"
        self.public_keys[device_id] = base64.b64decode(request.device_public_key)
        return Registration(user_id=f"u-{request.account}", device_id=device_id)


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("L", (200, 80), 255).save(out, format="PNG")
    return out.getvalue()


def _completed(tmp_path: Path, server: _Server) -> tuple[AccountService, AccountSession, str]:
    accounts = AccountService(
        ProfileDirectory(tmp_path), register=server.register, kdf=KdfParams.for_tests()
    )
    session = accounts.register("https://jf.example.cn", "wangfang", PASSWORD)
    session.seed_demo_data(seed=3, households=2)
    household_id = session.households()[0].household_id
    draft = session.start_visit(household_id, VisitKind.PERIODIC_REVIEW)
    draft = session.add_signature(draft.visit_id, "household", _png())
    content = draft.content.model_copy(
        update={
            "visitors": ("u-wangfang", "u-lijun"),
            "notice_of_duties_signed": True,
            "finding": Finding.ELIGIBLE,
        }
    )
    for visitor in content.visitors:
        draft = session.add_signature(draft.visit_id, visitor, _png())
    content = content.model_copy(update={"signatures": draft.content.signatures})
    session.complete_visit(draft.visit_id, content)
    return accounts, session, draft.visit_id


def test_completed_visit_is_signed_with_the_registered_key_and_survives_a_restart(
    tmp_path: Path,
) -> None:
    server = _Server()
    accounts, session, visit_id = _completed(tmp_path, server)
    public_key = server.public_keys["d-wangfang"]
    assert session.store.device_public_key == public_key
    assert session.store.verify_visit_signature(visit_id, public_key)

    # Recompute the signed bytes independently from what the store holds and the outbox sends.
    completion = next(
        e.changed
        for e in session.store.pending_mutations(limit=1000)
        if e.entity_id == visit_id and e.changed.get("status") == "completed"
    )
    assert completion["signed_by_device"] == "d-wangfang"
    assert completion["signature_version"] == 1
    visit = session.visit(visit_id)
    # every signature image is in the signed bytes by its hash
    shas = [session.store.get_attachment(s.attachment_id).sha256 for s in visit.content.signatures]
    flat = {
        "household_id": visit.household_id,
        "kind": visit.kind.value,
        "revision": visit.revision,
        "revision_of": visit.revision_of,
        "visit_date": visit.visit_date.isoformat() if visit.visit_date else None,
        "completed_at": completion["completed_at"],
    }
    signed = visit_signed_bytes(visit_id, flat, visit.content.model_dump(mode="json"), shas)
    verify_signature(public_key, signed, base64.b64decode(completion["device_signature"]))

    # After a restart the key is unwrapped again and later visits are signed by the same key.
    session.close()
    again = accounts.open(session.profile.profile_id)
    again.unlock(PASSWORD)
    assert again.store.device_public_key == public_key
    assert again.store.verify_visit_signature(visit_id, public_key)
    again.close()


def test_an_altered_photo_hash_or_another_devices_key_fails_verification(tmp_path: Path) -> None:
    server = _Server()
    _accounts, session, visit_id = _completed(tmp_path, server)
    public_key = server.public_keys["d-wangfang"]
    other = _Server()
    other_accounts = AccountService(
        ProfileDirectory(tmp_path / "other"), register=other.register, kdf=KdfParams.for_tests()
    )
    other_accounts.register("https://jf.example.cn", "lijun", PASSWORD).close()
    assert not session.store.verify_visit_signature(visit_id, other.public_keys["d-lijun"])

    # Swap the signature image's recorded hash behind the store's back (a replaced file).
    ref = session.visit(visit_id).content.signatures[0]
    path = session.store.path
    session.close()
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE attachment SET sha256 = ? WHERE id = ?", ("0" * 64, ref.attachment_id))
    conn.close()
    again = _accounts.open(session.profile.profile_id)
    again.unlock(PASSWORD)
    assert not again.store.verify_visit_signature(visit_id, public_key)
    again.close()


def test_a_completed_visit_refuses_every_further_edit(tmp_path: Path) -> None:
    server = _Server()
    _accounts, session, visit_id = _completed(tmp_path, server)
    visit = session.visit(visit_id)
    assert visit.status is VisitStatus.COMPLETED
    attachments_before = len(list(session.profile.path.glob("*.attachments/*.bin")))
    edits = [
        lambda: session.save_visit_draft(
            visit_id, visit.content.model_copy(update={"housing_conditions": "改过"})
        ),
        lambda: session.add_photo(visit_id, _png()),
        lambda: session.add_signature(visit_id, "household", _png()),
        lambda: session.autosave_visit(visit_id, {"housing_conditions": "改过"}),
        lambda: session.complete_visit(visit_id, visit.content),
    ]
    for edit in edits:
        with pytest.raises(ValidationError) as info:
            edit()
        assert info.value.code in {"visit_immutable", "visit_transition"}
    assert session.visit(visit_id).content == visit.content
    assert session.store.verify_visit_signature(visit_id, server.public_keys["d-wangfang"])
    # No orphan photo or signature file was written for the refused edits.
    assert len(list(session.profile.path.glob("*.attachments/*.bin"))) == attachments_before
