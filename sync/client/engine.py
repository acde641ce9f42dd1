"""The sync engine: one blocking `run_once` that pushes the outbox, pulls every bucket, verifies
checksums and applies bucket changes, revocation and schema negotiation (DESIGN §4).

Order of a run and why:

1. `/health`: schema negotiation before anything is sent, so a server older than this app never
   sees (and rejects, which would quarantine) mutations it cannot read.
2. Tokens: a valid access token, else the rotating refresh token, else the password.
3. Push, oldest first, in batches of ≤200 mutations and ≤1 MB (gzip). Photos referenced by a
   batch are uploaded first (have-check, offset query, chunks), so an acknowledged attachment
   record always has its bytes on the server. Each answer is handled per mutation: `applied`,
   `duplicate` and `conflict` are acknowledgements (the outbox row goes); `rejected` is
   quarantined with its reason for the user to see. Nothing else removes an outbox row, so a
   lost response only means the batch is sent again and answered `duplicate`.
4. Pull: the server's bucket set; buckets that left it are purged (households no other bucket
   holds are shredded: rows and data key; one with unsent work is withdrawn until it is sent or
   discarded); each bucket is pulled from its checkpoint, each page
   committed with its checkpoint in one store transaction.
5. Checksums per bucket; a mismatch re-pulls that bucket alone from zero.
6. The offline lease (`app.lease`): a fresh one, verified against the server key pinned at
   registration (a profile from before leases pins the key the server names now, over TLS),
   kept sealed in the store. Only a run that got this far renews it.

A `revoked` answer at any step wipes the profile (the store destroys its keys first).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import json
import logging
import math
import re
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import requests
from pydantic import ValidationError as PydanticValidationError

from app.errors import JiafangError, StoreError
from app.lease import HeldLease, LeaseError, SignedLease
from app.models.views import OutboxEntry
from app.store.local_store import LocalStore
from app.store.records import SPECS
from sync.client.config import STATE_FILE_NAME, ClientConfig
from sync.client.errors import (
    ApiAnswerError,
    AuthRequiredError,
    CancelledError,
    OfflineError,
    RevokedError,
    ServerTooOldError,
    SyncError,
    TlsError,
    UpgradeRequiredError,
)
from sync.client.state import Key, SyncState
from sync.client.transport import Answer, Download, Transport
from sync.protocol import (
    MAX_HAVE_BATCH,
    SCHEMA_VERSION,
    AttachmentHaveResponse,
    AttachmentOffset,
    BucketChecksum,
    BucketList,
    ErrorCode,
    Health,
    LeaseGrant,
    MutationStatus,
    PullPage,
    PushResponse,
    TokenPair,
    bucket_checksum,
)

logger = logging.getLogger(__name__)

#: Plaintext chunk size of the local encrypted attachment files (app.crypto.attachments).
_LOCAL_CHUNK = 64 * 1024
_ACKED = frozenset({MutationStatus.APPLIED, MutationStatus.DUPLICATE, MutationStatus.CONFLICT})
_REAUTH_CODES = frozenset(
    {ErrorCode.TOKEN_EXPIRED, ErrorCode.UNAUTHENTICATED, ErrorCode.TOKEN_REUSED}
)


@dataclass(frozen=True)
class SyncProgress:
    """What the run is doing now, for a progress bar: `phase` is connect, push, attachments,
    pull, verify or purge; `total` is None when unknown."""

    phase: str
    done: int
    total: int | None = None
    bucket: str | None = None


ProgressFn = Callable[[SyncProgress], None]


@dataclass
class SyncReport:
    #: ok, offline, cancelled, wiped, auth_required, upgrade_required, server_too_old, error
    outcome: str = "ok"
    error_code: str | None = None
    message_en: str = ""
    message_zh: str = ""
    applied: int = 0
    duplicates: int = 0
    conflicts: int = 0
    rejected: int = 0
    push_batches: int = 0
    pulled: int = 0
    deleted: int = 0
    pages: int = 0
    kept_local: int = 0
    buckets: list[str] = field(default_factory=list)
    buckets_added: list[str] = field(default_factory=list)
    buckets_removed: list[str] = field(default_factory=list)
    households_purged: int = 0
    purge_deferred: int = 0
    #: refused edits of households this user can no longer reach, removed with them (the
    #: server will never take them; counted here so the loss is reported, not silent)
    quarantined_discarded: int = 0
    checksum_mismatches: list[str] = field(default_factory=list)
    checksum_unresolved: list[str] = field(default_factory=list)
    attachments_uploaded: int = 0
    attachment_chunks_sent: int = 0
    attachment_bytes_sent: int = 0
    upgrade_required: bool = False
    pending_after: int = 0
    #: when the renewed offline lease lapses, on this laptop's clock (None: not renewed)
    lease_expires_at: datetime | None = None
    retries: int = 0
    duration_s: float = 0.0

    @property
    def acknowledged(self) -> int:
        return self.applied + self.duplicates + self.conflicts

    @property
    def ok(self) -> bool:
        return self.outcome == "ok"

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON values (the CLI's `--json`)."""
        out = asdict(self)
        if self.lease_expires_at is not None:
            out["lease_expires_at"] = self.lease_expires_at.isoformat(timespec="seconds")
        return out


def _now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


Clock = Callable[[], datetime]


def _utcnow() -> datetime:
    return datetime.now(UTC)


def fetch_lease(config: ClientConfig, access_token: str) -> LeaseGrant | None:
    """The first offline lease of a newly registered laptop (its key is then pinned); None
    from a server that issues no leases."""
    transport = Transport(config)
    transport.token_provider = lambda: access_token
    try:
        return _lease_grant(transport.request("GET", "/v1/sync/lease"))
    except ApiAnswerError as exc:
        if exc.status == 404:
            return None
        raise
    finally:
        transport.close()


