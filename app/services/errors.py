"""Typed errors raised by the use-case services (codes are stable; the UI translates them)."""

from __future__ import annotations

from app.errors import JiafangError


class ProfileError(JiafangError):
    """A profile (one account's folder and vault on this laptop) cannot be created or opened."""

    code = "profile"


class UnlockThrottledError(JiafangError):
    """Too many wrong passwords: the next attempt is refused until the wait has passed."""

    code = "unlock_wait"

    def __init__(self, wait_seconds: float) -> None:
        seconds = max(1, round(wait_seconds))
        super().__init__(
            f"密码错误次数过多，请在 {seconds} 秒后重试",
            f"Too many wrong passwords; try again in {seconds} s",
        )
        self.wait_seconds = float(wait_seconds)


class ReauthenticationRequiredError(JiafangError):
    """After too many wrong passwords the laptop must sign in to the server again."""

    code = "reauth_required"

    def __init__(self) -> None:
        super().__init__(
            "密码错误次数过多，本机已锁定，需要联网重新登录",
            "Too many wrong passwords: this laptop is locked until you sign in online again",
        )
