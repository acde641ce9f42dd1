"""Sync server benchmark on PostgreSQL (issue 4).

    python -m tests.benchmarks.server [--quick] [--json PATH] [--devices N] [--window S]
                                      [--households N] [--servers N] [--timeline CSV]

Creates a fresh database on the local PostgreSQL (127.0.0.1:5432, dropped at the end), starts
real server processes (`python -m sync.server`) on loopback, and measures over HTTP:

- `push_mutations_per_s`: an admin's laptop pushes 10,000 new households (2,000 with --quick) in
  pushes of 200 mutations, one after the other; mutations applied per second. The rest of the
  100,000 households (10,000 with --quick) are then written straight into the record tables,
  sealed like the server seals them, to keep the run short.
- `pull_page_p95_ms`: then pulls the district bucket holding all of them from scratch in pages of
  1,000 records; the 95th percentile of the page request latency.
- `devices_500_p99_ms`, `devices_500_errors`: 500 field workers' laptops (5 per grid, 100
  grids), each coming online at a random moment within `--window` seconds (default 60: a
  morning's wave of laptops reconnecting), pushes 20 completed visits in one batch, then pulls
  its grid's changes since its last checkpoint; p99 of all their request latencies and the
  number of failed requests (an HTTP error, a transport error or a mutation not applied).
  The laptops' push bodies are encoded before they start, their requests go through aiohttp and
  their answers are read with orjson: on this machine the simulated laptops share the server's
  two cores, and their own work is not the server's. `devices_500_push_p99_ms` and
  `devices_500_pull_p99_ms` split the p99.
  Before they arrive the database is vacuumed, analysed and checkpointed (`settle`), as a
  server that grew over months would be, rather than busy with the bulk load of a moment ago.
- `devices_500_checks_done_after_s`: the servers check each finished visit (its device
  signature, its eligibility) after the push that brings it, in their quiet moments
  (`sync.server.visit_checks`); how long after the last laptop's answer the last check was made.
  Every visit's signature must then be verified, or it counts as an error.

`--timeline CSV` writes each laptop request (when it started, its latency, push or pull): where
the slow ones bunch, and whether a burst of arrivals or a stall of the machine made them.

Two server processes share the database (as behind a load balancer); the devices alternate
between them. Setup that is not measured (users, devices, tokens) is written straight into the
database with the server's own service functions.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import aiohttp
import httpx
import orjson
import psycopg
from psycopg.types.json import Jsonb
from sqlmodel import Session, func, select

from app.crypto.device import DeviceKey
from app.crypto.visit_signature import SIGNED_BYTES_VERSION, attachment_ids, visit_signed_bytes
from app.demo_data import generate_households, generate_regions, generate_visit_content
from app.domain import RegionLevel, Role
from app.policy import evaluate_visit, policy_in_force
from sync.protocol import SCHEMA_VERSION, split_fields
from sync.server import accounts, visit_checks
from sync.server.audit import bind_keys
from sync.server.auth import Authenticator
from sync.server.config import Argon2Params, Settings, normalise_database_url
from sync.server.crypto import ServerKeys
from sync.server.db import make_engine, run_migrations
from sync.server.models import Device, SyncCounter, User, utcnow
from sync.server.recompute import DEFAULT_POLICY_REGION
from sync.server.records import record_row_id
from sync.server.signatures import VisitSignatureCheck
from tests.benchmarks.common import BenchmarkReport, benchmark_args, percentile

PG_ADMIN_DSN = os.environ.get("JIAFANG_BENCH_PG_DSN", "postgresql://postgres@127.0.0.1:5432/test")
GRIDS = 100
BATCH = 200
PAGE = 1000
#: the day the synthetic data is dated around, pinned so every run pushes the same records
BENCH_DAY = date(2026, 3, 2)
VISITS_PER_DEVICE = 20
#: Cheap password hashing for the 500 benchmark accounts (logins are not measured here).
BENCH_ARGON2 = Argon2Params(memory_kib=64, iterations=1, lanes=1)
VISIT_DAY = date(2025, 6, 2)


@dataclass
class Laptop:
    username: str
    device_id: str
    token: str
    grid_id: str
    server: str
    households: list[str] = field(default_factory=list)
    #: signs completed visits, as every laptop does (the server verifies each one)
    key: DeviceKey = field(default_factory=DeviceKey.generate, repr=False)

    @property
    def headers(self) -> dict[str, str]:
        return {
            "Authorization": f"Bearer {self.token}",
            "X-Jiafang-Schema-Version": str(SCHEMA_VERSION),
        }


# ----------------------------------------------------------------------------- infrastructure


@contextmanager
def fresh_database() -> Iterator[str]:
    name = f"jiafang_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN_DSN, autocommit=True, connect_timeout=5) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN_DSN.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(PG_ADMIN_DSN, autocommit=True, connect_timeout=5) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def servers(count: int, url: str, data_dir: Path, master_key: bytes) -> Iterator[list[str]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("JIAFANG_")}
    env["JIAFANG_SERVER_MASTER_KEY"] = base64.b64encode(master_key).decode()
    processes: list[subprocess.Popen[bytes]] = []
    bases: list[str] = []
    try:
        for _ in range(count):
            port = _free_port()
            command = [
                sys.executable,
                "-m",
                "sync.server",
                "--database-url",
                url,
                "--data-dir",
                str(data_dir),
                "--port",
                str(port),
                "--log-level",
                "warning",
            ]
            # The servers' own logs go to a file next to the data (read for the error count).
            log = (data_dir / f"server-{port}.log").open("wb")
            processes.append(
                subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=log)
            )
            log.close()
            bases.append(f"http://127.0.0.1:{port}")
        for base, process in zip(bases, processes, strict=True):
            deadline = time.monotonic() + 60
            while True:
                try:
                    if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("a benchmark server did not start")
                time.sleep(0.2)
        yield bases
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


# ----------------------------------------------------------------------------- setup


def seed_regions(session: Session) -> list[str]:
    accounts.create_region(session, "bench-d", RegionLevel.DISTRICT, "基准区")
    accounts.create_region(session, "bench-s", RegionLevel.STREET, "基准街道", "bench-d")
    session.flush()
    grids: list[str] = []
    for c in range(GRIDS // 10):
        community = f"bench-c{c}"
        accounts.create_region(session, community, RegionLevel.COMMUNITY, f"社区{c}", "bench-s")
        session.flush()
        for g in range(10):
            grid = f"bench-g{c * 10 + g}"
            accounts.create_region(session, grid, RegionLevel.GRID, f"网格{c}-{g}", community)
            grids.append(grid)
    session.flush()
    return grids


def laptop_for(
    session: Session, authenticator: Authenticator, user: User, grid_id: str, server: str
) -> Laptop:
    key = DeviceKey.generate()
    public_key = base64.b64encode(key.public_key).decode()
    device = Device(id=str(uuid.uuid4()), user_id=user.id, public_key=public_key, name="bench")
    session.add(device)
    session.flush()
    pair = authenticator.issue(session, user, device, None, utcnow())
    return Laptop(user.username, device.id, pair.access_token, grid_id, server, key=key)


def _hlc(device: str, counter: int) -> str:
    return f"{time.time_ns() // 1_000_000:016x}:{counter:04x}:{device}"


def mutation(laptop: Laptop, entity: str, entity_id: str, changed: dict[str, Any], n: int) -> Any:
    return {
        "mutation_id": str(uuid.uuid4()),
        "device_id": laptop.device_id,
        "entity": entity,
        "entity_id": entity_id,
        "household_id": changed.get("household_id"),
        "base_version": 0,
        "op": "upsert",
        "changed": changed,
        "hlc": _hlc(laptop.device_id, n % 65536),
        "schema_version": SCHEMA_VERSION,
    }


def household_fields(grid_id: str, n: int) -> dict[str, Any]:
    # Synthetic only: no real names, numbers or addresses.
    return {
        "grid_id": grid_id,
        "status": "active",
        "category": "minimum_living",
        "next_review": "2026-06-01",
        "head_name": f"基准户主{n}",
        "address": f"基准路{n}号",
        "registered_residence": "基准县",
        "actual_residence": "基准县",
        "phone": f"100{n:08d}",
    }


def visit_templates(count: int) -> list[dict[str, Any]]:
    """Completed visits as laptops send them: the family found, incomes, assets, expenses and
    the laptop's eligibility result (which the server recomputes), from the synthetic demo
    generator."""
    templates: list[dict[str, Any]] = []
    regions = generate_regions(7)
    grid_ids = [r.region_id for r in regions if r.level is RegionLevel.GRID]
    for household in generate_households(7, count, grid_ids, today=BENCH_DAY):
        content = generate_visit_content(7, household, ("bench-a", "bench-b"), today=BENCH_DAY)
        day = VISIT_DAY
        fields: dict[str, Any] = content.model_dump(mode="json")
        policy = policy_in_force(DEFAULT_POLICY_REGION, day)
        fields["eligibility"] = evaluate_visit(policy, content, day).to_dict()
        fields.update(kind="periodic_review", status="completed", visit_date=day.isoformat())
        templates.append(fields)
    return templates


def signed_visit(
    laptop: Laptop, visit_id: str, template: dict[str, Any], household_id: str
) -> dict[str, Any]:
    """A completed visit's fields as the laptop's store sends them: signed with its device key
    over the bytes the server rebuilds (`app.crypto.visit_signature`)."""
    fields = {**template, "household_id": household_id}
    meta, content = split_fields("visit", fields)
    signed = visit_signed_bytes(visit_id, fields, content, attachment_ids(content))
    meta_signature = {
        "signed_by_device": laptop.device_id,
        "device_signature": base64.b64encode(laptop.key.sign(signed)).decode("ascii"),
        "signature_version": SIGNED_BYTES_VERSION,
    }
    assert not set(meta_signature) & set(meta)
    return {**fields, **meta_signature}


# ----------------------------------------------------------------------------- phases


def load_households(
    admin: Laptop, grids: list[str], count: int
) -> tuple[float, dict[str, list[str]]]:
    """Push `count` households in batches; (mutations per second, household ids per grid)."""
    per_grid: dict[str, list[str]] = {g: [] for g in grids}
    applied = 0
    with httpx.Client(base_url=admin.server, headers=admin.headers, timeout=120) as client:
        start = time.perf_counter()
        for first in range(0, count, BATCH):
            batch = []
            for n in range(first, min(first + BATCH, count)):
                grid = grids[n % len(grids)]
                household_id = str(uuid.uuid4())
                per_grid[grid].append(household_id)
                batch.append(
                    mutation(admin, "household", household_id, household_fields(grid, n), n)
                )
            response = client.post("/v1/sync/push", json={"mutations": batch})
            response.raise_for_status()
            results = response.json()["results"]
            applied += sum(1 for r in results if r["status"] == "applied")
        elapsed = time.perf_counter() - start
    if applied != count:
        raise RuntimeError(f"only {applied} of {count} households applied")
    return applied / elapsed, per_grid


def bulk_load(
    url: str, keys: ServerKeys, grids: list[str], first: int, count: int
) -> dict[str, list[str]]:
    """Households `first`..`first+count-1` written straight into the tables a pull reads
    (record, bucket memberships), sealed exactly like `records.record_change` does, under seqs
    taken from the counter. Only to keep the run short: pushes were measured above."""
    per_grid: dict[str, list[str]] = {g: [] for g in grids}
    paths = {
        g: f"district:bench-d/street:bench-s/community:bench-c{int(g[7:]) // 10}/grid:{g}"
        for g in grids
    }
    now = utcnow()
    with psycopg.connect(url) as conn:
        for start in range(first, first + count, 5000):
            chunk = range(start, min(start + 5000, first + count))
            last = conn.execute(
                "UPDATE sync_counter SET value = value + %s WHERE id = 1 RETURNING value",
                (len(chunk),),
            ).fetchone()
            assert last is not None
            seq = int(last[0]) - len(chunk)
            records, memberships = [], []
            for n in chunk:
                seq += 1
                grid = grids[n % len(grids)]
                household_id = str(uuid.uuid4())
                per_grid[grid].append(household_id)
                meta, data = split_fields("household", household_fields(grid, n))
                sealed = keys.seal(
                    data,
                    table="sync_record",
                    column="data",
                    row_id=record_row_id("household", household_id),
                    version=1,
                )
                records.append(
                    (
                        "household",
                        household_id,
                        1,
                        seq,
                        household_id,
                        grid,
                        False,
                        Jsonb(meta),
                        Jsonb({}),
                        sealed,
                        now,
                        now,
                    )
                )
                memberships += [
                    (bucket, "household", household_id, seq, True)
                    for bucket in paths[grid].split("/")
                ]
            with conn.cursor() as cursor:
                cursor.executemany(
                    "INSERT INTO sync_record (entity, id, version, seq, household_id, grid_id, "
                    "deleted, meta, field_hlcs, data_ct, created_at, updated_at) "
                    "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                    records,
                )
                cursor.executemany(
                    "INSERT INTO record_bucket (bucket, entity, record_id, seq, present) "
                    "VALUES (%s, %s, %s, %s, %s)",
                    memberships,
                )
            conn.commit()
        # Rows written in bulk, not grown over months: give the planner the statistics that
        # autovacuum would have gathered by then, instead of measuring its catching up.
        conn.execute("ANALYZE sync_record")
        conn.execute("ANALYZE record_bucket")
        conn.commit()
    return per_grid


def settle(url: str) -> None:
    """Let the database catch up with the bulk phases before the laptops arrive, as a server
    that grew over months long has (tables vacuumed and analysed, dirty pages written out),
    instead of measuring autovacuum and the checkpointer catching up with 100,000 households
    written a moment before (seen: p99 1.5-2.4 s right after the bulk load, 0.7 s without it)."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE)")
        # A role without pg_checkpoint: the checkpointer gets there on its own.
        with contextlib.suppress(psycopg.errors.InsufficientPrivilege):
            conn.execute("CHECKPOINT")


