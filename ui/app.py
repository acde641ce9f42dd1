"""Start-up: the QApplication, logging, translations, style, services and the main window."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtWidgets import QApplication

from app.errors import JiafangError, RegistrationIncompleteError
from app.services.profiles import ProfileDirectory, ProfileInfo
from app.services.session import (
    AccountService,
    RegisterFn,
    Registration,
    RegistrationRequest,
)
from app.services.settings import SettingsFile
from sync.client import (
    ClientConfig,
    fetch_lease,
    hold_lease,
    register_device,
    sign_in_device,
)
from sync.client.transport import Transport
from ui.gcpolicy import GuiThreadCollector
from ui.i18n import DEFAULT_LANGUAGE, LANGUAGES, LanguageManager
from ui.qtlog import install_qt_message_handler
from ui.shell import MainWindow
from ui.style import apply_style
from ui.sync_controller import SyncController

logger = logging.getLogger(__name__)


def server_registration(request: RegistrationRequest) -> Registration:
    """Register this laptop with the server (the sync client's call); runs on a worker thread.

    A device an earlier, failed attempt left on the server is signed in with rather than
    registered again; a failure after the server recorded the device says so
    (`RegistrationIncompleteError`), so the next attempt re-uses it."""
    config = ClientConfig(server_url=request.server_url)
    pair = None
    if request.resume_device_id is not None:
        pair = sign_in_device(config, request.account, request.password, request.resume_device_id)
    if pair is None:
        pair = register_device(
            config,
            request.account,
            request.password,
            request.device_public_key,
            name=request.account,
        )
    try:
        # The first lease pins the server's lease key on this laptop from its first contact.
        grant = fetch_lease(config, pair.access_token)
        lease = (
            hold_lease(grant, user_id=pair.user_id, device_id=pair.device_id, now=datetime.now(UTC))
            if grant is not None
            else None
        )
    except JiafangError as exc:
        raise RegistrationIncompleteError(pair.device_id, exc) from exc
    return Registration(
        user_id=pair.user_id,
        device_id=pair.device_id,
        display_name=request.account,
        role=pair.role,
        tokens=pair,
        lease=lease,
    )


def server_password_check(profile: ProfileInfo, password: str) -> None:
    """Ask the server whether this account's password is right (lifts the offline lock-out)."""
    transport = Transport(ClientConfig(server_url=profile.server_url))
    try:
        transport.request(
            "POST",
            "/v1/auth/login",
            json_body={
                "username": profile.account,
                "password": password,
                "device_id": profile.device_id,
            },
            authenticated=False,
        )
    finally:
        transport.close()


def server_registration_unavailable(request: RegistrationRequest) -> Registration:
    """For runs that must not touch a network (installation self-test): a typed refusal."""
    raise JiafangError(
        "无法连接服务器完成登记，请检查网络后重试",
        "Cannot reach the server to register this laptop; check the network and try again",
        code="server_unavailable",
    )


def demo_registration(request: RegistrationRequest) -> Registration:
    """Offline demo mode: accept any account locally (no server), so the screens can be tried."""
    return Registration(
        user_id=f"demo-{request.account}",
        device_id=str(uuid.uuid4()),
        display_name=request.account,
        role="field_worker",
    )


@dataclass
class AppContext:
    app: QApplication
    window: MainWindow
    language: LanguageManager
    collector: GuiThreadCollector


def build_app(
    *,
    profile_dir: Path | None = None,
    language: str | None = None,
    register: RegisterFn = server_registration,
    with_sync: bool = True,
    idle_lock_seconds: float | None = None,
    argv: list[str] | None = None,
) -> AppContext:
    """The app: `language` and `idle_lock_seconds` default to the saved settings."""
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(argv or ["jiafang"])
    app.setApplicationName("Jiafang")
    app.setOrganizationName("Jiafang")
    apply_style(app)
    directory = ProfileDirectory(profile_dir)
    settings_file = SettingsFile(directory.base_dir)
    settings = settings_file.load()
    chosen = language or settings.language or DEFAULT_LANGUAGE
    languages = LanguageManager()
    languages.install(chosen if chosen in LANGUAGES else DEFAULT_LANGUAGE)
    accounts = AccountService(directory, register=register)
    window = MainWindow(
        accounts,
        languages,
        idle_lock_seconds=idle_lock_seconds or settings.idle_lock_minutes * 60,
        settings=settings_file,
        sync=SyncController() if with_sync else None,
        online_check=server_password_check if with_sync else None,
    )
    collector = GuiThreadCollector(app)
    collector.start()
    return AppContext(app, window, languages, collector)


def configure_logging(level: int = logging.INFO) -> None:
    logging.basicConfig(
        level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s", force=False
    )
    install_qt_message_handler()
