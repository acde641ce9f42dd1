"""The server-signed offline lease (DESIGN §3): how long a laptop may work without syncing.

The server signs a small record (user, device, role, issue time and expiry, both on the
server's clock) with Ed25519 at every sync; the laptop pins the server's lease key at
registration and keeps the newest lease sealed in its store (a profile registered without one
keeps a sealed "not issued" mark instead; a missing record counts as lapsed, so a profile from
before leases stays locked until its next, TLS-verified, sync pins the key). While the lease
holds, household data opens as usual; once it lapses the data stays locked until a sync renews
it, and a contractor's households are purged (issue 7).

Time is judged on the laptop's own clock, measured from the moment the lease arrived: the lease
runs `expires_at - issued_at` from `received_at`. A laptop whose clock is consistently off (a
wrong time zone is common on field laptops) is therefore neither locked early nor given extra
days. A clock turned back after the sync is caught by a high-water mark of the latest local time
seen (at receipt and at each check): a clock earlier than that, beyond a small tolerance for
NTP steps, counts as a lapsed lease.

Pure: no Qt, no HTTP, no store. `app.services.session` enforces it; the sync client fetches it.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any, Final

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from app.domain import Role
from app.errors import JiafangError

LEASE_FORMAT: Final = 1
#: Kept, sealed, in the lease's place by a profile registered without one (the offline demo, a
#: server that issues none): only a record the vault vouches for switches enforcement off, so
#: deleting the lease from the file locks the data instead of freeing it.
NOT_ISSUED: Final = "not_issued"
#: How far the clock may step back (NTP corrections) before it counts as turned back.
CLOCK_TOLERANCE: Final = timedelta(minutes=5)


class LeaseError(JiafangError):
    """A lease that cannot be trusted: malformed, signed by another key, or for someone else."""

    code = "lease_invalid"


class LeaseExpiredError(JiafangError):
    """Household data was asked for after the offline lease lapsed (or the clock was turned
    back): the user must sync to renew it."""

    code = "lease_expired"

    def __init__(
        self,
        *,
        clock_turned_back: bool = False,
        purged: int = 0,
        kept: int = 0,
        purges_on_lapse: bool = False,
    ) -> None:
        if clock_turned_back:
            zh = "电脑时间早于上次使用时间，数据已锁定；请校正时间并同步后继续"
            en = (
                "This laptop's clock is earlier than when it was last used; the data is "
                "locked. Correct the clock and sync to continue"
            )
        else:
            zh = "离线授权已过期，数据已锁定；请连接网络同步后继续"
            en = "The offline lease has lapsed and the data is locked; sync to continue"
        super().__init__(zh, en, code="lease_clock" if clock_turned_back else "lease_expired")
        self.clock_turned_back = clock_turned_back
        #: households removed from this laptop because the lease of a contractor lapsed
        self.purged = purged
        #: households of that contractor kept, locked, until their unsent work is synced
        self.kept = kept
        #: the lease was a contractor's: their households leave the laptop
        self.purges_on_lapse = purges_on_lapse


def _utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("lease times must be timezone-aware")
    return value.astimezone(UTC)


def _stamp(value: datetime) -> str:
    return _utc(value).isoformat(timespec="seconds")


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise LeaseError("离线授权格式错误", "The offline lease is malformed") from exc


@dataclass(frozen=True)
class OfflineLease:
    """What the server grants: this user on this device may work offline until `expires_at`.
    Both times are on the server's clock."""

    user_id: str
    device_id: str
    role: str
    issued_at: datetime
    expires_at: datetime

    @property
    def duration(self) -> timedelta:
        return self.expires_at - self.issued_at

    @property
    def purges_on_lapse(self) -> bool:
        """A contractor's households leave the laptop when the lease lapses (issue 7)."""
        return self.role == Role.CONTRACTOR.value

    def canonical_bytes(self) -> bytes:
        """The signed bytes: sorted-key compact JSON, times in UTC to the second."""
        body = {
            "format": LEASE_FORMAT,
            "user_id": self.user_id,
            "device_id": self.device_id,
            "role": self.role,
            "issued_at": _stamp(self.issued_at),
            "expires_at": _stamp(self.expires_at),
        }
        return json.dumps(body, sort_keys=True, separators=(",", ":")).encode()

    @classmethod
    def from_canonical_bytes(cls, data: bytes) -> OfflineLease:
        try:
            body = json.loads(data)
            if body.get("format") != LEASE_FORMAT:
                raise ValueError("unknown lease format")
            lease = cls(
                user_id=str(body["user_id"]),
                device_id=str(body["device_id"]),
                role=str(body["role"]),
                issued_at=_utc(datetime.fromisoformat(str(body["issued_at"]))),
                expires_at=_utc(datetime.fromisoformat(str(body["expires_at"]))),
            )
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise LeaseError("离线授权格式错误", "The offline lease is malformed") from exc
        if lease.expires_at <= lease.issued_at:
            raise LeaseError("离线授权格式错误", "The offline lease is malformed")
        return lease


