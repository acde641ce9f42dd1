"""Run work off the GUI thread and get the result back on it (the idea of Anki's `QueryOp`).

    runner.run(lambda ctx: session.households(), finished=self._on_households_loaded,
               failed=self._on_households_failed)

The job function receives a `JobContext` (to report progress and see a cancel request) and runs on
a worker thread of the runner's `QThreadPool`. Its outcome is delivered through Qt signals to a
`Job` object that lives on the GUI thread, so `finished(result)`, `failed(error)` and `progress`
callbacks always run on the GUI thread and may touch widgets. A runner with one thread serialises
its jobs, which is what store access needs (one writer, no concurrent unlock and query).

Every exception raised by a job is caught and handed to `failed`; nothing escapes a worker.
`shutdown()` requests cancellation, waits for running jobs and drops pending callbacks.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

from app.errors import JiafangError

logger = logging.getLogger(__name__)

T = TypeVar("T")


class JobCancelledError(Exception):
    """Raised inside a job by `JobContext.raise_if_cancelled()`."""


class JobContext:
    """Handed to the job function on its worker thread."""

    def __init__(self, signals: _JobSignals, cancel_event: threading.Event) -> None:
        self._signals = signals
        self._cancel_event = cancel_event

    @property
    def cancelled(self) -> bool:
        return self._cancel_event.is_set()

    def raise_if_cancelled(self) -> None:
        if self._cancel_event.is_set():
            raise JobCancelledError()

    def progress(self, value: object) -> None:
        """Report progress (any plain object, e.g. `(done, total)`); delivered on the GUI thread."""
        self._signals.progress.emit(_Box(value))


class _Box:
    """Carries a value through a queued signal.

    PySide6 mis-counts references of `None` sent through a queued `Signal(object)` (on Python
    3.11, where None is not immortal, enough of them abort the process with "deallocating
    None"), and jobs often return None. A box is never None.
    """

    __slots__ = ("value",)

    def __init__(self, value: object) -> None:
        self.value = value


class _JobSignals(QObject):
    # Emitted from the worker thread; connected to `Job` slots (GUI thread) so Qt queues them.
    succeeded = Signal(object)
    errored = Signal(object)
    progress = Signal(object)


class Job(QObject, Generic[T]):
    """One background job, living on the GUI thread."""

    finished = Signal(object)
    """The job returned; carries its result. Emitted on the GUI thread."""
    failed = Signal(object)
    """The job raised; carries the exception. Emitted on the GUI thread."""
    progress = Signal(object)
    """The job reported progress. Emitted on the GUI thread."""

    def __init__(self, name: str, runner: JobRunner) -> None:
        super().__init__(runner)
        self.name = name
        self.done = False
        self._dropped = False
        self._runner = runner
        self._cancel_event = threading.Event()
        self._signals = _JobSignals()
        self._signals.succeeded.connect(self._on_worker_succeeded)
        self._signals.errored.connect(self._on_worker_errored)
        self._signals.progress.connect(self._on_worker_progress)

    def cancel(self) -> None:
        self._cancel_event.set()

    @Slot(object)
    def _on_worker_succeeded(self, box: _Box) -> None:
        self._finish()
        if self._dropped:
            return
        # Same-thread direct emission: the None problem only affects queued delivery.
        self.finished.emit(box.value)

    @Slot(object)
    def _on_worker_errored(self, error: object) -> None:
        self._finish()
        if self._dropped:
            return
        self.failed.emit(error)

    @Slot(object)
    def _on_worker_progress(self, box: _Box) -> None:
        if not self.done and not self._dropped:
            self.progress.emit(box.value)

    def _finish(self) -> None:
        self.done = True
        self._runner._forget(self)


class _JobRunnable(QRunnable):
    def __init__(self, job: Job[Any], fn: Callable[[JobContext], Any]) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._fn = fn
        self._name = job.name
        self._signals = job._signals
        self._context = JobContext(job._signals, job._cancel_event)

    def run(self) -> None:
        try:
            result = self._fn(self._context)
        except JobCancelledError as exc:
            self._signals.errored.emit(exc)
        except JiafangError as exc:
            # Expected, typed failures: the code is enough, the message may quote user input.
            logger.info("job %s failed: %s", self._name, exc.code)
            self._signals.errored.emit(exc)
        except Exception as exc:
            logger.exception("job %s raised unexpectedly", self._name)
            self._signals.errored.emit(exc)
        else:
            self._signals.succeeded.emit(_Box(result))


class JobRunner(QObject):
    """A pool of worker threads for background jobs (one thread = serialised jobs)."""

    def __init__(self, parent: QObject | None = None, *, max_threads: int = 1) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(max_threads)
        self._active: set[Job[Any]] = set()
        self._closed = False

    def run(
        self,
        fn: Callable[[JobContext], T],
        *,
        finished: Callable[[T], None] | None = None,
        failed: Callable[[BaseException], None] | None = None,
        progress: Callable[[Any], None] | None = None,
        name: str = "job",
    ) -> Job[T]:
        if self._closed:
            raise RuntimeError("the job runner was shut down")
        job: Job[T] = Job(name, self)
        if finished is not None:
            job.finished.connect(finished)
        if failed is not None:
            job.failed.connect(failed)
        else:
            job.failed.connect(lambda error: logger.warning("job %s failed unhandled", name))
        if progress is not None:
            job.progress.connect(progress)
        self._active.add(job)
        self._pool.start(_JobRunnable(job, fn))
        return job

    @property
    def active_count(self) -> int:
        return len(self._active)

    def _forget(self, job: Job[Any]) -> None:
        self._active.discard(job)

    def shutdown(self, timeout_ms: int = 10_000) -> bool:
        """Cancel, wait for running jobs, and make sure no late callback fires. True if clean."""
        self._closed = True
        for job in list(self._active):
            job.cancel()
        self._pool.clear()
        clean = self._pool.waitForDone(timeout_ms)
        for job in list(self._active):
            # A result queued before the wait ended must not reach widgets being destroyed.
            job._dropped = True
        self._active.clear()
        if not clean:
            logger.warning("background jobs still running after %d ms", timeout_ms)
        return clean