def _lease_grant(answer: Answer) -> LeaseGrant:
    try:
        return LeaseGrant.model_validate(answer.json())
    except PydanticValidationError as exc:
        raise SyncError(
            "服务器返回的离线授权格式有误",
            "The server sent a malformed offline lease",
            code="bad_lease",
        ) from exc


def hold_lease(
    grant: LeaseGrant,
    *,
    user_id: str,
    device_id: str,
    now: datetime,
    pinned_key: bytes | None = None,
) -> HeldLease:
    """Verify a lease grant against the pinned key (else the key it names, trusted because it
    came over a verified TLS connection) and return it as the laptop keeps it."""
    try:
        offered = base64.b64decode(grant.public_key, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise LeaseError("离线授权格式错误", "The offline lease is malformed") from exc
    return HeldLease.accept(
        pinned_key if pinned_key is not None else offered,
        SignedLease.from_wire(grant.payload, grant.signature),
        user_id=user_id,
        device_id=device_id,
        now=now,
    )


def register_device(
    config: ClientConfig, username: str, password: str, public_key_b64: str, name: str = ""
) -> TokenPair:
    """First contact of a laptop: registers its Ed25519 public key and returns the first token
    pair (its `device_id` names the new device)."""
    transport = Transport(config)
    try:
        answer = transport.request(
            "POST",
            "/v1/auth/register-device",
            json_body={
                "username": username,
                "password": password,
                "public_key": public_key_b64,
                "name": name,
            },
            authenticated=False,
        )
        return TokenPair.model_validate(answer.json())
    finally:
        transport.close()


def sign_in_device(
    config: ClientConfig, username: str, password: str, device_id: str
) -> TokenPair | None:
    """A token pair for a device registered earlier (a registration that failed after the
    server recorded the device); None when the server no longer knows it for this account or
    has revoked it (then register anew)."""
    transport = Transport(config)
    try:
        answer = transport.request(
            "POST",
            "/v1/auth/login",
            json_body={"username": username, "password": password, "device_id": device_id},
            authenticated=False,
        )
        return TokenPair.model_validate(answer.json())
    except RevokedError:
        return None
    except ApiAnswerError as exc:
        if exc.server_code == ErrorCode.DEVICE_MISMATCH:
            return None
        raise
    finally:
        transport.close()


class SyncEngine:
    """Syncs one unlocked `LocalStore` with the server. One run at a time (`run_once` refuses a
    second concurrent call); call it from a worker thread, never the GUI thread."""

    def __init__(
        self,
        store: LocalStore,
        config: ClientConfig,
        *,
        username: str,
        password: str | None = None,
        state_path: Path | None = None,
        session: requests.Session | None = None,
        clock: Clock = _utcnow,
    ) -> None:
        self.store = store
        self._clock = clock
        self.config = config
        self.username = username
        self._password = password
        self.transport = Transport(config, session)
        self.transport.token_provider = lambda: self._access_token
        self.state = SyncState(state_path or store.path.with_name(STATE_FILE_NAME))
        self._access_token: str | None = None
        self._refresh_token: str | None = None
        self._run_lock = threading.Lock()
        self._auth_lock = threading.Lock()
        self._wiped = False
        #: (entity, id) -> (base version stored in the outbox, version the last push produced)
        self._rebase: dict[tuple[str, str], tuple[int, int]] = {}

    # ------------------------------------------------------------------ lifecycle

    def close(self) -> None:
        self.transport.close()
        if not self._wiped:
            self.state.close()

    def adopt_tokens(self, pair: TokenPair) -> None:
        """Use the token pair of a registration (or another login) from now on."""
        self._access_token, self._refresh_token = pair.access_token, pair.refresh_token

    @property
    def wiped(self) -> bool:
        return self._wiped

    def forget_password(self) -> None:
        self._password = None

    def last_sync_at(self) -> datetime | None:
        raw = self.state.get("last_sync_at")
        return datetime.fromisoformat(raw) if raw else None

    # ------------------------------------------------------------------ connectivity

    def probe(self, cancel: threading.Event | None = None) -> bool:
        """True when the server answers its health check now (one quick attempt)."""
        try:
            self.transport.request("GET", "/health", authenticated=False, attempts=1, cancel=cancel)
        except (OfflineError, ApiAnswerError):
            return False
        return True

    def run_until_synced(
        self,
        cancel: threading.Event | None = None,
        progress: ProgressFn | None = None,
        *,
        max_wait_s: float = 600.0,
    ) -> SyncReport:
        """`run_once`, and while the server is unreachable, probe with growing jittered pauses
        and run again as soon as it answers (up to `max_wait_s`)."""
        deadline = time.monotonic() + max_wait_s
        attempt = 0
        while True:
            report = self.run_once(cancel, progress)
            if report.outcome != "offline" or time.monotonic() >= deadline:
                return report
            while time.monotonic() < deadline:
                delay = self.transport.backoff_delay(attempt)
                attempt += 1
                try:
                    self.transport.sleep(min(delay, max(0.0, deadline - time.monotonic())), cancel)
                except CancelledError:
                    report.outcome = "cancelled"
                    return report
                if self.probe(cancel):
                    break

    # ------------------------------------------------------------------ the run

    def run_once(
        self, cancel: threading.Event | None = None, progress: ProgressFn | None = None
    ) -> SyncReport:
        if not self._run_lock.acquire(blocking=False):
            raise SyncError("同步正在进行", "A sync is already running", code="sync_running")
        started = time.monotonic()
        retries_before = self.transport.stats.retries
        report = SyncReport()
        notify: ProgressFn = progress or (lambda _p: None)
        try:
            if self._wiped:
                raise RevokedError()
            notify(SyncProgress("connect", 0))
            self._negotiate(cancel)
            self._ensure_token(cancel)
            self._push(report, cancel, notify)
            self._pull(report, cancel, notify)
            self._renew_lease(report, cancel)
            self.state.put("last_sync_at", _now_iso())
        except RevokedError as exc:
            self._wipe()
            self._fail(report, "wiped", exc)
        except CancelledError as exc:
            self._fail(report, "cancelled", exc)
        except OfflineError as exc:
            self._fail(report, "offline", exc)
        except AuthRequiredError as exc:
            self._fail(report, "auth_required", exc)
        except UpgradeRequiredError as exc:
            report.upgrade_required = True
            self._fail(report, "upgrade_required", exc)
        except ServerTooOldError as exc:
            self._fail(report, "server_too_old", exc)
        except TlsError as exc:
            self._fail(report, "tls", exc)
        except SyncError as exc:  # a definite refusal or a malformed answer
            self._fail(report, "error", exc)
        except JiafangError as exc:  # the store refused (locked meanwhile, a bad record)
            logger.error("sync stopped by the local store: %s", exc.code)
            report.outcome, report.error_code = "error", exc.code
            report.message_en, report.message_zh = exc.message_en, exc.message_zh
        finally:
            if not self._wiped:
                report.pending_after = self.store.pending_count()
            report.retries = self.transport.stats.retries - retries_before
            report.duration_s = time.monotonic() - started
            self._run_lock.release()
        logger.info(
            "sync %s: %d acknowledged, %d rejected, %d pulled in %.2fs",
            report.outcome,
            report.acknowledged,
            report.rejected,
            report.pulled,
            report.duration_s,
        )
        return report

    @staticmethod
    def _fail(report: SyncReport, outcome: str, exc: SyncError) -> None:
        report.outcome = outcome
        report.error_code = exc.code
        report.message_en, report.message_zh = exc.message_en, exc.message_zh

    # ------------------------------------------------------------------ versions and tokens

    def _negotiate(self, cancel: threading.Event | None) -> None:
        answer = self.transport.request("GET", "/health", authenticated=False, cancel=cancel)
        try:
            health = Health.model_validate(answer.json())
        except PydanticValidationError:
            return  # an unknown shape: the per-request headers still protect both ends
        supported = set(health.supported_schema_versions)
        if supported and max(supported) < SCHEMA_VERSION:
            raise ServerTooOldError()
        if supported and min(supported) > SCHEMA_VERSION:
            raise UpgradeRequiredError()

    def _ensure_token(self, cancel: threading.Event | None) -> None:
        if self._access_token:
            return
        if self._refresh_token and self._refresh(cancel):
            return
        self._login(cancel)

    def _login(self, cancel: threading.Event | None) -> None:
        if not self._password:
            raise AuthRequiredError()
        try:
            answer = self.transport.request(
                "POST",
                "/v1/auth/login",
                json_body={
                    "username": self.username,
                    "password": self._password,
                    "device_id": self.store.device_id,
                },
                authenticated=False,
                cancel=cancel,
            )
        except ApiAnswerError as exc:
            if exc.status in (401, 403):
                raise AuthRequiredError(exc.server_code) from exc
            raise
        self.adopt_tokens(TokenPair.model_validate(answer.json()))

    def _refresh(self, cancel: threading.Event | None) -> bool:
        """Rotate the refresh token; False when it is no longer good (then log in again).

        A refresh whose answer was lost used the token up on the server; the retry then meets
        `token_reused` and the family is revoked: the password login below recovers from it.
        """
        token = self._refresh_token
        self._access_token = None
        try:
            answer = self.transport.request(
                "POST",
                "/v1/auth/refresh",
                json_body={"refresh_token": token, "device_id": self.store.device_id},
                authenticated=False,
                cancel=cancel,
            )
        except ApiAnswerError as exc:
            if exc.status == 401:
                self._refresh_token = None
                return False
            raise
        self.adopt_tokens(TokenPair.model_validate(answer.json()))
        return True

    def _call(self, method: str, path: str, **kwargs: Any) -> Answer:
        """An authenticated request; an expired or unknown token is renewed once."""
        cancel = kwargs.get("cancel")
        used = self._access_token
        try:
            return self.transport.request(method, path, **kwargs)
        except ApiAnswerError as exc:
            if exc.status != 401 or exc.server_code not in _REAUTH_CODES:
                raise
        # Parallel uploads may all meet the expiry at once: one of them renews, the others use
        # the new token (two refreshes of one token would look like theft to the server).
        with self._auth_lock:
            if self._access_token == used:
                self._access_token = None
                self._ensure_token(cancel)
        return self.transport.request(method, path, **kwargs)

    # ------------------------------------------------------------------ push

    def _take_batch(self, entries: list[OutboxEntry]) -> list[OutboxEntry]:
        """The next batch, oldest first, within the count and byte limits, holding at most one
        mutation per record: a record's later edits wait for the next batch, so they can be
        rebased on the version their predecessor produced (`_wire`)."""
        batch: list[OutboxEntry] = []
        held: set[tuple[str, str]] = set()
        size = 0
        for entry in entries:
            key = (entry.entity, entry.entity_id)
            if key in held:
                continue
            held.add(key)
            wire_size = len(json.dumps(entry.to_wire(), separators=(",", ":"))) + 1
            if batch and (
                len(batch) >= self.config.push_batch_mutations
                or size + wire_size > self.config.push_batch_bytes
            ):
                break
            batch.append(entry)
            size += wire_size
        return batch

    def _wire(self, entry: OutboxEntry) -> dict[str, Any]:
        """The mutation as sent. Two edits of one record made offline both name the version the
        laptop last pulled; once the first is applied as the record's very next version, the
        second is sent against that version instead, so the server does not mistake this
        laptop's own earlier edit for someone else's (a spurious conflict)."""
        wire = entry.to_wire()
        rebase = self._rebase.get((entry.entity, entry.entity_id))
        if rebase is not None and rebase[0] == entry.base_version:
            wire["base_version"] = rebase[1]
        return wire

    def _note_result(self, entry: OutboxEntry, sent_base: int, version: int | None) -> None:
        key = (entry.entity, entry.entity_id)
        if version is not None and version == sent_base + 1:
            self._rebase[key] = (entry.base_version, version)
        else:
            self._rebase.pop(key, None)  # someone else's change came between: no shortcut

    def push_now(self, cancel: threading.Event | None = None) -> SyncReport:
        """Send the outbox only (e.g. right after a visit is completed); no pull."""
        if not self._run_lock.acquire(blocking=False):
            raise SyncError("同步正在进行", "A sync is already running", code="sync_running")
        report = SyncReport()
        started = time.monotonic()
        try:
            self._ensure_token(cancel)
            self._push(report, cancel, lambda _p: None)
        except RevokedError as exc:
            self._wipe()
            self._fail(report, "wiped", exc)
        except OfflineError as exc:
            self._fail(report, "offline", exc)
        except SyncError as exc:
            self._fail(report, "error", exc)
        finally:
            report.duration_s = time.monotonic() - started
            self._run_lock.release()
        return report

    def _push(self, report: SyncReport, cancel: threading.Event | None, notify: ProgressFn) -> None:
        total = self.store.pending_count()
        notify(SyncProgress("push", 0, total))
        uploads = _Uploads(self, report, cancel)
        try:
            self._push_batches(report, cancel, notify, uploads, total)
        finally:
            uploads.close()

    def _push_batches(
        self,
        report: SyncReport,
        cancel: threading.Event | None,
        notify: ProgressFn,
        uploads: _Uploads,
        total: int,
    ) -> None:
        done = 0
        while True:
            entries = self.store.pending_mutations(limit=self.config.push_batch_mutations * 4)
            if not entries:
                return
            chosen = self._take_batch(entries)
            batch = [self._wire(e) for e in chosen]
            by_id = {
                e.mutation_id: (e, w["base_version"]) for e, w in zip(chosen, batch, strict=True)
            }
            # The batch's photos must be on the server before it is sent; those of the
            # mutations queued behind it upload meanwhile (while the server applies this batch).
            try:
                uploads.start(chosen, entries)
                uploads.wait_for(chosen)
            except ApiAnswerError as exc:
                if exc.server_code != ErrorCode.FORBIDDEN:
                    raise
                # This account may not upload now (e.g. a contractor whose task closed, with a
                # visit finished afterwards): the records go without their bytes and the
                # server answers each one, so a refusal is quarantined and shown, and the
                # sync is not stuck on bytes it may never send.
                logger.warning("attachment uploads refused; their records are pushed as they are")
            try:
                answer = self._call(
                    "POST",
                    "/v1/sync/push",
                    json_body={"mutations": batch},
                    gzip_body=True,
                    cancel=cancel,
                )
            except ApiAnswerError as exc:
                if exc.server_code == ErrorCode.PAYLOAD_TOO_LARGE and len(batch) == 1:
                    # One mutation bigger than the server takes: set it aside, keep going.
                    self.store.quarantine(batch[0]["mutation_id"], exc.server_code)
                    report.rejected += 1
                    continue
                raise
            response = PushResponse.model_validate(answer.json())
            report.push_batches += 1
            report.upgrade_required |= response.upgrade_required
            acked: list[str] = []
            handled = 0
            for result in response.results:
                sent = by_id.get(result.mutation_id)
                if sent is None:
                    continue
                handled += 1
                if result.status in _ACKED:
                    acked.append(result.mutation_id)
                    self._note_result(sent[0], sent[1], result.version)
                    if result.status is MutationStatus.APPLIED:
                        report.applied += 1
                    elif result.status is MutationStatus.DUPLICATE:
                        report.duplicates += 1
                    else:
                        report.conflicts += 1
                else:
                    # Kept with the server's reason; the user sees it, later ones still go.
                    self.store.quarantine(result.mutation_id, result.reason or "rejected")
                    report.rejected += 1
            self.store.acknowledge(acked)
            if handled == 0:
                raise SyncError(
                    "服务器未确认任何修改", "The server acknowledged nothing", code="push_no_ack"
                )
            done += handled
            notify(SyncProgress("push", done, max(total, done)))

    # ------------------------------------------------------------------ attachments

    def _upload_alone(self, attachment_id: str, cancel: threading.Event | None) -> SyncReport:
        part = SyncReport()
        self.upload_attachment(attachment_id, report=part, cancel=cancel)
        return part

    def upload_attachment(
        self,
        attachment_id: str,
        *,
        report: SyncReport | None = None,
        cancel: threading.Event | None = None,
    ) -> bool:
        """Send a local attachment's bytes, resuming where the server's copy stops. False when
        the bytes are not on this laptop (the record then arrives incomplete)."""
        report = report if report is not None else SyncReport()
        view = self.store.get_attachment(attachment_id)
        try:
            data = self.store.read_attachment(attachment_id)
        except StoreError:
            logger.warning("attachment not on this laptop; its record goes without it")
            return False
        if hashlib.sha256(data).hexdigest() != view.sha256:
            logger.error("local attachment does not match its hash; not uploaded")
            return False
        sha, size = view.sha256, len(data)
        if self.state.upload_started(sha):
            where = self._offset(sha, cancel)  # resume where the server's copy stops
        else:
            # Never sent from here: skip the offset query (one round trip per photo); a
            # server-side partial copy (another laptop's) is corrected by offset_mismatch.
            self.state.mark_upload_started(sha)
            where = AttachmentOffset(sha256=sha, offset=0, size=size, complete=False)
        failures = 0
        while not where.complete:
            chunk = data[where.offset : where.offset + self.config.attachment_chunk_bytes]
            try:
                answer = self._call(
                    "PUT",
                    f"/v1/attachments/{sha}",
                    params={"offset": where.offset, "size": size},
                    content=chunk,
                    content_type="application/octet-stream",
                    attempts=1,
                    cancel=cancel,
                )
            except OfflineError:
                failures += 1
                if failures >= self.config.max_attempts:
                    raise
                self.transport.stats.retries += 1
                self.transport.sleep(self.transport.backoff_delay(failures - 1), cancel)
                # The chunk may have been stored before the connection broke: ask.
                where = self._offset(sha, cancel)
                continue
            except ApiAnswerError as exc:
                if exc.server_code == ErrorCode.OFFSET_MISMATCH:
                    offset = exc.detail.get("offset")
                    if isinstance(offset, int) and 0 <= offset <= size:
                        where = AttachmentOffset(
                            sha256=sha, offset=offset, size=size, complete=False
                        )
                    else:
                        where = self._offset(sha, cancel)
                    continue
                raise
            failures = 0
            report.attachment_chunks_sent += 1
            report.attachment_bytes_sent += len(chunk)
            where = AttachmentOffset.model_validate(answer.json())
        self.state.mark_upload_done(sha)
        report.attachments_uploaded += 1
        return True

    def _offset(self, sha: str, cancel: threading.Event | None) -> AttachmentOffset:
        answer = self._call("GET", f"/v1/attachments/{sha}/offset", cancel=cancel)
        return AttachmentOffset.model_validate(answer.json())

    def fetch_attachment(self, attachment_id: str, cancel: threading.Event | None = None) -> bytes:
        """The attachment's bytes, from this laptop if present, else from the server (on demand),
        verified against the content address. Returned in memory only."""
        view = self.store.get_attachment(attachment_id)
        if view.present:
            return self.store.read_attachment(attachment_id)
        self._ensure_token(cancel)
        return self._download(view.sha256, cancel)

    def keep_attachments(
        self, attachment_ids: Iterable[str], cancel: threading.Event | None = None
    ) -> int:
        """Download the listed attachments this laptop does not hold yet and keep them in the
        store (encrypted, checked against their content address), so a reviewer sees a visit's
        photos and signatures and can print it; returns how many were fetched. Raises the
        engine's errors (offline, refused) for the caller to show."""
        fetched = 0
        for attachment_id in dict.fromkeys(attachment_ids):
            view = self.store.get_attachment(attachment_id)
            if view.present:
                continue
            self._ensure_token(cancel)
            data = self._download(view.sha256, cancel)
            self.store.store_downloaded_attachment(attachment_id, io.BytesIO(data))
            fetched += 1
        return fetched

    def _download(self, sha: str, cancel: threading.Event | None) -> bytes:
        """Download an attachment; a connection cut part-way resumes with `Range: bytes=N-`
        from the bytes already here (`If-Range` names the content, so the rest is of the same
        bytes). The whole is checked against its hash at the end; a mismatch is discarded."""
        received = bytearray()
        failures = 0
        while True:
            part = Download()
            headers = {"Range": f"bytes={len(received)}-", "If-Range": f'"{sha}"'}
            try:
                self._call(
                    "GET",
                    f"/v1/attachments/{sha}",
                    cancel=cancel,
                    expect_json=False,
                    attempts=1,
                    headers=headers if received else None,
                    into=part,
                )
                finished = True
            except OfflineError:
                finished = False
            except ApiAnswerError as exc:
                if exc.server_code != ErrorCode.RANGE_NOT_SATISFIABLE or not received:
                    raise
                # What arrived is not shorter than the server's copy: not these bytes. Again.
                logger.warning("attachment download range refused; starting over")
                received.clear()
                finished = False
            before = len(received)
            received = _resumed(received, part)
            if finished:
                break
            if len(received) > before:
                failures = 0  # progress: the connection is worth trying again at once
            else:
                failures += 1
                if failures >= self.config.max_attempts:
                    raise OfflineError("download made no progress")
            self.transport.stats.retries += 1
            if failures:
                self.transport.sleep(self.transport.backoff_delay(failures - 1), cancel)
            logger.info("attachment download cut; resuming at byte %d", len(received))
        if hashlib.sha256(received).hexdigest() != sha:
            logger.error("downloaded attachment failed its checksum; discarded")
            raise SyncError(
                "下载的附件与校验值不符，已丢弃，请重试",
                "The downloaded attachment does not match its SHA-256; it was discarded, try again",
                code="attachment_corrupt",
            )
        return bytes(received)

    # ------------------------------------------------------------------ pull

    def _pull(self, report: SyncReport, cancel: threading.Event | None, notify: ProgressFn) -> None:
        answer = self._call("GET", "/v1/sync/buckets", cancel=cancel)
        server = set(BucketList.model_validate(answer.json()).buckets)
        previous = set(self.state.buckets())
        removed = sorted(previous - server)
        report.buckets = sorted(server)
        report.buckets_added = sorted(server - previous)
        report.buckets_removed = removed
        lingering: set[str] = set()
        if removed:
            notify(SyncProgress("purge", 0, len(removed)))
            lingering = self._remove_buckets(removed, server, report)
        self.state.set_buckets(server | lingering)
        for bucket in sorted(server):
            self._pull_bucket(bucket, report, cancel, notify)
            self._verify(bucket, report, cancel, notify)
        withdrawn = self.store.withdrawn_households()
        back = withdrawn & self.state.households_held(server) if withdrawn else set()
        if back:
            # Back within reach (a new task holds them, a grid took them): readable again.
            self.store.return_households(back)
            report.purge_deferred = len(withdrawn - back) if report.purge_deferred else 0
            _note_deferred(report)

    def _pull_bucket(
        self,
        bucket: str,
        report: SyncReport,
        cancel: threading.Event | None,
        notify: ProgressFn,
        *,
        until: int | None = None,
    ) -> set[Key]:
        """Pull `bucket` from its checkpoint to the end; the keys of the records it delivered."""
        seen: set[Key] = set()
        since = self.store.checkpoint(bucket)
        # The next page is fetched while this one is written to the store: the server's and
        # the laptop's work overlap. Pages are still applied strictly in order, each with its
        # checkpoint, so a crash anywhere resumes after the last page written.
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="pull") as pool:
            ahead = pool.submit(self._fetch_page, bucket, since, cancel)
            while True:
                page = ahead.result()
                more = page.has_more and (until is None or page.next_since < until)
                if more:
                    ahead = pool.submit(self._fetch_page, bucket, page.next_since, cancel)
                try:
                    self._apply_page(bucket, page, report, seen)
                except BaseException:
                    if more:
                        ahead.cancel()
                    raise
                notify(SyncProgress("pull", report.pulled, None, bucket))
                if not more:
                    return seen
                if cancel is not None and cancel.is_set():
                    raise CancelledError()

    def _fetch_page(self, bucket: str, since: int, cancel: threading.Event | None) -> PullPage:
        answer = self._call(
            "GET",
            "/v1/sync/pull",
            params={"bucket": bucket, "since": since, "limit": self.config.pull_limit},
            cancel=cancel,
        )
        try:
            return PullPage.model_validate(answer.json())
        except PydanticValidationError as exc:
            raise SyncError(
                "服务器返回的数据格式有误", "The server sent a malformed page", code="bad_page"
            ) from exc

    def _apply_page(self, bucket: str, page: PullPage, report: SyncReport, seen: set[Key]) -> None:
        incoming: list[dict[str, Any]] = []
        members: list[tuple[str, str, str | None]] = []
        gone: list[Key] = []
        for record in page.records:
            if record.entity not in SPECS:
                logger.warning("skipping pulled records of an entity this app does not store")
                continue
            key = (record.entity, record.id)
            if record.deleted:
                gone.append(key)
                continue
            incoming.append(_to_store_shape(record.model_dump(mode="json")))
            members.append((record.entity, record.id, _household_of(record.entity, record)))
            seen.add(key)
        gone.extend((r.entity, r.id) for r in page.removed if r.entity in SPECS)
        seen.difference_update(gone)
        # Membership first: a crash after it and before the page commits leaves only an extra
        # row, never a stored record no bucket claims.
        if members:
            self.state.add_members(bucket, members)
        held = self.state.held_elsewhere(bucket, gone) if gone else set()
        busy: set[Key] = set()
        if gone:
            # A household edited while this sync ran (the UI keeps working) is not shredded
            # with its unsent edit. Its membership stays, so the bucket checksum disagrees and
            # a later run (after the edit is sent) re-pulls the bucket and removes it then.
            pending = self._households_with_pending_edits()
            busy = {k for k in gone if k[0] == "household" and k[1] in pending}
        deletions = _deletions(gone, held | busy)
        report.quarantined_discarded += self._refused_edits_of(
            {d["id"] for d in deletions if d["entity"] == "household"}
        )
        result = self.store.apply_pull_page(incoming + deletions, bucket, page.next_since)
        if gone:
            self.state.remove_members(bucket, [k for k in gone if k not in busy])
        report.pages += 1
        report.pulled += result.applied
        report.deleted += result.deleted
        report.kept_local += len(result.kept_local)

    def _refused_edits_of(self, household_ids: set[str]) -> int:
        if not household_ids:
            return 0
        refused = [
            q for q in self.store.quarantined_mutations() if q.entry.household_id in household_ids
        ]
        if refused:
            logger.warning("%d refused edits leave with households out of reach", len(refused))
        return len(refused)

    def _households_with_pending_edits(self) -> set[str]:
        return {
            e.household_id
            for e in self.store.pending_mutations(limit=1_000_000_000)
            if e.household_id is not None
        }

    # ------------------------------------------------------------------ buckets leaving

    def _remove_buckets(self, removed: list[str], keep: set[str], report: SyncReport) -> set[str]:
        """Shred the households of buckets that left the user's set unless a kept bucket still
        holds them (a contractor's closed task, a worker moved to another grid). The buckets
        that must stay in the bookkeeping for a later run are returned.

        A household with unsent work (the store's one rule, as for a lapsed lease: an edit not
        yet acknowledged or a visit form's autosaved typing) is not shredded with it: it is
        withdrawn (sealed, refused for reading, its draft can still be finished or discarded)
        and its bucket stays in the bookkeeping, so a later run shreds it once the work is
        gone. That is a local matter: the run goes on (pull, lease)."""
        held_households = self.state.households_held(keep)
        doomed: set[str] = set()
        loose: dict[str, list[Key]] = {}
        for bucket in removed:
            for (entity, record_id), household in self.state.members(bucket).items():
                if household is not None:
                    if household not in held_households:
                        doomed.add(household)
                else:
                    loose.setdefault(bucket, []).append((entity, record_id))
        deferred = doomed & self.store.households_with_unsent_work()
        shred = sorted(doomed - deferred)
        if shred:
            self.store.purge_households(shred, force=True)
            report.households_purged += len(shred)
        report.purge_deferred += len(deferred)
        lingering: set[str] = set()
        if deferred:
            self.store.withdraw_households(deferred)
            logger.warning(
                "%d households left the user's buckets but keep unsent work", len(deferred)
            )
            _note_deferred(report)
        for bucket in removed:
            keys = loose.get(bucket, [])
            held = self.state.held_elsewhere(bucket, keys) if keys else set()
            deletions = _deletions(keys, held)
            # Checkpoint back to zero: if the bucket returns it is back-filled from the start.
            self.store.apply_pull_page(deletions, bucket, 0)
            members = self.state.members(bucket)
            if deferred.intersection(members.values()):
                # Only the withdrawn households' rows stay, for the run that shreds them.
                self.state.remove_members(
                    bucket, [k for k, h in members.items() if h not in deferred]
                )
                lingering.add(bucket)
            else:
                self.state.drop_bucket(bucket)
        return lingering

    # ------------------------------------------------------------------ offline lease

    def _renew_lease(self, report: SyncReport, cancel: threading.Event | None) -> None:
        try:
            answer = self._call("GET", "/v1/sync/lease", cancel=cancel)
        except ApiAnswerError as exc:
            if exc.status == 404:  # a server from before leases: nothing to renew
                logger.warning("the server issues no offline lease")
                return
            raise
        grant = _lease_grant(answer)
        pinned: bytes | None = None
        try:
            record = self.store.lease_record()
        except JiafangError as exc:  # a damaged record: the TLS-verified key is pinned anew
            logger.warning("the kept offline lease is unreadable (%s); replacing it", exc.code)
            record = None
        if record is not None and record.get("public_key"):
            pinned = base64.b64decode(str(record["public_key"]))
        held = hold_lease(
            grant,
            user_id=self.store.user_id,
            device_id=self.store.device_id,
            now=self._clock(),
            pinned_key=pinned,
        )
        self.store.put_lease_record(held.to_record())
        report.lease_expires_at = held.local_expiry

    # ------------------------------------------------------------------ integrity

    def local_checksum(self, bucket: str) -> tuple[int, str]:
        """Count and hash over (entity, id, version) of the records this laptop holds for
        `bucket`, read from the store itself (the same formula as the server's)."""
        members = self.state.members(bucket)
        by_entity: dict[str, set[str]] = {}
        for entity, record_id in members:
            by_entity.setdefault(entity, set()).add(record_id)
        items: list[tuple[str, str, int]] = []
        uri = f"file:{self.store.path}?mode=ro"
        conn = sqlite3.connect(uri, uri=True)
        try:
            for entity, ids in by_entity.items():
                table = SPECS[entity].table
                for record_id, version in conn.execute(f"SELECT id, version FROM {table}"):
                    if record_id in ids:
                        items.append((entity, record_id, int(version)))
        finally:
            conn.close()
        return bucket_checksum(items)

    def _verify(
        self, bucket: str, report: SyncReport, cancel: threading.Event | None, notify: ProgressFn
    ) -> None:
        notify(SyncProgress("verify", 0, None, bucket))
        for _ in range(3):
            remote = self._checksum(bucket, cancel)
            if remote.as_of_seq > self.store.checkpoint(bucket):
                # Changes arrived since the pull: fetch them so both sides describe one moment.
                self._pull_bucket(bucket, report, cancel, notify)
                continue
            if self.local_checksum(bucket) == (remote.count, remote.hash):
                return
            break
        else:
            return  # a busy bucket: the next run verifies it
        logger.warning("bucket checksum mismatch; re-pulling that bucket")
        report.checksum_mismatches.append(bucket)
        self._repull(bucket, report, cancel, notify)
        remote = self._checksum(bucket, cancel)
        if remote.as_of_seq <= self.store.checkpoint(bucket) and self.local_checksum(bucket) != (
            remote.count,
            remote.hash,
        ):
            report.checksum_unresolved.append(bucket)

    def _checksum(self, bucket: str, cancel: threading.Event | None) -> BucketChecksum:
        answer = self._call("GET", "/v1/sync/checksum", params={"bucket": bucket}, cancel=cancel)
        return BucketChecksum.model_validate(answer.json())

    def _repull(
        self, bucket: str, report: SyncReport, cancel: threading.Event | None, notify: ProgressFn
    ) -> None:
        before = set(self.state.members(bucket))
        self.store.apply_pull_page([], bucket, 0)
        seen = self._pull_bucket(bucket, report, cancel, notify)
        stale = sorted(before - seen)
        if stale:
            held = self.state.held_elsewhere(bucket, stale)
            pending = self._households_with_pending_edits()
            busy = {k for k in stale if k[0] == "household" and k[1] in pending}
            deletions = _deletions(stale, held | busy)
            result = self.store.apply_pull_page(deletions, bucket, self.store.checkpoint(bucket))
            report.deleted += result.deleted
            self.state.remove_members(bucket, [k for k in stale if k not in busy])

    # ------------------------------------------------------------------ wipe

    def _wipe(self) -> None:
        """Revoked: the store destroys its keys, then its files; then our bookkeeping."""
        if self._wiped:
            return
        logger.warning("device or account revoked: wiping the local profile")
        self.store.wipe()
        self.state.delete_file()
        self._access_token = self._refresh_token = None
        self._password = None
        self._wiped = True


