"""Build the desktop client for laptops that have no Python: `python build_installer.py`.

    python build_installer.py [--output DIR] [--report PATH] [--skip-deb] [--skip-startup]

1. Stages `resources/` (policies, translations, icons, templates; not the screenshots or these
   packaging files) and compiles any translation whose `.qm` is missing or older than its `.ts`
   with `pyside6-lrelease`.
2. Runs PyInstaller (`resources/packaging/pyinstaller/jiafang.spec`, one-folder) on the client
   only: the server stack and every Qt module the UI does not import are excluded, and Qt
   plugins, libraries and translations the client cannot use are pruned (rules below).
3. Runs `jiafang --self-test` on the bundle (offscreen) and fails the build if it fails.
4. Linux: a `.deb` (installs to /opt/jiafang, launcher /usr/bin/jiafang, desktop entry and icon)
   and a `.tar.gz`. Windows: writes `jiafang.iss` and compiles it when Inno Setup's `ISCC.exe`
   is found.
5. Measures the time from process start to the first paint of the sign-in window under Xvfb
   (`xvfb-run`; offscreen when it is missing, and the report says so), prints the artefacts and
   their sizes, and with `--report` writes them as a benchmark report (tests/benchmarks/common.py)
   with `bundle_size_mb` and `startup_to_login_s`.

Targets (issue 8): bundle ≤ 250 MB unpacked, sign-in window ≤ 3 s. A miss is reported, not fatal:
the numbers depend on the machine; the self-test is what fails a build.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import fnmatch
import functools
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent
RESOURCES = ROOT / "resources"
PACKAGING = RESOURCES / "packaging"
SPEC_FILE = PACKAGING / "pyinstaller" / "jiafang.spec"

APP_NAME = "jiafang"
DISPLAY_NAME = "Jiafang"
INSTALL_PREFIX = "/opt/jiafang"
MAINTAINER = "Jiafang project <jiafang@localhost>"

SIZE_TARGET_MB = 250.0
STARTUP_TARGET_S = 3.0
STARTUP_RUNS = 3
SELF_TEST_TIMEOUT_S = 180

#: what a Qt (xcb) window needs from the system on Debian, Kylin and UOS; the bundle ships Qt
#: itself but not the X11/GL client libraries, and the CJK font is what makes Chinese readable.
DEB_DEPENDS: tuple[str, ...] = (
    "libegl1",
    "libgl1",
    "libxkbcommon-x11-0",
    "libxcb-cursor0",
    "libxcb-icccm4",
    "libxcb-keysyms1",
    "libxcb-image0",
    "libxcb-render-util0",
    "libxcb-shape0",
    "fonts-noto-cjk",
    # QtMultimedia (the visit form's camera) links PulseAudio's client library, and its FFmpeg
    # plugin links libXrandr
    "libpulse0",
    "libxrandr2",
)

#: the server and development stacks: never part of a field laptop's install
EXCLUDED_PACKAGES: tuple[str, ...] = (
    "sync.server",
    "fastapi",
    "starlette",
    "uvicorn",
    "alembic",
    "psycopg",
    "psycopg_binary",
    "psycopg_pool",
    "psycopg2",
    "multipart",
    "python_multipart",
    "sqlalchemy.dialects.postgresql",
    "sqlalchemy.dialects.mysql",
    "sqlalchemy.dialects.mssql",
    "sqlalchemy.dialects.oracle",
    "pytest",
    "_pytest",
    "pytestqt",
    "hypothesis",
    "schemathesis",
    "IPython",
    "pydantic.mypy",  # pydantic's type-checker plugin, which would bring all of mypy
    "mypy",
    "readline",
    # pydantic imports rich only to pretty-print schemas while debugging; rich brings pygments.
    "rich",
    "pygments",
    "markdown_it",
    "mdurl",
    "tkinter",
    "PyInstaller",
)

#: Qt modules always kept even when ui/ does not name them (the three every widget app loads)
QT_BASE_MODULES = frozenset({"QtCore", "QtGui", "QtWidgets"})

#: Qt plugins the client uses, by plugin folder; a folder not listed here is dropped whole.
#: Wayland, EGLFS, VNC and framebuffer platforms are left out: Kylin and UOS desktops run X11
#: (or XWayland), and each of those plugins drags in libraries of its own.
KEPT_QT_PLUGINS: dict[str, tuple[str, ...]] = {
    "platforms": ("libqxcb.*", "*qoffscreen.*", "*qminimal.*", "qwindows.*", "qdirect2d.*"),
    # The GTK theme plugin would bring pango, cairo and GLib copies that fight the system's.
    "platformthemes": ("*xdgdesktopportal*",),
    "platforminputcontexts": ("*ibus*", "*compose*", "*fcitx*"),  # Chinese input methods
    "xcbglintegrations": ("*",),
    "imageformats": ("*qjpeg*", "*qgif*", "*qico*", "*qsvg*"),  # photos are JPEG
    "iconengines": ("*",),
    "styles": ("*",),
    "generic": (),
    # Collected only when the UI imports the matching module (QtPrintSupport, QtNetwork):
    "printsupport": ("*",),  # CUPS printers
    "tls": ("*openssl*", "*schannel*"),
    # not the GLib one: it links GIO and GObject, which the .deb does not depend on
    "networkinformation": ("*networkmanager*", "*networklistmanager*"),
    "multimedia": ("*ffmpegmediaplugin*",),  # the camera (QtMultimedia's FFmpeg backend)
}

#: what QtMultimedia's FFmpeg plugin links besides QtMultimedia itself: kept when the UI
#: imports QtMultimedia (the camera), pruned otherwise like every unused Qt library
MULTIMEDIA_QT_LIBRARIES: tuple[str, ...] = (
    "Qt6Quick",
    "Qt6Qml",
    "Qt6QmlModels",
    "Qt6QmlMeta",
    "Qt6QmlWorkerScript",
    "Qt6Network",
    "Qt6OpenGL",
    "Qt6Concurrent",
)
#: Python modules PySide6 imports along with one the UI names (`import PySide6.QtMultimedia`
#: loads PySide6.QtNetwork): kept with it
QT_MODULE_IMPORTS: dict[str, tuple[str, ...]] = {
    "QtMultimedia": ("QtNetwork",),
    "QtMultimediaWidgets": ("QtMultimedia", "QtNetwork"),
}
#: the FFmpeg build PySide6 ships for QtMultimedia (same condition)
FFMPEG_LIBRARIES: tuple[str, ...] = (
    "*avcodec*",
    "*avformat*",
    "*avutil*",
    "*swresample*",
    "*swscale*",
)

#: Qt libraries no kept module or plugin needs; PyInstaller may still pull some of them in as
#: dependencies of plugins dropped above, so they are removed by name as well.
PRUNED_QT_LIBRARIES: tuple[str, ...] = (
    "*Qt6WebEngine*",
    "*Qt6Quick*",
    "*Qt6Qml*",
    "*Qt63D*",
    "*Qt6Pdf*",
    "*Qt6Multimedia*",
    "*Qt6Charts*",
    "*Qt6DataVisualization*",
    "*Qt6Graphs*",
    "*Qt6Wayland*",
    "*Qt6Wl*",
    "*Qt6EglFS*",
    "*Qt6EglFs*",
    "*Qt6Network*",
    "*Qt6VirtualKeyboard*",
    "*Qt6Designer*",
    "*Qt6Location*",
    "*Qt6Positioning*",
    "*Qt6Sensors*",
    "*Qt6Bluetooth*",
    "*Qt6Nfc*",
    "*Qt6SerialPort*",
    "*Qt6SerialBus*",
    "*Qt6Test*",
    "*Qt6Sql*",
    "*Qt6Help*",
    "*Qt6ShaderTools*",
    "*Qt6Scxml*",
    "*Qt6RemoteObjects*",
    "*Qt6SpatialAudio*",
    "*Qt6TextToSpeech*",
    "*Qt6HttpServer*",
    "*Qt6WebSockets*",
    "*Qt6WebChannel*",
    "*Qt6WebView*",
)

#: system libraries PyInstaller collected for the GTK theme plugin dropped above; nothing kept
#: links them, and shipping old copies of GTK's stack only invites clashes with the desktop's.
#: (tests/test_build_installer.py checks every library a kept binary links is shipped or comes
#: from the package's Depends.)
PRUNED_GTK_LIBRARIES: tuple[str, ...] = (
    "libgtk-3.so*",
    "libgdk-3.so*",
    "libgdk_pixbuf-2.0.so*",
    "libatk-1.0.so*",
    "libatk-bridge-2.0.so*",
    "libatspi.so*",
    "libpango-1.0.so*",
    "libpangocairo-1.0.so*",
    "libpangoft2-1.0.so*",
    "libcairo.so*",
    "libcairo-gobject.so*",
    "libpixman-1.so*",
    "libfribidi.so*",
    "libthai.so*",
    "libdatrie.so*",
    "libgraphite2.so*",
    "libharfbuzz.so*",
    "libepoxy.so*",
    "libgio-2.0.so*",
    "libgmodule-2.0.so*",
    "libgobject-2.0.so*",
    "libmount.so*",
    "libblkid.so*",
    "libselinux.so*",
    "libXrender.so*",
    "libXext.so*",
)

#: Qt's own translations (dialog buttons and the like) for the languages the app offers
KEPT_QT_TRANSLATIONS: tuple[str, ...] = ("qtbase_zh_CN.qm", "qtbase_en.qm", "qt_zh_CN.qm")

#: parts of resources/ the running app never reads
UNSHIPPED_RESOURCES: tuple[str, ...] = ("screenshots", "packaging")


class BuildError(Exception):
    """The build cannot produce a working installer; the message says which step and why."""


# -- what goes into the bundle ------------------------------------------------------------------


_QT_IMPORT_RES = (
    re.compile(r"\bPySide6\.(Qt\w+)"),
    re.compile(r"\bfrom\s+PySide6\s+import\s+\(?([\w\s,]+)\)?"),
)


def used_qt_modules(source_dirs: Iterable[Path] = (ROOT / "ui",)) -> set[str]:
    """Qt modules the client's code names (`from PySide6.QtGui import …`,
    `from PySide6 import QtSvg`), plus the three every widget app needs."""
    used = set(QT_BASE_MODULES)
    for directory in source_dirs:
        for path in directory.rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            used.update(_QT_IMPORT_RES[0].findall(text))
            for group in _QT_IMPORT_RES[1].findall(text):
                used.update(n.strip() for n in group.split(",") if n.strip().startswith("Qt"))
    for module in list(used):
        used.update(QT_MODULE_IMPORTS.get(module, ()))
    return used


def available_qt_modules() -> set[str]:
    """Every Qt module of the installed PySide6 (from its binary extension files)."""
    import importlib.util

    spec = importlib.util.find_spec("PySide6")
    if spec is None or spec.origin is None:
        raise BuildError("PySide6 is not installed in this Python environment")
    package_dir = Path(spec.origin).parent
    names = {p.name.split(".", 1)[0] for p in package_dir.iterdir() if p.name.startswith("Qt")}
    return {n for n in names if re.fullmatch(r"Qt\w+", n) and n != "Qt"}


def excluded_modules() -> list[str]:
    """Python modules PyInstaller must not collect: server stack and unused Qt modules."""
    unused_qt = sorted(available_qt_modules() - used_qt_modules())
    return [*EXCLUDED_PACKAGES, *(f"PySide6.{name}" for name in unused_qt)]


def _parts(dest_name: str) -> list[str]:
    return dest_name.replace("\\", "/").split("/")


_QT_LIBRARY_RE = re.compile(r"^(?:lib)?(Qt6\w+?)(?:\.so(?:\.\d+)*|\.dll|\.dylib)$")


@functools.cache
def _used_qt_library_names() -> frozenset[str]:
    """`Qt6Network` for `QtNetwork` …: the libraries of modules the UI imports are never pruned,
    nor those QtMultimedia's plugin needs when the UI imports QtMultimedia."""
    used = {"Qt6" + module.removeprefix("Qt") for module in used_qt_modules()}
    if "Qt6Multimedia" in used:
        used.update(MULTIMEDIA_QT_LIBRARIES)
    return frozenset(used)


