"""Device signatures of completed visits, verified when the visit reaches the server (DESIGN §3).

A laptop signs each completed visit (`app.crypto.visit_signature`) with the Ed25519 key it
registered; the signature, the signing device and the signed-bytes version travel in the visit's
plaintext fields. Once per finished visit — queued by the push that brings it and run after it
(`visit_checks`) — this module rebuilds the signed bytes from the record as the server now holds
it and the content hashes of the attachments it names, and verifies them against the public key
registered for that device. One `visit_signature_check`
row per visit records the outcome; anything but `verified` is also written to the audit log.

Accept and flag, not reject. A visit whose signature does not verify is still stored: rejecting
it would leave it quarantined on the laptop where no supervisor sees it, and the record would
never reach review. It is stored with its failed check instead, the review queue shows the
outcome in red next to the visit, and the audit log names the visit and device. An approval is
the supervisor's informed decision, not the server's silent one.

The signatures drawn on the laptop's pads (the household and every visitor) are required by the
laptop's store before a visit completes; the server does not check them again. It cannot judge
the drawn images, only that a reference exists per signer, and the device signature already
covers the references and their image hashes. Were it to check, it would flag in the same way
(never reject); that needs the server's demo visits to carry uploaded images first, or every
seeded visit would show the flag.
"""

from __future__ import annotations

import base64
import binascii
import logging
from collections.abc import Iterable
from datetime import datetime
from typing import Any, Final

import orjson
from sqlalchemy import event
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Field, Session, SQLModel, col, select

from app.crypto.canonical import canonical_json
from app.crypto.device import SignatureInvalidError, verify_signature
from app.crypto.visit_signature import (
    SUPPORTED_SIGNED_BYTES_VERSIONS,
    attachment_ids,
    visit_signed_document,
)
from app.errors import ValidationError
from sync.protocol import Entity
from sync.server import visit_checks
from sync.server.audit import AuditEvent, record_event
from sync.server.models import Device, SyncRecord, UTCDateTime, utcnow
from sync.server.records import stage_insert

logger = logging.getLogger(__name__)


class SignatureOutcome:
    VERIFIED: Final = "verified"
    INVALID: Final = "invalid"  # the record is not what the device signed (or another key)
    UNSIGNED: Final = "unsigned"  # no signature (an older app, or a store without a key)
    UNKNOWN_DEVICE: Final = "unknown_device"  # no registered device of that id
    ATTACHMENT_UNKNOWN: Final = "attachment_unknown"  # a named photo/signature is not here
    UNSUPPORTED_VERSION: Final = "unsupported_version"


class VisitSignatureCheck(SQLModel, table=True):
    """The verification of one visit's device signature (a finished visit never changes)."""

    __tablename__ = "visit_signature_check"

    visit_id: str = Field(primary_key=True, max_length=64)
    household_id: str | None = Field(default=None, index=True, max_length=64)
    visit_version: int
    checked_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    outcome: str = Field(max_length=32, index=True)
    #: the device the visit names as its signer (None: unsigned)
    device_id: str | None = Field(default=None, max_length=64)
    #: the user that device is registered to
    device_user_id: str | None = Field(default=None, max_length=64)
    signature_version: int | None = None


#: attachment ids named by the visits being checked in this transaction, not yet looked up
_NOTED = "jiafang_signature_attachments_noted"
#: attachment records looked up in this transaction, by id
_LOADED = "jiafang_signature_attachments_loaded"
#: signing devices looked up in this transaction, by id (None: no such device)
_DEVICES = "jiafang_signature_devices"


def _device(session: Session, device_id: str) -> Device | None:
    """The registered device of that id, looked up once per transaction: the session's identity
    map holds objects only while something else does, so a batch of visits signed by one
    laptop would ask for it once per visit, and each query first writes the rows staged since
    the last."""
    devices: dict[str, Device | None] = session.info.setdefault(_DEVICES, {})
    if device_id not in devices:
        with session.no_autoflush:
            devices[device_id] = session.get(Device, device_id)
    return devices[device_id]


def _attachment_shas(session: Session, ids: Iterable[str]) -> dict[str, str]:
    """sha256 by attachment id, of the attachment records the server holds (not deleted).

    The attachments named by every visit of the batch being checked (`_note_attachments`) are
    looked up together on the first visit's check."""
    wanted = set(ids)
    loaded: dict[str, SyncRecord | None] = session.info.setdefault(_LOADED, {})
    unknown = wanted - loaded.keys()
    if unknown:
        asked = unknown | (session.info.pop(_NOTED, set()) - loaded.keys())
        loaded.update(dict.fromkeys(asked))
        for row in session.exec(
            select(SyncRecord).where(
                SyncRecord.entity == Entity.ATTACHMENT.value, col(SyncRecord.id).in_(sorted(asked))
            )
        ):
            loaded[row.id] = row
    found: dict[str, str] = {}
    for attachment_id in sorted(wanted):
        record = loaded.get(attachment_id)
        sha = record.meta.get("sha256") if record is not None else None
        if record is not None and isinstance(sha, str) and not record.deleted:
            found[attachment_id] = sha
    return found