class _Uploads:
    """The photo uploads of one push. `start` asks the server which photos of the given
    mutations it lacks (one have-check) and queues those on `upload_parallel` threads, the
    batch about to be sent first; `wait_for` blocks until a batch's own photos are stored (an
    acknowledged attachment record always has its bytes on the server). Photos of mutations
    queued behind the batch thus upload while the server applies the batch."""

    def __init__(
        self, engine: SyncEngine, report: SyncReport, cancel: threading.Event | None
    ) -> None:
        self._engine = engine
        self._report = report
        self._cancel = cancel
        self._pool: ThreadPoolExecutor | None = None
        self._queued: dict[str, Future[SyncReport]] = {}
        #: the server had these complete when asked during this push (it never drops them)
        self._present: set[str] = set()

    @staticmethod
    def _photos(entries: list[OutboxEntry]) -> dict[str, str]:
        wanted: dict[str, str] = {}
        for entry in entries:
            sha = entry.changed.get("sha256")
            if entry.entity == "attachment" and entry.op == "upsert" and isinstance(sha, str):
                wanted.setdefault(sha, entry.entity_id)
        return wanted

    def start(self, batch: list[OutboxEntry], queued: list[OutboxEntry]) -> None:
        wanted = self._photos(batch)
        for sha, attachment_id in self._photos(queued).items():
            wanted.setdefault(sha, attachment_id)  # the batch's own first
        unknown = [sha for sha in wanted if sha not in self._queued and sha not in self._present]
        if not unknown:
            return
        missing: set[str] = set()
        ordered = sorted(unknown)
        for start in range(0, len(ordered), MAX_HAVE_BATCH):
            answer = self._engine._call(
                "POST",
                "/v1/attachments/have",
                json_body={"sha256s": ordered[start : start + MAX_HAVE_BATCH]},
                cancel=self._cancel,
            )
            missing.update(AttachmentHaveResponse.model_validate(answer.json()).missing)
        for sha in unknown:
            if sha not in missing:
                self._present.add(sha)
                continue
            if self._pool is None:
                workers = max(1, self._engine.config.upload_parallel)
                self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="upload")
            self._queued[sha] = self._pool.submit(
                self._engine._upload_alone, wanted[sha], self._cancel
            )

    def wait_for(self, batch: list[OutboxEntry]) -> None:
        for sha in self._photos(batch):
            upload = self._queued.pop(sha, None)
            if upload is not None:
                self._count(upload.result())  # an upload's failure stops the push here

    def _count(self, part: SyncReport) -> None:
        self._report.attachments_uploaded += part.attachments_uploaded
        self._report.attachment_chunks_sent += part.attachment_chunks_sent
        self._report.attachment_bytes_sent += part.attachment_bytes_sent

    def close(self) -> None:
        """Drop uploads not begun and wait for those under way (the push ended, or failed)."""
        if self._pool is None:
            return
        self._pool.shutdown(wait=True, cancel_futures=True)
        for upload in self._queued.values():
            if upload.done() and not upload.cancelled() and upload.exception() is None:
                self._count(upload.result())
        self._queued.clear()