def keep_in_bundle(dest_name: str, used_libraries: frozenset[str] | None = None) -> bool:
    """Pruning rule for one file of PyInstaller's TOC (its path inside the bundle)."""
    parts = _parts(dest_name)
    file_name = parts[-1]
    library = _QT_LIBRARY_RE.match(file_name)
    used = _used_qt_library_names() if used_libraries is None else used_libraries
    if library is not None and library.group(1) in used:
        return True
    if parts[0] == "PySide6" and "plugins" in parts:
        index = parts.index("plugins")
        if len(parts) > index + 2:
            kind = parts[index + 1]
            patterns = KEPT_QT_PLUGINS.get(kind)
            if patterns is None:
                return False
            return any(fnmatch.fnmatch(file_name, p) for p in patterns)
    if "translations" in parts and parts[0] == "PySide6" and file_name.endswith(".qm"):
        return file_name in KEPT_QT_TRANSLATIONS
    if any(fnmatch.fnmatch(file_name, p) for p in FFMPEG_LIBRARIES):
        return "Qt6Multimedia" in used
    return not any(
        fnmatch.fnmatch(file_name, p) for p in (*PRUNED_QT_LIBRARIES, *PRUNED_GTK_LIBRARIES)
    )


# -- resources ----------------------------------------------------------------------------------


