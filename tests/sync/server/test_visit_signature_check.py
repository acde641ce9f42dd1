"""The server's record of each completed visit's device signature: unsigned and forged ones are
stored, flagged in the review queue and written to the audit log (verified ones: see
tests/sync/e2e/test_visit_signatures.py, signed by a real laptop store over loopback)."""

from __future__ import annotations

import base64
import uuid
from typing import Any

import pytest
from sqlalchemy import event
from sqlmodel import col, select

from app.crypto.device import verify_signature
from app.crypto.visit_signature import SIGNED_BYTES_VERSION, attachment_ids, visit_signed_bytes
from app.policy import evaluate_visit
from sync.protocol import split_fields
from sync.server import recompute, signatures, visit_checks
from sync.server.models import AuditEntry
from tests.sync.server.conftest import World
from tests.sync.server.test_tasks import visit_fields


def _queue_signature(world: World, visit_id: str) -> dict[str, object] | None:
    queue = world.get("sup_1", "/v1/reviews/queue").json()["visits"]
    [item] = [v for v in queue if v["visit_id"] == visit_id]
    signature: dict[str, object] | None = item["device_signature"]
    return signature


def _flagged(world: World) -> list[str | None]:
    with world.session() as session:
        rows = session.exec(
            select(AuditEntry).where(col(AuditEntry.action) == "signature_flag")
        ).all()
    return [r.entity_id for r in rows]


def test_a_schema_1_visit_is_upgraded_and_recorded_as_unsigned(world: World) -> None:
    visit_id = str(uuid.uuid4())
    household = world.ids["H1"]
    old = world.mutation(
        "fw_a",
        "visit",
        visit_id,
        # An old app knows nothing of signatures; a field of that name is not trusted.
        {**visit_fields(household), "device_signature": "AAAA", "signed_by_device": "x"},
        household_id=household,
    )
    old["schema_version"] = 1
    body = world.push("fw_a", [old])
    assert body["results"][0]["status"] == "applied"
    assert body["upgrade_required"] is True
    signature = _queue_signature(world, visit_id)
    assert signature is not None and signature["outcome"] == "unsigned"
    assert _flagged(world) == [visit_id]


def test_a_forged_signature_is_accepted_but_flagged_invalid(world: World) -> None:
    visit_id = str(uuid.uuid4())
    household = world.ids["H1"]
    forged = base64.b64encode(b"\x01" * 64).decode()
    fields = {
        **visit_fields(household),
        "signed_by_device": world.accounts["fw_a"].device_id,
        "device_signature": forged,
        "signature_version": 1,
    }
    body = world.push(
        "fw_a", [world.mutation("fw_a", "visit", visit_id, fields, household_id=household)]
    )
    assert body["results"][0]["status"] == "applied"
    signature = _queue_signature(world, visit_id)
    assert signature is not None
    assert signature["outcome"] == "invalid"
    assert signature["device_id"] == world.accounts["fw_a"].device_id
    assert signature["device_user_id"] == world.accounts["fw_a"].user_id
    assert _flagged(world) == [visit_id]
    # A later status move does not check (or flag) the visit again.
    response = world.client.post(
        f"/v1/visits/{visit_id}/review/start", headers=world.accounts["sup_1"].headers
    )
    assert response.status_code == 200
    assert _flagged(world) == [visit_id]


def _signed(world: World, who: str, visit_id: str, fields: dict[str, Any]) -> dict[str, Any]:
    """The fields as the laptop's store signs them (`LocalStore._sign_visit`)."""
    account = world.accounts[who]
    assert account.key is not None
    _meta, content = split_fields("visit", fields)
    signed = visit_signed_bytes(visit_id, fields, content, attachment_ids(content))
    return {
        **fields,
        "signed_by_device": account.device_id,
        "device_signature": base64.b64encode(account.key.sign(signed)).decode(),
        "signature_version": SIGNED_BYTES_VERSION,
    }


def _signed_visit(world: World, visit_id: str, fields: dict[str, Any]) -> dict[str, Any]:
    """fw_a's mutation pushing the visit `fields`, signed by its laptop."""
    signed = _signed(world, "fw_a", visit_id, fields)
    return world.mutation("fw_a", "visit", visit_id, signed, household_id=fields["household_id"])


