"""A real server in a subprocess on loopback, and laptops (profile + store + engine) that talk
to it. Shared by the end-to-end, fault-injection and soak suites and by the sync benchmark.

World seeded before the server starts (regions, agency, users); households are created by the
laptops themselves, like in the field:

    D1/S1/C1/{G1, G2}     agency A1
    fw1, fw2, fw3: field workers of G1 (fw3 also of G2)   sup: supervisor of S1
    con: contractor of A1                                  admin: admin of everything
"""

from __future__ import annotations

import base64
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import requests
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from sqlmodel import Session

import sync.server.recompute  # registers its visit check
import sync.server.signatures  # noqa: F401  (registers its visit check)
from app.crypto import DeviceKey, KdfParams
from app.domain import (
    Finding,
    HouseholdContent,
    MemberContent,
    RegionLevel,
    Relation,
    Role,
    VisitContent,
    VisitKind,
)
from app.idnumber import check_digit
from app.ids import uuid7
from app.policy import shipped_policies
from app.store.local_store import LocalStore
from sync.client import ClientConfig, SyncEngine, register_device
from sync.protocol import bucket_checksum
from sync.server import accounts, tasks, visit_checks
from sync.server.audit import bind_keys
from sync.server.config import normalise_database_url
from sync.server.crypto import ServerKeys
from sync.server.db import make_engine, run_migrations
from sync.server.models import SyncRecord
from sync.server.records import Actor, checksum
from tests.sync.e2e.serve import TEST_ARGON2