def lrelease_command() -> list[str]:
    """`pyside6-lrelease` from the environment running the build (Qt's own `lrelease` inside
    the PySide6 wheel when the wrapper script is not on the PATH)."""
    beside = Path(sys.executable).parent / (
        "pyside6-lrelease.exe" if sys.platform == "win32" else "pyside6-lrelease"
    )
    found = shutil.which("pyside6-lrelease") or (str(beside) if beside.exists() else None)
    if found:
        return [found]
    import importlib.util

    spec = importlib.util.find_spec("PySide6")
    if spec is not None and spec.origin is not None:
        tool = Path(spec.origin).parent / (
            "lrelease.exe" if sys.platform == "win32" else "lrelease"
        )
        if tool.exists():
            return [str(tool)]
    raise BuildError("pyside6-lrelease not found: install PySide6 in the build environment")


def compile_translations(translations_dir: Path) -> list[Path]:
    """Compile each `.ts` whose `.qm` is missing or older; leave every `.qm` newer than its
    `.ts` (the frozen app refuses a stale `.qm` since it cannot recompile it)."""
    compiled: list[Path] = []
    for ts in sorted(translations_dir.glob("*.ts")):
        qm = ts.with_suffix(".qm")
        if not qm.exists() or qm.stat().st_mtime < ts.stat().st_mtime:
            result = subprocess.run(
                [*lrelease_command(), "-silent", str(ts), "-qm", str(qm)],
                capture_output=True,
                text=True,
            )
            if result.returncode != 0 or not qm.exists():
                raise BuildError(f"lrelease failed on {ts.name}: {result.stderr.strip()}")
            compiled.append(qm)
    _make_translations_newer(translations_dir)
    return compiled


