"""Client-generated record ids: UUIDv7 (RFC 9562).

Every record and mutation gets its id on the device that creates it and keeps it for life (the
server never remaps ids), so ids must be unique without coordination and sort by creation time,
which keeps SQLite's B-tree inserts at the right-hand edge. Python 3.11 has no `uuid.uuid7`.
"""

from __future__ import annotations

import threading
import time
import uuid

from app.entropy import random_bytes

_lock = threading.Lock()
_last_ms = 0
_last_seq = 0

#: rand_a is 12 bits; it carries a per-millisecond counter so ids from one process are strictly
#: increasing even when many are made in the same millisecond (RFC 9562 section 6.2, method 1).
_SEQ_MAX = 0xFFF


def uuid7(now_ms: int | None = None) -> str:
    """A new UUIDv7 as its canonical 36-character string.

    48 bits of Unix milliseconds, version 7, a 12-bit counter that restarts at a random value
    each millisecond, the RFC variant and 62 random bits.
    """
    global _last_ms, _last_seq
    with _lock:
        ms = int(time.time() * 1000) if now_ms is None else now_ms
        if ms <= _last_ms:
            # Same millisecond (or the wall clock stepped back): keep counting from the last id.
            ms = _last_ms
            seq = _last_seq + 1
            if seq > _SEQ_MAX:
                ms += 1
                seq = int.from_bytes(random_bytes(2), "big") & 0x3FF
        else:
            # A random start in the lower part of the range leaves room for the counter.
            seq = int.from_bytes(random_bytes(2), "big") & 0x3FF
        _last_ms, _last_seq = ms, seq
    rand_b = int.from_bytes(random_bytes(8), "big") & ((1 << 62) - 1)
    value = (ms & ((1 << 48) - 1)) << 80
    value |= 0x7 << 76
    value |= seq << 64
    value |= 0b10 << 62
    value |= rand_b
    return str(uuid.UUID(int=value))


def uuid7_time_ms(value: str) -> int:
    """The Unix milliseconds embedded in a UUIDv7 string."""
    parsed = uuid.UUID(value)
    if parsed.version != 7:
        raise ValueError("not a UUIDv7")
    return parsed.int >> 80
