"""UUIDv7 ids: unique without coordination and sorted by creation time."""

from __future__ import annotations

import threading
import uuid

from app.ids import uuid7, uuid7_time_ms


def test_uuid7_is_a_version_7_rfc_uuid() -> None:
    value = uuid7()
    parsed = uuid.UUID(value)
    assert parsed.version == 7
    assert parsed.variant == uuid.RFC_4122
    assert str(parsed) == value


def test_ids_made_in_one_process_sort_in_creation_order() -> None:
    ids = [uuid7() for _ in range(20_000)]  # many share a millisecond
    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids)


def test_ids_from_many_threads_never_collide() -> None:
    out: list[str] = []
    lock = threading.Lock()

    def make() -> None:
        local = [uuid7() for _ in range(5_000)]
        with lock:
            out.extend(local)

    threads = [threading.Thread(target=make) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(out)) == 20_000


def test_embedded_time_is_the_creation_millisecond() -> None:
    assert uuid7_time_ms(uuid7(now_ms=1_700_000_000_123)) >= 1_700_000_000_123
    later = uuid7(now_ms=4_000_000_000_000)
    assert uuid7_time_ms(later) == 4_000_000_000_000


def test_clock_stepping_back_still_gives_increasing_ids() -> None:
    first = uuid7(now_ms=4_100_000_000_000)
    second = uuid7(now_ms=4_000_000_000_000)  # wall clock went back
    assert second > first
