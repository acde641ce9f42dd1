"""Benchmark of the encrypted local store (issue 2).

    python -m tests.benchmarks.local_store [--quick] [--json PATH]

Fills a store through the sync pull path (100,000 households with ~4 members each and 100,000
visits; 5,000 of each with --quick), and fills a plain unencrypted SQLite file with the same
JSON in the same layout, in the same run, so the ratios compare like with like. Then measures
saving a completed visit, exact lookup by ID number, name search, unlock, bulk apply and size.
The unlock figures use the production KDF parameters (Argon2id 64 MiB, t=3, p=4).
"""

from __future__ import annotations

import json
import os
import random
import sqlite3
import tempfile
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

from app.crypto import KdfParams
from app.demo_data import (
    DemoHousehold,
    generate_households,
    generate_regions,
    generate_visit_content,
)
from app.domain import RegionLevel, VisitKind
from app.ids import uuid7
from app.services.demo import sign_demo_visit
from app.store.local_store import CACHE_KIB, WAL_CHECKPOINT_PAGES, LocalStore
from tests.benchmarks.common import BenchmarkReport, benchmark_args, percentile, time_calls

PASSWORD = "benchmark-password-1"
PAGE_SIZE = 500
SEED = 2
#: the day the synthetic data is dated around, pinned so every run stores the same records
BENCH_DAY = date(2026, 3, 2)

PLAIN_SCHEMA = """
CREATE TABLE household (id TEXT PRIMARY KEY, grid_id TEXT NOT NULL, status TEXT NOT NULL,
    category TEXT, next_review TEXT, version INTEGER, seq INTEGER, payload TEXT NOT NULL);
CREATE INDEX ix_h_grid ON household (grid_id);
CREATE INDEX ix_h_review ON household (next_review);
CREATE TABLE member (id TEXT PRIMARY KEY, household_id TEXT NOT NULL, id_number TEXT,
    version INTEGER, seq INTEGER, payload TEXT NOT NULL);
CREATE INDEX ix_m_household ON member (household_id);
CREATE INDEX ix_m_id_number ON member (id_number);
CREATE TABLE visit (id TEXT PRIMARY KEY, household_id TEXT NOT NULL, kind TEXT, status TEXT,
    revision INTEGER, revision_of TEXT, visit_date TEXT, completed_at TEXT, version INTEGER,
    seq INTEGER, payload TEXT NOT NULL);
CREATE INDEX ix_v_household ON visit (household_id);
CREATE INDEX ix_v_revision_of ON visit (revision_of);
CREATE TABLE sync_checkpoint (bucket TEXT PRIMARY KEY, checkpoint INTEGER);
"""


#: demo id -> UUIDv7. The demo generator draws random UUIDs; real records carry UUIDv7 ids
#: (made by the device that created them, notes/sync_records.md), which arrive roughly in key
#: order. Both stores get the same ids, so the comparison stays like for like.
ID_MAP: dict[str, str] = {}


def _id(demo_id: str) -> str:
    new = ID_MAP.get(demo_id)
    if new is None:
        new = ID_MAP[demo_id] = uuid7()
    return new


def _wire_records(
    households: list[DemoHousehold], seq_start: int
) -> tuple[list[dict[str, Any]], int]:
    """Sync-page records (notes/sync_records.md) for households, members and one visit each."""
    out: list[dict[str, Any]] = []
    seq = seq_start
    for h in households:
        seq += 1
        hid = _id(h.household_id)
        data = h.content.model_dump(mode="json", exclude={"members"})
        out.append(
            {
                "entity": "household",
                "id": hid,
                "version": 1,
                "seq": seq,
                "household_id": hid,
                "grid_id": h.grid_id,
                "deleted": False,
                "meta": {
                    "status": "active",
                    "category": h.category.value,
                    "next_review": h.next_review.isoformat(),
                },
                "data": data,
            }
        )
        for m in h.content.members:
            seq += 1
            out.append(
                {
                    "entity": "member",
                    "id": _id(m.member_id),
                    "version": 1,
                    "seq": seq,
                    "household_id": hid,
                    "grid_id": h.grid_id,
                    "deleted": False,
                    "meta": {},
                    "data": {**m.model_dump(mode="json"), "member_id": _id(m.member_id)},
                }
            )
        seq += 1
        visit = generate_visit_content(SEED, h, ("worker-1", "worker-2"), today=BENCH_DAY)
        out.append(
            {
                "entity": "visit",
                "id": uuid7(),
                "version": 1,
                "seq": seq,
                "household_id": hid,
                "grid_id": h.grid_id,
                "deleted": False,
                "meta": {
                    "kind": "periodic_review",
                    "status": "approved",
                    "revision": 1,
                    "revision_of": None,
                    "visit_date": visit.started_at.date().isoformat() if visit.started_at else None,
                    "completed_at": visit.ended_at.isoformat() if visit.ended_at else None,
                },
                "data": visit.model_dump(mode="json"),
            }
        )
    return out, seq


