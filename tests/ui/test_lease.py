"""The offline lease in the app: the status bar says until when the laptop may work offline,
and once the lease lapses the household data disappears behind a banner whose "Sync now"
renews it (real server on loopback; the laptop's clock is a movable one)."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.crypto import KdfParams
from app.lease import HeldLease, OfflineLease, public_key_bytes, sign_lease
from app.services.profiles import ProfileDirectory, ProfileInfo
from app.services.readmodels import SyncStatus
from app.services.session import AccountService, AccountSession, RegistrationRequest
from sync.client import ClientConfig, SyncEngine
from tests.sync.e2e.harness import (
    PASSWORD,
    Laptop,
    LiveServer,
    household_content,
    new_public_key,
)
from tests.ui.conftest import PASSWORD as UI_PASSWORD
from tests.ui.conftest import fake_server_register
from ui.app import server_registration
from ui.i18n import LanguageManager
from ui.shell import MainWindow
from ui.sync_controller import SyncController
from ui.widgets.sync_status import SyncStatusWidget


class MovableClock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC).replace(microsecond=0)

    def __call__(self) -> datetime:
        return self.now


def test_the_status_bar_shows_the_lease_expiry_and_a_lapse(
    qtbot: QtBot, language: LanguageManager
) -> None:
    widget = SyncStatusWidget()
    qtbot.addWidget(widget)
    widget.show()
    assert not widget.lease_label.isVisible()  # no lease (the offline demo): nothing said
    until = datetime(2026, 12, 13, 8, 0, tzinfo=UTC)
    widget.set_status(SyncStatus(online=True, lease_state="valid", lease_expires_at=until))
    assert widget.lease_label.isVisible()
    assert widget.lease_label.text() == "离线授权至 12月13日 16:00"  # China time
    language.install("en")
    assert widget.lease_label.text() == "Offline lease until 13 Dec 16:00"
    widget.set_status(SyncStatus(lease_state="expired", lease_expires_at=until))
    assert widget.lease_label.text() == "Offline lease lapsed: sync to continue"


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock()


@pytest.fixture
def window(
    qtbot: QtBot, language: LanguageManager, tmp_path: Path, clock: MovableClock
) -> Iterator[MainWindow]:
    def engine_factory(
        session: AccountSession, password: str | None, tokens: object | None
    ) -> SyncEngine:
        engine = SyncEngine(
            session.store,
            ClientConfig(
                server_url=session.profile.server_url,
                max_attempts=1,
                backoff_base_s=0.01,
                backoff_max_s=0.05,
            ),
            username=session.profile.account,
            password=password,
            clock=clock,
        )
        if tokens is not None:
            engine.adopt_tokens(tokens)  # type: ignore[arg-type]
        return engine

    accounts = AccountService(
        ProfileDirectory(tmp_path / "profiles"),
        register=server_registration,
        kdf=KdfParams.for_tests(),
        clock=clock,
    )
    sync = SyncController(engine_factory=engine_factory, interval_ms=3_600_000)
    window = MainWindow(accounts, language, sync=sync)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.start()
    window.show()
    yield window
    window.close()
    gc.collect()  # on the GUI thread (see ui/gcpolicy.py)


@pytest.mark.slow
def test_a_lapsed_lease_hides_the_data_until_sync_now_renews_it(
    qtbot: QtBot, window: MainWindow, server: LiveServer, clock: MovableClock, tmp_path: Path
) -> None:
    assert window.sync is not None
    colleague = Laptop.register(server, "fw2", tmp_path / "fw2")
    try:
        colleague.db.create_household(grid_id="G1", content=household_content("赵秀英", 1, 2))
        assert colleague.engine().run_once().ok
    finally:
        colleague.close()

    page = window.registration_page
    page.server_edit.setText(server.url)
    page.account_edit.setText("fw1")
    page.password_edit.setText(PASSWORD)
    page.confirm_edit.setText(PASSWORD)
    with qtbot.wait_signal(
        window.households_loaded, timeout=30_000, check_params_cb=lambda n: n == 1
    ):
        qtbot.mouseClick(page.register_button, Qt.MouseButton.LeftButton)
    qtbot.wait_until(lambda: not window.sync.running, timeout=30_000)
    status = window.sync_status_widget
    expiry = (clock.now + timedelta(days=7)).astimezone(ZoneInfo("Asia/Shanghai"))
    assert status.lease_label.text() == (
        f"离线授权至 {expiry.month}月{expiry.day}日 {expiry:%H:%M}"
    )
    banner = window.workspace.lease_banner
    assert not banner.isVisible()

    # Eight days offline: the background sync finds no server, and the data goes.
    server.stop()
    clock.now += timedelta(days=8)
    with qtbot.wait_signal(window.lease_lapsed, timeout=30_000):
        window.sync.sync_now()
    assert banner.isVisible()
    assert banner.title_label.text() == "离线授权已过期"
    assert status.lease_label.text() == "离线授权已过期，请同步后继续"
    assert window.workspace.household_list.model.rowCount() == 0

    # Back online: "Sync now" on the banner renews the lease and the households return.
    server.start()
    with qtbot.wait_signal(
        window.households_loaded, timeout=30_000, check_params_cb=lambda n: n == 1
    ):
        qtbot.mouseClick(banner.sync_button, Qt.MouseButton.LeftButton)
    assert not banner.isVisible()
    assert [window.workspace.household_list.model.item(0).head_name] == ["赵秀英"]
    renewed = (clock.now + timedelta(days=7)).astimezone(ZoneInfo("Asia/Shanghai"))
    qtbot.wait_until(
        lambda: status.lease_label.text().startswith(
            f"离线授权至 {renewed.month}月{renewed.day}日"
        ),
        timeout=10_000,
    )


@pytest.mark.slow
def test_registration_pins_the_servers_lease_key(server: LiveServer, tmp_path: Path) -> None:
    registration = server_registration(
        RegistrationRequest(
            server_url=server.url,
            account="con",
            password=PASSWORD,
            device_public_key=new_public_key(),
        )
    )
    assert registration.lease is not None
    assert registration.lease.public_key == public_key_bytes(server.keys.lease_signing_key)
    assert registration.lease.lease.role == "contractor"
    assert registration.lease.lease.device_id == registration.device_id
    assert registration.lease.lease.duration == timedelta(days=2)

    # Through the account service, the new vault holds that lease before any sync.
    accounts = AccountService(
        ProfileDirectory(tmp_path / "profiles"),
        register=server_registration,
        kdf=KdfParams.for_tests(),
    )
    session = accounts.register(server.url, "fw1", PASSWORD)
    try:
        status = session.lease_status()
        assert status.state == "valid" and not status.purges_on_lapse
    finally:
        session.close()


def _keep_lease(
    accounts: AccountService, profile_id: str, key: Ed25519PrivateKey, issued: datetime
) -> None:
    """Keep a week's lease in the profile, as a sync would (no server needed here)."""
    session = accounts.open(profile_id)
    session.unlock(UI_PASSWORD)
    store = session.store
    lease = OfflineLease(
        store.user_id, store.device_id, "field_worker", issued, issued + timedelta(days=7)
    )
    held = HeldLease.accept(
        public_key_bytes(key),
        sign_lease(key, lease),
        user_id=store.user_id,
        device_id=store.device_id,
        now=issued,
    )
    store.put_lease_record(held.to_record())
    session.close()


