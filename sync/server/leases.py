"""Offline leases (DESIGN §3): signed at every sync with the deployment's lease key.

The length comes from the settings: `lease_ttl_s` (7 days by default) and, shorter,
`contractor_lease_ttl_s` (2 days) for third-party contractors, whose households leave their
laptop when the lease lapses. A revoked user or device never gets here: authentication answers
403 `revoked` first.
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

from app.domain import Role
from app.lease import OfflineLease, public_key_bytes, sign_lease
from sync.protocol import LeaseGrant
from sync.server.authz import Principal
from sync.server.config import Settings
from sync.server.crypto import ServerKeys


def lease_length(settings: Settings, role: Role) -> timedelta:
    seconds = settings.contractor_lease_ttl_s if role is Role.CONTRACTOR else settings.lease_ttl_s
    return timedelta(seconds=seconds)


def lease_public_key(keys: ServerKeys) -> str:
    return base64.b64encode(public_key_bytes(keys.lease_signing_key)).decode("ascii")


def issue_lease(
    settings: Settings, keys: ServerKeys, principal: Principal, now: datetime
) -> LeaseGrant:
    issued = now.astimezone(UTC).replace(microsecond=0)
    lease = OfflineLease(
        user_id=principal.user_id,
        device_id=principal.device_id,
        role=principal.role.value,
        issued_at=issued,
        expires_at=issued + lease_length(settings, principal.role),
    )
    signed = sign_lease(keys.lease_signing_key, lease)
    wire = signed.to_wire()
    return LeaseGrant(
        payload=wire["payload"],
        signature=wire["signature"],
        public_key=lease_public_key(keys),
        expires_at=lease.expires_at,
    )
