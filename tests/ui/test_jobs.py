"""The background job helper: results and errors come back on the GUI thread; clean shutdown."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import QThread
from pytestqt.qtbot import QtBot

from app.errors import ValidationError
from ui.jobs import JobContext, JobRunner


def test_result_arrives_on_the_gui_thread(qtbot: QtBot) -> None:
    runner = JobRunner()
    gui_thread = QThread.currentThread()
    seen: dict[str, object] = {}

    def work(ctx: JobContext) -> int:
        seen["worker_is_gui"] = QThread.currentThread() == gui_thread
        return 6 * 7

    def on_finished(result: int) -> None:
        seen["callback_is_gui"] = QThread.currentThread() == gui_thread
        seen["result"] = result

    job = runner.run(work, finished=on_finished)
    with qtbot.wait_signal(job.finished, timeout=5000) as blocker:
        pass
    assert blocker.args == [42]
    assert seen == {"worker_is_gui": False, "callback_is_gui": True, "result": 42}
    assert runner.shutdown()


def test_every_exception_is_caught_and_reported(qtbot: QtBot) -> None:
    runner = JobRunner()
    errors: list[BaseException] = []

    def typed(ctx: JobContext) -> None:
        raise ValidationError("身份证号校验码错误", "Wrong check digit", code="id_check")

    def bug(ctx: JobContext) -> None:
        raise ZeroDivisionError("boom")

    job = runner.run(typed, failed=errors.append)
    with qtbot.wait_signal(job.failed, timeout=5000):
        pass
    job = runner.run(bug, failed=errors.append)
    with qtbot.wait_signal(job.failed, timeout=5000):
        pass
    assert isinstance(errors[0], ValidationError) and errors[0].code == "id_check"
    assert isinstance(errors[1], ZeroDivisionError)
    assert runner.active_count == 0
    runner.shutdown()


def test_progress_is_delivered_in_order(qtbot: QtBot) -> None:
    runner = JobRunner()
    progress: list[object] = []

    def work(ctx: JobContext) -> str:
        for done in range(1, 4):
            ctx.progress((done, 3))
        return "done"

    job = runner.run(work, progress=progress.append)
    with qtbot.wait_signal(job.finished, timeout=5000):
        pass
    qtbot.wait_until(lambda: len(progress) == 3, timeout=2000)
    assert progress == [(1, 3), (2, 3), (3, 3)]
    runner.shutdown()


def test_one_thread_runs_jobs_one_after_another(qtbot: QtBot) -> None:
    runner = JobRunner(max_threads=1)
    running = 0
    overlap = False
    lock = threading.Lock()

    def work(ctx: JobContext) -> None:
        nonlocal running, overlap
        with lock:
            running += 1
            overlap = overlap or running > 1
        threading.Event().wait(0.02)
        with lock:
            running -= 1

    jobs = [runner.run(work) for _ in range(4)]
    qtbot.wait_until(lambda: all(job.done for job in jobs), timeout=5000)
    assert not overlap
    runner.shutdown()


def test_shutdown_cancels_waits_and_drops_late_callbacks(qtbot: QtBot) -> None:
    runner = JobRunner()
    started = threading.Event()
    calls: list[object] = []

    def long_job(ctx: JobContext) -> str:
        started.set()
        while not ctx.cancelled:
            threading.Event().wait(0.01)
        ctx.raise_if_cancelled()
        return "never"

    runner.run(long_job, finished=calls.append, failed=calls.append)
    assert started.wait(5)
    assert runner.shutdown(timeout_ms=5000)
    qtbot.wait(50)  # let any queued delivery run: none may arrive after shutdown
    assert calls == []
    with pytest.raises(RuntimeError):
        runner.run(long_job)
