"""The main window and the controller of the account's life cycle on this laptop.

Registration → unlock → workspace; idle (or "Lock now") → lock screen → unlock → workspace.
All service calls that may block run on the `JobRunner` (one worker thread, so store access is
serialised); widgets are only touched in the job callbacks, on the GUI thread.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QApplication, QComboBox, QLabel, QMainWindow, QStackedWidget

from app.domain import ClueKind, VisitContent, VisitKind, VisitStatus
from app.errors import JiafangError, WrongPasswordError
from app.lease import LeaseExpiredError
from app.models.views import VisitView
from app.policy.decision import EligibilityDecision
from app.services.errors import ReauthenticationRequiredError, UnlockThrottledError
from app.services.idle import DEFAULT_IDLE_LOCK_SECONDS, IdleLockPolicy
from app.services.readmodels import (
    ClueListItem,
    ConflictItem,
    HomeSummary,
    HouseholdFile,
    HouseholdListItem,
    LeaseStatus,
    PolicyNotice,
    RejectedItem,
    SyncStatus,
)
from app.services.session import AccountService, AccountSession, OnlineCheckFn
from app.services.settings import SettingsFile
from app.services.visit_form import FormCheck
from sync.client import SyncReport
from ui.i18n import LanguageManager
from ui.jobs import JobContext, JobRunner
from ui.supervisor.section import install_supervision
from ui.sync_controller import SyncController
from ui.widgets.common import error_text
from ui.widgets.discovery import DiscoveryDialog
from ui.widgets.registration import RegistrationPage
from ui.widgets.sync_status import SyncStatusWidget
from ui.widgets.unlock import UnlockPage
from ui.widgets.visit_form import VisitFormPage
from ui.widgets.workspace import WorkspaceWidget

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Loaded:
    households: list[HouseholdListItem]
    home: HomeSummary
    clues: list[ClueListItem]
    #: the newest autosaved visit form found after a crash
    recovered: _Recovered | None
    #: (waiting to be sent, conflicts, rejected)
    sync_counts: tuple[int, int, int]
    conflicts: list[ConflictItem]
    rejected: list[RejectedItem]


@dataclass(frozen=True)
class _Recovered:
    visit: VisitView
    head_name: str
    state: dict[str, Any]
    clues: dict[str, tuple[ClueKind, str]]
    #: the household left the user's reach (a closed task): only this form keeps it here
    withdrawn: bool = False


def _close_quietly(session: AccountSession) -> None:
    try:
        session.close()
    except Exception:  # the wiped store may already have closed its connection
        logger.info("closing a wiped store failed; nothing is left to close")


def _recovered_draft(session: AccountSession) -> _Recovered | None:
    for recovery in reversed(session.recovered_drafts()):
        visit = session.visit(recovery.visit_id)
        if visit.status is VisitStatus.DRAFT:
            # A household withdrawn from the user's reach still lets its form be finished.
            household_file = session.household_file(recovery.household_id, for_visit=True)
            clues = {
                c.clue_id: (c.kind, str(c.data.get("member_name", "")))
                for c in household_file.clues
                if c.clue_id in visit.content.clue_ids
            }
            return _Recovered(
                visit,
                household_file.household.content.head_name,
                dict(recovery.content),
                clues,
                withdrawn=session.is_withdrawn(recovery.household_id),
            )
    return None


WINDOW_SIZE = (1366, 768)
_USER_INPUT_EVENTS = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
    }
)

_LANGUAGE_NAMES = (("zh_CN", "中文"), ("en", "English"))


class _ActivityFilter(QObject):
    """Application-wide event filter: any key, click or wheel postpones the idle lock."""

    def __init__(self, policy: IdleLockPolicy, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._policy = policy

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _USER_INPUT_EVENTS:
            self._policy.touch()
        return False


class MainWindow(QMainWindow):
    unlocked = Signal()
    """The vault was opened and the workspace is shown."""
    locked = Signal()
    """The vault was locked (idle or by the user) and all data hidden."""
    unlock_failed = Signal(str)
    """An unlock attempt failed: the error code."""
    registered = Signal()
    """This laptop was registered and the new vault is open."""
    registration_failed = Signal(str)
    """Registration failed: the error code."""
    households_loaded = Signal(int)
    """The household list was (re)loaded: number of households."""
    household_file_loaded = Signal(str)
    """A household file is shown: household id."""
    visit_opened = Signal(str)
    """The visit form shows a draft: visit id."""
    visit_saved = Signal(str)
    """A draft was saved (or autosaved): visit id."""
    rejected_dismissed = Signal(str)
    """A refused change was dismissed by the user: mutation id."""
    visit_discarded = Signal(str)
    """The unsaved typing of a withdrawn household's form was dropped: visit id."""
    visit_completed = Signal(str)
    """A visit was completed and locked: visit id."""
    visit_failed = Signal(str)
    """Saving or completing a visit failed: the error code."""
    eligibility_updated = Signal()
    """The visit form's eligibility result was recomputed."""
    photos_loaded = Signal(int)
    """The visit form shows its photo thumbnails: how many."""
    device_wiped = Signal()
    """The server revoked this device; local data was erased."""
    lease_lapsed = Signal(int)
    """The offline lease lapsed: data hidden until a sync; households purged (contractors)."""

    def __init__(
        self,
        accounts: AccountService,
        language: LanguageManager,
        *,
        idle_lock_seconds: float = DEFAULT_IDLE_LOCK_SECONDS,
        runner: JobRunner | None = None,
        settings: SettingsFile | None = None,
        sync: SyncController | None = None,
        online_check: OnlineCheckFn | None = None,
    ) -> None:
        super().__init__()
        #: the server's password check that lifts the offline lock-out (None: no server)
        self.online_check = online_check
        self.settings = settings
        #: background sync; None runs the app without a server (demo mode, most tests)
        self.sync = sync
        if sync is not None:
            sync.setParent(self)
        self.accounts = accounts
        self.language = language
        self.runner = runner or JobRunner(self)
        self.session: AccountSession | None = None
        #: the open "family found in the field" dialog, if any (tests drive it)
        self.discovery_dialog: DiscoveryDialog | None = None
        self.idle_policy = IdleLockPolicy(timeout_seconds=idle_lock_seconds)
        self._activity_filter = _ActivityFilter(self.idle_policy, self)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self._activity_filter)

        self.registration_page = RegistrationPage()
        self.unlock_page = UnlockPage()
        self.workspace = WorkspaceWidget()
        self.stack = QStackedWidget()
        self.stack.setObjectName("Pages")
        for page in (self.registration_page, self.unlock_page, self.workspace):
            self.stack.addWidget(page)
        self.setCentralWidget(self.stack)

        self.sync_status_widget = SyncStatusWidget()
        self.language_label = QLabel()
        self.language_label.setContentsMargins(8, 0, 0, 0)
        self.language_combo = QComboBox()
        self.language_combo.setObjectName("LanguageChooser")
        for code, name in _LANGUAGE_NAMES:
            self.language_combo.addItem(name, code)
        self.language_combo.setCurrentIndex(self.language_combo.findData(language.language))
        self.statusBar().addWidget(self.language_label)
        self.statusBar().addWidget(self.language_combo)
        self.statusBar().addPermanentWidget(self.sync_status_widget)
        self.resize(*WINDOW_SIZE)

        self._idle_timer = QTimer(self)
        # Check often enough that a short (test or kiosk) timeout is honoured promptly.
        self._idle_timer.setInterval(int(max(100, min(1000, idle_lock_seconds * 250))))
        self._idle_timer.timeout.connect(self._on_idle_timer_timeout)

        self.registration_page.registration_requested.connect(self._on_registration_requested)
        self.registration_page.cancel_requested.connect(self.show_unlock)
        self.unlock_page.unlock_requested.connect(self._on_unlock_requested)
        self.unlock_page.add_account_requested.connect(self.show_registration)
        self.unlock_page.profile_selected.connect(self._on_unlock_profile_selected)
        self.unlock_page.online_signin_requested.connect(self._on_online_signin_requested)
        self.workspace.lock_requested.connect(self._on_workspace_lock_requested)
        self.workspace.household_requested.connect(self._on_household_requested)
        self.workspace.household_list.lookup_requested.connect(self._on_lookup_requested)
        self.workspace.household_file_view.new_visit_requested.connect(self._on_new_visit_requested)
        form = self.workspace.visit_form
        form.evaluate_requested.connect(self._on_visit_evaluate_requested)
        form.autosave_requested.connect(self._on_visit_autosave_requested)
        form.save_requested.connect(self._on_visit_save_requested)
        form.complete_requested.connect(self._on_visit_complete_requested)
        form.close_requested.connect(self._on_visit_close_requested)
        form.discard_requested.connect(self._on_visit_discard_requested)
        form.photos_import_requested.connect(self._on_photos_import_requested)
        form.signature_saved.connect(self._on_signature_saved)
        self.workspace.clues_page.clue_check_requested.connect(self._on_clue_check_requested)
        self.workspace.household_list.discovery_requested.connect(self._on_discovery_requested)
        self.language_combo.currentIndexChanged.connect(self._on_language_combo_changed)
        self.workspace.sync_page.sync_requested.connect(self._on_sync_requested)
        self.workspace.sync_page.dismiss_rejected_requested.connect(
            self._on_dismiss_rejected_requested
        )
        self.workspace.lease_banner.sync_requested.connect(self._on_sync_requested)
        if sync is not None:
            sync.status_changed.connect(self.set_sync_status)
            sync.sync_finished.connect(self._on_sync_finished)
        #: reviews, dashboards, tasks, spot checks by role; returned visits for authors
        self.supervision = install_supervision(self)
        # A returned visit opened from Home starts its revision, with the comments shown.
        self.workspace.home_page.returned_visit_activated.connect(self.supervision.revise)
        self.retranslate()

    # -- screens -----------------------------------------------------------------------------

    def start(self) -> None:
        """First screen: registration on a fresh laptop, else unlock."""
        if self.accounts.profiles():
            self.show_unlock()
        else:
            self.show_registration()

    def show_registration(self) -> None:
        self.registration_page.set_can_cancel(bool(self.accounts.profiles()))
        self.registration_page.show_error("")
        self.stack.setCurrentWidget(self.registration_page)

    def show_unlock(self) -> None:
        profiles = self.accounts.profiles()
        if not profiles:
            self.show_registration()
            return
        self.unlock_page.set_locked_mode(False)
        self.unlock_page.set_profiles(profiles)
        self.unlock_page.reset()
        self._refresh_backoff()
        self.stack.setCurrentWidget(self.unlock_page)
        self.unlock_page.password_edit.setFocus()

    def lock(self, *, idle: bool = False) -> None:
        """Hide all data now and drop the keys; the password opens it again."""
        session = self.session
        if session is None or self.stack.currentWidget() is not self.workspace:
            return
        self._idle_timer.stop()
        if self.sync is not None:
            self.sync.stop()
        if self.discovery_dialog is not None and self.discovery_dialog.isVisible():
            self.discovery_dialog.reject()  # it may hold a name and an address
        self._keep_open_form(session)
        self.workspace.clear_data()
        minutes = max(1, round(self.idle_policy.timeout_seconds / 60))
        self.unlock_page.set_profiles([session.profile], session.profile.profile_id)
        self.unlock_page.set_locked_mode(True, idle_minutes=minutes if idle else None)
        self.unlock_page.reset()
        self.unlock_page.show_backoff(session.backoff_status())
        self.stack.setCurrentWidget(self.unlock_page)
        self.unlock_page.password_edit.setFocus()
        # Through the runner so it waits for any job still reading the store.
        self.runner.run(lambda ctx: session.lock(), name="lock")
        logger.info("workspace locked")
        self.locked.emit()

    def _keep_open_form(self, session: AccountSession) -> None:
        """Autosave the open visit form before the screen drops it (lock, lapsed lease)."""
        form = self.workspace.visit_form
        if form.visit_id and form.dirty:
            # The form's state is kept (encrypted) and offered again on the next unlock.
            visit_id, state = form.visit_id, form.current_state()
            self.runner.run(
                lambda ctx: session.autosave_visit(visit_id, state), name="autosave-on-lock"
            )

    def set_sync_status(self, status: SyncStatus) -> None:
        self.sync_status_widget.set_status(status)
        self.workspace.set_sync_status(status)
        if (
            status.lease_state in ("expired", "clock_turned_back")
            and not self.workspace.lease_banner.isVisibleTo(self.workspace)
            and self.stack.currentWidget() is self.workspace
        ):
            # Lapsed while the workspace was open: a reload meets the refusal and hides the data.
            self.reload_data()

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Jiafang – home visits"))
        self.language_label.setText(self.tr("Language"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        self._idle_timer.stop()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self._activity_filter)
        if self.sync is not None:
            self.sync.shutdown()
        self.runner.shutdown()
        if self.session is not None:
            self.session.close()
            self.session = None
        super().closeEvent(event)

    # -- registration ------------------------------------------------------------------------

    def _on_registration_requested(self, server: str, account: str, password: str) -> None:
        self.registration_page.set_busy(True)
        self.runner.run(
            lambda ctx: (self.accounts.register(server, account, password), password),
            finished=self._on_registration_finished,
            failed=self._on_registration_failed,
            name="register",
        )

    def _on_registration_finished(self, result: tuple[AccountSession, str]) -> None:
        session, password = result
        self.registration_page.set_busy(False)
        self.registration_page.clear_secrets()
        self._enter_workspace(session, password)
        self.registered.emit()

    def _on_registration_failed(self, error: BaseException) -> None:
        self.registration_page.set_busy(False)
        self.registration_page.show_error(error_text(error, self.language.language))
        code = error.code if isinstance(error, JiafangError) else "unexpected"
        self.registration_failed.emit(code)

    # -- unlock ------------------------------------------------------------------------------

    def _on_unlock_profile_selected(self, _profile_id: str) -> None:
        self._refresh_backoff()

    def _refresh_backoff(self) -> None:
        profile_id = self.unlock_page.selected_profile_id()
        if profile_id is not None:
            self.unlock_page.show_backoff(self.accounts.backoff_status(profile_id))

    def _on_unlock_requested(self, profile_id: str, password: str) -> None:
        self.unlock_page.set_busy(True)
        current = self.session
        reuse = current is not None and current.profile.profile_id == profile_id

        def unlock(ctx: JobContext) -> tuple[AccountSession, str]:
            session = current if reuse and current is not None else self.accounts.open(profile_id)
            try:
                session.unlock(password)
            except BaseException:
                if session is not current:
                    session.close()
                raise
            return session, password

        self.runner.run(
            unlock, finished=self._on_unlock_finished, failed=self._on_unlock_failed, name="unlock"
        )

    def _on_online_signin_requested(self, profile_id: str, password: str) -> None:
        check = self.online_check
        if check is None:
            self.unlock_page.show_error(self.tr("This installation has no server to sign in with."))
            return
        self.unlock_page.set_busy(True)
        current = self.session
        if current is not None and current.profile.profile_id == profile_id:
            self.session = None
            self.runner.run(lambda ctx: current.close(), name="close-before-online")
        self.runner.run(
            lambda ctx: (
                self.accounts.unlock_after_online_check(profile_id, password, check),
                password,
            ),
            finished=self._on_unlock_finished,
            failed=self._on_unlock_failed,
            name="online-signin",
        )

    def _on_unlock_finished(self, result: tuple[AccountSession, str]) -> None:
        session, password = result
        self.unlock_page.set_busy(False)
        self.unlock_page.password_edit.clear()
        if self.session is not None and self.session is not session:
            previous = self.session
            self.runner.run(lambda ctx: previous.close(), name="close-previous")
        self._enter_workspace(session, password)

    def _on_unlock_failed(self, error: BaseException) -> None:
        self.unlock_page.set_busy(False)
        self.unlock_page.password_edit.clear()
        self.unlock_page.password_edit.setFocus()
        language = self.language.language
        if isinstance(error, WrongPasswordError):
            self.unlock_page.show_error(self.tr("Wrong password."))
        elif isinstance(error, UnlockThrottledError | ReauthenticationRequiredError):
            self.unlock_page.show_error("")
        else:
            self.unlock_page.show_error(error_text(error, language))
        self._refresh_backoff()
        code = error.code if isinstance(error, JiafangError) else "unexpected"
        self.unlock_failed.emit(code)

    # -- workspace ---------------------------------------------------------------------------

    def _enter_workspace(self, session: AccountSession, password: str) -> None:
        self.session = session
        self.workspace.set_user(session.profile.display_name)
        self.stack.setCurrentWidget(self.workspace)
        self.idle_policy.touch()
        self._idle_timer.start()
        logger.info("workspace opened")
        self.unlocked.emit()
        self.reload_data(recover_drafts=True)
        if self.sync is not None:
            # The password only serves a sign-in when the stored tokens have expired; the
            # engine drops it after its first successful run.
            self.sync.start(session, password=password, tokens=session.initial_tokens)
            session.initial_tokens = None

    def reload_data(self, *, recover_drafts: bool = False) -> None:
        """Reload the lists; right after unlocking, also bring back an autosaved visit form
        (never later: the form on screen is newer than its autosave)."""
        session = self.session
        if session is None:
            return

        def load(ctx: JobContext) -> _Loaded:
            home = session.home()
            return _Loaded(
                session.households(),
                home,
                list(home.open_clues),
                _recovered_draft(session) if recover_drafts else None,
                session.sync_counts(),
                session.conflict_items(),
                session.rejected_items(),
            )

        self.runner.run(
            load, finished=self._on_data_loaded, failed=self._on_job_failed, name="load"
        )

    def _on_data_loaded(self, loaded: _Loaded) -> None:
        if self.stack.currentWidget() is not self.workspace:
            return  # locked meanwhile: never show data behind the lock screen
        self.workspace.hide_lease_lapsed()
        self.workspace.set_households(loaded.households)
        self.workspace.set_home(loaded.home)
        self.workspace.set_clues(loaded.clues)
        self._apply_sync_counts(loaded.sync_counts)
        self.workspace.sync_page.set_problems(loaded.conflicts, loaded.rejected)
        self.households_loaded.emit(len(loaded.households))
        if loaded.recovered is not None:
            recovered = loaded.recovered
            self._open_visit_form(
                recovered.visit,
                recovered.head_name,
                recovered_state=recovered.state,
                clues=recovered.clues,
                withdrawn=recovered.withdrawn,
            )
            if recovered.withdrawn:
                self.statusBar().showMessage(
                    self.tr(
                        "An unsaved visit draft was recovered. This household is no longer in "
                        "your tasks: finish or discard the visit; its data is removed from this "
                        "laptop once the pending work is synced."
                    ),
                    30_000,
                )
            else:
                self.statusBar().showMessage(
                    self.tr("An unsaved visit draft was recovered."), 10_000
                )

    def _on_household_requested(self, household_id: str) -> None:
        session = self.session
        if session is None:
            return
        self.runner.run(
            lambda ctx: session.household_file(household_id),
            finished=self._on_household_file_loaded,
            failed=self._on_job_failed,
            name="household-file",
        )

    def _on_household_file_loaded(self, household_file: HouseholdFile) -> None:
        if self.stack.currentWidget() is not self.workspace:
            return
        self.workspace.set_household_file(household_file)
        self.household_file_loaded.emit(household_file.household.household_id)

    def _on_lookup_requested(self, query: str) -> None:
        session = self.session
        if session is None:
            return
        self.runner.run(
            lambda ctx: (query, session.find_household_ids(query)),
            finished=self._on_lookup_finished,
            failed=self._on_job_failed,
            name="lookup",
        )

    def _on_lookup_finished(self, result: tuple[str, frozenset[str]]) -> None:
        if self.stack.currentWidget() is self.workspace:
            self.workspace.household_list.set_lookup_result(*result)

    # -- visits ------------------------------------------------------------------------------

    def _on_new_visit_requested(self, household_id: str) -> None:
        session = self.session
        current = self.workspace.household_file_view.household_file
        if session is None or current is None:
            return
        head_name = current.household.content.head_name
        self.runner.run(
            lambda ctx: session.start_visit(household_id, VisitKind.PERIODIC_REVIEW),
            finished=lambda visit: self._open_visit_form(visit, head_name),
            failed=self._on_visit_job_failed,
            name="start-visit",
        )

    def make_discovery_dialog(self) -> DiscoveryDialog:
        return DiscoveryDialog(self.workspace.household_list.grid_choices(), self)

    def _on_discovery_requested(self) -> None:
        session = self.session
        if session is None:
            return
        dialog = self.make_discovery_dialog()
        self.discovery_dialog = dialog
        dialog.accepted.connect(lambda: self._on_discovery_dialog_accepted(dialog.values()))
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def _on_discovery_dialog_accepted(self, values: dict[str, str]) -> None:
        session = self.session
        if session is None:
            return
        head_name = values["head_name"]
        self.runner.run(
            lambda ctx: session.discover_household(**values),
            finished=lambda visit: self._on_discovery_started(visit, head_name),
            failed=self._on_job_failed,
            name="discovery",
        )

    def _on_discovery_started(self, visit: VisitView, head_name: str) -> None:
        self._open_visit_form(visit, head_name)
        self.reload_data()

    def _on_clue_check_requested(self, household_id: str, clue_id: str) -> None:
        session = self.session
        item = next((c for c in self.workspace.clues_page._items if c.clue_id == clue_id), None)
        if session is None or item is None:
            return
        clues = {clue_id: (item.kind, item.member_name)}
        self.runner.run(
            lambda ctx: session.start_visit(
                household_id, VisitKind.CLUE_CHECK, clue_ids=(clue_id,)
            ),
            finished=lambda visit: self._open_visit_form(visit, item.head_name, clues=clues),
            failed=self._on_visit_job_failed,
            name="start-clue-check",
        )

    def _open_visit_form(
        self,
        visit: VisitView,
        head_name: str,
        *,
        recovered_state: dict[str, Any] | None = None,
        clues: dict[str, tuple[ClueKind, str]] | None = None,
        withdrawn: bool = False,
    ) -> None:
        if self.stack.currentWidget() is not self.workspace:
            return
        self.workspace.visit_form.open_visit(
            visit_id=visit.visit_id,
            household_id=visit.household_id,
            head_name=head_name,
            kind=visit.kind,
            content=visit.content,
            recovered_state=recovered_state,
            clues=clues,
            withdrawn=withdrawn,
        )
        self.workspace.show_visit_form()
        self._load_thumbnails(visit)
        self.visit_opened.emit(visit.visit_id)

    def _load_thumbnails(self, visit: VisitView) -> None:
        session = self.session
        if session is None:
            return
        visit_id, photo_ids = visit.visit_id, visit.content.photo_ids

        def loaded(photos: list[tuple[str, bytes]]) -> None:
            form = self.workspace.visit_form
            if form.visit_id == visit_id:
                form.photos.set_photos(photos)
                self.photos_loaded.emit(len(photos))

        self.runner.run(
            lambda ctx: [(pid, session.attachment_bytes(pid)) for pid in photo_ids],
            finished=loaded,
            failed=self._on_visit_job_failed,
            name="thumbnails",
        )

    def _on_photos_import_requested(self, visit_id: str, photos: list[str | bytes]) -> None:
        """Photo files chosen, or JPEG bytes from the camera: one import path for both."""
        session = self.session
        if session is None:
            return

        def add_all(ctx: JobContext) -> VisitView:
            visit = session.visit(visit_id)
            for done, photo in enumerate(photos, start=1):
                source = photo if isinstance(photo, bytes) else Path(photo)
                visit = session.add_photo(visit_id, source)
                ctx.progress((done, len(photos)))
            return visit

        self.runner.run(
            add_all,
            finished=self._on_attachments_added,
            failed=self._on_visit_job_failed,
            name="import-photos",
        )

    def _on_signature_saved(self, visit_id: str, signer: str, png: bytes) -> None:
        session = self.session
        if session is None:
            return
        # The signer is "household" or the account of the visitor whose pad it was.
        self.runner.run(
            lambda ctx: session.add_signature(visit_id, signer, png),
            finished=self._on_attachments_added,
            failed=self._on_visit_job_failed,
            name="signature",
        )

    def _on_attachments_added(self, visit: VisitView) -> None:
        form = self.workspace.visit_form
        if form.visit_id != visit.visit_id:
            return
        form.update_base(visit.content)
        # Storing the attachment saved the draft record and dropped its autosave: take a fresh
        # autosave of what is typed, so a crash now still loses nothing.
        if form.dirty:
            self._on_visit_autosave_requested(visit.visit_id, form.current_state())
        self._load_thumbnails(visit)
        self._refresh_sync_counts()

    def _on_visit_evaluate_requested(self, content: VisitContent) -> None:
        session = self.session
        form = self.workspace.visit_form
        household_id, visit_id = form.household_id, form.visit_id
        if session is None or not household_id:
            return

        def evaluated(result: tuple[EligibilityDecision | None, PolicyNotice | None]) -> None:
            if form.visit_id == visit_id:
                form.set_eligibility(*result)
                self.eligibility_updated.emit()

        self.runner.run(
            lambda ctx: (
                session.evaluate(household_id, content),
                session.policy_notice(household_id),
            ),
            finished=evaluated,
            failed=self._on_job_failed,
            name="evaluate",
        )

    def _on_visit_autosave_requested(self, visit_id: str, state: dict[str, Any]) -> None:
        session = self.session
        if session is None:
            return

        def autosaved(_: object) -> None:
            if self.workspace.visit_form.visit_id == visit_id:
                self.workspace.visit_form.mark_autosaved()
            self.visit_saved.emit(visit_id)

        self.runner.run(
            lambda ctx: session.autosave_visit(visit_id, state),
            finished=autosaved,
            failed=self._on_visit_job_failed,
            name="autosave",
        )

    def _on_visit_save_requested(self, visit_id: str, content: VisitContent) -> None:
        session = self.session
        if session is None:
            return

        def saved(_: object) -> None:
            if self.workspace.visit_form.visit_id == visit_id:
                self.workspace.visit_form.mark_saved()
            self.visit_saved.emit(visit_id)
            self._refresh_sync_counts()

        self.runner.run(
            lambda ctx: session.save_visit_draft(visit_id, content),
            finished=saved,
            failed=self._on_visit_job_failed,
            name="save-visit",
        )

    def _on_visit_complete_requested(self, visit_id: str, check: FormCheck) -> None:
        session = self.session
        if session is None:
            return
        content, outcomes = check.content, check.clue_outcomes
        household_id = self.workspace.visit_form.household_id

        def completed(_: object) -> None:
            self.workspace.visit_form.clear()
            self.statusBar().showMessage(self.tr("The visit was completed and locked."), 8000)
            self.visit_completed.emit(visit_id)
            self.workspace.open_household(household_id)
            self.reload_data()

        self.runner.run(
            lambda ctx: session.complete_visit(visit_id, content, outcomes),
            finished=completed,
            failed=self._on_visit_job_failed,
            name="complete-visit",
        )

    def _on_visit_close_requested(self, household_id: str) -> None:
        session = self.session
        form = self.workspace.visit_form
        if session is None:
            return
        if form.visit_id and form.dirty:
            visit_id, content = form.visit_id, form.current_check().content
            state = form.current_state()

            def not_saved(error: BaseException) -> None:
                # The form has already left the screen (a lapsed lease refuses the save, say):
                # keep its typing as autosave does, so the next unlock offers it again.
                self.runner.run(
                    lambda ctx: session.autosave_visit(visit_id, state), name="autosave-on-close"
                )
                self._on_visit_job_failed(error)

            self.runner.run(
                lambda ctx: session.save_visit_draft(visit_id, content),
                failed=not_saved,
                name="save-on-close",
            )
        form.clear()
        self.workspace.open_household(household_id)

    def _on_visit_discard_requested(self, visit_id: str) -> None:
        """The household left the user's tasks: its form's typing goes unsaved, and with it
        the last reason to keep the household here (the next sync removes it)."""
        session = self.session
        if session is None or not visit_id:
            return

        def discarded(_: object) -> None:
            self.workspace.visit_form.clear()
            self.workspace.show_household_list()
            self.statusBar().showMessage(
                self.tr("The typing was discarded; the household is removed at the next sync."),
                10_000,
            )
            self.visit_discarded.emit(visit_id)

        self.runner.run(
            lambda ctx: session.discard_recovered_draft(visit_id),
            finished=discarded,
            failed=self._on_visit_job_failed,
            name="discard-visit-typing",
        )

    def _on_visit_job_failed(self, error: BaseException) -> None:
        if isinstance(error, LeaseExpiredError):
            self._on_lease_expired(error)
            return
        form = self.workspace.visit_form
        form.show_error(error_text(error, self.language.language))
        code = error.code if isinstance(error, JiafangError) else "unexpected"
        if code in ("visit_notice", "visit_finding", "visit_clue_outcome"):
            form.go_to_step(VisitFormPage.STEP_COUNT - 1)
        elif code == "visit_visitors":
            form.go_to_step(0)
        self.visit_failed.emit(code)

    def _on_job_failed(self, error: BaseException) -> None:
        if isinstance(error, LeaseExpiredError):
            self._on_lease_expired(error)
            return
        self.statusBar().showMessage(error_text(error, self.language.language), 8000)

    def _on_lease_expired(self, error: LeaseExpiredError) -> None:
        """Household data was refused: the lease lapsed. Hide everything, keep an open form's
        typing, and offer "Sync now"."""
        session = self.session
        if session is None or self.stack.currentWidget() is not self.workspace:
            return
        self._keep_open_form(session)
        state = "clock_turned_back" if error.clock_turned_back else "expired"
        self.workspace.show_lease_lapsed(
            LeaseStatus(state=state, purges_on_lapse=error.purges_on_lapse),
            purged=error.purged,
            kept=error.kept,
        )
        self.lease_lapsed.emit(error.purged)

    # -- idle lock and language --------------------------------------------------------------

    def _apply_sync_counts(self, counts: tuple[int, int, int]) -> None:
        pending, conflicts, rejected = counts
        if self.sync is not None:
            self.sync.set_counts(pending, conflicts, rejected)
        else:
            current = self.sync_status_widget.status
            self.set_sync_status(
                replace(current, waiting=pending, conflicts=conflicts, rejected=rejected)
            )

    def _refresh_sync_counts(self) -> None:
        session = self.session
        if session is not None:
            self.runner.run(
                lambda ctx: session.sync_counts(),
                finished=self._apply_sync_counts,
                failed=self._on_job_failed,
                name="sync-counts",
            )

    def _on_dismiss_rejected_requested(self, mutation_id: str) -> None:
        """A refused change the user has seen goes (it never reached the server); a household
        out of the user's reach kept only for it then leaves at the next sync."""
        session = self.session
        if session is None:
            return

        def dismissed(_: object) -> None:
            self.rejected_dismissed.emit(mutation_id)
            self.reload_data()

        self.runner.run(
            lambda ctx: session.discard_rejected(mutation_id),
            finished=dismissed,
            failed=self._on_job_failed,
            name="dismiss-rejected",
        )

    def _on_sync_requested(self) -> None:
        if self.sync is not None:
            self.sync.sync_now()

    def _on_sync_finished(self, report: SyncReport) -> None:
        if report.outcome == "wiped":
            self._on_device_wiped()
            return
        if report.ok and self.stack.currentWidget() is self.workspace:
            self.reload_data()
        elif report.outcome == "auth_required":
            self.statusBar().showMessage(
                self.tr(
                    "The server did not accept the saved sign-in; lock and unlock with your "
                    "current password."
                ),
                15_000,
            )
        elif report.outcome == "upgrade_required":
            self.statusBar().showMessage(
                self.tr("This version of Jiafang is too old for the server; please update it."),
                15_000,
            )

    def _on_device_wiped(self) -> None:
        """The server revoked this device or account: the engine erased the local data."""
        self._idle_timer.stop()
        if self.sync is not None:
            self.sync.stop()
        self.workspace.clear_data()
        session, self.session = self.session, None
        if session is not None:
            # The store deleted its own files; close what is left and forget the profile.
            profile_id = session.profile.profile_id

            def forget(ctx: JobContext) -> None:
                _close_quietly(session)
                self.accounts.forget_wiped(profile_id)

            self.runner.run(forget, finished=lambda _: self.show_unlock(), name="forget-wiped")
        self.show_unlock()
        self.statusBar().showMessage(
            self.tr("This laptop's access was revoked by the administrator; its data was erased."),
            30_000,
        )
        self.device_wiped.emit()

    def _on_workspace_lock_requested(self) -> None:
        self.lock()

    def _on_idle_timer_timeout(self) -> None:
        if self.idle_policy.should_lock():
            self.lock(idle=True)

    def _on_language_combo_changed(self, _index: int) -> None:
        code = self.language_combo.currentData()
        if code and code != self.language.language:
            self.language.install(str(code))
            if self.settings is not None:
                saved = self.settings.load()
                saved.language = str(code)
                self.settings.save(saved)
