"""The encrypted local store: one SQLite file per account profile.

Layout and guarantees (DESIGN.md sections 2–3):

- SQLite in WAL mode with `secure_delete` (freed pages are zeroed, so deleted plaintext-adjacent
  bytes such as wrapped keys do not linger), `temp_store=MEMORY` (sorts and temp tables never hit a
  temp file), foreign keys on, and one connection used by one writer at a time (an `RLock`).
- Every record row: plaintext ids/grid/status/kind/dates/versions plus `payload`, the vault
  envelope of its content JSON bound to (table, "payload", row id, version).
- Every edit writes the record, its outbox row (changed fields, also encrypted) and its audit
  entry in ONE transaction; a crash leaves all three or none.
- Search: a small encrypted entry per household under the store-wide index key, decrypted into
  an in-memory index at unlock (one small envelope per household keeps unlock fast).
- Shredding a household deletes its rows and its wrapped data key, forgets the key and truncates
  the WAL, so no copy of the key stays on disk and its ciphertexts can never be opened again.
"""

from __future__ import annotations

import base64
import contextlib
import gc
import json
import logging
import os
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, BinaryIO, Final, TypeVar

from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError

from app.crypto import (
    SUITE_AES_256_GCM,
    AssociatedData,
    KdfParams,
    Vault,
    create_vault,
    unlock_vault,
)
from app.crypto import change_password as crypto_change_password
from app.crypto.device import DeviceKey, SignatureInvalidError, verify_signature
from app.crypto.visit_signature import SIGNED_BYTES_VERSION, attachment_ids, visit_signed_bytes
from app.domain import (
    HOUSEHOLD_SIGNER,
    AssistanceCategory,
    ClueKind,
    ClueStatus,
    HouseholdContent,
    HouseholdStatus,
    MemberContent,
    ReviewDecision,
    TaskStatus,
    VisitContent,
    VisitKind,
    VisitStatus,
    check_visit_transition,
    later_visit_statuses,
    required_signers,
)
from app.errors import (
    CryptoError,
    DecryptionError,
    StoreError,
    ValidationError,
    VaultLockedError,
)
from app.hlc import HybridLogicalClock
from app.idnumber import normalise as normalise_id_number
from app.idnumber import parse_id_number
from app.ids import uuid7
from app.models.views import (
    AttachmentView,
    AuditEntryView,
    AuditVerification,
    ClueView,
    ConflictView,
    DraftRecovery,
    HouseholdSummary,
    HouseholdView,
    MemberView,
    OutboxEntry,
    PolicyRefView,
    PullResult,
    QuarantinedMutation,
    ReviewView,
    TaskView,
    VisitView,
)
from app.store import audit as audit_chain
from app.store.migrations import LATEST_SCHEMA_VERSION, apply_steps, migrate_file, schema_version
from app.store.records import (
    APPLY_ORDER,
    GLOBAL_KEY_ID,
    INDEX_KEY_ID,
    MUTATION_SCHEMA_VERSION,
    SPECS,
    EntitySpec,
    Record,
)
from app.store.search import CHUNK_SIZE, SearchEntry, SearchIndex, decode_chunk, encode_chunk

logger = logging.getLogger(__name__)
_M = TypeVar("_M", bound=BaseModel)

#: Dates of visits are the deployment's local dates; China has one zone and no daylight saving.
CHINA_TZ: Final = timezone(timedelta(hours=8))
#: Bytes of the blind index kept per member: 128 bits of HMAC are plenty for exact lookup (a hit
#: is always confirmed against the decrypted number) and keep the index small.
BLIND_INDEX_BYTES: Final = 16
HOUSEHOLD_FIELDS: Final = tuple(f for f in HouseholdContent.model_fields if f != "members")
VISIT_FIELDS: Final = tuple(VisitContent.model_fields)
#: Minimum number of distinct visitors of a completed visit (入户调查 is done in pairs).
MIN_VISITORS: Final = 2
CACHE_KIB: Final = 65536
WAL_CHECKPOINT_PAGES: Final = 16384

_META_HEADER = "vault_header"
_META_USER = "user_id"
_META_DEVICE = "device_id"
_META_HLC = "hlc"
_META_AUDIT_HEAD = "audit_head"
_META_LEASE = "offline_lease"
#: this device's Ed25519 private key, wrapped under the master key (`Vault.create_device_key`)
_META_DEVICE_KEY = "device_key"
#: a visit's signature fields before it is completed (and signed)
_UNSIGNED: Final[dict[str, Any]] = {
    "signed_by_device": None,
    "device_signature": None,
    "signature_version": None,
}
_META_WITHDRAWN = "withdrawn_households"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def _not_found(what: str, what_zh: str) -> StoreError:
    return StoreError(f"找不到该{what_zh}", f"No such {what}", code="not_found")


def _withdrawn_error() -> StoreError:
    return StoreError(
        "此户已不在您的任务中；未上传的工作同步后，其数据将从本机删除",
        "This household is no longer in your tasks; its data will be removed from this laptop "
        "once the pending work is synced",
        code="household_withdrawn",
    )


def _validated(model: type[_M], data: Mapping[str, Any]) -> _M:
    """`model.model_validate` with pydantic's error turned into ours, naming fields only.

    Pydantic's own message quotes the input value, which may be a name or an ID number.
    """
    try:
        return model.model_validate(data)
    except PydanticValidationError as exc:
        fields = ", ".join(
            sorted({".".join(str(p) for p in err["loc"]) or "?" for err in exc.errors()})
        )
        raise ValidationError(
            f"以下字段的值不符合要求：{fields}",
            f"These fields have invalid values: {fields}",
            code="invalid_fields",
        ) from None


#: One encoder for every payload: `json.dumps` with non-default options builds a new encoder per
#: call, which cost as much as the encoding of a small record on the bulk pull path.
_JSON_ENCODER: Final = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def _dump_json(obj: object) -> bytes:
    """Compact JSON of a payload. Stored payloads need not be canonical (nothing signs the stored
    bytes; signatures use `app.crypto.canonical_json` of the content), and skipping key sorting
    makes a large visit about twice as cheap to serialise on the bulk pull path."""
    try:
        return _JSON_ENCODER.encode(obj).encode()
    except (TypeError, ValueError) as exc:
        # The exception text names only the offending type, never the value.
        raise ValidationError(
            f"数据无法保存为 JSON（{type(exc).__name__}）",
            f"The data cannot be stored as JSON ({type(exc).__name__})",
            code="not_json",
        ) from None


def _parse_date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _parse_time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _overwrite_and_unlink(path: Path) -> None:
    """Best-effort zeroing before unlinking (SSDs may keep old blocks; the key is what counts)."""
    try:
        size = path.stat().st_size
        with path.open("r+b") as fh:
            fh.write(b"\0" * size)
            fh.flush()
            os.fsync(fh.fileno())
    except FileNotFoundError:
        return
    path.unlink(missing_ok=True)


@dataclass
class _Tx:
    """Work of one write transaction that only becomes visible in memory after COMMIT."""

    search_updates: dict[str, SearchEntry] = field(default_factory=dict)
    search_removals: set[str] = field(default_factory=set)
    after_commit: list[Callable[[], None]] = field(default_factory=list)
    audit_head: tuple[int, str] | None = None
    #: data keys created in this transaction: forgotten again if it rolls back
    new_keys: list[str] = field(default_factory=list)
    #: households given a search chunk in this transaction
    chunk_assign: dict[str, int] = field(default_factory=dict)
    #: member id -> household id for members moved or added in this transaction
    member_household: dict[str, str | None] = field(default_factory=dict)
    #: (chunk id, household id -> chunk record text) of the open chunk as written here
    chunk_records: tuple[int, dict[str, str]] | None = None


def _signer_zh(signer: str) -> str:
    return "被访家庭" if signer == HOUSEHOLD_SIGNER else f"走访人员 {signer}"


def _signer_en(signer: str) -> str:
    return "the household" if signer == HOUSEHOLD_SIGNER else f"visitor {signer}"


