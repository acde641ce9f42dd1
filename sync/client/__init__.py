"""The sync client: `SyncEngine.run_once` pushes the outbox and pulls the user's buckets."""

from sync.client.config import ClientConfig
from sync.client.engine import (
    SyncEngine,
    SyncProgress,
    SyncReport,
    fetch_lease,
    hold_lease,
    register_device,
    sign_in_device,
)
from sync.client.errors import (
    ApiAnswerError,
    AuthRequiredError,
    CancelledError,
    OfflineError,
    RevokedError,
    SyncError,
    TlsError,
)

__all__ = [
    "ApiAnswerError",
    "AuthRequiredError",
    "CancelledError",
    "ClientConfig",
    "OfflineError",
    "RevokedError",
    "SyncEngine",
    "SyncError",
    "SyncProgress",
    "SyncReport",
    "TlsError",
    "fetch_lease",
    "hold_lease",
    "register_device",
    "sign_in_device",
]
