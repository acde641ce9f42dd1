"""What a device signs when a visit is completed, byte for byte (DESIGN §3).

The laptop signs, and the server verifies, the canonical JSON (`canonical_json`) of::

    {"v": 1,                       signed-bytes version (`SIGNED_BYTES_VERSION`)
     "visit_id", "household_id", "kind", "revision", "revision_of", "visit_date",
     "completed_at",               the visit's identity and its fixed plaintext fields
     "content": {...},             the visit's content fields exactly as stored and synced
     "attachments": [sha256, ...]} content hashes of the photos and signature images the
                                   content names, sorted

Status is left out on purpose: it moves on after completion (synced, under review, approved)
without the content changing. Identity fields are in so a signature cannot be moved onto another
visit or household. The version travels with the signature (`signature_version`), so a later
layout can be introduced without making older signatures unverifiable.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Final

from app.crypto.canonical import canonical_json
from app.errors import ValidationError

SIGNED_BYTES_VERSION: Final = 1
SUPPORTED_SIGNED_BYTES_VERSIONS: Final = frozenset({1})
#: the plaintext fields of a visit that are signed with its content
SIGNED_VISIT_FIELDS: Final = (
    "household_id",
    "kind",
    "revision",
    "revision_of",
    "visit_date",
    "completed_at",
)


def attachment_ids(content: Mapping[str, Any]) -> list[str]:
    """Ids of the attachments a visit's content names: photos and signature images."""
    ids = [str(p) for p in content.get("photo_ids") or ()]
    for ref in content.get("signatures") or ():
        if isinstance(ref, Mapping) and ref.get("attachment_id"):
            ids.append(str(ref["attachment_id"]))
    return ids


def visit_signed_document(
    visit_id: str,
    fields: Mapping[str, Any],
    content: Mapping[str, Any],
    attachment_sha256s: Iterable[str],
    *,
    version: int = SIGNED_BYTES_VERSION,
) -> dict[str, Any]:
    """The JSON value whose canonical bytes a device signs (see the module docstring).

    `fields` holds the plaintext fields (`SIGNED_VISIT_FIELDS`); `content` the content fields.
    """
    if version not in SUPPORTED_SIGNED_BYTES_VERSIONS:
        raise ValidationError(
            f"不支持的签名数据版本：{version}",
            f"Unsupported signed-bytes version: {version}",
            code="signature_version",
        )
    document: dict[str, Any] = {name: fields.get(name) for name in SIGNED_VISIT_FIELDS}
    document.update(
        v=version,
        visit_id=visit_id,
        content=dict(content),
        attachments=sorted(attachment_sha256s),
    )
    return document


def visit_signed_bytes(
    visit_id: str,
    fields: Mapping[str, Any],
    content: Mapping[str, Any],
    attachment_sha256s: Iterable[str],
    *,
    version: int = SIGNED_BYTES_VERSION,
) -> bytes:
    """The bytes a device signs for a completed visit: `visit_signed_document`'s canonical
    JSON."""
    return canonical_json(
        visit_signed_document(visit_id, fields, content, attachment_sha256s, version=version)
    )
