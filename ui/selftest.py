"""`jiafang --self-test` and `jiafang --measure-startup`: is this installed client whole?

`--self-test [--profile-dir DIR]` runs offscreen (no display needed) and checks, in order, what an
installed laptop needs on its first day:

1. ``resources``: policies and compiled translations (.qm) are shipped;
2. ``vault``: a new account's vault and encrypted store in a throw-away folder, with synthetic
   households written through the real services;
3. ``encryption``: the store file on disk holds none of those names in clear text;
4. ``read-back``: the store reopens locked, refuses a wrong password, and the right one decrypts
   the same households;
5. ``policy``: a shipped policy evaluates the shipped example household;
6. ``window``: a QApplication with the translations and style, and the main window showing the
   sign-in (unlock) page, painted, in Chinese; JPEG and PNG image support (photos).

It prints one line per step and exits 0, or names the failed step and why on stderr and exits 1.
The build (`build_installer.py`) runs it on its own output, so an installer with a missing Qt
plugin, library or resource never leaves the build. With ``--profile-dir`` the account is kept
in that (new, empty) folder instead of a temporary one: the start-up measurement then opens on
the unlock page, as on a laptop in daily use.

`--measure-startup [--profile-dir DIR]` starts the app as `python -m ui` does, waits for the
first paint of the sign-in window, prints one JSON line (seconds since the process started,
screen shown, Qt platform) and quits. `build_installer.py` runs it under Xvfb for the report.

The UI never imports `app.store` or `app.crypto` (an import-linter contract): the vault and store
are exercised through `app.services`, exactly as the screens use them.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import sys
import tempfile
import time
import traceback
import uuid
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from app.services.session import Registration, RegistrationRequest

SELFTEST_ACCOUNT = "selftest"
SELFTEST_SERVER = "https://selftest.invalid"
#: households written by the self-test: enough to see several records round-trip, still quick
SELFTEST_HOUSEHOLDS = 3
#: how long the window may take to appear before the self-test or measurement gives up
WINDOW_TIMEOUT_S = 30.0
#: the English source of the main window title: seeing it means the Chinese .qm did not load
_ENGLISH_WINDOW_TITLE = "Jiafang – home visits"


class SelfTestError(Exception):
    """One self-test step failed; the message says what an installer would be missing."""

    def __init__(self, step: str, message: str) -> None:
        super().__init__(f"{step}: {message}")
        self.step = step
        self.message = message


def _require(condition: bool, step: str, message: str) -> None:
    if not condition:
        raise SelfTestError(step, message)


def _offline_registration(request: RegistrationRequest) -> Registration:
    """Registration without a server: the self-test must work on a laptop with no network."""
    return Registration(
        user_id=f"selftest-{request.account}",
        device_id=str(uuid.uuid4()),
        display_name=request.account,
        role="field_worker",
    )


class _SelfTest:
    def __init__(self, base_dir: Path, out: Callable[[str], None]) -> None:
        self.base_dir = base_dir
        self.out = out
        self.password = secrets.token_urlsafe(18)
        self.profile_id = ""
        self.household_names: dict[str, str] = {}

    def run(self) -> None:
        steps: list[tuple[str, Callable[[], None]]] = [
            ("resources", self.check_resources),
            ("vault", self.check_vault),
            ("encryption", self.check_encryption_at_rest),
            ("read-back", self.check_read_back),
            ("policy", self.check_policy),
            ("window", self.check_window),
        ]
        for name, step in steps:
            started = time.perf_counter()
            try:
                step()
            except SelfTestError:
                raise
            except Exception as exc:
                # Any unexpected error is still a failure of this step, named as such.
                detail = "".join(traceback.format_exception_only(type(exc), exc)).strip()
                raise SelfTestError(name, detail) from exc
            self.out(f"ok    {name:<11} {time.perf_counter() - started:6.2f} s")

    def _accounts(self) -> Any:
        from app.services.profiles import ProfileDirectory
        from app.services.session import AccountService

        return AccountService(ProfileDirectory(self.base_dir), register=_offline_registration)

    def check_resources(self) -> None:
        from app.resources import resource_path, resources_dir
        from ui.i18n import LANGUAGES, ensure_compiled, qm_path

        _require(resources_dir().is_dir(), "resources", f"no resources folder at {resources_dir()}")
        policies = sorted(resource_path("policies").glob("*.toml"))
        _require(bool(policies), "resources", "no policy files (*.toml) are shipped")
        # In a checkout this compiles stale .qm files; in the bundle it only checks them.
        ensure_compiled()
        for language in LANGUAGES:
            qm = qm_path(language)
            _require(
                qm.is_file() and qm.stat().st_size > 0,
                "resources",
                f"translation {qm.name} missing",
            )

    def check_vault(self) -> None:
        self.base_dir.mkdir(parents=True, exist_ok=True)
        accounts = self._accounts()
        _require(
            not accounts.profiles(),
            "vault",
            f"the profile folder {self.base_dir} must be new and empty",
        )
        session = accounts.register(SELFTEST_SERVER, SELFTEST_ACCOUNT, self.password)
        try:
            _require(session.is_unlocked, "vault", "a new account's vault is not open")
            written = session.seed_demo_data(seed=8, households=SELFTEST_HOUSEHOLDS)
            _require(written == SELFTEST_HOUSEHOLDS, "vault", f"wrote {written} households")
            items = session.households()
            self.household_names = {item.household_id: item.head_name for item in items}
            _require(
                len(self.household_names) == SELFTEST_HOUSEHOLDS
                and all(self.household_names.values()),
                "vault",
                "the households just written do not list back with their names",
            )
            self.profile_id = session.profile.profile_id
        finally:
            session.close()

    def check_encryption_at_rest(self) -> None:
        profile_dir = self.base_dir / "profiles" / self.profile_id
        # Every file of the profile: the store, its WAL and journal, and the attachment folder
        # (signature images of the demo visits) — a name must be in none of them.
        files = sorted(p for p in profile_dir.rglob("*") if p.is_file())
        _require(
            any(p.name == "store.sqlite3" for p in files),
            "encryption",
            "the account has no store file",
        )
        on_disk = b"".join(p.read_bytes() for p in files)
        for name in self.household_names.values():
            _require(
                name.encode("utf-8") not in on_disk,
                "encryption",
                "a household name is stored in clear text",
            )

    def check_read_back(self) -> None:
        from app.errors import WrongPasswordError

        accounts = self._accounts()
        session = accounts.open(self.profile_id)
        try:
            _require(not session.is_unlocked, "read-back", "the store reopened without a password")
            try:
                session.unlock(self.password + "-wrong")
            except WrongPasswordError:
                pass
            else:
                raise SelfTestError("read-back", "a wrong password opened the vault")
            session.unlock(self.password)
            names = {item.household_id: item.head_name for item in session.households()}
            _require(
                names == self.household_names,
                "read-back",
                "the households read back differ from those written",
            )
            first = next(iter(sorted(names)))
            household_file = session.household_file(first)
            _require(
                bool(household_file.members),
                "read-back",
                "a household file decrypted without its members",
            )
        finally:
            session.close()

    def check_policy(self) -> None:
        from app.policy import policy_in_force, shipped_policies
        from app.policy.household import load_household
        from app.resources import resource_path

        _require(bool(shipped_policies()), "policy", "no shipped policy loads")
        example = load_household(
            resource_path("policies", "examples", "household-three-members.json")
        )
        on = example.evaluated_on or date.today()
        policy = policy_in_force(example.region_id or "district-x", on)
        decision = example.evaluate(policy, on)
        _require(
            decision.household_size == len(example.members) and bool(decision.reasons),
            "policy",
            f"policy {policy.id} gave no reasoned decision for the example household",
        )

    def check_window(self) -> None:
        from PySide6.QtCore import QCoreApplication
        from PySide6.QtGui import QImageReader

        from ui.app import build_app

        context = build_app(
            profile_dir=self.base_dir,
            language="zh_CN",
            register=_offline_registration,
            argv=["jiafang"],
        )
        window = context.window
        try:
            window.start()
            window.show()
            deadline = time.monotonic() + WINDOW_TIMEOUT_S
            while not window.isVisible() and time.monotonic() < deadline:
                QCoreApplication.processEvents()
            QCoreApplication.processEvents()
            _require(window.isVisible(), "window", "the main window did not show")
            _require(
                window.stack.currentWidget() is window.unlock_page,
                "window",
                "the window did not open on the unlock page of the new account",
            )
            title = window.windowTitle()
            _require(
                bool(title) and title != _ENGLISH_WINDOW_TITLE,
                "window",
                f"the window title is not translated to Chinese: {title!r}",
            )
            image = window.grab().toImage()
            _require(not image.isNull() and image.width() > 0, "window", "nothing was painted")
            colours = {
                image.pixel(x, y)
                for x in range(0, image.width(), max(1, image.width() // 40))
                for y in range(0, image.height(), max(1, image.height() // 40))
            }
            _require(len(colours) > 2, "window", "the window painted as a blank area")
            formats = {
                bytes(f.data()).decode().lower() for f in QImageReader.supportedImageFormats()
            }
            missing = {"jpeg", "png"} - formats
            _require(not missing, "window", f"no image support for {', '.join(sorted(missing))}")
        finally:
            window.close()
            QCoreApplication.processEvents()


def run_self_test(
    profile_dir: Path | None = None, out: Callable[[str], None] | None = None
) -> None:
    """Run every step; raises `SelfTestError` naming the first one that fails."""

    def write_line(line: str) -> None:
        if sys.stdout is not None:
            sys.stdout.write(line + "\n")

    write = out or write_line
    if profile_dir is not None:
        _SelfTest(profile_dir, write).run()
        return
    base = Path(tempfile.mkdtemp(prefix="jiafang-selftest-"))
    try:
        _SelfTest(base, write).run()
    finally:
        shutil.rmtree(base, ignore_errors=True)


def process_age_seconds() -> float | None:
    """Seconds since this process started (Linux `/proc`), so a measurement includes the
    bundle's bootloader and interpreter start; None where the kernel does not say."""
    try:
        stat = Path("/proc/self/stat").read_text()
        uptime = float(Path("/proc/uptime").read_text().split()[0])
    except OSError:
        return None
    # The command name (field 2) may hold spaces: count fields after its closing parenthesis.
    fields = stat.rsplit(")", 1)[1].split()
    start_ticks = int(fields[19])
    return max(0.0, uptime - start_ticks / os.sysconf("SC_CLK_TCK"))


