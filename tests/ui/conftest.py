"""Fixtures for the desktop client tests: a profile folder with a demo account, the window."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.crypto import KdfParams
from app.services.backoff import BackoffPolicy
from app.services.profiles import ProfileDirectory, ProfileInfo
from app.services.session import AccountService, Registration, RegistrationRequest
from tests.sync.e2e.fixtures import server  # noqa: F401  (live server, for test_sync_e2e)
from ui.i18n import LanguageManager
from ui.shell import MainWindow

PASSWORD = "correct horse battery"
SERVER = "https://jiafang.example.cn"


def fake_server_register(request: RegistrationRequest) -> Registration:
    # Answers like the server would, for the tests that are not about the server.
    account = request.account
    return Registration(
        user_id=f"user-{account}", device_id=f"device-{account}", display_name="王芳"
    )


def make_accounts(base: Path, backoff: BackoffPolicy | None = None) -> AccountService:
    return AccountService(
        ProfileDirectory(base),
        register=fake_server_register,
        kdf=KdfParams.for_tests(),
        backoff_policy=backoff,
    )


@pytest.fixture
def profile_dir(tmp_path: Path) -> Path:
    return tmp_path / "profiles"


@pytest.fixture
def demo_profile(profile_dir: Path) -> ProfileInfo:
    """A registered account whose store holds 40 synthetic households."""
    session = make_accounts(profile_dir).register(SERVER, "wangfang", PASSWORD)
    session.seed_demo_data(seed=7, households=40)
    session.close()
    return session.profile


@pytest.fixture
def language(qapp: object) -> Iterator[LanguageManager]:
    manager = LanguageManager()
    manager.install("zh_CN")
    yield manager
    # Leave the application as found: no translator of this test stays installed.
    manager.uninstall()


@pytest.fixture
def make_window(qtbot: QtBot, language: LanguageManager, profile_dir: Path) -> Iterator[object]:
    windows: list[MainWindow] = []

    def factory(
        *, idle_lock_seconds: float = 300.0, backoff: BackoffPolicy | None = None
    ) -> MainWindow:
        window = MainWindow(
            make_accounts(profile_dir, backoff), language, idle_lock_seconds=idle_lock_seconds
        )
        qtbot.addWidget(window)
        window.resize(1366, 768)
        window.start()
        window.show()
        windows.append(window)
        return window

    yield factory
    for window in windows:
        window.close()
    windows.clear()
    # Collect the closed windows' reference cycles here, on the GUI thread: left for later,
    # a collection triggered on some worker thread would delete Qt widgets off their thread.
    gc.collect()
