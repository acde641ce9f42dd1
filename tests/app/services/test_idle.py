"""Idle auto-lock policy."""

from __future__ import annotations

import pytest

from app.services.idle import IdleLockPolicy


def test_locks_after_timeout_and_activity_postpones_it() -> None:
    now = [0.0]
    policy = IdleLockPolicy(timeout_seconds=300, clock=lambda: now[0])
    now[0] = 299
    assert not policy.should_lock()
    policy.touch()
    now[0] = 500
    assert not policy.should_lock()
    assert policy.seconds_until_lock() == pytest.approx(99)
    now[0] = 599
    assert policy.should_lock()


def test_timeout_must_be_positive() -> None:
    with pytest.raises(ValueError):
        IdleLockPolicy(timeout_seconds=0)
