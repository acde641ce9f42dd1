"""Hybrid logical clock (Kulkarni et al. 2014) for ordering mutations across devices.

A timestamp is `<physical ms, 16 hex>:<counter, 4 hex>:<device id>`; the fixed-width hex makes the
string order the clock order, so the server and SQLite can sort them as text. The physical part
follows the wall clock but never goes backwards, and receiving a remote timestamp moves the local
clock past it, so an edit made after seeing another device's edit always sorts after it even when
the laptops' clocks disagree.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from app.errors import ValidationError

_COUNTER_MAX = 0xFFFF
#: A remote clock this far ahead of ours is refused rather than dragging every later edit into the
#: future (a laptop with a wrong date would otherwise poison the ordering for everyone).
MAX_DRIFT_MS = 24 * 3600 * 1000


@dataclass(frozen=True, order=True)
class Hlc:
    physical_ms: int
    counter: int
    device_id: str

    def __str__(self) -> str:
        return f"{self.physical_ms:016x}:{self.counter:04x}:{self.device_id}"

    @classmethod
    def parse(cls, text: str) -> Hlc:
        parts = text.split(":", 2)
        if len(parts) != 3 or len(parts[0]) != 16 or len(parts[1]) != 4:
            raise ValidationError(
                "时间戳格式不正确", "Malformed hybrid logical clock timestamp", code="hlc_format"
            )
        try:
            return cls(int(parts[0], 16), int(parts[1], 16), parts[2])
        except ValueError:
            raise ValidationError(
                "时间戳格式不正确", "Malformed hybrid logical clock timestamp", code="hlc_format"
            ) from None


class HybridLogicalClock:
    """One device's clock. Thread-safe; `last` can be persisted and restored across restarts."""

    def __init__(
        self,
        device_id: str,
        *,
        last: str | None = None,
        wall_ms: Callable[[], int] | None = None,
    ) -> None:
        if not device_id or ":" in device_id:
            raise ValidationError(
                "设备标识不能为空且不能含冒号",
                "A device id must be non-empty and contain no colon",
                code="hlc_device",
            )
        self.device_id = device_id
        self._wall_ms = wall_ms or (lambda: time.time_ns() // 1_000_000)
        self._lock = threading.Lock()
        self._physical = 0
        self._counter = 0
        if last is not None:
            restored = Hlc.parse(last)
            self._physical, self._counter = restored.physical_ms, restored.counter

    @property
    def last(self) -> str:
        with self._lock:
            return str(Hlc(self._physical, self._counter, self.device_id))

    def now(self) -> str:
        """A timestamp for a local event, greater than every one this clock gave or saw."""
        with self._lock:
            wall = self._wall_ms()
            if wall > self._physical:
                self._physical, self._counter = wall, 0
            else:
                self._advance_counter()
            return str(Hlc(self._physical, self._counter, self.device_id))

    def observe(self, remote: str) -> str:
        """Merge a timestamp received from another device; returns the new local timestamp."""
        other = Hlc.parse(remote)
        with self._lock:
            wall = self._wall_ms()
            if other.physical_ms > wall + MAX_DRIFT_MS:
                raise ValidationError(
                    "收到的时间戳比本机时钟超前过多",
                    "A received timestamp is too far ahead of this device's clock",
                    code="hlc_drift",
                )
            top = max(wall, self._physical, other.physical_ms)
            if top == self._physical == other.physical_ms:
                self._counter = max(self._counter, other.counter)
                self._advance_counter()
            elif top == self._physical:
                self._advance_counter()
            elif top == other.physical_ms:
                self._physical, self._counter = top, other.counter
                self._advance_counter()
            else:
                self._physical, self._counter = top, 0
            return str(Hlc(self._physical, self._counter, self.device_id))

    def _advance_counter(self) -> None:
        if self._counter >= _COUNTER_MAX:
            # Counter exhausted within one millisecond: borrow the next millisecond.
            self._physical += 1
            self._counter = 0
        else:
            self._counter += 1
