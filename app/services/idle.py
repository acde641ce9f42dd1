"""Idle auto-lock policy: after `timeout` seconds without input the vault locks (DESIGN.md s.3)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

DEFAULT_IDLE_LOCK_SECONDS = 300.0


@dataclass
class IdleLockPolicy:
    """Tracks the last user activity; the UI asks `should_lock()` on a timer."""

    timeout_seconds: float = DEFAULT_IDLE_LOCK_SECONDS
    clock: Callable[[], float] = time.monotonic

    def __post_init__(self) -> None:
        if self.timeout_seconds <= 0:
            raise ValueError("idle timeout must be positive")
        self._last_activity = self.clock()

    def touch(self) -> None:
        """The user did something (key, click, wheel)."""
        self._last_activity = self.clock()

    def idle_seconds(self) -> float:
        return max(0.0, self.clock() - self._last_activity)

    def seconds_until_lock(self) -> float:
        return max(0.0, self.timeout_seconds - self.idle_seconds())

    def should_lock(self) -> bool:
        return self.idle_seconds() >= self.timeout_seconds
