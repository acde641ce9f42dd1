"""When the visit-check worker may run: its process serves no request, and the machine has a
whole core to spare (`sync.server.activity`)."""

from __future__ import annotations

import time
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient

from sync.server.activity import ActivityMiddleware, HostLoad, RequestActivity


def _stat(path: Path, idle: int, busy: int) -> None:
    # user nice system idle iowait irq softirq steal, then the per-core lines
    path.write_text(f"cpu  {busy} 0 0 {idle} 0 0 0 0 0 0\ncpu0 1 0 0 1 0 0 0 0 0 0\n")


def test_a_spare_core_is_one_idle_on_average_since_the_last_reading(tmp_path: Path) -> None:
    stat = tmp_path / "stat"
    _stat(stat, idle=1000, busy=1000)
    load = HostLoad(0.01, stat=stat, cores=2)
    _stat(stat, idle=1000, busy=1000)
    assert load.has_spare_core()  # nothing happened: both cores idle
    time.sleep(0.02)
    _stat(stat, idle=1050, busy=1150)  # 50 of 200 ticks idle: half a core
    assert not load.has_spare_core()
    time.sleep(0.02)
    _stat(stat, idle=1200, busy=1200)  # 150 of 200 ticks idle: a core and a half
    assert load.has_spare_core()


def test_on_a_single_core_half_of_it_is_enough(tmp_path: Path) -> None:
    stat = tmp_path / "stat"
    _stat(stat, idle=0, busy=0)
    load = HostLoad(0.01, stat=stat, cores=1)
    _stat(stat, idle=0, busy=0)
    assert load.has_spare_core()
    time.sleep(0.02)
    _stat(stat, idle=60, busy=40)
    assert load.has_spare_core()
    time.sleep(0.02)
    _stat(stat, idle=100, busy=100)  # 40 of 100 ticks idle
    assert not load.has_spare_core()


def test_the_answer_holds_for_the_window(tmp_path: Path) -> None:
    stat = tmp_path / "stat"
    _stat(stat, idle=0, busy=0)
    load = HostLoad(0.3, stat=stat, cores=2)
    assert load.has_spare_core()  # a first reading waits one window: nothing happened
    _stat(stat, idle=0, busy=200)  # both cores busy since
    assert load.has_spare_core()  # within the window: the last answer
    time.sleep(0.35)
    assert not load.has_spare_core()


def test_without_proc_stat_the_process_decides_alone(tmp_path: Path) -> None:
    assert HostLoad(0.01, stat=tmp_path / "missing").has_spare_core()
    garbled = tmp_path / "garbled"
    garbled.write_text("not a stat file")
    assert HostLoad(0.01, stat=garbled).has_spare_core()


def test_requests_in_progress_are_counted() -> None:
    activity = RequestActivity()
    seen: list[bool] = []
    application = FastAPI()

    @application.get("/")
    def root() -> dict[str, str]:
        seen.append(activity.busy())
        return {}

    application.add_middleware(ActivityMiddleware, activity=activity)
    with TestClient(application) as client:
        assert not activity.busy()
        assert client.get("/").status_code == 200
    assert seen == [True]
    assert not activity.busy()
