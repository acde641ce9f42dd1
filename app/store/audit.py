"""The hash-chained audit log (谁经办、谁负责): pure functions over audit rows.

Entry n stores `hash_n = SHA-256(hash_{n-1} || canonical_n)`, where `canonical_n` is the canonical
JSON of its own fields (sequence, UTC time, user, device, action, entity, entity id). Editing,
inserting, removing or reordering an entry breaks the chain from that point. Cutting entries off
the tail leaves a valid but shorter chain; that is caught by comparing with the head (count and
last hash) that the store keeps sealed under the vault key in `vault_meta`, which nobody without
the password can forge.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from app.crypto.canonical import canonical_json
from app.models.views import AuditVerification

GENESIS_HASH = "0" * 64


@dataclass(frozen=True)
class AuditFields:
    seq: int
    at: str
    user_id: str
    device_id: str
    action: str
    entity: str
    entity_id: str

    def canonical(self) -> bytes:
        return canonical_json(
            {
                "seq": self.seq,
                "at": self.at,
                "user_id": self.user_id,
                "device_id": self.device_id,
                "action": self.action,
                "entity": self.entity,
                "entity_id": self.entity_id,
            }
        )


def chain_hash(prev_hash: str, fields: AuditFields) -> str:
    return hashlib.sha256(bytes.fromhex(prev_hash) + fields.canonical()).hexdigest()


def verify_chain(
    rows: Iterable[tuple[int, str, str, str, str, str, str, str, str]],
    *,
    head: tuple[int, str] | None,
) -> AuditVerification:
    """Check rows `(seq, at, user, device, action, entity, entity_id, prev_hash, hash)` in seq
    order against each other and against the sealed `head` (count, last hash)."""
    expected_prev = GENESIS_HASH
    count = 0
    for seq, at, user, device, action, entity, entity_id, prev_hash, stored in rows:
        count += 1
        if seq != count:
            problem = "an entry is missing or was inserted" if seq > count else "entries reordered"
            return AuditVerification(False, count - 1, seq, problem)
        if prev_hash != expected_prev:
            return AuditVerification(False, count - 1, seq, "the chain link is broken")
        fields = AuditFields(seq, at, user, device, action, entity, entity_id)
        if chain_hash(prev_hash, fields) != stored:
            return AuditVerification(False, count - 1, seq, "the entry was altered")
        expected_prev = stored
    if head is not None:
        head_count, head_hash = head
        if count < head_count:
            return AuditVerification(False, count, count + 1, "entries were cut off the end")
        if count > head_count or (count and head_hash != expected_prev):
            return AuditVerification(
                False, count, head_count + 1, "the chain does not match its head"
            )
    return AuditVerification(True, count)
