"""Typed server errors: each carries an HTTP status and a stable `ErrorCode` for the body."""

from __future__ import annotations

from typing import Any

from app.errors import JiafangError
from sync.protocol import ErrorCode


class ConfigError(JiafangError):
    """The server cannot start with this configuration."""

    code = "config"


class ApiError(JiafangError):
    """An error answered to the client as `ErrorBody` with `status`."""

    status: int = 400

    def __init__(
        self,
        status: int,
        code: ErrorCode | str,
        message_zh: str,
        message_en: str,
        *,
        detail: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message_zh, message_en, code=str(code))
        self.status = status
        self.detail = detail
        self.headers = headers


def unauthenticated(code: ErrorCode = ErrorCode.UNAUTHENTICATED) -> ApiError:
    return ApiError(
        401,
        code,
        "请重新登录",
        "Authentication required",
        headers={"WWW-Authenticate": "Bearer"},
    )


def revoked() -> ApiError:
    # A definite answer: the client destroys its keys and wipes local data on this code.
    return ApiError(
        403, ErrorCode.REVOKED, "此设备或账户已被停用", "This device or account is revoked"
    )


def forbidden(what_zh: str = "此操作", what_en: str = "this") -> ApiError:
    return ApiError(
        403, ErrorCode.FORBIDDEN, f"无权访问{what_zh}", f"You are not allowed to access {what_en}"
    )


def not_found() -> ApiError:
    return ApiError(404, ErrorCode.NOT_FOUND, "未找到", "Not found")
