"""Hybrid logical clock: sortable text timestamps that never go backwards."""

from __future__ import annotations

import pytest

from app.errors import ValidationError
from app.hlc import MAX_DRIFT_MS, Hlc, HybridLogicalClock


class FakeWall:
    def __init__(self, ms: int) -> None:
        self.ms = ms

    def __call__(self) -> int:
        return self.ms


def test_timestamps_increase_even_when_the_wall_clock_stands_still_or_goes_back() -> None:
    wall = FakeWall(1_000)
    clock = HybridLogicalClock("dev-a", wall_ms=wall)
    stamps = [clock.now() for _ in range(5)]
    wall.ms = 500  # NTP stepped the clock back
    stamps += [clock.now() for _ in range(5)]
    assert stamps == sorted(stamps)
    assert len(set(stamps)) == len(stamps)
    assert Hlc.parse(stamps[-1]).physical_ms == 1_000


def test_text_order_is_clock_order() -> None:
    a = str(Hlc(0x1_0000, 0xFFFF, "z"))
    b = str(Hlc(0x1_0001, 0, "a"))
    assert a < b
    assert Hlc.parse(a) < Hlc.parse(b)
    assert a == "0000000000010000:ffff:z"


def test_an_edit_after_seeing_a_remote_edit_sorts_after_it_despite_a_slow_clock() -> None:
    remote = HybridLogicalClock("dev-fast", wall_ms=FakeWall(50_000))
    local = HybridLogicalClock("dev-slow", wall_ms=FakeWall(10_000))
    seen = remote.now()
    local.observe(seen)
    assert local.now() > seen


def test_restored_clock_continues_after_its_last_timestamp() -> None:
    clock = HybridLogicalClock("dev", wall_ms=FakeWall(9_000))
    last = clock.now()
    restarted = HybridLogicalClock("dev", last=last, wall_ms=FakeWall(1_000))
    assert restarted.now() > last


def test_remote_timestamp_far_in_the_future_is_refused() -> None:
    clock = HybridLogicalClock("dev", wall_ms=FakeWall(1_000))
    bogus = str(Hlc(1_000 + MAX_DRIFT_MS + 1, 0, "broken-laptop"))
    with pytest.raises(ValidationError) as info:
        clock.observe(bogus)
    assert info.value.code == "hlc_drift"


@pytest.mark.parametrize(
    "bad", ["", "12:34:dev", "zzzzzzzzzzzzzzzz:0000:d", "0000000000000001:01:d"]
)
def test_malformed_timestamps_are_rejected(bad: str) -> None:
    with pytest.raises(ValidationError):
        Hlc.parse(bad)


def test_device_id_with_colon_is_rejected() -> None:
    with pytest.raises(ValidationError):
        HybridLogicalClock("a:b")
