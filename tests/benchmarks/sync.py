"""Sync benchmark: the engine against the real server on PostgreSQL, over loopback HTTP.

    python -m tests.benchmarks.sync [--quick] [--json PATH] [--pg-dsn DSN]

A fresh PostgreSQL database is created for the run and dropped afterwards. Figures (issue 5):

- `initial_pull_rps`: households (about 3 KB each) per second pulled into an empty profile, end
  to end (HTTP, decryption on the server, encryption into the local store with one data key per
  household, checkpoints, bucket checksum verification). Target >= 5,000 (10,000 aimed for).
- `push_one_p95_ms`: one visit (made and completed) pushed and acknowledged. Target <= 300 ms.
- `agency_month_push_s`: one agency's month (3,142 completed visits, 3 photos of ~300 KB each)
  sent in one sync, photos included. Target <= 90 s.
- `resend_units_after_interrupt`: pages or attachment chunks sent twice after a connection is
  cut in the middle of a pull page and in the middle of a photo chunk. Target <= 1.

The server's households are written straight into its tables (same encryption and buckets as a
push) so the set-up of 100,000 households takes seconds; everything measured goes through HTTP.
`--quick` uses 5,000 households and 100 visits.
"""

from __future__ import annotations

import io
import json
import os
import random
import tempfile
import threading
import uuid
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import psycopg
from sqlalchemy import insert, update

from app.domain import VisitKind
from app.ids import uuid7
from app.services.demo import complete_signed
from sync.client import SyncProgress
from sync.server.models import RecordBucket, SyncCounter, SyncRecord
from sync.server.records import record_row_id
from tests.benchmarks.common import BenchmarkReport, benchmark_args, percentile, stopwatch
from tests.sync.e2e.harness import REFERENCE_RECORDS, Laptop, LiveServer, visit_content
from tests.sync.faults.proxy import Fault, FaultProxy

DEFAULT_DSN = os.environ.get("JIAFANG_TEST_PG_DSN", "postgresql://postgres@127.0.0.1:5432/test")
GRID_BUCKETS = ["district:D1", "street:S1", "community:C1", "grid:G1"]
PHOTO_BYTES = 300 * 1024
SERVER_PROCESSES = 2


def _household_data(n: int, rng: random.Random) -> dict[str, object]:
    filler = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz ") for _ in range(2_600))
    return {
        "head_name": f"Household head {n}",
        "address": f"No. {n} Happiness Street, Peace Community, Building {n % 40}",
        "registered_residence": "Nanyang, Henan",
        "actual_residence": f"No. {n} Happiness Street",
        "phone": f"138{n:08d}",
        "note": filler,
    }


def seed_households(server: LiveServer, count: int) -> None:
    """`count` households in grid G1, written as a push would write them (encrypted content,
    bucket memberships, change sequence), in bulk."""
    rng = random.Random(5)
    now = datetime.now(UTC)
    with server.session() as session:
        start = session.get(SyncCounter, 1)
        assert start is not None
        seq = int(start.value)
        for offset in range(0, count, 2_000):
            records, buckets = [], []
            for n in range(offset, min(count, offset + 2_000)):
                seq += 1
                hid = uuid7()
                records.append(
                    {
                        "entity": "household",
                        "id": hid,
                        "version": 1,
                        "seq": seq,
                        "household_id": hid,
                        "grid_id": "G1",
                        "deleted": False,
                        "meta": {"grid_id": "G1", "status": "active", "category": None},
                        "field_hlcs": {},
                        "data_ct": server.keys.seal(
                            _household_data(n, rng),
                            table="sync_record",
                            column="data",
                            row_id=record_row_id("household", hid),
                            version=1,
                        ),
                        "created_at": now,
                        "updated_at": now,
                    }
                )
                buckets += [
                    {"bucket": b, "entity": "household", "record_id": hid, "seq": seq}
                    for b in GRID_BUCKETS
                ]
            session.execute(insert(SyncRecord), records)
            session.execute(insert(RecordBucket), buckets)
        session.execute(update(SyncCounter).where(SyncCounter.id == 1).values(value=seq))  # type: ignore[arg-type]
        session.commit()


def _repeats(values: list[int]) -> int:
    return sum(n - 1 for n in Counter(values).values() if n > 1)


def measure_resend(server: LiveServer, root: Path, report: BenchmarkReport) -> None:
    proxy = FaultProxy(server.port)
    try:
        # A pull cut in the middle of its fourth page, then resumed.
        fw2 = Laptop.register(server, "fw2", root / "resend-pull")
        proxy.add(Fault("truncate", "GET", "/v1/sync/pull", skip=3, fraction=0.5, times=1))
        first = fw2.engine(proxy.url, max_attempts=1, pull_limit=500).run_once()
        assert first.outcome == "offline", first.outcome
        proxy.clear()
        cancel = threading.Event()

        def stop_after_three(progress: SyncProgress) -> None:
            if progress.phase == "pull" and progress.done >= 3 * 500:
                cancel.set()

        fw2.engine(proxy.url, pull_limit=500).run_once(cancel, stop_after_three)
        sinces = [
            int(parse_qs(urlsplit(p).query)["since"][0])
            for p in proxy.log.paths("GET", "/v1/sync/pull")
        ]
        pages_resent = _repeats(sinces)
        fw2.close()

        # A 3 MB photo cut in the middle of its eighth chunk, then resumed.
        proxy.log.exchanges.clear()
        fw3 = Laptop.register(server, "fw3", root / "resend-photo")
        hid = fw3.db.create_household(grid_id="G2", content=_small_household()).household_id
        fw3.db.add_attachment(hid, io.BytesIO(os.urandom(3 * 1024 * 1024)), kind="photo")
        proxy.add(Fault("reset_upload", "PUT", "/v1/attachments/", skip=7, fraction=0.6))
        chunk = 256 * 1024
        cut = fw3.engine(proxy.url, max_attempts=1, attachment_chunk_bytes=chunk).run_once()
        assert cut.outcome == "offline", cut.outcome
        resumed = fw3.engine(proxy.url, attachment_chunk_bytes=chunk).run_once()
        assert resumed.ok, resumed.outcome
        offsets = [
            int(parse_qs(urlsplit(p).query)["offset"][0])
            for p in proxy.log.paths("PUT", "/v1/attachments/")
        ]
        chunks_resent = _repeats(offsets)
        fw3.close()
    finally:
        proxy.close()
    report.add(
        "resend_units_after_interrupt", max(pages_resent, chunks_resent), "units", "lower", "<= 1"
    )
    report.notes["resend"] = (
        f"pull cut mid-page: {pages_resent} page(s) of 500 sent again; "
        f"3 MB photo cut mid-chunk: {chunks_resent} chunk(s) of 256 KiB sent again"
    )