def measure_startup(profile_dir: Path | None, language: str) -> dict[str, Any]:
    """Start the app as a user would, stop at the first paint of the sign-in window."""
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtGui import QGuiApplication

    from ui.app import build_app, server_registration_unavailable

    result: dict[str, Any] = {}
    context = build_app(
        profile_dir=profile_dir,
        language=language,
        register=server_registration_unavailable,
        argv=[sys.argv[0]],
    )
    app, window = context.app, context.window

    class _FirstPaintFilter(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint and "shown_wall_time" not in result:
                result["shown_wall_time"] = time.time()
                result["login_shown_s"] = process_age_seconds()
                # CPU seconds used so far: comparable between a busy and an idle machine.
                times = os.times()
                result["login_cpu_s"] = times.user + times.system
                # Quit once this paint has finished, not in the middle of it.
                QTimer.singleShot(0, app.quit)
            return False

    paint_filter = _FirstPaintFilter(window)
    window.installEventFilter(paint_filter)
    QTimer.singleShot(int(WINDOW_TIMEOUT_S * 1000), app.quit)
    window.start()
    window.show()
    app.exec()
    window.removeEventFilter(paint_filter)
    result["screen"] = (
        "unlock" if window.stack.currentWidget() is window.unlock_page else ("registration")
    )
    result["platform"] = QGuiApplication.platformName()
    window.close()
    return result


class _Report:
    """Where the checks' lines go: the console and, with `--output-file`, a file as well.

    A Windows GUI build has no console at all (`sys.stdout` is None), so the build and the
    installer read the file instead."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("", encoding="utf-8")

    def line(self, text: str, *, error: bool = False) -> None:
        stream = sys.stderr if error else sys.stdout
        if stream is not None:
            stream.write(text + "\n")
            stream.flush()
        if self.path is not None:
            with self.path.open("a", encoding="utf-8") as handle:
                handle.write(text + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="jiafang", description="Jiafang installation checks")
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--self-test", action="store_true", help="check this installation, offscreen")
    mode.add_argument("--measure-startup", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--profile-dir", type=Path, default=None)
    parser.add_argument(
        "--output-file", type=Path, default=None, help="also write the results here"
    )
    parser.add_argument("--lang", default="zh_CN")
    args, _unknown = parser.parse_known_args(sys.argv[1:] if argv is None else argv)
    report = _Report(args.output_file)

    if args.measure_startup:
        result = measure_startup(args.profile_dir, args.lang)
        report.line(json.dumps(result))
        return 0 if "shown_wall_time" in result else 1

    # Offscreen before Qt is loaded: the self-test must run on a machine without a display.
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    started = time.perf_counter()
    try:
        run_self_test(args.profile_dir, report.line)
    except SelfTestError as exc:
        report.line(f"jiafang self-test FAILED at step '{exc.step}': {exc.message}", error=True)
        return 1
    report.line(f"jiafang self-test passed in {time.perf_counter() - started:.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
