"""Wrong-password back-off for the offline unlock (DESIGN.md section 3).

The first few wrong passwords cost nothing but the KDF time; after `free_attempts` failures each
further attempt must wait, doubling each time; after `max_failures` the laptop refuses offline
unlocks until the account signs in to the server again. The state is a small JSON file in the
profile folder so that restarting the app does not reset the count.

The file is not a security boundary on its own (whoever owns the disk can delete it); the Argon2id
cost of each guess is. It stops the common case: someone at a shared laptop trying passwords.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from app.services.errors import ReauthenticationRequiredError, UnlockThrottledError

logger = logging.getLogger(__name__)

STATE_FILE_NAME = "unlock_state.json"


@dataclass(frozen=True)
class BackoffPolicy:
    """How waits grow. Defaults: 5 free attempts, then 30 s, 60 s, 120 s ... capped at 15 min."""

    free_attempts: int = 5
    base_wait_seconds: float = 30.0
    max_wait_seconds: float = 900.0
    max_failures: int = 10

    def wait_after(self, failures: int) -> float:
        """Seconds to wait before the next attempt once `failures` wrong passwords were entered."""
        if failures < self.free_attempts:
            return 0.0
        wait = self.base_wait_seconds * (2 ** (failures - self.free_attempts))
        return float(min(wait, self.max_wait_seconds))


@dataclass(frozen=True)
class BackoffStatus:
    """What the unlock screen shows: failures so far, seconds left to wait, lock-out."""

    failures: int
    wait_remaining: float
    reauth_required: bool

    @property
    def can_try(self) -> bool:
        return not self.reauth_required and self.wait_remaining <= 0


class UnlockBackoff:
    """Counts wrong passwords for one profile, persisted in `state_path`."""

    def __init__(
        self,
        state_path: Path,
        policy: BackoffPolicy | None = None,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._path = state_path
        self.policy = policy or BackoffPolicy()
        # Wall-clock time on purpose: a monotonic clock restarts with the process, and the wait
        # must survive a restart.
        self._clock = clock
        self._failures = 0
        self._last_failure_at = 0.0
        self._reauth_required = False
        self._load()

    def status(self) -> BackoffStatus:
        return BackoffStatus(self._failures, self._remaining(), self._reauth_required)

    def check(self) -> None:
        """Raise if an attempt is not allowed now (call before running the KDF)."""
        if self._reauth_required:
            raise ReauthenticationRequiredError()
        remaining = self._remaining()
        if remaining > 0:
            raise UnlockThrottledError(remaining)

    def record_failure(self) -> BackoffStatus:
        self._failures += 1
        self._last_failure_at = self._clock()
        if self._failures >= self.policy.max_failures:
            self._reauth_required = True
        logger.info("wrong unlock password (failure %d)", self._failures)
        self._save()
        return self.status()

    def record_success(self) -> None:
        if self._failures or self._reauth_required:
            self._failures = 0
            self._last_failure_at = 0.0
            self._reauth_required = False
            self._save()

    def clear_after_online_login(self) -> None:
        """The server confirmed the account's password: offline unlocks may start again."""
        self._failures = 0
        self._last_failure_at = 0.0
        self._reauth_required = False
        self._save()

    def _remaining(self) -> float:
        wait = self.policy.wait_after(self._failures)
        if wait <= 0:
            return 0.0
        now = self._clock()
        if now < self._last_failure_at:
            # The clock went backwards (or was set back to dodge the wait): count the full wait
            # from now rather than letting it lapse.
            self._last_failure_at = now
            self._save()
        return max(0.0, self._last_failure_at + wait - now)

    def _load(self) -> None:
        try:
            raw = json.loads(self._path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return
        except (OSError, ValueError):
            # A damaged state file must not become a way around the back-off: assume the worst
            # recorded-so-far state is unknown and start the wait at the free-attempt limit.
            logger.warning("unlock state file unreadable; applying the back-off from the limit")
            self._failures = self.policy.free_attempts
            self._last_failure_at = self._clock()
            return
        self._failures = int(raw.get("failures", 0))
        self._last_failure_at = float(raw.get("last_failure_at", 0.0))
        self._reauth_required = bool(raw.get("reauth_required", False))

    def _save(self) -> None:
        payload = {
            "failures": self._failures,
            "last_failure_at": self._last_failure_at,
            "reauth_required": self._reauth_required,
        }
        tmp = self._path.with_suffix(".tmp")
        tmp.write_text(json.dumps(payload), encoding="utf-8")
        os.replace(tmp, self._path)
