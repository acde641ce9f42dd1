"""Profiles on a shared laptop: one folder (and one encrypted store) per account.

Layout under the base directory (the platform data dir by default)::

    profiles/<profile_id>/profile.json     account, server, user and device ids (no secrets)
    profiles/<profile_id>/store.sqlite3    the account's encrypted store (its own vault)
    profiles/<profile_id>/unlock_state.json wrong-password back-off

Each account has its own vault and password, so one account's password opens nothing of another's.
`profile.json` holds only what the sign-in screen must show before unlocking: the login name and
server address of the worker, never household data.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import platformdirs

from app.services.backoff import STATE_FILE_NAME, BackoffPolicy, UnlockBackoff
from app.services.errors import ProfileError

logger = logging.getLogger(__name__)

APP_NAME = "Jiafang"
PROFILE_FILE_NAME = "profile.json"
STORE_FILE_NAME = "store.sqlite3"
#: devices the server registered for an account whose registration did not finish here
PENDING_FILE_NAME = "pending_registrations.json"
_PROFILE_ID_RE = re.compile(r"^[0-9a-f]{32}$")


def default_base_dir() -> Path:
    """The per-user data folder of this platform (e.g. ~/.local/share/Jiafang)."""
    return platformdirs.user_data_path(APP_NAME, appauthor=False)


def normalise_server_url(url: str) -> str:
    """Trim blanks and trailing slashes; require http(s) so a typo is caught at registration."""
    cleaned = url.strip().rstrip("/")
    if not re.match(r"^https?://[^\s/]+", cleaned):
        raise ProfileError(
            "服务器地址应以 http:// 或 https:// 开头",
            "The server address must start with http:// or https://",
            code="profile_server_url",
        )
    return cleaned


@dataclass(frozen=True)
class ProfileInfo:
    """One account's profile on this laptop (a read model: no store, no keys)."""

    profile_id: str
    path: Path
    account: str
    server_url: str
    user_id: str
    device_id: str
    display_name: str
    role: str
    created_at: datetime

    @property
    def store_path(self) -> Path:
        return self.path / STORE_FILE_NAME

    @property
    def has_store(self) -> bool:
        return self.store_path.exists()

    def backoff(self, policy: BackoffPolicy | None = None) -> UnlockBackoff:
        return UnlockBackoff(self.path / STATE_FILE_NAME, policy)