def _note_deferred(report: SyncReport) -> None:
    """The report's message on households kept for their unsent work (none: no message)."""
    n = report.purge_deferred
    report.message_zh = (
        f"{n} 户已不在您的任务中；未上传的工作同步后，其数据将从本机删除" if n else ""
    )
    report.message_en = (
        f"{n} households are no longer in your tasks; their data will be removed from this "
        "laptop once the pending work is synced"
        if n
        else ""
    )


def _deletions(keys: list[Key], held: set[Key]) -> list[dict[str, Any]]:
    """Deletion markers for `apply_pull_page` (a household's marker shreds it and its key)."""
    return [{"entity": e, "id": i, "deleted": True} for e, i in keys if (e, i) not in held]


def _household_of(entity: str, record: Any) -> str | None:
    if entity == "household":
        return str(record.id)
    value = record.household_id
    return str(value) if value else None


def _to_store_shape(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Map a wire record onto the store's columns for its entity.

    The wire splits fields by `sync.protocol.META_FIELDS`, the store by its own table columns;
    a column the wire carried in `data` (e.g. an attachment's `chunks`) moves to `meta`, and a
    conflict's `subject_*` names become the store's `target_*` columns (its other bookkeeping
    stays readable in the conflict's content).
    """
    entity = str(raw["entity"])
    meta = dict(raw.get("meta") or {})
    data = dict(raw.get("data") or {})
    spec = SPECS[entity]
    if entity == "conflict":
        meta.setdefault("target_entity", meta.get("subject_entity"))
        meta.setdefault("target_id", meta.get("subject_id"))
        for name in ("subject_entity", "subject_id", "fields", "mutation_id"):
            if name in meta:
                data.setdefault(name, meta[name])
    if entity == "attachment":
        if "kind" not in meta and "kind" not in data:
            meta["kind"] = meta.get("attachment_kind") or "photo"
        if "chunks" not in meta and "chunks" not in data:
            size = int(meta.get("size") or data.get("size") or 0)
            meta["chunks"] = max(1, math.ceil(size / _LOCAL_CHUNK))
    for name in spec.meta:
        if name not in meta and name in data:
            meta[name] = data.pop(name)
    out = dict(raw)
    out["meta"], out["data"] = meta, data
    return out


_CONTENT_RANGE = re.compile(r"^bytes (\d+)-(\d+)/(\d+)$")


def _resumed(received: bytearray, part: Download) -> bytearray:
    """The download so far after one answer: a 206 continues it when its range starts where
    it stopped; a 200 is the whole attachment again and replaces it; a range anywhere else, or
    no answer at all, changes nothing."""
    if part.status == 200:
        return part.body
    if part.status == 206:
        match = _CONTENT_RANGE.match(part.headers.get("Content-Range", ""))
        if match is not None and int(match.group(1)) == len(received):
            received.extend(part.body)
    return received
