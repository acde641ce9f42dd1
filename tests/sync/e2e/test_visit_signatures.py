"""Device signatures over loopback sync: a completed visit signed on the laptop is verified by
the server against the registered key; one altered on its way is stored, flagged and audited."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlmodel import col, select

from app.domain import SignatureRef, VisitKind
from app.services.demo import complete_signed
from sync.client.supervisor import SupervisorApi
from sync.server import signatures
from sync.server.models import AuditEntry
from tests.sync.e2e.harness import Laptop, LiveServer, household_content, visit_content

LaptopFactory = Callable[[str], Laptop]


def _complete_visit_with_photo(laptop: Laptop, serial: int) -> tuple[str, str]:
    """(household id, visit id) of a completed visit with a photo and a signature image."""
    db = laptop.db
    hid = db.create_household(
        grid_id="G1", content=household_content(f"户{serial}", serial)
    ).household_id
    draft = db.create_visit_draft(hid, VisitKind.PERIODIC_REVIEW, visit_content())
    photo = db.add_attachment(
        hid, io.BytesIO(b"jpeg bytes %d" % serial), kind="photo", visit_id=draft.visit_id
    )
    signed = db.add_attachment(
        hid, io.BytesIO(b"png bytes %d" % serial), kind="signature", visit_id=draft.visit_id
    )
    db.update_visit_draft(
        draft.visit_id,
        photo_ids=(photo.attachment_id,),
        signatures=(
            SignatureRef(
                signer="household",
                attachment_id=signed.attachment_id,
                signed_at=datetime(2026, 3, 2, 2, 0, tzinfo=UTC),
            ),
        ),
    )
    complete_signed(db, draft.visit_id)
    return hid, draft.visit_id


def _checks(server: LiveServer, visit_ids: list[str]) -> dict[str, signatures.VisitSignatureCheck]:
    server.wait_for_checks()
    with server.session() as session:
        return signatures.checks_for(session, visit_ids)


@pytest.mark.slow
def test_signed_visit_is_verified_and_an_altered_one_is_flagged(
    server: LiveServer, laptop_factory: LaptopFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    fw1, sup = laptop_factory("fw1"), laptop_factory("sup")
    _hid, good = _complete_visit_with_photo(fw1, 1)
    engine = fw1.engine()
    assert engine.run_once().ok

    _hid2, bad = _complete_visit_with_photo(fw1, 2)
    wire = engine._wire

    def tamper(entry: Any) -> dict[str, Any]:
        mutation = wire(entry)
        if mutation["entity_id"] == bad and mutation["changed"].get("status") == "completed":
            # What reaches the server is not what the device signed.
            mutation["changed"]["housing_conditions"] = "新装修，家电齐全"
        return mutation

    monkeypatch.setattr(engine, "_wire", tamper)
    report = engine.run_once()
    # Accepted and flagged, not rejected: the supervisor must see the visit.
    assert report.ok and report.rejected == 0

    checks = _checks(server, [good, bad])
    assert checks[good].outcome == "verified"
    assert checks[good].device_id == fw1.device_id
    assert checks[good].device_user_id == server.user_ids["fw1"]
    assert checks[bad].outcome == "invalid"
    with server.session() as session:
        flagged = session.exec(
            select(AuditEntry).where(col(AuditEntry.action) == "signature_flag")
        ).all()
    assert [e.entity_id for e in flagged] == [bad]

    # The supervisor's review queue carries the verdicts.
    sup_engine = sup.engine()
    assert sup_engine.run_once().ok
    queue = {i.visit_id: i for i in SupervisorApi.for_engine(sup_engine).review_queue()}
    good_check, bad_check = queue[good].signature, queue[bad].signature
    assert good_check is not None and good_check.verified
    assert good_check.device_id == fw1.device_id
    assert bad_check is not None and not bad_check.verified and bad_check.outcome == "invalid"
    # The signature travelled with the visit to the supervisor's laptop, and still verifies
    # there against the author's key (the tampered one does not).
    assert sup.db.verify_visit_signature(good, fw1.db.device_public_key)
    assert not sup.db.verify_visit_signature(bad, fw1.db.device_public_key)


@pytest.mark.slow
def test_visits_checked_together_each_find_their_own_images_and_a_missing_one_is_flagged(
    server: LiveServer, laptop_factory: LaptopFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    fw1 = laptop_factory("fw1")
    visits = [_complete_visit_with_photo(fw1, serial)[1] for serial in range(3, 8)]
    missing = visits[-1]
    engine = fw1.engine(push_batch_mutations=7)  # images and completions spread over batches
    wire = engine._wire

    def name_an_unknown_photo(entry: Any) -> dict[str, Any]:
        mutation = wire(entry)
        if mutation["entity_id"] == missing and mutation["changed"].get("status") == "completed":
            mutation["changed"]["photo_ids"] = ["0190a000-0000-7000-8000-000000000001"]
        return mutation

    monkeypatch.setattr(engine, "_wire", name_an_unknown_photo)
    report = engine.run_once()

    assert report.ok and report.rejected == 0 and report.push_batches > 2
    checks = _checks(server, visits)
    assert {v: checks[v].outcome for v in visits} == {
        **dict.fromkeys(visits[:-1], "verified"),
        missing: "attachment_unknown",
    }