PASSWORD = "correct horse battery"
#: Records of the reference bucket every account pulls: the world's five regions (`seed`) and
#: the server's policy references.
REFERENCE_RECORDS = 5 + len(shipped_policies())
REPO_ROOT = Path(__file__).resolve().parents[3]
USERS: dict[str, tuple[Role, dict[str, Any]]] = {
    "fw1": (Role.FIELD_WORKER, {"grid_ids": ["G1"]}),
    "fw2": (Role.FIELD_WORKER, {"grid_ids": ["G1"]}),
    "fw3": (Role.FIELD_WORKER, {"grid_ids": ["G1", "G2"]}),
    "sup": (Role.SUPERVISOR, {"region_id": "S1"}),
    "con": (Role.CONTRACTOR, {"agency_id": "A1"}),
    "admin": (Role.ADMIN, {}),
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def id_number(serial: int) -> str:
    first17 = f"110105198001{serial % 28 + 1:02d}{serial % 1000:03d}"
    return first17 + check_digit(first17)


def household_content(head: str, serial: int, members: int = 1) -> HouseholdContent:
    people = [
        MemberContent(
            member_id=uuid7(),
            name=head if n == 0 else f"{head}-{n}",
            id_number=id_number(serial * 7 + n),
            relation=Relation.HEAD if n == 0 else Relation.CHILD,
        )
        for n in range(members)
    ]
    return HouseholdContent(
        head_name=head,
        address=f"幸福街道{serial}号",
        registered_residence="河南省南阳市",
        actual_residence=f"幸福街道{serial}号",
        phone="13800000000",
        members=tuple(people),
    )


def visit_content(note: str = "两室一厅，家具陈旧") -> VisitContent:
    """A visit that may be completed: two visitors, signed notice, a finding."""
    return VisitContent(
        visitors=("worker-1", "worker-2"),
        started_at=datetime(2026, 3, 2, 1, 30, tzinfo=UTC),
        ended_at=datetime(2026, 3, 2, 2, 30, tzinfo=UTC),
        housing_conditions=note,
        notice_of_duties_signed=True,
        finding=Finding.ELIGIBLE,
        finding_reasons="人均收入低于标准",
    )


class LiveServer:
    """The server as a separate process (so it can be killed -9) on a free loopback port."""

    def __init__(self, root: Path, database_url: str | None = None) -> None:
        self.root = root
        self.data_dir = root / "server-data"
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.database_url = normalise_database_url(
            database_url or f"sqlite:///{self.data_dir / 'server.sqlite3'}"
        )
        self.master_key = os.urandom(32)
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        #: keep a warm spare process ready (tests that kill the server -9 repeatedly)
        self.keep_spare = False
        #: (certificate file, key file) to serve HTTPS instead of HTTP
        self.tls: tuple[str, str] | None = None
        self.ca_file: str | bool = True
        #: access-token lifetime override (token refresh tests)
        self.access_ttl_s: int | None = None
        #: server processes sharing the port (benchmarks; kill -9 tests keep one)
        self.workers = 1
        self._spare: subprocess.Popen[bytes] | None = None
        self.user_ids: dict[str, str] = {}
        self._engine = make_engine(self.database_url)
        self.keys = ServerKeys.from_master(self.master_key)

    @property
    def url(self) -> str:
        scheme = "https" if self.tls else "http"
        return f"{scheme}://127.0.0.1:{self.port}"

    # ------------------------------------------------------------------ world

    def seed(self) -> None:
        run_migrations(self._engine)
        with self.session() as session:
            accounts.create_region(session, "D1", RegionLevel.DISTRICT, "District One")
            accounts.create_region(session, "S1", RegionLevel.STREET, "Street One", "D1")
            accounts.create_region(session, "C1", RegionLevel.COMMUNITY, "Community One", "S1")
            accounts.create_region(session, "G1", RegionLevel.GRID, "Grid One", "C1")
            accounts.create_region(session, "G2", RegionLevel.GRID, "Grid Two", "C1")
            session.flush()
            accounts.create_agency(session, "A1", "Agency One")
            session.flush()
            for name, (role, extra) in USERS.items():
                user = accounts.create_user(
                    session,
                    username=name,
                    password=PASSWORD,
                    role=role,
                    argon2=TEST_ARGON2,
                    **extra,
                )
                self.user_ids[name] = user.id
            session.commit()

    @contextmanager
    def session(self) -> Iterator[Session]:
        with Session(self._engine, expire_on_commit=False) as session:
            bind_keys(session, self.keys)
            yield session

    def wait_for_checks(self) -> None:
        """Until every finished visit pushed so far has its checks (made after the push:
        `sync.server.visit_checks`; the rest are made here, as a supervisor's read would)."""
        visit_checks.make_pending_checks(self._engine, self.keys)

    def create_task(self, household_ids: list[str], agency_id: str = "A1") -> str:
        with self.session() as session:
            task = tasks.create_task(
                session,
                self.keys,
                Actor(None, None),
                kind=VisitKind.PERIODIC_REVIEW,
                household_ids=household_ids,
                agency_id=agency_id,
            )
            session.commit()
            return task.id

    def close_task(self, task_id: str) -> None:
        with self.session() as session:
            tasks.close_task(session, self.keys, Actor(None, None), task_id)
            session.commit()

    def revoke_device(self, device_id: str) -> None:
        with self.session() as session:
            accounts.revoke_device(session, device_id, Actor(None, None))
            session.commit()

    def checksum(self, bucket: str) -> tuple[int, str]:
        with self.session() as session:
            result = checksum(session, bucket)
            return result.count, result.hash

    def records(self, entity: str) -> list[SyncRecord]:
        with self.session() as session:
            from sqlmodel import select

            return list(session.exec(select(SyncRecord).where(SyncRecord.entity == entity)))

    def applied_mutation_ids(self) -> list[str]:
        """Every mutation id the server recorded as applied (one row per id, by its key)."""
        from sqlmodel import select

        from sync.server.models import RecordVersion

        with self.session() as session:
            rows = session.exec(select(RecordVersion.mutation_id)).all()
            return [r for r in rows if r is not None]

    def open_data(self, record: SyncRecord) -> dict[str, Any]:
        from sync.server.records import open_data

        return open_data(self.keys, record)

    # ------------------------------------------------------------------ process

    def _spawn(self) -> subprocess.Popen[bytes]:
        env = dict(os.environ)
        env.update(
            {
                "JIAFANG_DATA_DIR": str(self.data_dir),
                "JIAFANG_DATABASE_URL": self.database_url,
                "JIAFANG_SERVER_MASTER_KEY": base64.b64encode(self.master_key).decode(),
                "JIAFANG_TEST_PORT": str(self.port),
                "JIAFANG_TEST_STANDBY": "1",
            }
        )
        if self.access_ttl_s is not None:
            env["JIAFANG_TEST_ACCESS_TTL"] = str(self.access_ttl_s)
        env["JIAFANG_TEST_WORKERS"] = str(self.workers)
        if self.tls is not None:
            env["JIAFANG_TEST_SSL_CERT"], env["JIAFANG_TEST_SSL_KEY"] = self.tls
        log = (self.root / "server.log").open("ab")
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.sync.e2e.serve"],
            cwd=REPO_ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=log,
        )
        log.close()
        return process

    def start(self) -> None:
        """Start serving (from the warm spare when there is one) and wait for `/health`."""
        process = self._spare or self._spawn()
        self._spare = None
        assert process.stdout is not None and process.stdin is not None
        if process.stdout.readline().strip() != b"ready":
            raise RuntimeError("test server failed: " + (self.root / "server.log").read_text())
        process.stdin.write(b"go\n")
        process.stdin.flush()
        self.process = process
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError("test server exited: " + (self.root / "server.log").read_text())
            try:
                # Only "is it listening" here; the tests check certificates themselves.
                health = requests.get(self.url + "/health", timeout=(0.5, 2), verify=self.ca_file)
                if health.status_code == 200:
                    break
            except requests.RequestException:
                pass
            time.sleep(0.02)
        else:
            raise RuntimeError("test server did not start")
        if self.keep_spare:
            self._spare = self._spawn()

    @staticmethod
    def _reap(process: subprocess.Popen[bytes], *, hard: bool) -> None:
        if process.poll() is None:
            if hard:
                process.kill()
            else:
                process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)
        for pipe in (process.stdin, process.stdout):
            if pipe is not None:
                pipe.close()

    def kill(self) -> None:
        """kill -9: no shutdown handlers, open transactions simply vanish."""
        if self.process is not None:
            self._reap(self.process, hard=True)
        self.process = None

    def stop(self) -> None:
        if self.process is not None:
            self._reap(self.process, hard=False)
        self.process = None

    def close(self) -> None:
        self.stop()
        if self._spare is not None:
            self._reap(self._spare, hard=True)
            self._spare = None
        self._engine.dispose()