class LocalStore:
    """One account profile's encrypted store. Create with `create` or `open`, then `unlock`."""

    def __init__(self, path: Path, conn: sqlite3.Connection) -> None:
        self.path = path
        self._conn = conn
        self._lock = threading.RLock()
        self._vault: Vault | None = None
        self._index = SearchIndex()
        self._known_keys: set[str] = set()
        #: key ids just found absent by `_ensure_keys` (spares the vault one query per new key)
        self._absent_keys: frozenset[str] = frozenset()
        self._hlc: HybridLogicalClock | None = None
        self._audit_head: tuple[int, str] = (0, audit_chain.GENESIS_HASH)
        self._tx: _Tx | None = None
        self._visit_households: dict[str, str] = {}
        #: households out of this user's reach kept only for unsent work (None: not read yet)
        self._withdrawn: frozenset[str] | None = None
        #: the open search chunk's record texts as last written (names: memory only, dropped at
        #: lock), so a pull page of new households does not re-encode the whole chunk
        self._chunk_records: tuple[int, dict[str, str]] | None = None
        self._closed = False
        self.user_id = self._meta_text(_META_USER) or ""
        self.device_id = self._meta_text(_META_DEVICE) or ""

    # ------------------------------------------------------------------ lifecycle

    @staticmethod
    def _connect(path: Path) -> sqlite3.Connection:
        conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA secure_delete=ON")
        conn.execute("PRAGMA temp_store=MEMORY")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA busy_timeout=5000")
        # 64 MiB page cache: member and household ids are random UUIDs from the server, so bulk
        # upserts touch pages all over the B-trees; the default 2 MiB cache thrashes at 100k.
        conn.execute(f"PRAGMA cache_size=-{CACHE_KIB:d}")
        # Checkpoint every 64 MiB of WAL instead of 4 MiB: B-tree pages touched by many pull
        # pages (the blind index takes each member at a random place) are copied back (and
        # fsync'd) once per checkpoint instead of once every few pages; 64 MiB against 16 MiB
        # took a fifth off the commit time of a 20,000-household pull.
        conn.execute(f"PRAGMA wal_autocheckpoint={WAL_CHECKPOINT_PAGES:d}")
        return conn

    @classmethod
    def create(
        cls,
        path: str | os.PathLike[str],
        password: str,
        *,
        user_id: str,
        device_id: str,
        suite: int = SUITE_AES_256_GCM,
        kdf: KdfParams | None = None,
        device_key: DeviceKey | None = None,
    ) -> LocalStore:
        """Make a new store file with its own vault; returns it unlocked.

        `device_key` is the signing key whose public half was registered with the server (a new
        one when not given); its private half is kept wrapped under the master key.
        """
        db_path = Path(path)
        if db_path.exists():
            raise StoreError(
                "该位置已有数据文件", "A store already exists at this place", code="store_exists"
            )
        db_path.parent.mkdir(parents=True, exist_ok=True)
        header, vault = create_vault(password, suite=suite, kdf=kdf)
        conn = cls._connect(db_path)
        # Owner-only: on a shared laptop other accounts must not even copy the ciphertext.
        with contextlib.suppress(OSError):
            db_path.chmod(0o600)
        apply_steps(conn)
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(
            "INSERT INTO vault_meta (key, value) VALUES (?, ?)",
            [
                (_META_HEADER, header),
                (_META_USER, user_id.encode()),
                (_META_DEVICE, device_id.encode()),
                (_META_DEVICE_KEY, vault.create_device_key(device_id, device_key)),
            ],
        )
        now = _now()
        for key_id in (GLOBAL_KEY_ID, INDEX_KEY_ID):
            conn.execute(
                "INSERT INTO wrapped_key (key_id, wrapped, created_at) VALUES (?, ?, ?)",
                (key_id, vault.new_data_key(key_id), now),
            )
        conn.execute("COMMIT")
        store = cls(db_path, conn)
        store._attach_vault(vault)
        with store._write() as tx:
            store._append_audit(tx, "store.create", "store", device_id)
        logger.info("local store created (schema %d)", LATEST_SCHEMA_VERSION)
        return store

    @classmethod
    def open(cls, path: str | os.PathLike[str]) -> LocalStore:
        """Open an existing store (locked), upgrading its schema first if it is older."""
        db_path = Path(path)
        if not db_path.exists():
            raise StoreError("找不到数据文件", "The store file does not exist", code="no_store")
        conn = cls._connect(db_path)
        try:
            if schema_version(conn) == 0:
                raise StoreError(
                    "这不是家访数据文件", "This is not a Jiafang store", code="not_a_store"
                )
            migrate_file(conn, db_path, remove_file=_overwrite_and_unlink)
        except BaseException:
            conn.close()
            raise
        return cls(db_path, conn)

    @property
    def is_unlocked(self) -> bool:
        return self._vault is not None

    @property
    def attachments_dir(self) -> Path:
        return self.path.with_name(self.path.name + ".attachments")

    def unlock(self, password: str) -> None:
        """Open the vault (Argon2id) and build the in-memory search index."""
        with self._lock:
            header = self._meta_bytes(_META_HEADER)
            if header is None:
                raise StoreError(
                    "数据文件缺少密钥头", "The store has no vault header", code="no_vault"
                )
            vault = unlock_vault(header, password)
            self._attach_vault(vault)
            logger.info("local store unlocked")

    def _attach_vault(self, vault: Vault) -> None:
        vault.set_key_loader(self._load_wrapped_key)
        self._vault = vault
        self.user_id = self._meta_text(_META_USER) or ""
        self.device_id = self._meta_text(_META_DEVICE) or ""
        self._hlc = HybridLogicalClock(self.device_id, last=self._meta_text(_META_HLC))
        wrapped_device_key = self._meta_bytes(_META_DEVICE_KEY)
        if wrapped_device_key is not None and not vault.has_device_key:
            try:
                vault.load_device_key(self.device_id, wrapped_device_key)
            except DecryptionError:
                # Visits completed now go out unsigned, and the server flags them for the
                # supervisor; refusing to unlock would lock the worker out of every record.
                logger.error("the device signing key could not be unwrapped")
        tail = self._conn.execute(
            "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1"
        ).fetchone()
        self._audit_head = (int(tail[0]), str(tail[1])) if tail else (0, audit_chain.GENESIS_HASH)
        self._known_keys = set()
        self._build_index()

    def lock(self) -> None:
        """Forget every key and every decrypted value held in memory."""
        with self._lock:
            if self._vault is not None:
                self._vault.lock()
            self._vault = None
            self._index.clear()
            self._chunk_records = None
            self._known_keys = set()
            self._visit_households = {}
            self._withdrawn = None
            logger.info("local store locked")

    def close(self) -> None:
        """Lock, fold the WAL into the main file and close; closing twice is harmless."""
        with self._lock:
            if self._closed:
                return
            self.lock()
            with contextlib.suppress(sqlite3.Error):
                self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            self._conn.close()
            self._closed = True

    def __enter__(self) -> LocalStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def change_password(self, old: str, new: str, *, kdf: KdfParams | None = None) -> None:
        """Re-wrap the master key under the new password; no record is re-encrypted."""
        with self._lock:
            self._require_vault()
            header = self._meta_bytes(_META_HEADER)
            assert header is not None
            new_header = crypto_change_password(header, old, new, kdf=kdf)
            with self._write() as tx:
                self._conn.execute(
                    "UPDATE vault_meta SET value = ? WHERE key = ?", (new_header, _META_HEADER)
                )
                self._append_audit(tx, "vault.change_password", "store", self.device_id)
            # The old header opens the master key with the old password: no copy may survive in
            # the WAL (secure_delete already zeroed the old cell in the main file).
            self._truncate_wal()
            logger.info("vault password changed")

    # ------------------------------------------------------------------ internals: sqlite

    def _meta_bytes(self, key: str) -> bytes | None:
        row = self._conn.execute("SELECT value FROM vault_meta WHERE key = ?", (key,)).fetchone()
        return bytes(row[0]) if row else None

    def _meta_text(self, key: str) -> str | None:
        value = self._meta_bytes(key)
        return value.decode() if value is not None else None

    def _set_meta(self, key: str, value: bytes) -> None:
        self._conn.execute(
            "INSERT INTO vault_meta (key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    @contextlib.contextmanager
    def _write(self, *, durable: bool = True) -> Iterator[_Tx]:
        """One write transaction (BEGIN IMMEDIATE … COMMIT); in-memory effects after commit.

        `durable=False` commits without waiting for the disk (synchronous=NORMAL): still atomic
        and consistent, but a power cut may undo it. Only for pull pages: their checkpoint is in
        the same transaction, so an undone page is simply pulled again. The next durable commit
        syncs the WAL up to itself, so a later local edit never survives without earlier pages.
        """
        with self._lock:
            if self._tx is not None:
                yield self._tx  # nested: part of the outer transaction
                return
            tx = _Tx()
            self._tx = tx
            if not durable:
                self._conn.execute("PRAGMA synchronous=NORMAL")
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield tx
                if tx.search_updates or tx.search_removals:
                    self._write_search_entries(tx)
                if tx.audit_head is not None:
                    self._seal_audit_head(tx.audit_head)
                if self._hlc is not None:
                    self._set_meta(_META_HLC, self._hlc.last.encode())
                self._conn.execute("COMMIT")
            except BaseException:
                self._tx = None
                with contextlib.suppress(sqlite3.Error):
                    self._conn.execute("ROLLBACK")
                # A key whose wrapped copy was rolled back must not be used for anything else.
                for key_id in tx.new_keys:
                    self._known_keys.discard(key_id)
                    if self._vault is not None:
                        self._vault.forget_data_key(key_id)
                raise
            finally:
                if not durable:
                    self._conn.execute("PRAGMA synchronous=FULL")
            self._tx = None
            if tx.audit_head is not None:
                self._audit_head = tx.audit_head
            if tx.chunk_records is not None:
                self._chunk_records = tx.chunk_records
            for hid in tx.search_removals:
                self._index.remove(hid)
            for hid, entry in tx.search_updates.items():
                self._index.put(hid, entry, tx.chunk_assign.get(hid))
            for callback in tx.after_commit:
                callback()

    def _truncate_wal(self) -> None:
        busy, _, _ = self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        if busy:
            logger.warning("WAL checkpoint was blocked; deleted data may remain in the WAL")

    # ------------------------------------------------------------------ internals: crypto

    def _require_vault(self) -> Vault:
        vault = self._vault
        if vault is None:
            raise VaultLockedError(
                "数据已锁定，请先输入密码解锁", "The store is locked; unlock it first"
            )
        return vault

    def _load_wrapped_key(self, key_id: str) -> bytes | None:
        with self._lock:
            if key_id in self._absent_keys:
                return None
            row = self._conn.execute(
                "SELECT wrapped FROM wrapped_key WHERE key_id = ?", (key_id,)
            ).fetchone()
        return bytes(row[0]) if row else None

    def _ensure_key(self, key_id: str) -> None:
        """Create and persist the data key of a new household (inside the current transaction)."""
        if key_id in self._known_keys:
            return
        vault = self._require_vault()
        exists = self._conn.execute(
            "SELECT 1 FROM wrapped_key WHERE key_id = ?", (key_id,)
        ).fetchone()
        if not exists:
            if self._tx is not None:
                self._tx.new_keys.append(key_id)
            self._conn.execute(
                "INSERT INTO wrapped_key (key_id, wrapped, created_at) VALUES (?, ?, ?)",
                (key_id, vault.new_data_key(key_id), _now()),
            )
        self._known_keys.add(key_id)

    def _ensure_keys(self, key_ids: set[str]) -> None:
        """`_ensure_key` for many keys with two statements (the pull path)."""
        if not key_ids:
            return
        vault = self._require_vault()
        wanted = sorted(key_ids)
        existing: set[str] = set()
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ",".join("?" for _ in chunk)
            existing.update(
                row[0]
                for row in self._conn.execute(
                    f"SELECT key_id FROM wrapped_key WHERE key_id IN ({marks})", chunk
                )
            )
        now = _now()
        rows = []
        absent = [key_id for key_id in wanted if key_id not in existing]
        # Only while these keys are created, under the store lock, by the query just made.
        self._absent_keys = frozenset(absent)
        try:
            for key_id in absent:
                if self._tx is not None:
                    self._tx.new_keys.append(key_id)
                rows.append((key_id, vault.new_data_key(key_id), now))
        finally:
            self._absent_keys = frozenset()
        self._conn.executemany(
            "INSERT INTO wrapped_key (key_id, wrapped, created_at) VALUES (?, ?, ?)", rows
        )
        self._known_keys.update(key_ids)

    def _seal(self, key_id: str, table: str, row_id: str, version: int, obj: object) -> bytes:
        ad = AssociatedData(table, "payload", row_id, version)
        return self._require_vault().encrypt(key_id, _dump_json(obj), ad)

    def _open(self, table: str, row_id: str, version: int, envelope: bytes) -> Any:
        ad = AssociatedData(table, "payload", row_id, version)
        return json.loads(self._require_vault().decrypt(bytes(envelope), ad))

    def _blind_index(self, id_number: str) -> bytes:
        digest = self._require_vault().blind_index(id_number, purpose="id_number")
        return bytes.fromhex(digest)[:BLIND_INDEX_BYTES]

    # ------------------------------------------------------------------ internals: records

    def _row_to_record(self, spec: EntitySpec, row: Sequence[Any]) -> Record:
        values = dict(zip(spec.columns, row, strict=True))
        record = Record(
            entity=spec.entity,
            id=values["id"],
            household_id=values.get("household_id"),
            grid_id=values.get("grid_id"),
            version=int(values["version"]),
            seq=int(values["seq"]),
            meta={name: values[name] for name in spec.meta},
        )
        if spec.entity == "household":
            record.household_id = record.id
        record.data = self._open(spec.table, record.id, record.version, values["payload"])
        return record

    def _load(self, entity: str, record_id: str) -> Record | None:
        spec = SPECS[entity]
        row = self._conn.execute(f"{spec.select_sql()} WHERE id = ?", (record_id,)).fetchone()
        return self._row_to_record(spec, row) if row else None

    def _load_where(self, entity: str, where: str, params: Sequence[Any]) -> list[Record]:
        spec = SPECS[entity]
        rows = self._conn.execute(f"{spec.select_sql()} WHERE {where}", params).fetchall()
        return [self._row_to_record(spec, row) for row in rows]

    def _require(self, entity: str, record_id: str, label: tuple[str, str]) -> Record:
        record = self._load(entity, record_id)
        if record is None:
            raise _not_found(label[1], label[0])
        return record

    def _row_values(self, record: Record) -> tuple[Any, ...]:
        spec = SPECS[record.entity]
        self._ensure_key(record.key_id)
        values: list[Any] = [record.id]
        if spec.household_scoped:
            values.append(record.household_id)
        if spec.has_grid:
            values.append(record.grid_id)
        values.extend(record.meta.get(name) for name in spec.meta)
        if spec.entity == "member":
            number = record.data.get("id_number")
            values.append(self._blind_index(number) if number else None)
        values.append(record.version)
        values.append(record.seq)
        values.append(self._seal(record.key_id, spec.table, record.id, record.version, record.data))
        return tuple(values)

    def _save(self, record: Record) -> None:
        """Encrypt and upsert one record inside the current transaction."""
        spec = SPECS[record.entity]
        self._conn.execute(spec.upsert_sql(), self._row_values(record))
        self._note_search_change(record)

    def _note_search_change(self, record: Record, *, deleted: bool = False) -> None:
        tx = self._tx
        assert tx is not None
        if record.entity == "household":
            entry = self._working_entry(tx, record.id)
            if deleted:
                tx.search_updates.pop(record.id, None)
                tx.search_removals.add(record.id)
                return
            entry.head_name = str(record.data.get("head_name", ""))
            entry.address = str(record.data.get("address", ""))
            entry.registered_residence = str(record.data.get("registered_residence", ""))
            entry.actual_residence = str(record.data.get("actual_residence", ""))
            entry.grid_id = record.grid_id
            entry.status = record.meta.get("status")
            entry.category = record.meta.get("category")
            entry.next_review = record.meta.get("next_review")
        elif record.entity == "member":
            if record.id in tx.member_household:
                previous = tx.member_household[record.id]
            else:
                previous = self._index.household_of_member(record.id)
            if previous is not None and (deleted or previous != record.household_id):
                old = self._working_entry(tx, previous)
                old.members.pop(record.id, None)
            if deleted or record.household_id is None:
                tx.member_household[record.id] = None
            else:
                entry = self._working_entry(tx, record.household_id)
                entry.members[record.id] = str(record.data.get("name", ""))
                tx.member_household[record.id] = record.household_id

    def _working_entry(self, tx: _Tx, household_id: str) -> SearchEntry:
        entry = tx.search_updates.get(household_id)
        if entry is None:
            current = self._index.get(household_id)
            entry = current.copy() if current is not None else SearchEntry()
            tx.search_updates[household_id] = entry
            tx.search_removals.discard(household_id)
        return entry

    def _write_search_entries(self, tx: _Tx) -> None:
        """Rewrite the search chunks whose names/addresses or households changed."""
        index = self._index
        dirty: set[int] = set()
        for hid in tx.search_removals:
            cid = index.chunk_of.get(hid)
            if cid is not None:
                dirty.add(cid)
        open_id, open_size = index.open_chunk()
        added: dict[int, set[str]] = {}
        for hid, entry in tx.search_updates.items():
            cid = index.chunk_of.get(hid)
            if cid is None:
                if open_size >= CHUNK_SIZE:
                    open_id, open_size = open_id + 1, 0
                cid = open_id
                open_size += 1
                tx.chunk_assign[hid] = cid
                added.setdefault(cid, set()).add(hid)
                dirty.add(cid)
            elif cid not in dirty:
                old = index.get(hid)
                if old is None or not old.same_text(entry):
                    dirty.add(cid)
        cached_cid, cached = self._chunk_records or (None, {})
        for cid in sorted(dirty):
            members = (index.chunk_members.get(cid, set()) | added.get(cid, set())) - (
                tx.search_removals
            )
            if not members:
                self._conn.execute("DELETE FROM search_chunk WHERE chunk_id = ?", (cid,))
                continue
            # A household's chunk text only changes through a transaction's search_updates, so
            # the texts of the others are reused from the last write of the open chunk.
            reusable = cached if cid == cached_cid else {}
            texts: dict[str, str] = {}
            for hid in sorted(members):
                update = tx.search_updates.get(hid)
                if update is not None:
                    texts[hid] = update.to_record(hid)
                elif hid in reusable:
                    texts[hid] = reusable[hid]
                else:
                    current = index.get(hid)
                    if current is not None:
                        texts[hid] = current.to_record(hid)
            if cid == open_id:
                tx.chunk_records = (cid, texts)
            text = encode_chunk(texts.values())
            ad = AssociatedData("search_chunk", "payload", str(cid), 0)
            payload = self._require_vault().encrypt(INDEX_KEY_ID, text, ad)
            self._conn.execute(
                "INSERT INTO search_chunk (chunk_id, payload) VALUES (?, ?) "
                "ON CONFLICT(chunk_id) DO UPDATE SET payload = excluded.payload",
                (cid, payload),
            )

    def _build_index(self) -> None:
        """Decrypt the search chunks into memory; rebuild entries that are missing."""
        # Hundreds of thousands of small objects are made here; the cyclic GC would otherwise
        # rescan the growing heap again and again (it cost more than the decryption at 100k).
        gc_was_enabled = gc.isenabled()
        gc.disable()
        try:
            self._load_index()
        finally:
            if gc_was_enabled:
                gc.enable()

    def _load_index(self) -> None:
        vault = self._require_vault()
        chunks: list[tuple[int, list[list[str]]]] = []
        for cid, payload in self._conn.execute("SELECT chunk_id, payload FROM search_chunk"):
            try:
                text = vault.decrypt(
                    payload, AssociatedData("search_chunk", "payload", str(cid), 0)
                )
                chunks.append((cid, decode_chunk(text)))
            except (CryptoError, ValueError) as exc:
                # A damaged chunk must not lock the user out of everything else: its households
                # are rebuilt from their records below.
                logger.warning("search chunk %d unreadable (%s)", cid, type(exc).__name__)
        # Served by the covering index ix_household_listing: no payload pages are read.
        listing = self._conn.execute(
            "SELECT id, grid_id, status, category, next_review FROM household"
        ).fetchall()
        self._index.load(chunks, listing)
        missing = self._index.missing()
        if missing:
            # Households written before the search index existed (schema < 3) or whose chunk was
            # damaged: rebuild them from the records themselves.
            logger.info("rebuilding %d search entries", len(missing))
            with self._write():
                for hid in missing:
                    try:
                        household = self._load("household", hid)
                        members = self._load_where("member", "household_id = ?", (hid,))
                    except CryptoError as exc:
                        logger.warning("household %s cannot be opened (%s)", hid, exc.code)
                        continue
                    if household is None:
                        continue
                    self._note_search_change(household)
                    for member in members:
                        self._note_search_change(member)

    # ------------------------------------------------------------------ internals: outbox/audit

    def _append_audit(self, tx: _Tx, action: str, entity: str, entity_id: str) -> None:
        count, prev = tx.audit_head or self._audit_head
        fields = audit_chain.AuditFields(
            seq=count + 1,
            at=_now(),
            user_id=self.user_id,
            device_id=self.device_id,
            action=action,
            entity=entity,
            entity_id=entity_id,
        )
        digest = audit_chain.chain_hash(prev, fields)
        self._conn.execute(
            "INSERT INTO audit_log (seq, at, user_id, device_id, action, entity, entity_id, "
            "prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                fields.seq,
                fields.at,
                fields.user_id,
                fields.device_id,
                action,
                entity,
                entity_id,
                prev,
                digest,
            ),
        )
        tx.audit_head = (fields.seq, digest)

    def _seal_audit_head(self, head: tuple[int, str]) -> None:
        sealed = self._require_vault().encrypt_json(
            GLOBAL_KEY_ID,
            {"count": head[0], "hash": head[1]},
            AssociatedData("vault_meta", "value", _META_AUDIT_HEAD, 0),
        )
        self._set_meta(_META_AUDIT_HEAD, sealed)

    def _enqueue(
        self, tx: _Tx, record: Record, op: str, changed: Mapping[str, Any], action: str
    ) -> str:
        """Outbox row + audit entry for one local edit (inside the edit's transaction)."""
        assert self._hlc is not None
        mutation_id = uuid7()
        key_id = record.key_id
        self._ensure_key(key_id)
        payload = self._seal(key_id, "outbox", mutation_id, 0, dict(changed))
        self._conn.execute(
            "INSERT INTO outbox (mutation_id, device_id, entity, entity_id, household_id, "
            "base_version, op, fields, hlc, schema_version, created_at, payload) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                mutation_id,
                self.device_id,
                record.entity,
                record.id,
                record.household_id,
                record.version,
                op,
                ",".join(sorted(changed)),
                self._hlc.now(),
                MUTATION_SCHEMA_VERSION,
                _now(),
                payload,
            ),
        )
        self._append_audit(tx, action, record.entity, record.id)
        logger.debug("queued %s %s of %s %s", op, mutation_id, record.entity, record.id)
        return mutation_id

    def _edit(self, before: Record | None, after: Record, action: str) -> dict[str, Any]:
        """Save `after` and queue only the fields that differ from `before`."""
        old = before.flat() if before is not None else {}
        new = after.flat()
        changed = {k: v for k, v in new.items() if before is None or old.get(k) != v}
        if before is not None and not changed:
            return changed
        with self._write() as tx:
            self._save(after)
            self._enqueue(tx, after, "upsert", changed, action)
        return changed

    def _delete_local(self, record: Record, action: str) -> None:
        with self._write() as tx:
            self._conn.execute(
                f"DELETE FROM {SPECS[record.entity].table} WHERE id = ?", (record.id,)
            )
            self._note_search_change(record, deleted=True)
            self._enqueue(tx, record, "delete", {}, action)

    # ------------------------------------------------------------------ households and members

    def create_household(
        self,
        *,
        grid_id: str,
        content: HouseholdContent,
        category: AssistanceCategory | None = None,
        status: HouseholdStatus = HouseholdStatus.ACTIVE,
        next_review: date | None = None,
        household_id: str | None = None,
    ) -> HouseholdView:
        """A new household and its members (content.members), each with its outbox row."""
        with self._lock:
            self._require_vault()
            hid = household_id or uuid7()
            household = Record(
                entity="household",
                id=hid,
                household_id=hid,
                grid_id=grid_id,
                version=0,
                seq=0,
                meta={
                    "status": HouseholdStatus(status).value,
                    "category": AssistanceCategory(category).value if category else None,
                    "next_review": next_review.isoformat() if next_review else None,
                },
                data=content.model_dump(mode="json", exclude={"members"}),
            )
            with self._write():
                self._edit(None, household, "household.create")
                for member in content.members:
                    self._edit(None, self._member_record(hid, member), "member.create")
            logger.debug("household %s created", hid)
            return self.get_household(hid)

    def _member_record(self, household_id: str, member: MemberContent) -> Record:
        number = parse_id_number(member.id_number).number
        data = member.model_dump(mode="json")
        data["id_number"] = number
        return Record(
            entity="member",
            id=member.member_id,
            household_id=household_id,
            grid_id=None,
            version=0,
            seq=0,
            data=data,
        )

    def update_household(self, household_id: str, **fields: Any) -> HouseholdView:
        """Change some fields (content fields and/or status, category, next_review, grid_id)."""
        with self._lock:
            before = self._require("household", household_id, ("户", "household"))
            after = self._copy(before)
            content_updates: dict[str, Any] = {}
            for name, value in fields.items():
                if name == "grid_id":
                    after.grid_id = str(value)
                elif name == "status":
                    after.meta["status"] = HouseholdStatus(value).value
                elif name == "category":
                    after.meta["category"] = AssistanceCategory(value).value if value else None
                elif name == "next_review":
                    after.meta["next_review"] = value.isoformat() if value else None
                elif name in HOUSEHOLD_FIELDS:
                    content_updates[name] = value
                else:
                    raise ValidationError(
                        f"户记录没有字段 {name}", f"A household has no field {name}", code="field"
                    )
            if content_updates:
                merged = _validated(HouseholdContent, {**before.data, **content_updates})
                after.data = merged.model_dump(mode="json", exclude={"members"})
            self._edit(before, after, "household.update")
            return self.get_household(household_id)

    def add_member(self, household_id: str, member: MemberContent) -> MemberView:
        with self._lock:
            self._require("household", household_id, ("户", "household"))
            record = self._member_record(household_id, member)
            if self._load("member", record.id) is not None:
                raise StoreError("成员已存在", "The member already exists", code="exists")
            self._edit(None, record, "member.create")
            return self._member_view(record)

    def update_member(self, member_id: str, **fields: Any) -> MemberView:
        with self._lock:
            before = self._require("member", member_id, ("成员", "member"))
            if "member_id" in fields:
                raise ValidationError("成员编号不能修改", "A member id cannot change", code="field")
            merged = _validated(MemberContent, {**before.data, **fields})
            after = self._member_record(before.household_id or "", merged)
            after.version, after.seq = before.version, before.seq
            self._edit(before, after, "member.update")
            return self._member_view(after)

    def remove_member(self, member_id: str) -> None:
        with self._lock:
            record = self._require("member", member_id, ("成员", "member"))
            self._delete_local(record, "member.delete")

    def _member_view(self, record: Record) -> MemberView:
        return MemberView(
            member_id=record.id,
            household_id=record.household_id or "",
            version=record.version,
            content=_validated(MemberContent, record.data),
        )

    def get_household(self, household_id: str, *, for_visit: bool = False) -> HouseholdView:
        """The household; a withdrawn one (`withdraw_households`) only `for_visit`, to finish
        a visit form it still has open."""
        with self._lock:
            if not for_visit and household_id in self.withdrawn_households():
                raise _withdrawn_error()
            record = self._require("household", household_id, ("户", "household"))
            members = tuple(
                self._member_view(m)
                for m in self._load_where("member", "household_id = ? ORDER BY id", (household_id,))
            )
            content = _validated(
                HouseholdContent, {**record.data, "members": [m.content for m in members]}
            )
            return HouseholdView(
                household_id=record.id,
                grid_id=record.grid_id or "",
                status=HouseholdStatus(record.meta["status"]),
                category=(
                    AssistanceCategory(record.meta["category"]) if record.meta["category"] else None
                ),
                next_review=_parse_date(record.meta["next_review"]),
                version=record.version,
                content=content,
                members=members,
            )

    def search_households(
        self, text: str, *, limit: int = 200, addresses: bool = True
    ) -> list[HouseholdSummary]:
        """Households with `text` in a member's name (or, with `addresses`, in the address or a
        residence), from the in-memory index; name matches come first."""
        with self._lock:
            self._require_vault()
            found = self._index.search(text, limit, places=addresses)
            withdrawn = self.withdrawn_households()
            return self._index.summaries([h for h in found if h not in withdrawn])

    def list_households(
        self,
        *,
        grid_id: str | None = None,
        category: AssistanceCategory | None = None,
        status: HouseholdStatus | None = None,
        review_due_by: date | None = None,
        limit: int | None = None,
    ) -> list[HouseholdSummary]:
        """Households matching every given filter, ordered by grid then head's name."""
        with self._lock:
            self._require_vault()
            due = review_due_by.isoformat() if review_due_by else None
            withdrawn = self.withdrawn_households()
            out = []
            for hid in self._index.listed_ids():
                if hid in withdrawn:
                    continue
                meta = self._index.meta(hid)
                assert meta is not None
                grid, state, kind, review = meta
                if grid_id is not None and grid != grid_id:
                    continue
                if category is not None and kind != category:
                    continue
                if status is not None and state != status:
                    continue
                if due is not None and (review is None or review > due):
                    continue
                out.append(hid)
            summaries = self._index.summaries(out)
            summaries.sort(key=lambda s: (s.grid_id, s.head_name, s.household_id))
            return summaries[:limit] if limit is not None else summaries

    def find_by_id_number(self, raw: str) -> list[MemberView]:
        """Members with exactly this ID number (any household), via the blind index."""
        with self._lock:
            number = parse_id_number(raw).number
            token = self._blind_index(number)
            found = self._load_where("member", "blind_index = ?", (token,))
            # The truncated HMAC could in theory collide: confirm on the decrypted number.
            return [self._member_view(r) for r in found if r.data.get("id_number") == number]

    def household_count(self) -> int:
        with self._lock:
            return int(self._conn.execute("SELECT count(*) FROM household").fetchone()[0])

    # ------------------------------------------------------------------ visits

    def create_visit_draft(
        self,
        household_id: str,
        kind: VisitKind,
        content: VisitContent | None = None,
        *,
        visit_id: str | None = None,
        visit_date: date | None = None,
    ) -> VisitView:
        with self._lock:
            self._require("household", household_id, ("户", "household"))
            content = content or VisitContent()
            record = Record(
                entity="visit",
                id=visit_id or uuid7(),
                household_id=household_id,
                grid_id=None,
                version=0,
                seq=0,
                meta={
                    "kind": VisitKind(kind).value,
                    "status": VisitStatus.DRAFT.value,
                    "revision": 1,
                    "revision_of": None,
                    "visit_date": self._visit_date(content, visit_date),
                    "completed_at": None,
                    **_UNSIGNED,
                },
                data=content.model_dump(mode="json"),
            )
            self._edit(None, record, "visit.create")
            return self._visit_view(record)

    @staticmethod
    def _visit_date(content: VisitContent, explicit: date | None) -> str | None:
        if explicit is not None:
            return explicit.isoformat()
        if content.started_at is not None:
            started = content.started_at
            if started.tzinfo is None:
                started = started.replace(tzinfo=UTC)
            return started.astimezone(CHINA_TZ).date().isoformat()
        return None

    def update_visit_draft(self, visit_id: str, **fields: Any) -> VisitView:
        """Save changed fields of a draft (a completed visit is immutable: revise it instead)."""
        with self._lock:
            before = self._require("visit", visit_id, ("走访记录", "visit"))
            if before.meta["status"] != VisitStatus.DRAFT:
                raise ValidationError(
                    "已完成的走访记录不能修改，请创建修订版",
                    "A completed visit cannot be edited; create a revision instead",
                    code="visit_immutable",
                )
            self._check_visit_fields(fields)
            explicit_date = fields.pop("visit_date", None)
            content = _validated(VisitContent, {**before.data, **fields})
            after = self._copy(before)
            after.data = content.model_dump(mode="json")
            new_date = self._visit_date(content, explicit_date)
            if new_date is not None:
                after.meta["visit_date"] = new_date
            with self._write():
                self._edit(before, after, "visit.update")
                self._conn.execute("DELETE FROM draft WHERE visit_id = ?", (visit_id,))
            return self._visit_view(after)

    @staticmethod
    def _check_visit_fields(fields: Mapping[str, Any]) -> None:
        unknown = sorted(set(fields) - set(VISIT_FIELDS) - {"visit_date"})
        if unknown:
            raise ValidationError(
                f"走访记录没有这些字段：{', '.join(unknown)}",
                f"A visit has no such fields: {', '.join(unknown)}",
                code="field",
            )

    @staticmethod
    def _copy(record: Record) -> Record:
        return Record(
            entity=record.entity,
            id=record.id,
            household_id=record.household_id,
            grid_id=record.grid_id,
            version=record.version,
            seq=record.seq,
            meta=dict(record.meta),
            data=dict(record.data),
        )

    def complete_visit(
        self, visit_id: str, *, completed_at: datetime | None = None, **fields: Any
    ) -> VisitView:
        """Lock a draft as completed after checking what a completed visit must have.

        `fields` are the form's last changes, saved with the completion in one transaction
        (one outbox row, one audit entry).
        """
        with self._lock:
            before = self._require("visit", visit_id, ("走访记录", "visit"))
            check_visit_transition(VisitStatus(before.meta["status"]), VisitStatus.COMPLETED)
            self._check_visit_fields(fields)
            explicit_date = fields.pop("visit_date", None)
            content = _validated(VisitContent, {**before.data, **fields})
            if len(set(content.visitors)) < MIN_VISITORS:
                raise ValidationError(
                    "入户调查须至少两名工作人员在场",
                    "A visit must be made by at least two visitors",
                    code="visit_visitors",
                )
            if not content.notice_of_duties_signed:
                raise ValidationError(
                    "告知书（承诺书）尚未签署",
                    "The notice of duties has not been signed",
                    code="visit_notice",
                )
            if content.finding is None:
                raise ValidationError(
                    "尚未填写核查结论", "The visit has no finding yet", code="visit_finding"
                )
            self._check_signatures(content)
            after = self._copy(before)
            after.data = content.model_dump(mode="json")
            new_date = self._visit_date(content, explicit_date)
            if new_date is not None:
                after.meta["visit_date"] = new_date
            after.meta["status"] = VisitStatus.COMPLETED.value
            when = (completed_at or datetime.now(UTC)).astimezone(UTC)
            after.meta["completed_at"] = when.isoformat(timespec="milliseconds")
            if after.meta["visit_date"] is None:
                after.meta["visit_date"] = when.astimezone(CHINA_TZ).date().isoformat()
            self._sign_visit(after)
            with self._write():
                self._edit(before, after, "visit.complete")
                self._conn.execute("DELETE FROM draft WHERE visit_id = ?", (visit_id,))
            logger.debug("visit %s completed", visit_id)
            return self._visit_view(after)

    def _check_signatures(self, content: VisitContent) -> None:
        """Every visitor and the household have signed: a signature kept on this laptop for
        each (the pads' images are not read here, only that they are kept)."""
        kept = {
            ref.signer
            for ref in content.signatures
            if self._conn.execute(
                "SELECT 1 FROM attachment WHERE id = ? AND kind = 'signature'",
                (ref.attachment_id,),
            ).fetchone()
        }
        missing = [s for s in required_signers(content) if s not in kept]
        if missing:
            raise ValidationError(
                "以下签名尚未完成：" + "、".join(_signer_zh(s) for s in missing),
                "Signatures missing: " + ", ".join(_signer_en(s) for s in missing),
                code="visit_signatures",
            )

    def _sign_visit(self, visit: Record) -> None:
        """Sign the completed visit's content and attachment hashes with this device's key
        (`app.crypto.visit_signature`); the signature travels in the visit's plaintext fields.

        A store made before device keys were kept has none: its visits stay unsigned and the
        server flags them as such.
        """
        vault = self._require_vault()
        if not vault.has_device_key:
            logger.warning("no device signing key: visit completed unsigned")
            return
        shas = [self._attachment_sha256(a) for a in attachment_ids(visit.data)]
        signed = visit_signed_bytes(visit.id, visit.flat(), visit.data, shas)
        visit.meta["signed_by_device"] = self.device_id
        visit.meta["device_signature"] = base64.b64encode(vault.sign(signed)).decode("ascii")
        visit.meta["signature_version"] = SIGNED_BYTES_VERSION

    def _attachment_sha256(self, attachment_id: str) -> str:
        row = self._conn.execute(
            "SELECT sha256 FROM attachment WHERE id = ?", (attachment_id,)
        ).fetchone()
        if row is None:
            raise ValidationError(
                "走访记录引用的照片或签名不在本机",
                "A photo or signature the visit names is not on this laptop",
                code="visit_attachment_missing",
            )
        return str(row[0])

    @property
    def device_public_key(self) -> bytes:
        """This device's Ed25519 public key (the one registered with the server)."""
        return self._require_vault().device_public_key

    def verify_visit_signature(self, visit_id: str, public_key: bytes) -> bool:
        """Whether the stored visit still matches its device signature under `public_key`."""
        with self._lock:
            visit = self._require("visit", visit_id, ("走访记录", "visit"))
            raw = visit.meta.get("device_signature")
            version = visit.meta.get("signature_version")
            if not isinstance(raw, str) or not isinstance(version, int):
                return False
            shas = [self._attachment_sha256(a) for a in attachment_ids(visit.data)]
            signed = visit_signed_bytes(visit.id, visit.flat(), visit.data, shas, version=version)
            try:
                verify_signature(public_key, signed, base64.b64decode(raw))
            except SignatureInvalidError:
                return False
            return True

    def revise_visit(self, visit_id: str) -> VisitView:
        """Start a new revision (a draft) of a returned visit; the returned one becomes revised."""
        with self._lock:
            before = self._require("visit", visit_id, ("走访记录", "visit"))
            check_visit_transition(VisitStatus(before.meta["status"]), VisitStatus.REVISED)
            old = self._copy(before)
            old.meta["status"] = VisitStatus.REVISED.value
            content = _validated(VisitContent, before.data)
            # Signatures belong to the returned record; the corrected one must be signed again.
            new_content = content.model_copy(update={"signatures": ()})
            revision = Record(
                entity="visit",
                id=uuid7(),
                household_id=before.household_id,
                grid_id=None,
                version=0,
                seq=0,
                meta={
                    "kind": before.meta["kind"],
                    "status": VisitStatus.DRAFT.value,
                    "revision": int(before.meta["revision"]) + 1,
                    "revision_of": before.id,
                    "visit_date": before.meta["visit_date"],
                    "completed_at": None,
                    **_UNSIGNED,
                },
                data=new_content.model_dump(mode="json"),
            )
            with self._write():
                self._edit(before, old, "visit.revised")
                self._edit(None, revision, "visit.create_revision")
            return self._visit_view(revision)

    def get_visit(self, visit_id: str) -> VisitView:
        with self._lock:
            return self._visit_view(self._require("visit", visit_id, ("走访记录", "visit")))

    def list_visits(self, household_id: str) -> list[VisitView]:
        with self._lock:
            records = self._load_where(
                "visit", "household_id = ? ORDER BY visit_date, revision, id", (household_id,)
            )
            return [self._visit_view(r) for r in records]

    def list_visits_with_status(self, status: VisitStatus) -> list[VisitView]:
        """Every visit on this laptop in one lifecycle state (e.g. returned for correction)."""
        with self._lock:
            records = self._load_where(
                "visit", "status = ? ORDER BY visit_date, id", (VisitStatus(status).value,)
            )
            return [self._visit_view(r) for r in records]

    def _visit_view(self, record: Record) -> VisitView:
        return VisitView(
            visit_id=record.id,
            household_id=record.household_id or "",
            kind=VisitKind(record.meta["kind"]),
            status=VisitStatus(record.meta["status"]),
            revision=int(record.meta["revision"]),
            revision_of=record.meta["revision_of"],
            visit_date=_parse_date(record.meta["visit_date"]),
            completed_at=_parse_time(record.meta["completed_at"]),
            version=record.version,
            content=_validated(VisitContent, record.data),
        )

    # ------------------------------------------------------------------ draft autosave

    def autosave_draft(self, visit_id: str, partial_content: Mapping[str, Any] | str) -> None:
        """Keep the form's unsaved state (cheap: one small encrypt and one row, no outbox).

        `partial_content` is the form's JSON (text or already parsed); it need not validate yet.
        """
        with self._lock:
            self._require_vault()
            household_id = self._visit_households.get(visit_id)
            if household_id is None:
                row = self._conn.execute(
                    "SELECT household_id, status FROM visit WHERE id = ?", (visit_id,)
                ).fetchone()
                if row is None:
                    raise _not_found("visit", "走访记录")
                if row[1] != VisitStatus.DRAFT:
                    raise ValidationError(
                        "只有草稿可以自动保存",
                        "Only a draft visit can be autosaved",
                        code="visit_immutable",
                    )
                household_id = str(row[0])
                self._visit_households[visit_id] = household_id
            content = (
                json.loads(partial_content)
                if isinstance(partial_content, str)
                else dict(partial_content)
            )
            payload = self._seal(household_id, "draft", visit_id, 0, content)
            # A single statement is its own transaction: no BEGIN/COMMIT round trip needed.
            self._conn.execute(
                "INSERT INTO draft (visit_id, household_id, saved_at, payload) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(visit_id) DO UPDATE SET saved_at = excluded.saved_at, "
                "payload = excluded.payload",
                (visit_id, household_id, _now(), payload),
            )

    def recover_drafts(self) -> list[DraftRecovery]:
        """Autosaved form states not yet saved into their visit (e.g. after a crash)."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT visit_id, household_id, saved_at, payload FROM draft ORDER BY saved_at"
            ).fetchall()
            return [
                DraftRecovery(
                    visit_id=vid,
                    household_id=hid,
                    saved_at=datetime.fromisoformat(saved_at),
                    content=self._open("draft", vid, 0, payload),
                )
                for vid, hid, saved_at, payload in rows
            ]

    def discard_draft(self, visit_id: str) -> None:
        with self._lock:
            self._conn.execute("DELETE FROM draft WHERE visit_id = ?", (visit_id,))

    # ------------------------------------------------------------------ attachments

    def add_attachment(
        self,
        household_id: str,
        src: BinaryIO,
        *,
        kind: str,
        visit_id: str | None = None,
    ) -> AttachmentView:
        """Encrypt a photo/signature into the profile's attachment folder and record it."""
        with self._lock:
            vault = self._require_vault()
            self._require("household", household_id, ("户", "household"))
            attachment_id = uuid7()
            folder = self.attachments_dir
            folder.mkdir(mode=0o700, exist_ok=True)
            final = folder / f"{attachment_id}.bin"
            partial = folder / f"{attachment_id}.part"
            with partial.open("wb") as dst:
                info = vault.encrypt_attachment(household_id, src, dst, attachment_id=attachment_id)
                dst.flush()
                os.fsync(dst.fileno())
            partial.replace(final)
            record = Record(
                entity="attachment",
                id=attachment_id,
                household_id=household_id,
                grid_id=None,
                version=0,
                seq=0,
                meta={
                    "visit_id": visit_id,
                    "kind": kind,
                    "sha256": info.sha256,
                    "size": info.size,
                    "chunks": info.chunks,
                },
                data={},
            )
            try:
                with self._write():
                    self._edit(None, record, "attachment.create")
                    self._conn.execute(
                        "UPDATE attachment SET present = 1 WHERE id = ?", (attachment_id,)
                    )
            except BaseException:
                final.unlink(missing_ok=True)
                raise
            return self.get_attachment(attachment_id)

    def get_attachment(self, attachment_id: str) -> AttachmentView:
        with self._lock:
            row = self._conn.execute(
                "SELECT id, household_id, visit_id, kind, sha256, size, chunks, present "
                "FROM attachment WHERE id = ?",
                (attachment_id,),
            ).fetchone()
            if row is None:
                raise _not_found("attachment", "附件")
            aid, hid, vid, kind, sha256, size, chunks, present = row
            return AttachmentView(
                aid, hid, vid, kind, sha256, int(size), int(chunks), bool(present)
            )

    def missing_attachments(self) -> list[AttachmentView]:
        """Attachments whose metadata arrived by sync but whose file is not on this laptop."""
        with self._lock:
            ids = [
                row[0]
                for row in self._conn.execute(
                    "SELECT id FROM attachment WHERE present = 0 ORDER BY id"
                )
            ]
            return [self.get_attachment(aid) for aid in ids]

    def store_downloaded_attachment(self, attachment_id: str, src: BinaryIO) -> AttachmentView:
        """Encrypt a file fetched from the server into place, after checking its SHA-256.

        No outbox row: the server already has it. A file whose hash differs is refused.
        """
        with self._lock:
            vault = self._require_vault()
            view = self.get_attachment(attachment_id)
            folder = self.attachments_dir
            folder.mkdir(mode=0o700, exist_ok=True)
            partial = folder / f"{attachment_id}.part"
            with partial.open("wb") as dst:
                info = vault.encrypt_attachment(
                    view.household_id, src, dst, attachment_id=attachment_id
                )
                dst.flush()
                os.fsync(dst.fileno())
            if info.sha256 != view.sha256 or info.size != view.size:
                _overwrite_and_unlink(partial)
                raise StoreError(
                    "下载的附件与记录不符（校验值不同）",
                    "The downloaded attachment does not match its record (checksum differs)",
                    code="attachment_checksum",
                )
            partial.replace(folder / f"{attachment_id}.bin")
            with self._write():
                self._conn.execute(
                    "UPDATE attachment SET present = 1 WHERE id = ?", (attachment_id,)
                )
            return self.get_attachment(attachment_id)

    def read_attachment(self, attachment_id: str) -> bytes:
        """The decrypted file, in memory only."""
        with self._lock:
            view = self.get_attachment(attachment_id)
            path = self.attachments_dir / f"{attachment_id}.bin"
            if not view.present or not path.exists():
                raise StoreError(
                    "附件尚未下载到本机", "The attachment is not on this laptop", code="not_present"
                )
            with path.open("rb") as src:
                return self._require_vault().decrypt_attachment(
                    view.household_id, src, attachment_id=attachment_id
                )

    # ------------------------------------------------------------------ tasks, clues, reviews

    def list_tasks(self, *, status: TaskStatus | None = None) -> list[TaskView]:
        with self._lock:
            where, params = ("status = ?", (str(status),)) if status else ("1", ())
            return [
                TaskView(
                    task_id=r.id,
                    kind=r.meta["kind"],
                    status=TaskStatus(r.meta["status"]),
                    grid_id=r.grid_id,
                    deadline=_parse_date(r.meta["deadline"]),
                    version=r.version,
                    data=r.data,
                )
                for r in self._load_where("task", f"{where} ORDER BY deadline, id", params)
            ]

    def list_clues(
        self, *, household_id: str | None = None, status: ClueStatus | None = None
    ) -> list[ClueView]:
        with self._lock:
            clauses, params = ["1"], []
            if household_id is not None:
                clauses.append("household_id = ?")
                params.append(household_id)
            if status is not None:
                clauses.append("status = ?")
                params.append(str(status))
            records = self._load_where("clue", " AND ".join(clauses) + " ORDER BY id", params)
            return [self._clue_view(r) for r in records]

    def _clue_view(self, r: Record) -> ClueView:
        return ClueView(
            clue_id=r.id,
            household_id=r.household_id or "",
            member_id=r.meta["member_id"],
            kind=ClueKind(r.meta["kind"]),
            status=ClueStatus(r.meta["status"]),
            version=r.version,
            data=r.data,
        )

    # ------------------------------------------------------------------ reference data

    def region_ancestors(self, region_id: str) -> tuple[str, ...]:
        """The ids of a region's ancestors as pulled from the reference bucket, nearest first
        (a grid's community, street and district); empty for a region this laptop lacks."""
        with self._lock:
            chain: list[str] = []
            current: str | None = region_id
            while current is not None and len(chain) < 16:  # regions nest four deep
                row = self._conn.execute(
                    "SELECT parent_id FROM region WHERE id = ?", (current,)
                ).fetchone()
                current = row[0] if row is not None else None
                if current is not None:
                    if current in chain or current == region_id:
                        break  # a malformed cycle: stop rather than loop
                    chain.append(current)
            return tuple(chain)

    def policy_refs(self) -> list[PolicyRefView]:
        """The server's policy references (empty until the reference bucket is pulled)."""
        with self._lock:
            records = self._load_where("policy_ref", "1 = 1 ORDER BY region_id, id", ())
            refs = []
            for r in records:
                start = _parse_date(r.meta["effective_from"])
                if start is None:
                    continue
                refs.append(
                    PolicyRefView(
                        policy_id=r.id,
                        version=str(r.data.get("version", "")),
                        region_id=r.meta["region_id"],
                        covers=tuple(str(c) for c in r.data.get("covers") or ()),
                        effective_from=start,
                        effective_to=_parse_date(r.data.get("effective_to")),
                        title_zh=str(r.data.get("title_zh", "")),
                        title_en=str(r.data.get("title_en", "")),
                    )
                )
            return refs

    def close_clue(self, clue_id: str, status: ClueStatus, *, visit_id: str) -> ClueView:
        """Close a clue (销号) as confirmed or refuted by a clue-check visit."""
        with self._lock:
            if status == ClueStatus.OPEN:
                raise ValidationError(
                    "线索只能核实为查实或查否",
                    "A clue closes as confirmed or refuted",
                    code="clue_status",
                )
            before = self._require("clue", clue_id, ("线索", "clue"))
            self._require("visit", visit_id, ("走访记录", "visit"))
            after = self._copy(before)
            after.meta["status"] = ClueStatus(status).value
            after.data["visit_id"] = visit_id
            self._edit(before, after, "clue.close")
            return self._clue_view(after)

    def list_reviews(self, visit_id: str) -> list[ReviewView]:
        with self._lock:
            return [
                ReviewView(
                    review_id=r.id,
                    visit_id=r.meta["visit_id"],
                    household_id=r.household_id or "",
                    decision=ReviewDecision(r.meta["decision"]),
                    reviewed_at=_parse_time(r.meta["reviewed_at"]),
                    version=r.version,
                    data=r.data,
                )
                for r in self._load_where("review", "visit_id = ? ORDER BY id", (visit_id,))
            ]

    def list_conflicts(self, *, status: str | None = "open") -> list[ConflictView]:
        with self._lock:
            where, params = ("status = ?", (status,)) if status else ("1", ())
            return [
                ConflictView(
                    conflict_id=r.id,
                    household_id=r.household_id,
                    target_entity=r.meta["target_entity"],
                    target_id=r.meta["target_id"],
                    status=r.meta["status"],
                    version=r.version,
                    data=r.data,
                )
                for r in self._load_where("conflict", f"{where} ORDER BY id", params)
            ]

    # ------------------------------------------------------------------ outbox API (sync engine)

    def pending_mutations(self, limit: int = 200) -> list[OutboxEntry]:
        """The oldest pending mutations, decrypted, in the order they were made."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT mutation_id, device_id, entity, entity_id, household_id, base_version, op, "
                "hlc, schema_version, created_at, payload FROM outbox WHERE state = 'pending' "
                "ORDER BY seq LIMIT ?",
                (limit,),
            ).fetchall()
            return [self._outbox_entry(row) for row in rows]

    def _outbox_entry(self, row: Sequence[Any]) -> OutboxEntry:
        mid, device, entity, eid, hid, base, op, hlc, schema, created, payload = row
        return OutboxEntry(
            mutation_id=mid,
            device_id=device,
            entity=entity,
            entity_id=eid,
            household_id=hid,
            base_version=int(base),
            op=op,
            changed=self._open("outbox", mid, 0, payload),
            hlc=hlc,
            schema_version=int(schema),
            created_at=datetime.fromisoformat(created),
        )

    def pending_count(self) -> int:
        with self._lock:
            row = self._conn.execute("SELECT count(*) FROM outbox WHERE state = 'pending'")
            return int(row.fetchone()[0])

    def acknowledge(self, mutation_ids: Iterable[str]) -> int:
        """Drop mutations the server explicitly acknowledged (applied, duplicate or conflict).

        A visit whose completion is among them is now `synced`: the server makes that move in
        the transaction that accepts a completed visit, and this laptop records the same move
        (no outbox row: it is the server's) rather than showing `completed` until its next pull.
        """
        ids = [(m,) for m in mutation_ids]
        with self._lock, self._write() as tx:
            status_moves = self._acknowledged_visit_status_changes([m for (m,) in ids])
            before = self._conn.total_changes
            self._conn.executemany(
                "DELETE FROM outbox WHERE mutation_id = ? AND state = 'pending'", ids
            )
            removed = self._conn.total_changes - before
            for visit_id in status_moves:
                self._record_server_synced(tx, visit_id)
            return removed

    def _acknowledged_visit_status_changes(self, mutation_ids: list[str]) -> list[str]:
        """Ids of visits whose status change is among the pending `mutation_ids`."""
        found: list[str] = []
        for start in range(0, len(mutation_ids), 500):
            chunk = mutation_ids[start : start + 500]
            marks = ", ".join("?" for _ in chunk)
            for entity_id, names in self._conn.execute(
                f"SELECT entity_id, fields FROM outbox WHERE mutation_id IN ({marks}) "
                "AND state = 'pending' AND entity = 'visit' AND op = 'upsert'",
                chunk,
            ):
                if "status" in str(names).split(","):
                    found.append(str(entity_id))
        return found

    def _record_server_synced(self, tx: _Tx, visit_id: str) -> None:
        row = self._conn.execute("SELECT status FROM visit WHERE id = ?", (visit_id,)).fetchone()
        if row is None or row[0] != VisitStatus.COMPLETED:
            return  # a revision's `revised` marker, or a record gone meanwhile
        unsent = self._conn.execute(
            "SELECT 1 FROM outbox WHERE entity = 'visit' AND entity_id = ? LIMIT 1", (visit_id,)
        ).fetchone()
        if unsent is not None:
            return  # the acknowledged edit was an earlier one: the completion is not sent yet
        check_visit_transition(VisitStatus.COMPLETED, VisitStatus.SYNCED)
        # Status is a plaintext column: the payload (bound to the version) stays as it is.
        self._conn.execute(
            "UPDATE visit SET status = ? WHERE id = ?", (VisitStatus.SYNCED.value, visit_id)
        )
        self._append_audit(tx, "visit.synced", "visit", visit_id)

    def quarantine(self, mutation_id: str, reason: str) -> None:
        """Set a rejected mutation aside with the server's reason; it is kept, not dropped."""
        with self._lock, self._write() as tx:
            cursor = self._conn.execute(
                "UPDATE outbox SET state = 'quarantined', reason = ? WHERE mutation_id = ?",
                (reason, mutation_id),
            )
            if cursor.rowcount != 1:
                raise _not_found("mutation", "待同步修改")
            self._append_audit(tx, "outbox.quarantine", "mutation", mutation_id)

    def quarantined_mutations(self) -> list[QuarantinedMutation]:
        with self._lock:
            rows = self._conn.execute(
                "SELECT mutation_id, device_id, entity, entity_id, household_id, base_version, op, "
                "hlc, schema_version, created_at, payload, reason FROM outbox "
                "WHERE state = 'quarantined' ORDER BY seq"
            ).fetchall()
            return [QuarantinedMutation(self._outbox_entry(r[:11]), r[11] or "") for r in rows]

    def record_versions(self, entity: str) -> dict[str, int]:
        """id -> server version of every local record of `entity` (for bucket checksums)."""
        spec = SPECS.get(entity)
        if spec is None:
            raise StoreError("未知的记录类型", "Unknown entity type", code="bad_entity")
        with self._lock:
            return {
                str(rid): int(version)
                for rid, version in self._conn.execute(f"SELECT id, version FROM {spec.table}")
            }

    def checkpoint(self, bucket: str) -> int:
        """The last server sequence applied for `bucket` (0 if never pulled)."""
        with self._lock:
            row = self._conn.execute(
                "SELECT checkpoint FROM sync_checkpoint WHERE bucket = ?", (bucket,)
            ).fetchone()
            return int(row[0]) if row else 0

    def apply_pull_page(
        self, records: Sequence[Mapping[str, Any]], bucket: str, checkpoint: int
    ) -> PullResult:
        """Encrypt and upsert one pull page and move the bucket's checkpoint, atomically.

        Fields with a pending local mutation keep their local value on top of the server's.
        """
        with self._lock:
            self._require_vault()
            pending: dict[str, set[str]] = {}
            deleted_here: set[str] = set()
            for entity_id, names, op in self._conn.execute(
                "SELECT entity_id, fields, op FROM outbox WHERE state = 'pending' ORDER BY seq"
            ):
                if op == "delete":
                    deleted_here.add(entity_id)
                else:
                    deleted_here.discard(entity_id)
                    pending.setdefault(entity_id, set()).update(f for f in names.split(",") if f)
            by_entity: dict[str, list[Record]] = {}
            deletions: list[tuple[str, str]] = []
            kept: list[tuple[str, str]] = []
            for raw in records:
                entity = str(raw.get("entity", ""))
                spec = SPECS.get(entity)
                if spec is None:
                    raise StoreError(
                        "同步数据包含未知的记录类型",
                        "A pulled record has an unknown entity type",
                        code="bad_record",
                    )
                if raw.get("deleted"):
                    deletions.append((entity, str(raw["id"])))
                    continue
                record = self._incoming_record(spec, raw)
                if record.id in deleted_here:
                    # Deleted on this laptop and not yet pushed: the deletion stays on top.
                    kept.append((record.id, "deleted"))
                    continue
                if record.id in pending:
                    kept.extend(self._keep_local(record, pending[record.id]))
                by_entity.setdefault(entity, []).append(record)
            if "visit" in by_entity:
                self._keep_later_visit_status(by_entity["visit"])
            with self._write(durable=False) as tx:
                self._ensure_keys(
                    {r.key_id for batch in by_entity.values() for r in batch} - self._known_keys
                )
                for entity in APPLY_ORDER:
                    batch = by_entity.get(entity)
                    if not batch:
                        continue
                    spec = SPECS[entity]
                    self._conn.executemany(spec.upsert_sql(), self._pulled_rows(spec, batch))
                    if entity in ("household", "member"):
                        for r in batch:
                            self._note_search_change(r)
                for entity, record_id in deletions:
                    self._apply_deletion(tx, entity, record_id)
                self._conn.execute(
                    "INSERT INTO sync_checkpoint (bucket, checkpoint, updated_at) VALUES (?, ?, ?) "
                    "ON CONFLICT(bucket) DO UPDATE SET checkpoint = excluded.checkpoint, "
                    "updated_at = excluded.updated_at",
                    (bucket, checkpoint, _now()),
                )
                self._append_audit(tx, "sync.pull", "bucket", bucket)
            if any(entity == "household" for entity, _ in deletions):
                self._truncate_wal()  # shredded keys must not linger in the WAL
            applied = sum(len(b) for b in by_entity.values())
            logger.debug(
                "pull page for a bucket: %d upserts, %d deletions", applied, len(deletions)
            )
            return PullResult(applied, len(deletions), tuple(kept), checkpoint)

    def _keep_later_visit_status(self, visits: list[Record]) -> None:
        """A pulled `completed` never sets a visit back: this laptop records `synced` when the
        server acknowledges the completion, while a server that still holds visits pushed
        before it took over that move sends them as `completed`."""
        behind = {r.id: r for r in visits if r.meta.get("status") == VisitStatus.COMPLETED}
        if not behind:
            return
        later = {s.value for s in later_visit_statuses(VisitStatus.COMPLETED)}
        ids = list(behind)
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ", ".join("?" for _ in chunk)
            for visit_id, status in self._conn.execute(
                f"SELECT id, status FROM visit WHERE id IN ({marks})", chunk
            ):
                if status in later:
                    behind[visit_id].meta["status"] = status

    def _pulled_rows(self, spec: EntitySpec, batch: list[Record]) -> list[list[Any]]:
        """`_row_values` of a whole pull batch in one pass (the keys exist already).

        Each record is still its own envelope under its household's key with the associated data
        binding (table, "payload", id, version); only the per-record call overhead is gone.
        """
        encrypt = self._require_vault().encrypt
        table = spec.table
        meta_names = spec.meta
        scoped, gridded = spec.household_scoped, spec.has_grid
        member = spec.entity == "member"
        blind_index = self._blind_index
        rows: list[list[Any]] = []
        for record in batch:
            values: list[Any] = [record.id]
            if scoped:
                values.append(record.household_id)
            if gridded:
                values.append(record.grid_id)
            if meta_names:
                meta = record.meta
                values.extend([meta[name] for name in meta_names])
            if member:
                number = record.data.get("id_number")
                values.append(blind_index(number) if number else None)
            values.append(record.version)
            values.append(record.seq)
            values.append(
                encrypt(
                    record.key_id,
                    _dump_json(record.data),
                    AssociatedData(table, "payload", record.id, record.version),
                )
            )
            rows.append(values)
        return rows

    def _incoming_record(self, spec: EntitySpec, raw: Mapping[str, Any]) -> Record:
        meta_in = raw.get("meta") or {}
        # The caller's dict is only copied when it has to change (most records are stored as
        # they came): copying every large visit was a measurable share of the pull path.
        data = raw.get("data") or {}
        if type(data) is not dict:
            data = dict(data)
        if spec.entity == "household" and "members" in data:
            data = {k: v for k, v in data.items() if k != "members"}
        meta = {name: meta_in.get(name) for name in spec.meta}
        for name in spec.required:
            if meta[name] is None:
                raise StoreError(
                    "同步数据缺少必填字段",
                    "A pulled record lacks a required field",
                    code="bad_record",
                )
        record_id = str(raw["id"])
        household_id = raw.get("household_id")
        if spec.entity == "household":
            household_id = record_id
        elif spec.household_scoped and household_id is None and spec.entity != "conflict":
            raise StoreError(
                "同步数据缺少户编号", "A pulled record lacks its household id", code="bad_record"
            )
        if spec.entity == "member" and data.get("id_number"):
            # The server validated the number; only the spelling is made canonical here so the
            # blind index matches what a local lookup computes.
            given = data["id_number"]
            number = str(given)
            canonical = (
                len(number) == 18
                and number.isascii()
                and number[:17].isdigit()
                and number[17] in "0123456789X"
            )
            if not canonical:  # e.g. a lower-case x: spelled as a local lookup spells it
                number = normalise_id_number(number)
            if number is not given:
                data = {**data, "id_number": number}
        return Record(
            entity=spec.entity,
            id=record_id,
            household_id=str(household_id) if household_id is not None else None,
            grid_id=raw.get("grid_id") if spec.has_grid else None,
            version=int(raw.get("version", 0)),
            seq=int(raw.get("seq", 0)),
            meta=meta,
            data=data,
        )

    def _keep_local(self, incoming: Record, fields: set[str]) -> list[tuple[str, str]]:
        local = self._load(incoming.entity, incoming.id)
        if local is None:
            return []
        incoming.data = dict(incoming.data)  # it may be the caller's dict: never edit that
        kept = []
        for name in sorted(fields):
            if name in incoming.meta:
                incoming.meta[name] = local.meta.get(name)
            elif name == "grid_id":
                incoming.grid_id = local.grid_id
            elif name == "household_id":
                incoming.household_id = local.household_id
            elif name in local.data:
                incoming.data[name] = local.data[name]
            else:
                continue
            kept.append((incoming.id, name))
        return kept

    def _apply_deletion(self, tx: _Tx, entity: str, record_id: str) -> None:
        if entity == "household":
            self._shred_rows(tx, [record_id])
            return
        spec = SPECS[entity]
        if entity == "member":
            record = self._load("member", record_id)
            if record is not None:
                self._note_search_change(record, deleted=True)
        self._conn.execute(f"DELETE FROM {spec.table} WHERE id = ?", (record_id,))

    # ------------------------------------------------------------------ offline lease

    def lease_record(self) -> dict[str, Any] | None:
        """The offline lease as last kept (`app.lease.HeldLease.to_record`), or None.

        Sealed under the master key's global data key, so neither the lease nor the pinned
        server key can be swapped in the file without the password.
        """
        with self._lock:
            envelope = self._meta_bytes(_META_LEASE)
            if envelope is None:
                return None
            record = self._open("vault_meta", _META_LEASE, 1, envelope)
            return dict(record) if isinstance(record, dict) else None

    def put_lease_record(
        self, record: Mapping[str, Any], *, replacing: Mapping[str, Any] | None = None
    ) -> bool:
        """Keep `record`. With `replacing` (the record it updates, e.g. a clock mark moved on),
        nothing is written if another record was kept meanwhile: a sync's renewal on another
        thread is never overwritten by the older lease. True when written."""
        with self._lock:
            if replacing is not None and self.lease_record() != dict(replacing):
                return False
            envelope = self._seal(GLOBAL_KEY_ID, "vault_meta", _META_LEASE, 1, dict(record))
            with self._write():
                self._set_meta(_META_LEASE, envelope)
            return True

    def households_with_unsent_work(self) -> set[str]:
        """The one rule for whether a household may be shredded now (a contractor's lapsed
        lease, a bucket that left the user's set): not while it has an edit not yet
        acknowledged (waiting, or refused and not yet seen to by the user) or a visit form's
        autosaved state (kept in `draft`, never in the outbox, until the form is saved)."""
        with self._lock:
            return {
                str(row[0])
                for row in self._conn.execute(
                    "SELECT household_id FROM outbox WHERE household_id IS NOT NULL "
                    "UNION SELECT household_id FROM draft"
                )
            }

    def withdrawn_households(self) -> frozenset[str]:
        """Households that left every bucket of this user but are kept, sealed, until their
        unsent work is sent or discarded (`withdraw_households`)."""
        with self._lock:
            self._require_vault()
            if self._withdrawn is None:
                envelope = self._meta_bytes(_META_WITHDRAWN)
                ids = (
                    []
                    if envelope is None
                    else self._open("vault_meta", _META_WITHDRAWN, 1, envelope)
                )
                self._withdrawn = frozenset(str(i) for i in ids)
            return self._withdrawn

    def withdraw_households(self, household_ids: Iterable[str]) -> None:
        """Refuse these households for reading (lists, search, the household file) while they
        wait to be shredded: only their drafts can still be finished or discarded."""
        with self._lock:
            self._write_withdrawn(self.withdrawn_households() | set(household_ids))

    def return_households(self, household_ids: Iterable[str]) -> None:
        """Households back within the user's reach (a task reopened): readable again."""
        with self._lock:
            self._write_withdrawn(self.withdrawn_households() - set(household_ids))

    def _write_withdrawn(self, ids: frozenset[str]) -> None:
        if ids == self.withdrawn_households():
            return
        envelope = self._seal(GLOBAL_KEY_ID, "vault_meta", _META_WITHDRAWN, 1, sorted(ids))
        with self._write():
            self._set_meta(_META_WITHDRAWN, envelope)
        self._withdrawn = ids

    def discard_rejected(self, mutation_id: str) -> None:
        """The user has seen a refused edit and lets it go (its household may then leave)."""
        with self._lock, self._write() as tx:
            cursor = self._conn.execute(
                "DELETE FROM outbox WHERE mutation_id = ? AND state = 'quarantined'",
                (mutation_id,),
            )
            if cursor.rowcount != 1:
                raise _not_found("mutation", "被拒绝的修改")
            self._append_audit(tx, "outbox.discard", "mutation", mutation_id)

    def reset_checkpoints(self) -> None:
        """Every bucket pulls from the start on the next sync (after a local purge, so what the
        user may still reach comes back)."""
        with self._lock, self._write():
            self._conn.execute("UPDATE sync_checkpoint SET checkpoint = 0")

    # ------------------------------------------------------------------ shredding, purge, wipe

    def shred_household(self, household_id: str) -> None:
        """Delete a household's rows and destroy its data key: its ciphertexts become noise."""
        self.purge_households([household_id], force=True)

    def purge_households(self, household_ids: Iterable[str], *, force: bool = False) -> int:
        """Shred households no longer in any of this user's buckets (e.g. a closed task).

        Refuses while they have unsynced edits unless `force` (those edits would be lost).
        """
        ids = list(dict.fromkeys(household_ids))
        if not ids:
            return 0
        with self._lock:
            self._require_vault()
            if not force:
                marks = ",".join("?" for _ in ids)
                row = self._conn.execute(
                    f"SELECT count(*) FROM outbox WHERE household_id IN ({marks})", ids
                ).fetchone()
                if row[0]:
                    raise StoreError(
                        "这些户还有未同步的修改，请先同步",
                        "These households have edits not yet synced; sync first",
                        code="unsynced_edits",
                    )
            with self._write() as tx:
                self._shred_rows(tx, ids)
            self._truncate_wal()
            logger.info("shredded %d households", len(ids))
            return len(ids)

    def _shred_rows(self, tx: _Tx, ids: list[str]) -> None:
        vault = self._require_vault()
        params = [(hid,) for hid in ids]
        attachment_ids = [
            row[0]
            for hid in ids
            for row in self._conn.execute(
                "SELECT id FROM attachment WHERE household_id = ?", (hid,)
            )
        ]
        for table in (
            "draft",
            "member",
            "visit",
            "clue",
            "review",
            "attachment",
            "conflict",
            "outbox",
        ):
            self._conn.executemany(f"DELETE FROM {table} WHERE household_id = ?", params)
        self._conn.executemany("DELETE FROM household WHERE id = ?", params)
        self._conn.executemany("DELETE FROM wrapped_key WHERE key_id = ?", params)
        for hid in ids:
            tx.search_updates.pop(hid, None)
            tx.search_removals.add(hid)
            self._append_audit(tx, "household.shred", "household", hid)
        folder = self.attachments_dir

        def forget() -> None:
            for hid in ids:
                vault.forget_data_key(hid)
                self._known_keys.discard(hid)
            for aid in attachment_ids:
                _overwrite_and_unlink(folder / f"{aid}.bin")
            self._visit_households = {
                v: h for v, h in self._visit_households.items() if h not in set(ids)
            }

        tx.after_commit.append(forget)
        withdrawn = self.withdrawn_households()
        if withdrawn & set(ids):
            left = frozenset(withdrawn - set(ids))
            self._set_meta(
                _META_WITHDRAWN,
                self._seal(GLOBAL_KEY_ID, "vault_meta", _META_WITHDRAWN, 1, sorted(left)),
            )
            self._withdrawn = None  # read again after the commit

    def wipe(self) -> None:
        """Destroy the keys first, then every file of this store (revoked device / user)."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            self._conn.execute("DELETE FROM wrapped_key")
            self._conn.execute("DELETE FROM vault_meta")
            self._conn.execute("COMMIT")
            self._truncate_wal()
            if self._vault is not None:
                self._vault.lock()
            self._vault = None
            self._index.clear()
            self._chunk_records = None
            self._conn.close()
            self._closed = True
            folder = self.attachments_dir
            if folder.exists():
                for item in folder.iterdir():
                    _overwrite_and_unlink(item)
                folder.rmdir()
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(str(self.path) + suffix).unlink(missing_ok=True)
            logger.info("local store wiped")

    # ------------------------------------------------------------------ audit

    def audit_entries(self, *, limit: int = 100) -> list[AuditEntryView]:
        with self._lock:
            rows = self._conn.execute(
                "SELECT seq, at, user_id, device_id, action, entity, entity_id FROM audit_log "
                "ORDER BY seq DESC LIMIT ?",
                (limit,),
            ).fetchall()
            return [
                AuditEntryView(seq, datetime.fromisoformat(at), user, dev, action, ent, eid)
                for seq, at, user, dev, action, ent, eid in rows
            ]

    def verify_audit_chain(self) -> AuditVerification:
        """Recompute the chain and compare it with the head sealed under the vault key."""
        with self._lock:
            vault = self._require_vault()
            sealed = self._meta_bytes(_META_AUDIT_HEAD)
            head: tuple[int, str] | None = None
            if sealed is not None:
                blob = vault.decrypt_json(
                    sealed, AssociatedData("vault_meta", "value", _META_AUDIT_HEAD, 0)
                )
                head = (int(blob["count"]), str(blob["hash"]))
            rows = self._conn.execute(
                "SELECT seq, at, user_id, device_id, action, entity, entity_id, prev_hash, hash "
                "FROM audit_log ORDER BY rowid"
            )
            return audit_chain.verify_chain(rows, head=head)