def _note_attachments(session: Session, batch: list[tuple[SyncRecord, dict[str, Any]]]) -> None:
    """Note the attachments every visit of a batch names, for one lookup (`_attachment_shas`)."""
    noted: set[str] = session.info.setdefault(_NOTED, set())
    for _record, data in batch:
        noted.update(attachment_ids(data))


def _signed(public_key: bytes, signature: bytes, document: dict[str, Any]) -> bool:
    """Whether the device signed `document`'s canonical JSON.

    The laptop encodes it with the standard library (`canonical_json`); orjson writes the same
    bytes for the content laptops send (sorted keys, compact, UTF-8) several times faster, and
    a completed visit is about 10 KB, so it is tried first. Where the two differ (a float
    written another way, an integer beyond 64 bits), its bytes fail to verify and the
    standard encoding decides. Bytes that verify are what the device signed, whichever
    encoder wrote them. (orjson's one lossy case, NaN written as null, is what the server
    stores anyway: content is sealed with orjson.)"""
    try:
        fast: bytes | None = orjson.dumps(document, option=orjson.OPT_SORT_KEYS)
    except (orjson.JSONEncodeError, TypeError):
        fast = None
    if fast is not None and _verifies(public_key, fast, signature):
        return True
    try:
        return _verifies(public_key, canonical_json(document), signature)
    except ValidationError:  # not canonical JSON (NaN, say): nothing a device could have signed
        return False


def _verifies(public_key: bytes, data: bytes, signature: bytes) -> bool:
    try:
        verify_signature(public_key, data, signature)
    except (SignatureInvalidError, ValueError):
        return False
    return True


def check_visit(session: Session, visit: SyncRecord, data: dict[str, Any]) -> str:
    """Verify one finished visit's device signature and record the outcome (returned)."""
    meta = visit.meta
    raw_signature = meta.get("device_signature")
    device_id = meta.get("signed_by_device")
    version = meta.get("signature_version")
    # A plain row, staged: building a table model per visit of a push was a cost of its own.
    check: dict[str, Any] = {
        "visit_id": visit.id,
        "household_id": visit.household_id,
        "visit_version": visit.version,
        "checked_at": utcnow(),
        "outcome": SignatureOutcome.VERIFIED,
        "device_id": device_id if isinstance(device_id, str) else None,
        "device_user_id": None,
        "signature_version": version if isinstance(version, int) else None,
    }
    if not isinstance(raw_signature, str) or not isinstance(device_id, str):
        check["outcome"] = SignatureOutcome.UNSIGNED
    elif not isinstance(version, int) or version not in SUPPORTED_SIGNED_BYTES_VERSIONS:
        check["outcome"] = SignatureOutcome.UNSUPPORTED_VERSION
    else:
        device = _device(session, device_id)
        ids = attachment_ids(data)
        shas = _attachment_shas(session, ids)
        if device is None:
            check["outcome"] = SignatureOutcome.UNKNOWN_DEVICE
        elif any(i not in shas for i in ids):
            check["device_user_id"] = device.user_id
            check["outcome"] = SignatureOutcome.ATTACHMENT_UNKNOWN
        else:
            check["device_user_id"] = device.user_id
            fields = {**meta, "household_id": visit.household_id}
            document = visit_signed_document(
                visit.id, fields, data, [shas[i] for i in ids], version=version
            )
            try:
                signature = base64.b64decode(raw_signature, validate=True)
            except (binascii.Error, ValueError):
                check["outcome"] = SignatureOutcome.INVALID
            else:
                if not _signed(base64.b64decode(device.public_key), signature, document):
                    check["outcome"] = SignatureOutcome.INVALID
    stage_insert(session, VisitSignatureCheck.__table__, check)  # type: ignore[attr-defined]
    outcome = str(check["outcome"])
    if outcome != SignatureOutcome.VERIFIED:
        logger.warning("visit signature not verified: %s", outcome)
        record_event(
            session,
            AuditEvent(
                action="signature_flag",
                user_id=None,
                device_id=check["device_id"],
                entity=Entity.VISIT.value,
                entity_id=visit.id,
                household_id=visit.household_id,
                detail={"outcome": outcome, "version": visit.version},
            ),
        )
    return outcome


@event.listens_for(OrmSession, "after_commit")
@event.listens_for(OrmSession, "after_rollback")
def _forget_attachments(session: OrmSession) -> None:
    session.info.pop(_NOTED, None)
    session.info.pop(_LOADED, None)
    session.info.pop(_DEVICES, None)


visit_checks.register(
    visit_checks.FinishedVisitCheck(
        "signature",
        VisitSignatureCheck,
        VisitSignatureCheck.visit_id,
        lambda session, _keys, record, data: check_visit(session, record, data),
        prepare_batch=_note_attachments,
    )
)


def checks_for(session: Session, visit_ids: list[str]) -> dict[str, VisitSignatureCheck]:
    if not visit_ids:
        return {}
    rows = session.exec(
        select(VisitSignatureCheck).where(col(VisitSignatureCheck.visit_id).in_(sorted(visit_ids)))
    ).all()
    return {r.visit_id: r for r in rows}
