"""Content-addressed, resumable attachment storage on the filesystem, encrypted at rest.

An attachment is named by the SHA-256 of its bytes. A client asks which hashes the server lacks
(`missing`), asks where an upload stands (`offset_of`) and sends chunks at that offset
(`put_chunk`); the last chunk triggers verification of the SHA-256 over everything received —
a mismatch discards the upload and answers `checksum_mismatch`. Files are AES-256-CTR encrypted
with a fresh initial counter per upload attempt (so a partial upload is never plaintext on
disk); integrity comes from the content address, re-checked on every download. The blob row
is locked while a chunk is written, so concurrent uploads of the same hash from several
processes queue instead of interleaving.
"""

from __future__ import annotations

import hashlib
import logging
import os
from pathlib import Path

from sqlmodel import Session, col, select

from sync.protocol import MAX_ATTACHMENT_SIZE, AttachmentOffset, ErrorCode
from sync.server.audit import AuditEvent, record_event
from sync.server.authz import Principal, can_read, record_buckets
from sync.server.crypto import ServerKeys
from sync.server.errors import ApiError, not_found
from sync.server.models import AttachmentBlob, AttachmentRef, SyncRecord, utcnow

logger = logging.getLogger(__name__)

_READ_BLOCK = 1024 * 1024


class AttachmentStore:
    def __init__(self, root: Path, keys: ServerKeys) -> None:
        self.root = root
        self.keys = keys
        root.mkdir(parents=True, exist_ok=True)

    def _path(self, sha256: str, partial: bool) -> Path:
        return self.root / sha256[:2] / (sha256 + (".part" if partial else ".bin"))

    # ------------------------------------------------------------------ queries

    def missing(self, session: Session, hashes: list[str]) -> list[str]:
        wanted = sorted(set(hashes))
        if not wanted:
            return []
        complete = set(
            session.exec(
                select(AttachmentBlob.sha256).where(
                    col(AttachmentBlob.sha256).in_(wanted), col(AttachmentBlob.complete).is_(True)
                )
            )
        )
        return [h for h in wanted if h not in complete]

    def offset_of(self, session: Session, sha256: str) -> AttachmentOffset:
        blob = session.get(AttachmentBlob, sha256)
        if blob is None:
            return AttachmentOffset(sha256=sha256, offset=0, size=None, complete=False)
        return AttachmentOffset(
            sha256=sha256, offset=blob.received, size=blob.size, complete=blob.complete
        )

    # ------------------------------------------------------------------ upload

    def put_chunk(
        self,
        session: Session,
        principal: Principal,
        sha256: str,
        offset: int,
        total_size: int,
        chunk: bytes,
    ) -> AttachmentOffset:
        """Append `chunk` at `offset`; verify and finish when `total_size` bytes are in.
        Commits."""
        if total_size <= 0 or total_size > MAX_ATTACHMENT_SIZE:
            raise ApiError(
                413,
                ErrorCode.PAYLOAD_TOO_LARGE,
                "附件过大或大小无效",
                f"Attachment size must be 1..{MAX_ATTACHMENT_SIZE} bytes",
            )
        blob = session.exec(
            select(AttachmentBlob).where(AttachmentBlob.sha256 == sha256).with_for_update()
        ).first()
        if blob is not None and blob.complete:
            return self.offset_of(session, sha256)
        if blob is None:
            blob = AttachmentBlob(
                sha256=sha256,
                size=total_size,
                received=0,
                ctr_nonce=os.urandom(16),
                uploaded_by=principal.user_id,
            )
            session.add(blob)
            session.flush()
        if blob.size != total_size:
            raise ApiError(
                409,
                ErrorCode.INVALID_REQUEST,
                "附件大小与已开始的上传不符",
                "Size differs from the upload in progress",
                detail={"size": blob.size},
            )
        if offset != blob.received:
            raise ApiError(
                409,
                ErrorCode.OFFSET_MISMATCH,
                "分块起点与上传进度不符",
                "Chunk does not start where the upload stands",
                detail={"offset": blob.received},
            )
        if blob.received + len(chunk) > total_size:
            raise ApiError(
                409,
                ErrorCode.INVALID_REQUEST,
                "分块超出附件大小",
                "Chunk goes past the attachment size",
            )
        partial = self._path(sha256, partial=True)
        partial.parent.mkdir(parents=True, exist_ok=True)
        with open(partial, "r+b" if partial.exists() else "wb") as handle:
            # Bytes past `received` are from a write whose transaction never committed.
            handle.truncate(offset)
            handle.seek(offset)
            handle.write(self.keys.attachment_stream(blob.ctr_nonce, offset).apply(chunk))
            handle.flush()
            os.fsync(handle.fileno())
        blob.received += len(chunk)
        session.add(blob)
        if blob.received == total_size:
            # All in this one request: the plaintext is at hand, no need to read the file back.
            whole = offset == 0 and len(chunk) == total_size
            got = (
                hashlib.sha256(chunk).hexdigest()
                if whole
                else self._plaintext_sha256(partial, blob.ctr_nonce)
            )
            if got != sha256:
                partial.unlink(missing_ok=True)
                session.delete(blob)
                session.commit()
                logger.warning("attachment upload discarded: checksum mismatch")
                raise ApiError(
                    422,
                    ErrorCode.CHECKSUM_MISMATCH,
                    "附件内容与校验值不符，请重新上传",
                    "The uploaded bytes do not match their SHA-256; upload again",
                )
            os.replace(partial, self._path(sha256, partial=False))
            blob.complete, blob.completed_at = True, utcnow()
            session.add(blob)
        # The row stays locked until the commit: what it holds then is what was just set.
        answer = AttachmentOffset(
            sha256=sha256, offset=blob.received, size=blob.size, complete=blob.complete
        )
        session.commit()
        return answer

    def _plaintext_sha256(self, path: Path, nonce: bytes) -> str:
        digest = hashlib.sha256()
        stream = self.keys.attachment_stream(nonce, 0)
        with open(path, "rb") as handle:
            while block := handle.read(_READ_BLOCK):
                digest.update(stream.apply(block))
        return digest.hexdigest()

    # ------------------------------------------------------------------ download

    def read(
        self, session: Session, principal: Principal, principal_buckets: frozenset[str], sha256: str
    ) -> bytes:
        """The attachment's bytes, if a household the principal can see refers to it (or no
        record refers to it yet and the principal uploaded it). Verified against its hash;
        audited as a read."""
        blob = session.get(AttachmentBlob, sha256)
        if blob is None or not blob.complete:
            raise not_found()
        household_ids = list(
            session.exec(select(AttachmentRef.household_id).where(AttachmentRef.sha256 == sha256))
        )
        visible = [
            h for h in household_ids if self._household_visible(session, principal_buckets, h)
        ]
        # The uploader may read its bytes back only until a record refers to them; from then
        # on the households' visibility decides (a contractor whose task closed loses them).
        if not visible and (household_ids or blob.uploaded_by != principal.user_id):
            raise not_found()
        digest = hashlib.sha256()
        stream = self.keys.attachment_stream(blob.ctr_nonce, 0)
        parts: list[bytes] = []
        with open(self._path(sha256, partial=False), "rb") as handle:
            while block := handle.read(_READ_BLOCK):
                plain = stream.apply(block)
                digest.update(plain)
                parts.append(plain)
        if digest.hexdigest() != sha256:
            logger.error("stored attachment failed its checksum")
            raise ApiError(
                500, "attachment_corrupt", "附件已损坏", "The stored attachment is corrupt"
            )
        record_event(
            session,
            AuditEvent(
                action="read_attachment",
                user_id=principal.user_id,
                device_id=principal.device_id,
                entity="attachment_blob",
                entity_id=sha256,
                household_id=visible[0] if visible else None,
            ),
        )
        session.commit()
        return b"".join(parts)

    @staticmethod
    def _household_visible(
        session: Session, principal_buckets: frozenset[str], household_id: str
    ) -> bool:
        household = session.get(SyncRecord, ("household", household_id))
        if household is None:
            return False
        return can_read(principal_buckets, record_buckets(session, household.grid_id, household_id))