def _plain_rows(records: list[dict[str, Any]]) -> dict[str, list[tuple[Any, ...]]]:
    rows: dict[str, list[tuple[Any, ...]]] = {"household": [], "member": [], "visit": []}
    for r in records:
        # The same serialisation the store uses, so the ratio measures encryption and indexing.
        payload = json.dumps(r["data"], ensure_ascii=False, separators=(",", ":"))
        meta = r["meta"]
        if r["entity"] == "household":
            rows["household"].append(
                (
                    r["id"],
                    r["grid_id"],
                    meta["status"],
                    meta["category"],
                    meta["next_review"],
                    r["version"],
                    r["seq"],
                    payload,
                )
            )
        elif r["entity"] == "member":
            rows["member"].append(
                (
                    r["id"],
                    r["household_id"],
                    r["data"]["id_number"],
                    r["version"],
                    r["seq"],
                    payload,
                )
            )
        else:
            rows["visit"].append(
                (
                    r["id"],
                    r["household_id"],
                    meta["kind"],
                    meta["status"],
                    meta["revision"],
                    meta["revision_of"],
                    meta["visit_date"],
                    meta["completed_at"],
                    r["version"],
                    r["seq"],
                    payload,
                )
            )
    return rows


class PlainStore:
    """The same data unencrypted, same pragmas, one transaction per page."""

    def __init__(self, path: Path) -> None:
        self.conn = sqlite3.connect(path, isolation_level=None)
        for pragma in (
            "journal_mode=WAL",
            "synchronous=FULL",
            "temp_store=MEMORY",
            f"cache_size=-{CACHE_KIB}",
            f"wal_autocheckpoint={WAL_CHECKPOINT_PAGES}",
        ):
            self.conn.execute(f"PRAGMA {pragma}")
        self.conn.executescript(PLAIN_SCHEMA)

    def apply(self, records: list[dict[str, Any]], checkpoint: int) -> None:
        rows = _plain_rows(records)
        # Same durability as the store's pull path (a lost page is pulled again).
        self.conn.execute("PRAGMA synchronous=NORMAL")
        self.conn.execute("BEGIN IMMEDIATE")
        for table, batch in rows.items():
            if batch:
                marks = ",".join("?" for _ in batch[0])
                self.conn.executemany(f"INSERT OR REPLACE INTO {table} VALUES ({marks})", batch)
        self.conn.execute(
            "INSERT OR REPLACE INTO sync_checkpoint VALUES (?, ?)", ("grid:all", checkpoint)
        )
        self.conn.execute("COMMIT")
        self.conn.execute("PRAGMA synchronous=FULL")


def _pages(seed: int, count: int, grid_ids: tuple[str, ...]) -> Iterator[list[DemoHousehold]]:
    page: list[DemoHousehold] = []
    for h in generate_households(seed, count, grid_ids, today=BENCH_DAY):
        page.append(h)
        if len(page) == PAGE_SIZE // 6:  # ~6 records per household: ~PAGE_SIZE per page
            yield page
            page = []
    if page:
        yield page


def _fill(
    store: LocalStore, plain: PlainStore | None, count: int, grid_ids: tuple[str, ...]
) -> tuple[float, float, int, list[DemoHousehold]]:
    """Apply `count` households' pages to both stores; returns seconds spent in each."""
    enc_s = plain_s = 0.0
    seq = total = 0
    sample: list[DemoHousehold] = []
    rng = random.Random(7)
    for page in _pages(SEED, count, grid_ids):
        records, seq = _wire_records(page, seq)
        total += len(records)
        sample.extend(h for h in page if rng.random() < 0.02)
        start = time.perf_counter()
        store.apply_pull_page(records, "grid:all", seq)
        enc_s += time.perf_counter() - start
        if plain is not None:
            start = time.perf_counter()
            plain.apply(records, seq)
            plain_s += time.perf_counter() - start
    return enc_s, plain_s, total, sample


def _unlock_seconds(path: Path, probe: str) -> float:
    store = LocalStore.open(path)
    start = time.perf_counter()
    store.unlock(PASSWORD)
    elapsed = time.perf_counter() - start
    assert store.search_households(probe, limit=1)  # searchable right after unlock
    store.close()
    return elapsed


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.parent.iterdir() if p.name.startswith(path.name))


