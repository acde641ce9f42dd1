"""kill -9 soak: `python -m tests.soak.sync --runs 1000 [--seed S]` prints the tally.

Each run makes some offline edits on a laptop, starts a sync and kills -9 either the client
process (a forked child running `SyncEngine.run_once`) or the server process at a random moment,
then recovers (server restarted, client synced again) and checks the invariants of issue 5:
every acknowledged mutation is on the server exactly once, no mutation was applied twice, and
the laptop's bucket checksums equal the server's. The pytest suite runs the same cycle
(`tests/sync/e2e/test_kill9.py`, at least 50 runs in total).
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from app.store.local_store import LocalStore
from sync.client import ClientConfig, SyncEngine
from tests.sync.e2e.harness import PASSWORD, Laptop, LiveServer, household_content
from tests.sync.e2e.invariants import (
    assert_converged,
    assert_on_server_once,
    outbox_ids,
    quarantined_ids,
)

BUCKET = "grid:G1"
FAST = {"max_attempts": 3, "backoff_base_s": 0.02, "backoff_max_s": 0.1, "connect_timeout_s": 1.0}
#: Bounds of the kill window (seconds after the sync started). How long a sync lasts depends on
#: the machine and its load, so the window adapts: it shrinks when a sync finished before the
#: kill and grows when the kill landed inside one, which settles at about 70% mid-sync kills.
WINDOW_MIN_S, WINDOW_START_S, WINDOW_MAX_S = 0.02, 0.3, 2.0


@dataclass
class Tally:
    runs: int = 0
    kills: Counter[str] = field(default_factory=Counter)
    #: kills that landed while the victim was still working on the sync
    mid_sync: int = 0
    invariant_failures: list[str] = field(default_factory=list)
    mutations: int = 0

    def line(self) -> str:
        return (
            f"runs={self.runs} client_kills={self.kills['client']} "
            f"server_kills={self.kills['server']} mid_sync={self.mid_sync} "
            f"mutations={self.mutations} invariant_failures={len(self.invariant_failures)}"
        )


class KillCycle:
    def __init__(self, root: Path, seed: int) -> None:
        self.rng = random.Random(seed)
        self.server = LiveServer(root)
        self.server.seed()
        self.server.keep_spare = True
        self.server.start()
        self.laptop = Laptop.register(self.server, "fw1", root / "laptop")
        self.created: set[str] = set()
        self.tally = Tally()
        self.window_s = WINDOW_START_S

    def close(self) -> None:
        self.laptop.close()
        self.server.close()

    def _config(self) -> ClientConfig:
        return ClientConfig(server_url=self.server.url, **FAST)  # type: ignore[arg-type]

    def _edit(self) -> None:
        db = self.laptop.db
        for _ in range(self.rng.randint(1, 5)):
            serial = self.rng.randrange(10**6)
            db.create_household(
                grid_id="G1",
                content=household_content(f"户{serial}", serial, self.rng.randint(1, 2)),
            )
        existing = [h.household_id for h in db.list_households()]
        for hid in self.rng.sample(existing, k=min(len(existing), self.rng.randint(0, 3))):
            db.update_household(hid, phone=f"139{self.rng.randrange(10**8):08d}")
        self.created |= outbox_ids(self.laptop)

    def _kill_client(self, delay: float) -> bool:
        self.laptop.close()
        started_r, started_w = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: a laptop syncing, about to lose power
            code = 1
            try:
                os.close(started_r)
                store = LocalStore.open(self.laptop.folder / "store.sqlite3")
                store.unlock(PASSWORD)
                engine = SyncEngine(store, self._config(), username="fw1", password=PASSWORD)
                signalled = False

                def on_progress(_progress: object) -> None:
                    nonlocal signalled
                    if not signalled:
                        signalled = True
                        os.write(started_w, b"s")

                code = 0 if engine.run_once(progress=on_progress).ok else 2
            finally:
                os._exit(code)
        os.close(started_w)
        # The delay counts from the sync's first step, not from the fork: unlocking the vault
        # takes longer than many a sync.
        with os.fdopen(started_r, "rb") as started:
            started.read(1)
        time.sleep(delay)
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done == 0:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        self.laptop.reopen()
        return done == 0

    def _kill_server(self, delay: float) -> bool:
        engine = self.laptop.engine(self.server.url, **FAST)
        started = threading.Event()
        worker = threading.Thread(
            target=engine.run_once, kwargs={"progress": lambda _p: started.set()}, daemon=True
        )
        worker.start()
        started.wait(30)
        time.sleep(delay)
        mid = worker.is_alive()
        self.server.kill()
        worker.join(60)
        self.server.start()
        return mid

    def run(self) -> None:
        self._edit()
        victim = self.rng.choice(["client", "server"])
        delay = self.rng.uniform(0.0, self.window_s)
        mid = self._kill_client(delay) if victim == "client" else self._kill_server(delay)
        factor = 1.1 if mid else 0.8
        self.window_s = min(WINDOW_MAX_S, max(WINDOW_MIN_S, self.window_s * factor))
        self.tally.runs += 1
        self.tally.kills[victim] += 1
        self.tally.mid_sync += int(mid)
        try:
            self.check()
        except AssertionError as exc:
            self.tally.invariant_failures.append(f"run {self.tally.runs} ({victim}): {exc}")

    def check(self) -> None:
        engine = self.laptop.engine(self.server.url, **FAST)
        for _ in range(5):
            report = engine.run_once()
            if report.ok:
                break
        else:
            raise AssertionError(f"no clean sync after the kill: {report.outcome}")
        pending = outbox_ids(self.laptop)
        assert not pending, f"{len(pending)} mutations still waiting after a clean sync"
        acked = self.created - pending - quarantined_ids(self.laptop)
        assert not quarantined_ids(self.laptop), "a mutation was refused"
        assert_on_server_once(self.server, acked)
        assert_converged(self.server, self.laptop, [BUCKET])
        self.tally.mutations = len(acked)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.soak.sync", description=__doc__)
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=int(time.time()))
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="jiafang-soak-") as tmp:
        cycle = KillCycle(Path(tmp), args.seed)
        try:
            started = time.monotonic()
            for n in range(1, args.runs + 1):
                cycle.run()
                if n % 50 == 0:
                    print(f"[{time.monotonic() - started:7.1f}s] {cycle.tally.line()}", flush=True)
        finally:
            cycle.close()
    print(f"seed={args.seed} {cycle.tally.line()}")
    for failure in cycle.tally.invariant_failures[:20]:
        print("  " + failure)
    return 1 if cycle.tally.invariant_failures else 0


if __name__ == "__main__":
    sys.exit(main())
