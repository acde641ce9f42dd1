"""`kill -9` in the middle of a burst of writes: records and outbox rows stay paired, the audit
chain verifies, nothing is half-written."""

from __future__ import annotations

import os
import random
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.store.local_store import LocalStore
from tests.app.store.conftest import PASSWORD

REPO = Path(__file__).resolve().parents[3]


def _run_and_kill(path: Path, seed: int, delay: float) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.app.store.crash_writer", str(path), str(seed)],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert line == b"ready\n", proc.stderr.read() if proc.stderr else line
    time.sleep(delay)
    assert proc.poll() is None, "the writer stopped on its own"
    proc.kill()  # SIGKILL: no cleanup, no close(), no checkpoint
    proc.wait(timeout=10)
    assert proc.returncode == -9
    if proc.stdout:
        proc.stdout.close()
    if proc.stderr:
        proc.stderr.close()


@pytest.mark.slow
def test_kill_9_during_writes_leaves_records_and_outbox_paired(tmp_path: Path) -> None:
    path = tmp_path / "profile" / "store.sqlite3"
    rng = random.Random(20261123)
    for round_no in range(4):
        _run_and_kill(path, seed=round_no, delay=rng.uniform(0.4, 1.5))

    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        records = {
            (entity, rid)
            for entity in ("household", "member", "visit", "attachment")
            for (rid,) in conn.execute(f"SELECT id FROM {entity}")
        }
        outbox = {(e, i) for e, i in conn.execute("SELECT entity, entity_id FROM outbox")}
        audited = conn.execute(
            "SELECT count(*) FROM audit_log"
            " WHERE entity IN ('household', 'member', 'visit', 'attachment')"
        ).fetchone()[0]
        mutations = conn.execute("SELECT count(*) FROM outbox").fetchone()[0]
    assert len(records) > 10, "the writer made too little progress to test anything"
    assert records == outbox  # every record has its outbox row and every outbox row its record
    assert audited == mutations  # and every mutation its audit entry

    store = LocalStore.open(path)
    store.unlock(PASSWORD)
    assert store.verify_audit_chain().ok
    # Everything decrypts: no half-written envelope anywhere.
    for summary in store.list_households():
        store.get_household(summary.household_id)
        store.list_visits(summary.household_id)
    assert len(store.pending_mutations(limit=100_000)) == mutations
    store.recover_drafts()
    store.close()