def main() -> None:
    args = benchmark_args(__doc__ or "").parse_args()
    count = 5_000 if args.quick else 100_000
    report = BenchmarkReport("local_store")
    regions = generate_regions(SEED, streets=4, communities_per_street=5, grids_per_community=4)
    grid_ids = tuple(r.region_id for r in regions if r.level is RegionLevel.GRID)
    with tempfile.TemporaryDirectory(prefix="jiafang-bench-") as tmp:
        root = Path(tmp)
        db = root / "store.sqlite3"
        store = LocalStore.create(
            db, PASSWORD, user_id="bench-user", device_id="bench-device", kdf=KdfParams()
        )
        plain = PlainStore(root / "plain.sqlite3")
        enc_s, plain_s, total, sample = _fill(store, plain, count, grid_ids)
        report.add("records_applied", total, "records", "higher")
        report.add("bulk_apply_rps", total / enc_s, "records/s", "higher", "≥ 10000")
        report.add("plain_insert_rps", total / plain_s, "records/s", "higher")
        report.add("bulk_apply_ratio_vs_plain", plain_s / enc_s, "x", "higher")

        rng = random.Random(11)
        members = [m for h in sample for m in h.content.members]
        numbers = [m.id_number for m in members]
        lookups = time_calls(lambda: store.find_by_id_number(rng.choice(numbers)), 500)
        report.add("lookup_id_p95_ms", percentile(lookups, 95), "ms", "lower", "≤ 5")

        names = [m.name for m in members]

        def fragment() -> str:
            name = rng.choice(names)
            start = rng.randrange(max(1, len(name) - 1))
            return name[start : start + 2]

        searches = time_calls(lambda: store.search_households(fragment(), addresses=False), 500)
        report.add("search_name_p95_ms", percentile(searches, 95), "ms", "lower", "≤ 50")
        anywhere = time_calls(lambda: store.search_households(fragment()), 500)
        report.add("search_name_or_address_p95_ms", percentile(anywhere, 95), "ms", "lower")

        # "Saving a completed visit" is the completion: the form's final content and the status
        # change written in one transaction (encrypt, record, outbox, audit). The draft exists
        # already (made when the worker started the visit; untimed).
        drafts = []
        for _ in range(200):
            household = rng.choice(sample)
            draft = store.create_visit_draft(_id(household.household_id), VisitKind.PERIODIC_REVIEW)
            content = generate_visit_content(
                rng, household, ("worker-1", "worker-2"), today=BENCH_DAY
            )
            # signed beforehand: the timing is of the completion, not of the pads
            signed = sign_demo_visit(store, draft.visit_id, content)
            drafts.append((draft.visit_id, signed.model_dump()))
        pending = iter(drafts)

        def save_visit() -> None:
            visit_id, fields = next(pending)
            store.complete_visit(visit_id, **fields)

        saves = time_calls(save_visit, len(drafts))
        report.add("save_visit_p95_ms", percentile(saves, 95), "ms", "lower", "≤ 25")
        report.notes["save_visit"] = (
            "complete_visit with the full visit content: one transaction with encryption, "
            "record, outbox row and audit entry, fsync'd (synchronous=FULL)"
        )
        store.close()
        plain.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        plain.conn.close()
        ratio = _size(db) / _size(root / "plain.sqlite3")
        report.add("db_size_ratio", ratio, "x", "lower", "≤ 1.3")
        report.add("db_size_mb", _size(db) / 2**20, "MiB", "lower")

        unlock_main = min(_unlock_seconds(db, names[0]) for _ in range(3))
        if args.quick:
            report.add("unlock_5k_s", unlock_main, "s", "lower", "≤ 0.8")
        else:
            report.add("unlock_100k_s", unlock_main, "s", "lower", "≤ 2.0")
            small = root / "small.sqlite3"
            small_store = LocalStore.create(
                small, PASSWORD, user_id="bench-user", device_id="bench-device", kdf=KdfParams()
            )
            small_sample = _fill(small_store, None, 5_000, grid_ids)[3]
            probe_small = small_sample[0].content.head_name
            small_store.close()
            report.add(
                "unlock_5k_s",
                min(_unlock_seconds(small, probe_small) for _ in range(3)),
                "s",
                "lower",
                "≤ 0.8",
            )
        load = os.getloadavg()
        report.notes["load_average"] = (
            f"{load[0]:.1f} {load[1]:.1f} {load[2]:.1f} (1/5/15 min; other work shares the cores)"
        )
        report.notes["data"] = (
            f"{count} households (~4 members each) and {count} visits, pages of ~{PAGE_SIZE}"
        )
    report.write(args.json)


if __name__ == "__main__":
    main()