class ProfileDirectory:
    """Lists, creates and finds profiles under `base_dir/profiles`."""

    def __init__(self, base_dir: Path | None = None) -> None:
        self.base_dir = Path(base_dir) if base_dir is not None else default_base_dir()
        self.profiles_dir = self.base_dir / "profiles"

    def list(self) -> list[ProfileInfo]:
        """Every readable profile, most recently created first; damaged ones are skipped."""
        if not self.profiles_dir.is_dir():
            return []
        found: list[ProfileInfo] = []
        for child in self.profiles_dir.iterdir():
            if not (child.is_dir() and _PROFILE_ID_RE.match(child.name)):
                continue
            try:
                found.append(self._read(child))
            except ProfileError:
                logger.warning("skipping an unreadable profile folder %s", child.name)
        found.sort(key=lambda p: p.created_at, reverse=True)
        return found

    def find(self, account: str, server_url: str) -> ProfileInfo | None:
        server = normalise_server_url(server_url)
        key = account.strip().casefold()
        for profile in self.list():
            if profile.account.casefold() == key and profile.server_url == server:
                return profile
        return None

    def get(self, profile_id: str) -> ProfileInfo:
        if not _PROFILE_ID_RE.match(profile_id):
            raise ProfileError("档案编号无效", "Invalid profile id", code="profile_missing")
        path = self.profiles_dir / profile_id
        if not path.is_dir():
            raise ProfileError("找不到该账号档案", "Profile not found", code="profile_missing")
        return self._read(path)

    def create(
        self,
        *,
        account: str,
        server_url: str,
        user_id: str,
        device_id: str,
        display_name: str = "",
        role: str = "field_worker",
    ) -> ProfileInfo:
        """Make the folder and `profile.json`; the caller then creates the store inside it."""
        account = account.strip()
        if not account:
            raise ProfileError("请输入账号", "Enter the account name", code="profile_account")
        server = normalise_server_url(server_url)
        if self.find(account, server) is not None:
            raise ProfileError(
                "该账号已在本机登记",
                "This account is already registered on this laptop",
                code="profile_exists",
            )
        profile_id = os.urandom(16).hex()
        path = self.profiles_dir / profile_id
        self.profiles_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        # Owner-only folder: other OS users of a shared laptop cannot even list the files.
        path.mkdir(mode=0o700)
        info = ProfileInfo(
            profile_id=profile_id,
            path=path,
            account=account,
            server_url=server,
            user_id=user_id,
            device_id=device_id,
            display_name=display_name or account,
            role=role,
            created_at=datetime.now(UTC),
        )
        self._write(info)
        logger.info("created profile %s", profile_id)
        return info

    # -- registrations that did not finish ------------------------------------------------

    @staticmethod
    def _pending_key(account: str, server_url: str) -> str:
        return f"{normalise_server_url(server_url)} {account.strip().casefold()}"

    def _pending(self) -> dict[str, str]:
        try:
            raw = json.loads((self.base_dir / PENDING_FILE_NAME).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return {str(k): str(v) for k, v in raw.items()} if isinstance(raw, dict) else {}

    def _write_pending(self, pending: dict[str, str]) -> None:
        target = self.base_dir / PENDING_FILE_NAME
        if not pending:
            target.unlink(missing_ok=True)
            return
        self.base_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = target.with_suffix(".tmp")
        tmp.write_text(json.dumps(pending, indent=2), encoding="utf-8")
        os.replace(tmp, target)

    def pending_device(self, account: str, server_url: str) -> str | None:
        """The device the server registered for this account when its registration on this
        laptop failed half-way (a retry signs in with it instead of registering another)."""
        return self._pending().get(self._pending_key(account, server_url))

    def remember_pending_device(self, account: str, server_url: str, device_id: str) -> None:
        pending = self._pending()
        pending[self._pending_key(account, server_url)] = device_id
        self._write_pending(pending)

    def forget_pending_device(self, account: str, server_url: str) -> None:
        pending = self._pending()
        if pending.pop(self._pending_key(account, server_url), None) is not None:
            self._write_pending(pending)

    def discard_new(self, profile: ProfileInfo) -> None:
        """Undo a `create` whose registration failed half-way (store possibly half-made).

        Only for a profile created in the same, failed registration: nothing in it was ever
        usable, so its whole folder goes.
        """
        if profile.path.parent != self.profiles_dir or not _PROFILE_ID_RE.match(profile.path.name):
            raise ProfileError("档案路径无效", "Invalid profile folder", code="profile_path")
        shutil.rmtree(profile.path)
        logger.info("discarded unfinished profile %s", profile.profile_id)

    def _write(self, info: ProfileInfo) -> None:
        payload = {
            "profile_id": info.profile_id,
            "account": info.account,
            "server_url": info.server_url,
            "user_id": info.user_id,
            "device_id": info.device_id,
            "display_name": info.display_name,
            "role": info.role,
            "created_at": info.created_at.isoformat(),
        }
        target = info.path / PROFILE_FILE_NAME
        tmp = target.with_suffix(".tmp")
        tmp.write_text(json.dumps(payload, ensure_ascii=False, indent=2), encoding="utf-8")
        os.replace(tmp, target)

    def _read(self, path: Path) -> ProfileInfo:
        try:
            raw = json.loads((path / PROFILE_FILE_NAME).read_text(encoding="utf-8"))
            return ProfileInfo(
                profile_id=path.name,
                path=path,
                account=str(raw["account"]),
                server_url=str(raw["server_url"]),
                user_id=str(raw["user_id"]),
                device_id=str(raw["device_id"]),
                display_name=str(raw.get("display_name") or raw["account"]),
                role=str(raw.get("role", "field_worker")),
                created_at=datetime.fromisoformat(str(raw["created_at"])),
            )
        except (OSError, ValueError, KeyError) as exc:
            raise ProfileError(
                "账号档案已损坏", "The profile file is damaged", code="profile_damaged"
            ) from exc
