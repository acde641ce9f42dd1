"""Offline leases (DESIGN §3): signed at every sync with the deployment's lease key.

The length comes from the settings: `lease_ttl_s` (7 days by default) and, shorter,
`contractor_lease_ttl_s` (2 days) for third-party contractors, whose households leave their
laptop when the lease lapses. A contractor's lease also ends with the last window of their
tasks (contractor access only inside the task window, DESIGN §5): a laptop that stays offline
past it purges the households then, not up to two days later. A revoked user or device never
gets here: authentication answers 403 `revoked` first.
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

from sqlmodel import Session, col, select

from app.domain import Role
from app.lease import OfflineLease, public_key_bytes, sign_lease
from sync.protocol import LeaseGrant
from sync.server.authz import Principal, buckets_for
from sync.server.config import Settings
from sync.server.crypto import ServerKeys
from sync.server.models import Task

#: the shortest lease ever signed (a task window closing within seconds still gets one)
_MIN_LEASE = timedelta(minutes=1)


def lease_length(settings: Settings, role: Role) -> timedelta:
    seconds = settings.contractor_lease_ttl_s if role is Role.CONTRACTOR else settings.lease_ttl_s
    return timedelta(seconds=seconds)


def lease_public_key(keys: ServerKeys) -> str:
    return base64.b64encode(public_key_bytes(keys.lease_signing_key)).decode("ascii")


def task_windows_end(session: Session, principal: Principal, now: datetime) -> datetime | None:
    """When the last window of the tasks `principal` may reach closes (None: a task without an
    end, or no task at all)."""
    task_ids = [
        bucket.split(":", 1)[1]
        for bucket in buckets_for(session, principal, now)
        if bucket.startswith("task:")
    ]
    if not task_ids:
        return None
    ends = list(session.exec(select(Task.window_end).where(col(Task.id).in_(task_ids))))
    if any(end is None for end in ends):
        return None
    return max(end for end in ends if end is not None)


def issue_lease(
    session: Session, settings: Settings, keys: ServerKeys, principal: Principal, now: datetime
) -> LeaseGrant:
    issued = now.astimezone(UTC).replace(microsecond=0)
    expires = issued + lease_length(settings, principal.role)
    if principal.role is Role.CONTRACTOR:
        window_end = task_windows_end(session, principal, now)
        if window_end is not None:
            expires = max(min(expires, window_end.replace(microsecond=0)), issued + _MIN_LEASE)
    lease = OfflineLease(
        user_id=principal.user_id,
        device_id=principal.device_id,
        role=principal.role.value,
        issued_at=issued,
        expires_at=expires,
    )
    signed = sign_lease(keys.lease_signing_key, lease)
    wire = signed.to_wire()
    return LeaseGrant(
        payload=wire["payload"],
        signature=wire["signature"],
        public_key=lease_public_key(keys),
        expires_at=lease.expires_at,
    )