@pytest.fixture
def verifications(monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    """The signatures the server verifies from now on (each Ed25519 check, in order)."""
    calls: list[bytes] = []

    def counting(public_key: bytes, data: bytes, signature: bytes) -> None:
        calls.append(signature)
        verify_signature(public_key, data, signature)

    monkeypatch.setattr(signatures, "verify_signature", counting)
    return calls


def test_a_batch_of_signed_visits_is_verified_reading_the_device_once(world: World) -> None:
    household = world.ids["H1"]
    visit_ids = [str(uuid.uuid4()) for _ in range(6)]
    mutations = [
        _signed_visit(world, visit_id, visit_fields(household, housing_conditions=f"{n}"))
        for n, visit_id in enumerate(visit_ids)
    ]
    device_reads: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if "FROM device" in statement:
            device_reads.append(statement)

    engine = world.context.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        body = world.push("fw_a", mutations)
        world.wait_for_checks()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert [r["status"] for r in body["results"]] == ["applied"] * 6
    # The pushing device is authenticated once, and the worker checking the batch looks the
    # signing device up once, not once per visit.
    assert len(device_reads) <= 2, device_reads
    for visit_id in visit_ids:
        signature = _queue_signature(world, visit_id)
        assert signature is not None and signature["outcome"] == "verified"
    assert _flagged(world) == []


def test_content_that_orjson_writes_differently_still_verifies(world: World) -> None:
    """The server tries orjson's encoding first; where it differs from the laptop's standard
    library encoding (here a float, 2.5e-05 against 0.000025), the standard one decides."""
    household = world.ids["H1"]
    visit_id = str(uuid.uuid4())
    body = world.push(
        "fw_a", [_signed_visit(world, visit_id, visit_fields(household, soil_ratio=2.5e-05))]
    )
    assert body["results"][0]["status"] == "applied"
    signature = _queue_signature(world, visit_id)
    assert signature is not None and signature["outcome"] == "verified"


def test_a_signature_over_other_content_is_flagged_invalid(world: World) -> None:
    household = world.ids["H1"]
    visit_id = str(uuid.uuid4())
    fields = _signed(world, "fw_a", visit_id, visit_fields(household))
    fields["housing_conditions"] = "one room"  # changed after signing
    body = world.push(
        "fw_a", [world.mutation("fw_a", "visit", visit_id, fields, household_id=household)]
    )
    assert body["results"][0]["status"] == "applied"
    signature = _queue_signature(world, visit_id)
    assert signature is not None and signature["outcome"] == "invalid"
    assert _flagged(world) == [visit_id]


def test_each_signature_is_verified_once_after_the_push(
    world: World, verifications: list[bytes]
) -> None:
    """Not in the push: the server's worker verifies each visit once after it, and reading the
    queue then verifies nothing again."""
    household = world.ids["H1"]
    visit_ids = [str(uuid.uuid4()) for _ in range(3)]
    body = world.push(
        "fw_a", [_signed_visit(world, visit_id, visit_fields(household)) for visit_id in visit_ids]
    )
    assert [r["status"] for r in body["results"]] == ["applied"] * 3
    world.wait_for_checks()
    assert len(verifications) == 3 and len(set(verifications)) == 3
    for visit_id in visit_ids:
        signature = _queue_signature(world, visit_id)
        assert signature is not None and signature["outcome"] == "verified"
    assert len(verifications) == 3


def test_a_review_move_neither_verifies_nor_recomputes_again(
    world: World, verifications: list[bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Checks are made once per finished visit; a supervisor's status move writes a new
    version and queues nothing."""
    household = world.ids["H1"]
    visit_id = str(uuid.uuid4())
    world.push("fw_a", [_signed_visit(world, visit_id, visit_fields(household))])
    world.wait_for_checks()
    verifications.clear()
    evaluations: list[object] = []

    def counting_evaluate(*args: Any, **kwargs: Any) -> Any:
        evaluations.append(args)
        return evaluate_visit(*args, **kwargs)

    monkeypatch.setattr(recompute, "evaluate_visit", counting_evaluate)
    response = world.client.post(
        f"/v1/visits/{visit_id}/review/start", headers=world.accounts["sup_1"].headers
    )
    assert response.status_code == 200, response.text
    with world.session() as session:
        assert visit_checks.pending_count(session) == 0
    world.wait_for_checks()
    assert verifications == [] and evaluations == []
    signature = _queue_signature(world, visit_id)
    assert signature is not None and signature["outcome"] == "verified"