def pull_everything(admin: Laptop) -> tuple[list[float], int]:
    """Pull the district bucket from scratch; (page latencies in ms, records received)."""
    latencies: list[float] = []
    received = 0
    since = 0
    with httpx.Client(base_url=admin.server, headers=admin.headers, timeout=120) as client:
        while True:
            start = time.perf_counter()
            response = client.get(
                "/v1/sync/pull",
                params={"bucket": "district:bench-d", "since": since, "limit": PAGE},
            )
            latencies.append((time.perf_counter() - start) * 1000)
            response.raise_for_status()
            page = response.json()
            received += len(page["records"])
            since = page["next_since"]
            if not page["has_more"]:
                return latencies, received


@dataclass
class DeviceRun:
    latencies: list[float] = field(default_factory=list)
    push_latencies: list[float] = field(default_factory=list)
    pull_latencies: list[float] = field(default_factory=list)
    #: (started, seconds after the first laptop could start; latency in ms; push or pull)
    timeline: list[tuple[float, float, str]] = field(default_factory=list)
    errors: int = 0
    origin: float = 0.0
    error_kinds: dict[str, int] = field(default_factory=dict)

    def error(self, kind: str) -> None:
        self.errors += 1
        self.error_kinds[kind] = self.error_kinds.get(kind, 0) + 1