@dataclass(frozen=True)
class SignedLease:
    """The canonical lease bytes and the server's Ed25519 signature over them."""

    payload: bytes
    signature: bytes

    def to_wire(self) -> dict[str, str]:
        return {"payload": _b64(self.payload), "signature": _b64(self.signature)}

    @classmethod
    def from_wire(cls, payload: str, signature: str) -> SignedLease:
        return cls(payload=_unb64(payload), signature=_unb64(signature))


def public_key_bytes(private_key: Ed25519PrivateKey) -> bytes:
    return private_key.public_key().public_bytes_raw()


def sign_lease(private_key: Ed25519PrivateKey, lease: OfflineLease) -> SignedLease:
    payload = lease.canonical_bytes()
    return SignedLease(payload=payload, signature=private_key.sign(payload))


def verify_lease(
    public_key: bytes, signed: SignedLease, *, user_id: str, device_id: str
) -> OfflineLease:
    """The lease, if `public_key` signed exactly these bytes for this user on this device."""
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signed.signature, signed.payload)
    except (InvalidSignature, ValueError) as exc:
        raise LeaseError(
            "离线授权签名无效", "The offline lease is not signed by this server"
        ) from exc
    lease = OfflineLease.from_canonical_bytes(signed.payload)
    if lease.user_id != user_id or lease.device_id != device_id:
        raise LeaseError(
            "离线授权不属于本账号或本机",
            "The offline lease is for another account or laptop",
        )
    return lease


def not_issued_record() -> dict[str, Any]:
    """What a profile registered without a lease keeps instead (`NOT_ISSUED`)."""
    return {NOT_ISSUED: True}


def is_not_issued(record: dict[str, Any]) -> bool:
    return record.get(NOT_ISSUED) is True


class LeaseState(StrEnum):
    #: no lease was issued at registration (the offline demo, a server without leases):
    #: nothing is enforced until a sync brings one
    NONE = "none"
    VALID = "valid"
    EXPIRED = "expired"
    #: the clock is earlier than a time this laptop has already seen: treated as lapsed
    CLOCK_TURNED_BACK = "clock_turned_back"


@dataclass(frozen=True)
class HeldLease:
    """The lease as the laptop keeps it: what was signed, the key that signed it (pinned) and
    the local clock readings that judge it."""

    public_key: bytes
    signed: SignedLease
    lease: OfflineLease
    #: local clock when the lease arrived
    received_at: datetime
    #: latest local clock reading seen (receipt or a later check)
    clock_high_water: datetime

    @property
    def local_expiry(self) -> datetime:
        """When the lease lapses on this laptop's clock."""
        return self.received_at + self.lease.duration

    def state(self, now: datetime) -> LeaseState:
        now = _utc(now)
        if now < max(self.received_at, self.clock_high_water) - CLOCK_TOLERANCE:
            return LeaseState.CLOCK_TURNED_BACK
        if now >= self.local_expiry:
            return LeaseState.EXPIRED
        return LeaseState.VALID

    def seen(self, now: datetime) -> HeldLease:
        """This lease with the high-water mark moved up to `now` (never down)."""
        now = _utc(now)
        if now <= self.clock_high_water:
            return self
        return HeldLease(self.public_key, self.signed, self.lease, self.received_at, now)

    def to_record(self) -> dict[str, Any]:
        return {
            "public_key": _b64(self.public_key),
            **self.signed.to_wire(),
            "received_at": _stamp(self.received_at),
            "clock_high_water": _stamp(self.clock_high_water),
        }

    @classmethod
    def from_record(cls, record: dict[str, Any], *, user_id: str, device_id: str) -> HeldLease:
        """Read back what `to_record` wrote; the signature is checked again on every read."""
        try:
            public_key = _unb64(str(record["public_key"]))
            signed = SignedLease.from_wire(str(record["payload"]), str(record["signature"]))
            received_at = _utc(datetime.fromisoformat(str(record["received_at"])))
            high_water = _utc(datetime.fromisoformat(str(record["clock_high_water"])))
        except (KeyError, ValueError, TypeError) as exc:
            raise LeaseError("离线授权格式错误", "The offline lease is malformed") from exc
        lease = verify_lease(public_key, signed, user_id=user_id, device_id=device_id)
        return cls(public_key, signed, lease, received_at, high_water)

    @classmethod
    def accept(
        cls,
        public_key: bytes,
        signed: SignedLease,
        *,
        user_id: str,
        device_id: str,
        now: datetime,
    ) -> HeldLease:
        """A freshly fetched lease, verified against `public_key` (the pinned key, or the one
        the server just named when none is pinned yet).

        The clock mark starts again at `now`: what it guards against is working on without
        contacting the server, and this is such a contact. (Carrying the old mark over would
        lock out for good a laptop whose clock was once set too far ahead.)"""
        lease = verify_lease(public_key, signed, user_id=user_id, device_id=device_id)
        now = _utc(now)
        return cls(public_key, signed, lease, now, now)
