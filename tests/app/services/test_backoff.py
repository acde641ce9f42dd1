"""Wrong-password back-off: free attempts, growing waits, lock-out, persisted across restarts."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.services.backoff import BackoffPolicy, UnlockBackoff
from app.services.errors import ReauthenticationRequiredError, UnlockThrottledError


class FakeClock:
    def __init__(self, start: float = 1_800_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now


def test_first_five_wrong_passwords_need_no_wait(tmp_path: Path) -> None:
    clock = FakeClock()
    backoff = UnlockBackoff(tmp_path / "state.json", clock=clock)
    for _ in range(4):
        backoff.record_failure()
        backoff.check()
    status = backoff.record_failure()
    assert status.failures == 5
    assert status.wait_remaining == pytest.approx(30.0)
    with pytest.raises(UnlockThrottledError) as info:
        backoff.check()
    assert info.value.wait_seconds == pytest.approx(30.0)
    assert "30" in info.value.message("zh") and "30" in info.value.message("en")


def test_waits_double_and_expire(tmp_path: Path) -> None:
    clock = FakeClock()
    backoff = UnlockBackoff(tmp_path / "state.json", clock=clock)
    waits = []
    for _ in range(9):
        waits.append(backoff.record_failure().wait_remaining)
    assert waits == [0, 0, 0, 0, 30, 60, 120, 240, 480]
    clock.now += 479
    with pytest.raises(UnlockThrottledError):
        backoff.check()
    clock.now += 1
    backoff.check()


def test_tenth_failure_requires_online_reauthentication(tmp_path: Path) -> None:
    clock = FakeClock()
    backoff = UnlockBackoff(tmp_path / "state.json", clock=clock)
    for _ in range(10):
        backoff.record_failure()
    clock.now += 10_000_000
    with pytest.raises(ReauthenticationRequiredError):
        backoff.check()
    assert backoff.status().reauth_required
    backoff.clear_after_online_login()
    backoff.check()
    assert backoff.status().failures == 0


def test_restart_does_not_reset_the_count(tmp_path: Path) -> None:
    clock = FakeClock()
    path = tmp_path / "state.json"
    first = UnlockBackoff(path, clock=clock)
    for _ in range(6):
        first.record_failure()
    clock.now += 10
    reopened = UnlockBackoff(path, clock=clock)
    assert reopened.status().failures == 6
    assert reopened.status().wait_remaining == pytest.approx(50.0)
    with pytest.raises(UnlockThrottledError):
        reopened.check()


def test_setting_the_clock_back_does_not_skip_the_wait(tmp_path: Path) -> None:
    clock = FakeClock()
    backoff = UnlockBackoff(tmp_path / "state.json", clock=clock)
    for _ in range(5):
        backoff.record_failure()
    clock.now -= 3600
    assert backoff.status().wait_remaining == pytest.approx(30.0)


def test_success_resets(tmp_path: Path) -> None:
    clock = FakeClock()
    backoff = UnlockBackoff(tmp_path / "state.json", clock=clock)
    for _ in range(3):
        backoff.record_failure()
    backoff.record_success()
    assert UnlockBackoff(tmp_path / "state.json", clock=clock).status().failures == 0


def test_damaged_state_file_applies_the_wait(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    path.write_text("{not json", encoding="utf-8")
    backoff = UnlockBackoff(path, clock=FakeClock())
    with pytest.raises(UnlockThrottledError):
        backoff.check()


def test_wait_is_capped() -> None:
    policy = BackoffPolicy(max_failures=100)
    assert policy.wait_after(30) == policy.max_wait_seconds