def _make_translations_newer(translations_dir: Path) -> None:
    ts_times = [p.stat().st_mtime for p in translations_dir.glob("*.ts")]
    if not ts_times:
        return
    # Two seconds ahead: tar and some file systems keep whole seconds only.
    stamp = max(ts_times) + 2
    for qm in translations_dir.glob("*.qm"):
        if qm.stat().st_mtime < stamp:
            os.utime(qm, (stamp, stamp))


def stage_resources(destination: Path) -> Path:
    """Copy what the app reads at run time into `destination/resources`, translations compiled."""
    staged = destination / "resources"
    if staged.exists():
        shutil.rmtree(staged)
    shutil.copytree(
        RESOURCES,
        staged,
        ignore=lambda d, names: (
            [n for n in names if Path(d) == RESOURCES and n in UNSHIPPED_RESOURCES]
            + [n for n in names if n == "__pycache__"]
        ),
    )
    translations = staged / "translations"
    if not any(translations.glob("*.ts")) and not any(translations.glob("*.qm")):
        raise BuildError("resources/translations holds no translation")
    compile_translations(translations)
    return staged


# -- PyInstaller --------------------------------------------------------------------------------


def run_pyinstaller(staged_resources: Path, work_dir: Path, dist_dir: Path) -> Path:
    """One-folder bundle `dist_dir/jiafang`; returns its folder."""
    command = [
        sys.executable,
        "-m",
        "PyInstaller",
        str(SPEC_FILE),
        "--noconfirm",
        "--log-level",
        "WARN",
        "--workpath",
        str(work_dir),
        "--distpath",
        str(dist_dir),
        "--",
        "--resources",
        str(staged_resources),
    ]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).splitlines()[-40:])
        raise BuildError(f"PyInstaller failed:\n{tail}")
    bundle = dist_dir / APP_NAME
    if not executable_path(bundle).exists():
        raise BuildError(f"PyInstaller produced no {executable_path(bundle).name} in {bundle}")
    # PyInstaller copies data files in its own order: keep .qm newer than .ts in the bundle too.
    for translations in bundle.rglob("translations"):
        if translations.is_dir() and any(translations.glob("jiafang_*.ts")):
            _make_translations_newer(translations)
    return bundle


