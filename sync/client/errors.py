"""Typed errors of the sync client, each with a stable code and a Chinese and English message."""

from __future__ import annotations

from typing import Any

from app.errors import JiafangError


class SyncError(JiafangError):
    """The sync could not finish; the local data is consistent and the next run continues."""

    code = "sync"


class OfflineError(SyncError):
    """The server could not be reached (or kept failing) after every retry."""

    code = "offline"

    def __init__(self, detail: str = "") -> None:
        super().__init__(
            "无法连接服务器，稍后将自动重试",
            "The server cannot be reached; sync will retry later"
            + (f" ({detail})" if detail else ""),
        )


class CancelledError(SyncError):
    code = "cancelled"

    def __init__(self) -> None:
        super().__init__("同步已取消", "The sync was cancelled")


class AuthRequiredError(SyncError):
    """No valid token and no password at hand: the user must sign in online again."""

    code = "auth_required"

    def __init__(self, server_code: str = "unauthenticated") -> None:
        super().__init__("请重新输入密码登录服务器", "Sign in to the server again")
        self.server_code = server_code


class RevokedError(SyncError):
    """The server answered `revoked`: this device or account is withdrawn."""

    code = "revoked"

    def __init__(self) -> None:
        super().__init__("此设备或账户已被停用", "This device or account is revoked")


class UpgradeRequiredError(SyncError):
    code = "upgrade_required"

    def __init__(self) -> None:
        super().__init__("软件版本过旧，请升级后再同步", "This app is too old; upgrade it to sync")


class ServerTooOldError(SyncError):
    code = "server_too_old"

    def __init__(self) -> None:
        super().__init__(
            "服务器版本低于本软件，暂不上传", "The server is older than this app; nothing was sent"
        )


class ApiAnswerError(SyncError):
    """A definite 4xx answer from the server (not retried), with its `ErrorBody` code."""

    def __init__(
        self, status: int, server_code: str, message_zh: str, message_en: str, detail: Any
    ) -> None:
        super().__init__(message_zh, message_en, code="server_" + server_code)
        self.status = status
        self.server_code = server_code
        self.detail = detail if isinstance(detail, dict) else {}


class TlsError(SyncError):
    """The server's certificate does not verify against the configured CA bundle. Not retried:
    waiting does not fix a wrong certificate (or an interception)."""

    code = "tls"

    def __init__(self, reason: str = "") -> None:
        why = f" ({reason})" if reason else ""
        super().__init__(
            f"服务器证书校验失败{why}，连接已拒绝；请检查为此服务器配置的 CA 证书，或联系管理员",
            f"The server's certificate could not be verified{why}; the connection was refused. "
            "Check the CA bundle configured for this server, or ask the administrator",
        )