def new_public_key() -> str:
    raw = Ed25519PrivateKey.generate().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return base64.b64encode(raw).decode()


@dataclass
class Laptop:
    """One account's profile folder on one laptop: its store and a sync engine."""

    user: str
    folder: Path
    server_url: str
    device_id: str = ""
    store: LocalStore | None = None
    engines: list[SyncEngine] = field(default_factory=list)

    @classmethod
    def register(cls, server: LiveServer, user: str, folder: Path) -> Laptop:
        return cls.register_with(server, user, folder)

    @classmethod
    def register_with(
        cls, server: LiveServer, user: str, folder: Path, *, ca_bundle: str | None = None
    ) -> Laptop:
        config = ClientConfig(server_url=server.url, ca_bundle=ca_bundle)
        # The laptop keeps the private half of the key it registers: it signs completed visits.
        device_key = DeviceKey.generate()
        public_key = base64.b64encode(device_key.public_key).decode()
        pair = register_device(config, user, PASSWORD, public_key, name=user)
        laptop = cls(user=user, folder=folder, server_url=server.url, device_id=pair.device_id)
        laptop.store = LocalStore.create(
            folder / "store.sqlite3",
            PASSWORD,
            user_id=pair.user_id,
            device_id=pair.device_id,
            kdf=KdfParams.for_tests(),
            device_key=device_key,
        )
        (folder / "profile.json").write_text(
            f'{{"account": "{user}", "server_url": "{server.url}"}}', encoding="utf-8"
        )
        return laptop

    @property
    def db(self) -> LocalStore:
        assert self.store is not None
        return self.store

    def engine(self, url: str | None = None, **config: Any) -> SyncEngine:
        options: dict[str, Any] = {"max_attempts": 4, "backoff_base_s": 0.02, "backoff_max_s": 0.2}
        options.update(config)
        engine = SyncEngine(
            self.db,
            ClientConfig(server_url=url or self.server_url, **options),
            username=self.user,
            password=PASSWORD,
        )
        self.engines.append(engine)
        return engine

    def reopen(self) -> None:
        """Open the store again from disk (after another process wrote to it)."""
        self.close()
        self.store = LocalStore.open(self.folder / "store.sqlite3")
        self.store.unlock(PASSWORD)

    def close(self) -> None:
        for engine in self.engines:
            engine.close()
        self.engines.clear()
        if self.store is not None and (self.folder / "store.sqlite3").exists():
            self.store.close()
        self.store = None

    def cli(
        self, *args: str, url: str | None = None, timeout: float = 60
    ) -> subprocess.CompletedProcess[str]:
        env = dict(os.environ, JIAFANG_PASSWORD=PASSWORD)
        return subprocess.run(
            [
                sys.executable,
                "-m",
                "sync.client",
                "--profile",
                str(self.folder),
                "--server",
                url or self.server_url,
                "--user",
                self.user,
                *args,
            ],
            cwd=REPO_ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )


def store_checksum(laptop: Laptop, bucket: str) -> tuple[int, str]:
    engine = laptop.engines[0] if laptop.engines else laptop.engine()
    return engine.local_checksum(bucket)


def converged(server: LiveServer, laptop: Laptop, bucket: str) -> bool:
    return server.checksum(bucket) == store_checksum(laptop, bucket)


__all__ = [
    "PASSWORD",
    "Laptop",
    "LiveServer",
    "bucket_checksum",
    "converged",
    "household_content",
]