def executable_path(bundle: Path) -> Path:
    return bundle / (f"{APP_NAME}.exe" if sys.platform == "win32" else APP_NAME)


def tree_size(path: Path) -> int:
    """Bytes of every regular file under `path` (symlinks counted once, as links)."""
    total = 0
    for item in path.rglob("*"):
        if item.is_file() and not item.is_symlink():
            total += item.stat().st_size
    return total


def mib(size: int) -> float:
    return size / 2**20


# -- checks on the built app --------------------------------------------------------------------


def _run_app(command: list[str], env: dict[str, str], timeout: float) -> tuple[int, str]:
    """Run the built app with `--output-file` and return (exit code, its result lines).

    The file rather than stdout: a Windows GUI build has no console to write to."""
    with tempfile.TemporaryDirectory(prefix="jiafang-run-") as tmp:
        out_file = Path(tmp) / "result.txt"
        try:
            result = subprocess.run(
                [*command, "--output-file", str(out_file)],
                capture_output=True,
                text=True,
                env=env,
                timeout=timeout,
            )
        except subprocess.TimeoutExpired as exc:
            raise BuildError(f"{command[0]} did not finish in {exc.timeout} s") from exc
        lines = out_file.read_text(encoding="utf-8") if out_file.exists() else ""
        if result.returncode != 0 and not lines.strip():
            lines = result.stdout + result.stderr
        return result.returncode, lines


def run_self_test(executable: Path, profile_dir: Path | None = None) -> str:
    """`jiafang --self-test` on the built app; raises BuildError with its output on failure."""
    command = [str(executable), "--self-test"]
    if profile_dir is not None:
        command += ["--profile-dir", str(profile_dir)]
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    code, output = _run_app(command, env, SELF_TEST_TIMEOUT_S)
    if code != 0:
        raise BuildError(f"self-test of {executable} failed (exit {code}):\n{output}")
    return output


@dataclass
class StartupMeasurement:
    runs_s: list[float]
    platform: str
    screen: str
    #: CPU seconds (user + system) each run had used at that point
    cpu_s: list[float] = field(default_factory=list)
    #: 1-minute load average before the runs: wall times on a busy machine are longer
    load_average: float | None = None

    @property
    def median_s(self) -> float:
        return statistics.median(self.runs_s)

    @property
    def median_cpu_s(self) -> float | None:
        return statistics.median(self.cpu_s) if self.cpu_s else None


def measure_startup(
    executable: Path, profile_dir: Path, runs: int = STARTUP_RUNS
) -> StartupMeasurement:
    """Seconds from process start to the first paint of the sign-in window, under Xvfb."""
    xvfb = shutil.which("xvfb-run") if sys.platform.startswith("linux") else None
    base = [str(executable), "--measure-startup", "--profile-dir", str(profile_dir)]
    env = dict(os.environ)
    if xvfb:
        command = [xvfb, "-a", "-s", "-screen 0 1366x768x24", *base]
        env.pop("QT_QPA_PLATFORM", None)
    else:
        command = base
        if sys.platform.startswith("linux"):
            env["QT_QPA_PLATFORM"] = "offscreen"
    samples: list[float] = []
    cpu: list[float] = []
    platform_name = screen = ""
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    for _ in range(runs):
        started_wall = time.time()
        code, output = _run_app(command, env, 120)
        lines = [line for line in output.splitlines() if line.startswith("{")]
        if code != 0 or not lines:
            raise BuildError(f"start-up measurement failed:\n{output}")
        report = json.loads(lines[-1])
        seconds = report.get("login_shown_s")
        if seconds is None:  # no /proc: wall clock from launch (includes the display start)
            seconds = report["shown_wall_time"] - started_wall
        samples.append(float(seconds))
        if report.get("login_cpu_s") is not None:
            cpu.append(float(report["login_cpu_s"]))
        platform_name, screen = str(report.get("platform", "")), str(report.get("screen", ""))
    return StartupMeasurement(samples, platform_name, screen, cpu, load)


# -- Linux packages -----------------------------------------------------------------------------


def project_version() -> str:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return str(data["project"]["version"])