def _small_household() -> object:
    from tests.sync.e2e.harness import household_content

    return household_content("Resend", 1)


def run(
    root: Path, database_url: str, households: int, visits: int, report: BenchmarkReport
) -> None:
    server = LiveServer(root, database_url)
    # As deployed (sync/server/DEPLOY.md): one server process per core, here sharing one port.
    server.workers = SERVER_PROCESSES
    server.seed()
    with stopwatch() as seeded:
        seed_households(server, households)
    server.start()
    try:
        fw1 = Laptop.register(server, "fw1", root / "laptop")
        engine = fw1.engine(
            read_timeout_s=120,
            attachment_chunk_bytes=512 * 1024,
        )

        first = engine.run_once()
        assert first.ok and first.pulled == households + REFERENCE_RECORDS, (
            first.outcome,
            first.pulled,
        )
        report.add(
            "initial_pull_rps", households / first.duration_s, "records/s", "higher", ">= 5000"
        )
        report.notes["initial_pull"] = (
            f"{households} households of ~3 KB in {first.duration_s:.1f} s "
            f"({first.pages} pages, checksum verified; seeding took {seeded[0]:.1f} s)"
        )

        rng = random.Random(9)
        ids = [h.household_id for h in fw1.db.list_households()]
        samples = []
        for _ in range(10 if households < 10_000 else 30):
            draft = fw1.db.create_visit_draft(
                rng.choice(ids), VisitKind.PERIODIC_REVIEW, visit_content()
            )
            complete_signed(fw1.db, draft.visit_id)
            waiting = fw1.db.pending_count()  # the visit, its signature images' records
            pushed = engine.push_now()
            assert pushed.ok and pushed.applied == waiting and pushed.conflicts == 0
            samples.append(pushed.duration_s * 1000)
        report.add("push_one_p95_ms", percentile(samples, 95), "ms", "lower", "<= 300")
        report.notes["push_one"] = (
            f"{len(samples)} visits, each created, signed, completed and pushed "
            f"({waiting} mutations), "
            f"p50 {percentile(samples, 50):.0f} ms"
        )

        with stopwatch() as prepared:
            for _ in range(visits):
                draft = fw1.db.create_visit_draft(
                    rng.choice(ids), VisitKind.PERIODIC_REVIEW, visit_content()
                )
                for _photo in range(3):
                    photo = os.urandom(PHOTO_BYTES)
                    fw1.db.add_attachment(
                        draft.household_id, io.BytesIO(photo), kind="photo", visit_id=draft.visit_id
                    )
                complete_signed(fw1.db, draft.visit_id)
        queued = fw1.db.pending_count()
        month = engine.run_once()
        assert month.ok and month.pending_after == 0, month.outcome
        report.add("agency_month_push_s", month.duration_s, "s", "lower", "<= 90")
        report.notes["agency_month"] = (
            f"{visits} completed visits with 3 photos of {PHOTO_BYTES // 1024} KiB "
            f"({queued} mutations, {month.attachments_uploaded} photos, "
            f"{month.attachment_bytes_sent / 1e6:.0f} MB) in one sync, {month.push_batches} "
            f"batches, {month.conflicts} conflicts; preparing them offline took "
            f"{prepared[0]:.0f} s"
        )
        fw1.close()
        measure_resend(server, root, report)
    finally:
        server.close()


def main() -> None:
    parser = benchmark_args(__doc__ or "sync benchmark")
    parser.add_argument("--pg-dsn", default=DEFAULT_DSN, help="PostgreSQL to create a database in")
    args = parser.parse_args()
    households, visits = (5_000, 100) if args.quick else (100_000, 3_142)
    report = BenchmarkReport("sync")
    name = f"jiafang_bench_{uuid.uuid4().hex[:10]}"
    base = args.pg_dsn.rsplit("/", 1)[0]
    with psycopg.connect(args.pg_dsn, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            with tempfile.TemporaryDirectory(prefix="jiafang-bench-") as tmp:
                run(Path(tmp), f"{base}/{name}", households, visits, report)
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    report.notes["server"] = (
        f"PostgreSQL, {SERVER_PROCESSES} uvicorn worker processes on one port, loopback HTTP, "
        "no TLS; client, server and database share the machine's cores"
    )
    report.print_table()
    report.write(args.json)
    print(json.dumps({k: m.value for k, m in report.metrics.items()}))


if __name__ == "__main__":
    main()