def push_body(laptop: Laptop, templates: list[dict[str, Any]]) -> bytes:
    """A laptop's push of its completed visits, encoded before the run starts: the laptops'
    own work is not the server's, and here they share its two cores."""
    visits = []
    for i in range(VISITS_PER_DEVICE):
        visit_id = str(uuid.uuid4())
        household_id = laptop.households[i % len(laptop.households)]
        fields = signed_visit(laptop, visit_id, templates[i % len(templates)], household_id)
        visits.append(mutation(laptop, "visit", visit_id, fields, i))
    return orjson.dumps({"mutations": visits})


def progress(message: str) -> None:
    """A phase starting, on stderr (the table and JSON come at the end): a full run takes
    minutes, and a profiler can be attached to the servers for the phase it is after."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


async def one_device(
    client: aiohttp.ClientSession,
    laptop: Laptop,
    start_at: float,
    since: int,
    run: DeviceRun,
    body: bytes,
) -> None:
    await asyncio.sleep(max(0.0, start_at - time.monotonic()))
    try:
        began = time.perf_counter()
        async with client.post(
            f"{laptop.server}/v1/sync/push",
            data=body,
            headers={**laptop.headers, "Content-Type": "application/json"},
        ) as response:
            content = await response.read()
            status = response.status
        run.latencies.append((time.perf_counter() - began) * 1000)
        run.push_latencies.append(run.latencies[-1])
        run.timeline.append((began - run.origin, run.latencies[-1], "push"))
        if status != 200:
            run.error(f"push {status}")
            return
        if any(r["status"] != "applied" for r in orjson.loads(content)["results"]):
            run.error("push not applied")
        cursor = since
        while True:
            began = time.perf_counter()
            async with client.get(
                f"{laptop.server}/v1/sync/pull",
                params={"bucket": f"grid:{laptop.grid_id}", "since": cursor, "limit": PAGE},
                headers=laptop.headers,
            ) as response:
                content = await response.read()
                status = response.status
            run.latencies.append((time.perf_counter() - began) * 1000)
            run.pull_latencies.append(run.latencies[-1])
            run.timeline.append((began - run.origin, run.latencies[-1], "pull"))
            if status != 200:
                run.error(f"pull {status}")
                return
            page = orjson.loads(content)
            cursor = page["next_since"]
            if not page["has_more"]:
                return
    except (TimeoutError, aiohttp.ClientError) as exc:
        run.error(type(exc).__name__)


async def devices_at_once(
    laptops: list[Laptop], since: int, window_s: float, templates: list[dict[str, Any]]
) -> DeviceRun:
    run = DeviceRun()
    rng = random.Random(4)
    bodies = [push_body(laptop, templates) for laptop in laptops]
    # aiohttp, not httpx: the simulated laptops share the server's two cores, and httpx took
    # about 8 s of CPU over the minute of arrivals where aiohttp takes about 5.
    async with aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=len(laptops)),
        timeout=aiohttp.ClientTimeout(total=120),
    ) as session:
        origin = time.monotonic() + 1.0
        run.origin = time.perf_counter() + 1.0
        await asyncio.gather(
            *(
                one_device(session, laptop, origin + rng.random() * window_s, since, run, body)
                for laptop, body in zip(laptops, bodies, strict=True)
            )
        )
    return run


# ----------------------------------------------------------------------------- main


def main() -> None:
    parser = benchmark_args(__doc__ or "sync server benchmark")
    parser.add_argument("--devices", type=int, default=None, help="laptops (default 500)")
    parser.add_argument("--window", type=float, default=None, help="seconds they arrive in")
    parser.add_argument("--households", type=int, default=None)
    parser.add_argument("--servers", type=int, default=2)
    parser.add_argument(
        "--timeline",
        type=Path,
        default=None,
        help="write every laptop request (start s, latency ms, kind) to this CSV file",
    )
    args = parser.parse_args()
    households = args.households or (10_000 if args.quick else 100_000)
    devices = args.devices or (100 if args.quick else 500)
    window = args.window if args.window is not None else (15.0 if args.quick else 60.0)

    report = BenchmarkReport("server")
    data_dir = Path(tempfile.mkdtemp(prefix="jiafang-bench-server-"))
    master_key = os.urandom(32)
    try:
        with fresh_database() as url:
            settings = Settings(
                data_dir=data_dir,
                database_url=normalise_database_url(url),
                master_key=master_key,
                argon2=BENCH_ARGON2,
            )
            keys = ServerKeys.from_master(master_key)
            engine = make_engine(settings.database_url)
            run_migrations(engine)
            authenticator = Authenticator(settings, keys)
            with (
                servers(args.servers, url, data_dir, master_key) as bases,
                Session(engine, expire_on_commit=False) as session,
            ):
                bind_keys(session, keys)
                grids = seed_regions(session)
                admin_user = accounts.create_user(
                    session,
                    username="bench-admin",
                    password="bench-password",
                    role=Role.ADMIN,
                    argon2=BENCH_ARGON2,
                )
                admin = laptop_for(session, authenticator, admin_user, grids[0], bases[0])
                session.commit()

                pushed = min(households, 2_000 if args.quick else 10_000)
                progress(f"push: {pushed} households through {bases[0]}")
                rate, per_grid = load_households(admin, grids, pushed)
                report.add("push_mutations_per_s", rate, "mutations/s", "higher", ">= 1000")
                bulk = bulk_load(url, keys, grids, pushed, households - pushed)
                for grid, ids in bulk.items():
                    per_grid[grid] += ids

                progress(f"pull: the district bucket ({households} households) from scratch")
                latencies, received = pull_everything(admin)
                report.add("pull_page_p95_ms", percentile(latencies, 95), "ms", "lower", "<= 200")
                report.add("pull_page_p50_ms", percentile(latencies, 50), "ms", "lower")
                report.notes["pull"] = (
                    f"{received} records in {len(latencies)} pages of up to {PAGE} "
                    f"(district bucket, {households} households on the server)"
                )

                laptops: list[Laptop] = []
                for n in range(devices):
                    grid = grids[n % len(grids)]
                    user = accounts.create_user(
                        session,
                        username=f"bench-worker-{n}",
                        password="bench-password",
                        role=Role.FIELD_WORKER,
                        argon2=BENCH_ARGON2,
                        grid_ids=[grid],
                    )
                    laptop = laptop_for(session, authenticator, user, grid, bases[n % len(bases)])
                    laptop.households = per_grid[grid][:VISITS_PER_DEVICE]
                    laptops.append(laptop)
                session.commit()
                checkpoint = int(
                    session.exec(select(SyncCounter.value).where(SyncCounter.id == 1)).one()
                )
                session.commit()
                settle(url)
                wall = time.perf_counter()
                templates = visit_templates(50)
                progress(f"devices: {devices} laptops arriving within {window:g} s")
                run = asyncio.run(devices_at_once(laptops, checkpoint, window, templates))
                wall = time.perf_counter() - wall
                if args.timeline is not None:
                    with args.timeline.open("w", encoding="utf-8") as timeline:
                        timeline.write("start_s,latency_ms,kind\n")
                        for start, latency, kind in sorted(run.timeline):
                            timeline.write(f"{start:.3f},{latency:.1f},{kind}\n")
                # The servers check the visits after the pushes, in their quiet moments
                # (`visit_checks`); the laptops never wait for that, the supervisors might.
                checked_in = time.perf_counter()
                if not visit_checks.wait_until_checked(engine, 300.0):
                    run.error("visit checks still queued after 300 s")
                checked_in = time.perf_counter() - checked_in
                outcomes = dict(
                    session.exec(
                        select(VisitSignatureCheck.outcome, func.count()).group_by(
                            VisitSignatureCheck.outcome
                        )
                    ).all()
                )
                report.notes["visit_signatures"] = ", ".join(
                    f"{n} {outcome}" for outcome, n in sorted(outcomes.items())
                )
                for outcome, n in outcomes.items():
                    if outcome != "verified":  # the laptops sign every visit
                        for _ in range(n):
                            run.error(f"visit signature {outcome}")
                for _ in range(devices * VISITS_PER_DEVICE - sum(outcomes.values())):
                    run.error("visit signature not checked")
                report.add("devices_500_checks_done_after_s", checked_in, "s", "lower")
                report.add(
                    "devices_500_p99_ms", percentile(run.latencies, 99), "ms", "lower", "<= 1000"
                )
                report.add("devices_500_errors", run.errors, "errors", "lower", "== 0")
                report.add("devices_500_p50_ms", percentile(run.latencies, 50), "ms", "lower")
                report.add(
                    "devices_500_push_p99_ms", percentile(run.push_latencies, 99), "ms", "lower"
                )
                report.add(
                    "devices_500_pull_p99_ms", percentile(run.pull_latencies, 99), "ms", "lower"
                )
                report.notes["devices"] = (
                    f"{devices} laptops arriving at random within {window:g} s, each pushing "
                    f"{VISITS_PER_DEVICE} visits then pulling its grid since its checkpoint; "
                    f"{len(run.latencies)} requests in {wall:.1f} s; "
                    f"{args.servers} server processes on one PostgreSQL"
                )
                server_errors = sum(
                    log.read_text(encoding="utf-8", errors="replace").count("ERROR sync.server")
                    for log in data_dir.glob("server-*.log")
                )
                report.notes["server_errors_logged"] = str(server_errors)

                if run.error_kinds:
                    report.notes["device_errors"] = ", ".join(
                        f"{k}: {v}" for k, v in sorted(run.error_kinds.items())
                    )
                report.notes["push"] = (
                    f"{pushed} households in sequential pushes of {BATCH} mutations over HTTP; "
                    f"the other {households - pushed} written directly (same sealing, buckets)"
                )
            engine.dispose()
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
    report.write(args.json)


if __name__ == "__main__":
    main()