def deb_architecture() -> str:
    dpkg = shutil.which("dpkg")
    if dpkg:
        result = subprocess.run([dpkg, "--print-architecture"], capture_output=True, text=True)
        if result.returncode == 0 and result.stdout.strip():
            return result.stdout.strip()
    machine = platform.machine().lower()
    return {"x86_64": "amd64", "aarch64": "arm64", "loongarch64": "loong64"}.get(machine, machine)


def deb_control(version: str, architecture: str, installed_kib: int) -> str:
    description = (
        "Jiafang (家访): offline, encrypted home-visit records\n"
        " Desktop client for social-assistance home visits (社会救助入户核查): household\n"
        " files, visit forms and eligibility results kept encrypted on the laptop and\n"
        " synchronised with the district server when a network is available."
    )
    fields = {
        "Package": APP_NAME,
        "Version": version,
        "Section": "misc",
        "Priority": "optional",
        "Architecture": architecture,
        "Maintainer": MAINTAINER,
        "Installed-Size": str(installed_kib),
        "Depends": ", ".join(DEB_DEPENDS),
        "Description": description,
    }
    return "".join(f"{k}: {v}\n" for k, v in fields.items())


def launcher_script() -> str:
    # Relative to its own location, so the package also runs when unpacked into another root
    # (`dpkg-deb -x` in the tests); /usr/bin/../../opt/jiafang is /opt/jiafang once installed.
    return (
        "#!/bin/sh\n"
        "# Jiafang desktop client launcher (installed by the jiafang package).\n"
        'here="$(dirname "$(readlink -f "$0")")"\n'
        f'exec "$here/../..{INSTALL_PREFIX}/{APP_NAME}" "$@"\n'
    )


def _copy_tree(source: Path, target: Path) -> None:
    """Hard links when possible (same file system): the bundle is large and stays unchanged."""

    def link_or_copy(src: str, dst: str) -> object:
        try:
            os.link(src, dst)
        except OSError:
            shutil.copy2(src, dst)
        return dst

    shutil.copytree(source, target, symlinks=True, copy_function=link_or_copy)


def _install_file(source: Path, target: Path, mode: int = 0o644) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    target.chmod(mode)


def _normalise_modes(root: Path) -> None:
    """0755 for folders and executables, 0644 for the rest (what dpkg and lintian expect)."""
    for path in [root, *root.rglob("*")]:
        if path.is_symlink():
            continue
        if path.is_dir():
            path.chmod(0o755)
        else:
            executable = path.stat().st_mode & 0o111
            path.chmod(0o755 if executable else 0o644)