def test_closing_a_visit_form_after_the_lapse_keeps_what_was_typed(
    qtbot: QtBot,
    language: LanguageManager,
    profile_dir: Path,
    demo_profile: ProfileInfo,
    clock: MovableClock,
) -> None:
    accounts = AccountService(
        ProfileDirectory(profile_dir),
        register=fake_server_register,
        kdf=KdfParams.for_tests(),
        clock=clock,
    )
    key = Ed25519PrivateKey.generate()
    _keep_lease(accounts, demo_profile.profile_id, key, clock.now)
    window = MainWindow(accounts, language)
    qtbot.addWidget(window)
    window.start()
    window.show()
    with qtbot.wait_signal(window.households_loaded, timeout=10_000):
        window.unlock_page.password_edit.setText(UI_PASSWORD)
        qtbot.mouseClick(window.unlock_page.unlock_button, Qt.MouseButton.LeftButton)
    household_id = window.workspace.household_list.model.item(0).household_id
    with qtbot.wait_signal(window.household_file_loaded, timeout=10_000):
        window.workspace.open_household(household_id)
    with qtbot.wait_signal(window.visit_opened, timeout=10_000):
        qtbot.mouseClick(
            window.workspace.household_file_view.new_visit_button, Qt.MouseButton.LeftButton
        )
    form = window.workspace.visit_form
    qtbot.wait_until(lambda: window.runner.active_count == 0, timeout=10_000)

    # The lease lapses while the form is open; the worker types a name and closes the form
    # at once (before the form's own autosave): saving is refused, the typing must stay.
    clock.now += timedelta(days=8)
    qtbot.keyClicks(form.basics.present_edit, "Zhang")
    with qtbot.wait_signal(window.lease_lapsed, timeout=10_000):
        qtbot.mouseClick(form.close_button, Qt.MouseButton.LeftButton)
    qtbot.wait_until(lambda: window.runner.active_count == 0, timeout=10_000)
    assert window.workspace.lease_banner.isVisible()

    # A sync renews the lease (here: kept by hand); the next unlock offers the form again.
    with qtbot.wait_signal(window.locked, timeout=3_000):
        window.lock()
    _keep_lease(accounts, demo_profile.profile_id, key, clock.now)
    with qtbot.wait_signal(window.visit_opened, timeout=10_000):
        window.unlock_page.password_edit.setText(UI_PASSWORD)
        qtbot.mouseClick(window.unlock_page.unlock_button, Qt.MouseButton.LeftButton)
    assert window.workspace.visit_form.basics.present_edit.text() == "Zhang"
    window.close()
    gc.collect()


