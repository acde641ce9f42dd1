"""Login, device registration, token rotation and per-request authentication.

Tokens are opaque random strings; the server stores only their SHA-256, so a database leak
yields no usable token. An access token lives minutes; a refresh token is single-use: each
refresh marks it used and issues a new pair in the same *family* (one login on one device).
A used refresh token presented again means a copy exists somewhere: the whole family is revoked
and both holders must log in again. Every request looks up its token, its family, its device
and its user, so a revocation takes effect on the very next request.

Failed logins are counted per user name, existing or not (keyed by an HMAC of the name), and
the password check runs against a dummy hash for unknown names, so neither the answer, the
lockout nor the timing tells whether an account exists.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import datetime, timedelta

from sqlmodel import Session, col, delete, select

from app.domain import Role
from sync.protocol import ErrorCode, TokenPair
from sync.server.audit import AuditEvent, record_event
from sync.server.authz import Principal
from sync.server.config import Settings
from sync.server.crypto import ServerKeys
from sync.server.errors import ApiError, revoked, unauthenticated
from sync.server.ids import uuid7
from sync.server.models import (
    AccessToken,
    Device,
    LoginThrottle,
    RefreshToken,
    TokenFamily,
    User,
)
from sync.server.passwords import hash_password, verify_password

logger = logging.getLogger(__name__)

#: Family revocation reasons that mean "this device or account is gone" (client wipes).
_WIPE_REASONS = frozenset({"device_revoked", "user_revoked"})


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Authenticator:
    """Auth flows bound to one server's settings and keys."""

    def __init__(self, settings: Settings, keys: ServerKeys) -> None:
        self.settings = settings
        self.keys = keys
        # Same cost as real hashes, so unknown names take as long as wrong passwords.
        self._dummy_hash = hash_password(secrets.token_urlsafe(16), settings.argon2)

    # ------------------------------------------------------------------ passwords, lockout

    def check_credentials(
        self, session: Session, username: str, password: str, now: datetime
    ) -> User:
        """The user if the password is right; otherwise one answer for every kind of failure.

        Commits the failure counter itself, because the caller's transaction is abandoned
        when the error propagates.
        """
        key = self.keys.username_key_for(username)
        throttle = session.get(LoginThrottle, key)
        if (
            throttle is not None
            and throttle.locked_until is not None
            and throttle.locked_until > now
        ):
            raise _locked(throttle.locked_until, now)
        user = session.exec(select(User).where(User.username == username.strip().lower())).first()
        password_ok = verify_password(password, user.password_hash if user else self._dummy_hash)
        if user is None or not password_ok:
            self._count_failure(session, key, throttle, now)
            session.commit()
            logger.info("failed login")
            raise ApiError(
                401,
                ErrorCode.INVALID_CREDENTIALS,
                "用户名或密码错误",
                "Wrong user name or password",
            )
        if throttle is not None:
            session.delete(throttle)
        if user.revoked_at is not None:
            raise revoked()
        return user

    def _count_failure(
        self, session: Session, key: str, throttle: LoginThrottle | None, now: datetime
    ) -> None:
        if throttle is None:
            throttle = LoginThrottle(key=key, failures=0)
        throttle.failures += 1
        throttle.last_failure_at = now
        over = throttle.failures - self.settings.lockout_threshold
        if over >= 0:
            seconds = min(self.settings.lockout_base_s * (2**over), self.settings.lockout_max_s)
            throttle.locked_until = now + timedelta(seconds=seconds)
        session.add(throttle)

    # ------------------------------------------------------------------ tokens

    def issue(
        self, session: Session, user: User, device: Device, family_id: str | None, now: datetime
    ) -> TokenPair:
        if family_id is None:
            family_id = uuid7()
            session.add(
                TokenFamily(id=family_id, user_id=user.id, device_id=device.id, created_at=now)
            )
            session.flush()
        access, refresh = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        session.add(
            AccessToken(
                token_hash=token_hash(access),
                family_id=family_id,
                expires_at=now + timedelta(seconds=self.settings.access_token_ttl_s),
            )
        )
        session.add(
            RefreshToken(
                token_hash=token_hash(refresh),
                family_id=family_id,
                created_at=now,
                expires_at=now + timedelta(seconds=self.settings.refresh_token_ttl_s),
            )
        )
        return TokenPair(
            access_token=access,
            refresh_token=refresh,
            expires_in=self.settings.access_token_ttl_s,
            refresh_expires_in=self.settings.refresh_token_ttl_s,
            user_id=user.id,
            device_id=device.id,
            role=user.role,
        )

    def login(
        self, session: Session, username: str, password: str, device_id: str, now: datetime
    ) -> TokenPair:
        user = self.check_credentials(session, username, password, now)
        device = session.get(Device, device_id)
        if device is None or device.user_id != user.id:
            raise ApiError(
                403,
                ErrorCode.DEVICE_MISMATCH,
                "此设备未登记在该账户下，请重新登记设备",
                "This device is not registered to this account; register it again",
            )
        if device.revoked_at is not None:
            raise revoked()
        pair = self.issue(session, user, device, None, now)
        record_event(session, AuditEvent(action="login", user_id=user.id, device_id=device.id))
        return pair

    def refresh(
        self, session: Session, refresh_token: str, device_id: str, now: datetime
    ) -> TokenPair:
        row = session.get(RefreshToken, token_hash(refresh_token))
        if row is None:
            raise unauthenticated()
        family = session.get(TokenFamily, row.family_id)
        if family is None:
            raise unauthenticated()
        user = session.get(User, family.user_id)
        device = session.get(Device, family.device_id)
        if user is None or device is None or user.revoked_at or device.revoked_at:
            raise revoked()
        if family.revoked_at is not None:
            raise unauthenticated(
                ErrorCode.TOKEN_REUSED
                if family.revoke_reason == "token_reused"
                else ErrorCode.UNAUTHENTICATED
            )
        if row.used_at is not None or device_id != family.device_id:
            reason = "token_reused" if row.used_at is not None else "device_mismatch"
            self.revoke_family(session, family, reason, now)
            session.commit()
            logger.warning("refresh token family revoked: %s", reason)
            raise unauthenticated(
                ErrorCode.TOKEN_REUSED if reason == "token_reused" else ErrorCode.DEVICE_MISMATCH
            )
        if row.expires_at <= now:
            raise unauthenticated(ErrorCode.TOKEN_EXPIRED)
        row.used_at = now
        session.add(row)
        # The old access tokens of this family die with the rotation.
        session.exec(delete(AccessToken).where(col(AccessToken.family_id) == family.id))
        return self.issue(session, user, device, family.id, now)

    def revoke_family(
        self, session: Session, family: TokenFamily, reason: str, now: datetime
    ) -> None:
        family.revoked_at, family.revoke_reason = now, reason
        session.add(family)
        record_event(
            session,
            AuditEvent(
                action="tokens_revoked",
                user_id=family.user_id,
                device_id=family.device_id,
                detail={"reason": reason},
            ),
        )

    # ------------------------------------------------------------------ every request

    def authenticate(self, session: Session, access_token: str | None, now: datetime) -> Principal:
        if not access_token:
            raise unauthenticated()
        # One round trip: every request of every laptop passes here.
        found = session.exec(
            select(AccessToken.expires_at, TokenFamily, User, Device)
            .join(TokenFamily, col(TokenFamily.id) == col(AccessToken.family_id))
            .join(User, col(User.id) == col(TokenFamily.user_id))
            .join(Device, col(Device.id) == col(TokenFamily.device_id))
            .where(AccessToken.token_hash == token_hash(access_token))
        ).first()
        if found is None:
            raise unauthenticated()
        expires_at, family, user, device = found
        if user.revoked_at or device.revoked_at:
            raise revoked()
        if family.revoked_at is not None:
            if family.revoke_reason in _WIPE_REASONS:
                raise revoked()
            raise unauthenticated(
                ErrorCode.TOKEN_REUSED
                if family.revoke_reason == "token_reused"
                else ErrorCode.UNAUTHENTICATED
            )
        if expires_at <= now:
            raise unauthenticated(ErrorCode.TOKEN_EXPIRED)
        return Principal(
            user_id=user.id,
            username=user.username,
            role=Role(user.role),
            device_id=device.id,
            agency_id=user.agency_id,
            region_id=user.region_id,
            family_id=family.id,
        )


def _locked(until: datetime, now: datetime) -> ApiError:
    retry_after = max(1, int((until - now).total_seconds()) + 1)
    return ApiError(
        429,
        ErrorCode.LOCKED,
        "尝试次数过多，请稍后再试",
        "Too many attempts; try again later",
        detail={"retry_after_s": retry_after},
        headers={"Retry-After": str(retry_after)},
    )