def build_deb(bundle: Path, output_dir: Path, version: str, scratch: Path) -> Path:
    dpkg_deb = shutil.which("dpkg-deb")
    if dpkg_deb is None:
        raise BuildError("dpkg-deb not found: install dpkg (or pass --skip-deb)")
    architecture = deb_architecture()
    root = scratch / "deb-root"
    if root.exists():
        shutil.rmtree(root)
    _copy_tree(bundle, root / INSTALL_PREFIX.lstrip("/"))
    launcher = root / "usr" / "bin" / APP_NAME
    launcher.parent.mkdir(parents=True)
    launcher.write_text(launcher_script(), encoding="utf-8")
    launcher.chmod(0o755)
    linux = PACKAGING / "linux"
    _install_file(linux / "jiafang.desktop", root / "usr/share/applications/jiafang.desktop")
    _install_file(linux / "jiafang.svg", root / "usr/share/icons/hicolor/scalable/apps/jiafang.svg")
    _install_file(linux / "jiafang.png", root / "usr/share/icons/hicolor/256x256/apps/jiafang.png")
    _install_file(linux / "copyright", root / "usr/share/doc/jiafang/copyright")
    _normalise_modes(root)
    installed_kib = (tree_size(root) + 1023) // 1024
    debian = root / "DEBIAN"
    debian.mkdir(mode=0o755)
    (debian / "control").write_text(
        deb_control(version, architecture, installed_kib), encoding="utf-8"
    )
    target = output_dir / f"{APP_NAME}_{version}_{architecture}.deb"
    # gzip rather than xz/zstd: several times faster to build, and the dpkg of older Kylin and
    # UOS releases cannot read zstd members.
    result = subprocess.run(
        [dpkg_deb, "--root-owner-group", "-Zgzip", "-z6", "--build", str(root), str(target)],
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise BuildError(f"dpkg-deb failed: {result.stderr.strip()}")
    shutil.rmtree(root, ignore_errors=True)
    return target


def tarball_name(version: str) -> str:
    return f"{APP_NAME}-{version}-linux-{platform.machine().lower()}"


def build_tarball(bundle: Path, output_dir: Path, version: str) -> Path:
    """`jiafang-<version>-linux-<arch>.tar.gz`: the bundle plus desktop entry and icon, for
    machines where a .deb cannot be installed (unpack anywhere, run `./jiafang`)."""
    top = tarball_name(version)
    target = output_dir / f"{top}.tar.gz"
    linux = PACKAGING / "linux"

    def owned_by_root(info: tarfile.TarInfo) -> tarfile.TarInfo:
        info.uid = info.gid = 0
        info.uname = info.gname = "root"
        return info

    with tarfile.open(target, "w:gz", compresslevel=6) as archive:
        archive.add(bundle, arcname=top, filter=owned_by_root)
        for name in ("jiafang.desktop", "jiafang.png", "jiafang.svg"):
            archive.add(linux / name, arcname=f"{top}/share/{name}", filter=owned_by_root)
    return target


# -- Windows ------------------------------------------------------------------------------------


def render_iss(bundle: Path, output_dir: Path, version: str) -> str:
    template = (PACKAGING / "windows" / "jiafang.iss.in").read_text(encoding="utf-8")
    values = {
        "@VERSION@": version,
        "@SOURCE_DIR@": str(bundle),
        "@OUTPUT_DIR@": str(output_dir),
        "@ICON@": str(PACKAGING / "windows" / "jiafang.ico"),
        "@EXE@": f"{APP_NAME}.exe",
    }
    for key, value in values.items():
        template = template.replace(key, value)
    return template


def find_iscc() -> Path | None:
    found = shutil.which("ISCC") or shutil.which("iscc")
    if found:
        return Path(found)
    for variable in ("ProgramFiles(x86)", "ProgramFiles"):
        base = os.environ.get(variable)
        if base:
            candidate = Path(base) / "Inno Setup 6" / "ISCC.exe"
            if candidate.exists():
                return candidate
    return None


def build_inno_setup(bundle: Path, output_dir: Path, version: str) -> list[Path]:
    iss = output_dir / "jiafang.iss"
    iss.write_text(render_iss(bundle, output_dir, version), encoding="utf-8-sig")
    artefacts = [iss]
    iscc = find_iscc()
    if iscc is None:
        print("Inno Setup (ISCC.exe) not found: wrote jiafang.iss only")
        return artefacts
    result = subprocess.run([str(iscc), "/Q", str(iss)], capture_output=True, text=True)
    if result.returncode != 0:
        raise BuildError(f"Inno Setup failed:\n{result.stdout}{result.stderr}")
    artefacts += sorted(output_dir.glob(f"{APP_NAME}-setup-{version}*.exe"))
    return artefacts


# -- the command --------------------------------------------------------------------------------


@dataclass
class BuildResult:
    bundle: Path
    bundle_size: int
    artefacts: list[Path] = field(default_factory=list)
    startup: StartupMeasurement | None = None
    build_seconds: float = 0.0


def build(
    output_dir: Path,
    *,
    skip_deb: bool = False,
    measure: bool = True,
    work_dir: Path | None = None,
) -> BuildResult:
    started = time.perf_counter()
    output_dir.mkdir(parents=True, exist_ok=True)
    version = project_version()
    with tempfile.TemporaryDirectory(prefix="jiafang-build-") as tmp:
        scratch = Path(tmp)
        work = work_dir or scratch / "pyinstaller-work"
        print("== staging resources and translations")
        staged = stage_resources(scratch / "staged")
        print(f"== PyInstaller (one folder, {len(excluded_modules())} modules excluded)")
        bundle = run_pyinstaller(staged, work, output_dir)
        print("== self-test of the bundle")
        profile_dir = scratch / "profile"
        print(run_self_test(executable_path(bundle), profile_dir).rstrip())
        result = BuildResult(bundle, tree_size(bundle))
        if sys.platform.startswith("linux"):
            print("== packages (.deb, .tar.gz)")
            with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
                jobs = [pool.submit(build_tarball, bundle, output_dir, version)]
                if not skip_deb:
                    jobs.append(pool.submit(build_deb, bundle, output_dir, version, scratch))
                result.artefacts += [job.result() for job in jobs]
        elif sys.platform == "win32":
            print("== Inno Setup")
            result.artefacts += build_inno_setup(bundle, output_dir, version)
        if measure:
            print("== start-up time to the sign-in window")
            result.startup = measure_startup(executable_path(bundle), profile_dir)
    result.build_seconds = time.perf_counter() - started
    return result


def print_summary(result: BuildResult) -> None:
    size_mb = mib(result.bundle_size)
    verdict = "ok" if size_mb <= SIZE_TARGET_MB else f"OVER the {SIZE_TARGET_MB:g} MB target"
    print(f"\n{'artefact':<60} {'size':>10}")
    print(f"{str(result.bundle) + os.sep:<60} {size_mb:>7.1f} MB  (unpacked; {verdict})")
    for artefact in result.artefacts:
        print(f"{artefact!s:<60} {mib(artefact.stat().st_size):>7.1f} MB")
    if result.startup is not None:
        startup = result.startup
        verdict = "ok" if startup.median_s <= STARTUP_TARGET_S else "OVER the target"
        runs = ", ".join(f"{s:.2f}" for s in startup.runs_s)
        print(
            f"start-up to the {startup.screen} window: {startup.median_s:.2f} s median "
            f"({runs}; {startup.platform}; target ≤ {STARTUP_TARGET_S:g} s: {verdict})"
        )
        if startup.median_cpu_s is not None:
            load = (
                "" if startup.load_average is None else f", load average {startup.load_average:.1f}"
            )
            print(f"  of which CPU time: {startup.median_cpu_s:.2f} s median{load}")
    print(f"build time: {result.build_seconds:.0f} s")


def write_report(result: BuildResult, path: Path) -> None:
    sys.path.insert(0, str(ROOT))
    from tests.benchmarks.common import BenchmarkReport

    report = BenchmarkReport(suite="installer")
    report.add("bundle_size_mb", mib(result.bundle_size), "MB", "lower", f"<= {SIZE_TARGET_MB:g}")
    if result.startup is not None:
        report.add(
            "startup_to_login_s", result.startup.median_s, "s", "lower", f"<= {STARTUP_TARGET_S:g}"
        )
        report.notes["startup_runs_s"] = ", ".join(f"{s:.2f}" for s in result.startup.runs_s)
        report.notes["startup_platform"] = result.startup.platform
        report.notes["startup_screen"] = result.startup.screen
        if result.startup.median_cpu_s is not None:
            report.add("startup_cpu_s", result.startup.median_cpu_s, "s", "lower")
        if result.startup.load_average is not None:
            report.notes["load_average_1min"] = f"{result.startup.load_average:.2f}"
    for artefact in result.artefacts:
        suffix = (
            "".join(artefact.suffixes[-2:])
            if artefact.name.endswith(".tar.gz")
            else (artefact.suffix)
        )
        name = {".deb": "deb_size_mb", ".tar.gz": "tarball_size_mb", ".exe": "setup_size_mb"}.get(
            suffix
        )
        if name:
            report.add(name, mib(artefact.stat().st_size), "MB", "lower")
    report.add("build_time_s", result.build_seconds, "s", "lower")
    report.notes["excluded_qt_modules"] = ", ".join(
        sorted(m.removeprefix("PySide6.") for m in excluded_modules() if m.startswith("PySide6."))
    )
    report.write(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the Jiafang desktop client installers")
    parser.add_argument("--output", type=Path, default=ROOT / "dist", help="default: dist/")
    parser.add_argument("--report", type=Path, default=None, help="write a JSON report here")
    parser.add_argument("--skip-deb", action="store_true", help="no .deb (Linux)")
    parser.add_argument(
        "--skip-startup", action="store_true", help="do not measure the start-up time"
    )
    parser.add_argument(
        "--work-dir",
        type=Path,
        default=None,
        help="PyInstaller work folder to keep between builds (default: a temporary one)",
    )
    args = parser.parse_args(argv)
    try:
        result = build(
            args.output.resolve(),
            skip_deb=args.skip_deb,
            measure=not args.skip_startup,
            work_dir=args.work_dir.resolve() if args.work_dir else None,
        )
    except BuildError as exc:
        print(f"build failed: {exc}", file=sys.stderr)
        return 1
    print_summary(result)
    if args.report is not None:
        write_report(result, args.report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