@pytest.mark.slow
def test_a_lapse_clears_the_supervisors_pages_too(
    qtbot: QtBot, window: MainWindow, server: LiveServer, clock: MovableClock
) -> None:
    assert window.sync is not None
    page = window.registration_page
    page.server_edit.setText(server.url)
    page.account_edit.setText("sup")
    page.password_edit.setText(PASSWORD)
    page.confirm_edit.setText(PASSWORD)
    with qtbot.wait_signal(window.sync.sync_finished, timeout=30_000):
        qtbot.mouseClick(page.register_button, Qt.MouseButton.LeftButton)
    section = window.supervision
    dashboard = section.dashboard_page
    blank = dashboard.reviews_due_label.text()
    window.workspace.show_section(section.nav_row)
    section.tabs.setCurrentWidget(dashboard)
    with qtbot.wait_signal(dashboard.dashboard_loaded, timeout=30_000):
        qtbot.mouseClick(dashboard.refresh_button, Qt.MouseButton.LeftButton)
    assert dashboard.reviews_due_label.text() != blank

    # Eight days offline: the lapse hides the region's figures with every household view.
    server.stop()
    clock.now += timedelta(days=8)
    with qtbot.wait_signal(window.lease_lapsed, timeout=30_000):
        window.sync.sync_now()
    assert window.workspace.lease_banner.isVisible()
    assert dashboard.dashboard is None
    assert dashboard.reviews_due_label.text() == blank

    # Renewed: the pages work again.
    server.start()
    with qtbot.wait_signal(window.households_loaded, timeout=30_000):
        qtbot.mouseClick(window.workspace.lease_banner.sync_button, Qt.MouseButton.LeftButton)
    with qtbot.wait_signal(dashboard.dashboard_loaded, timeout=30_000):
        qtbot.mouseClick(dashboard.refresh_button, Qt.MouseButton.LeftButton)
    assert dashboard.reviews_due_label.text() != blank
