"""Issue 8: `python build_installer.py` makes a laptop install that starts and works.

Builds the Linux bundle once (PyInstaller, ~2 minutes on 2 cores) into a temporary folder, then
installs the `.deb` into a scratch root with `dpkg-deb -x`, unpacks the `.tar.gz`, and runs
`--self-test` from both; checks the size target, what was left out, and the JSON report.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tarfile
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import build_installer as bi  # noqa: E402

pytestmark = [
    pytest.mark.slow,
    pytest.mark.timeout(1200),
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="builds the Linux packages"),
    pytest.mark.skipif(shutil.which("dpkg-deb") is None, reason="needs dpkg-deb"),
]


@dataclass
class Built:
    output: Path
    report: dict[str, object]
    log: str

    def one(self, pattern: str) -> Path:
        (found,) = self.output.glob(pattern)
        return found


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    base = tmp_path_factory.mktemp("installer")
    output, report = base / "out", base / "report.json"
    result = subprocess.run(
        [sys.executable, "build_installer.py", "--output", str(output), "--report", str(report)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=1100,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return Built(output, json.loads(report.read_text(encoding="utf-8")), result.stdout)


def _self_test(executable: Path, home: Path) -> subprocess.CompletedProcess[str]:
    # A clean environment: no venv, no checkout on the path, a display-less machine.
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "QT_QPA_PLATFORM": "offscreen",
    }
    return subprocess.run(
        [str(executable), "--self-test"],
        cwd=home,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


def test_deb_installs_into_a_scratch_root_and_passes_its_self_test(
    built: Built, tmp_path: Path
) -> None:
    deb = built.one("jiafang_*.deb")
    info = subprocess.run(["dpkg-deb", "-f", str(deb)], capture_output=True, text=True, check=True)
    fields = dict(line.split(": ", 1) for line in info.stdout.splitlines() if ": " in line)
    assert fields["Package"] == "jiafang"
    assert set(bi.DEB_DEPENDS) <= {d.strip() for d in fields["Depends"].split(",")}

    root = tmp_path / "root"
    subprocess.run(["dpkg-deb", "-x", str(deb), str(root)], check=True)
    assert os.access(root / "opt/jiafang/jiafang", os.X_OK)
    assert (root / "usr/share/applications/jiafang.desktop").is_file()
    assert (root / "usr/share/icons/hicolor/256x256/apps/jiafang.png").is_file()
    assert (root / "usr/share/icons/hicolor/scalable/apps/jiafang.svg").is_file()
    assert (root / "opt/jiafang/_internal/resources/policies/district-x-2025.toml").is_file()

    # through the /usr/bin launcher, as the desktop entry starts it
    home = tmp_path / "home"
    home.mkdir()
    result = _self_test(root / "usr/bin/jiafang", home)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "self-test passed" in result.stdout


def test_tarball_unpacks_and_passes_its_self_test(built: Built, tmp_path: Path) -> None:
    tarball = built.one("jiafang-*-linux-*.tar.gz")
    with tarfile.open(tarball) as archive:
        archive.extractall(tmp_path, filter="tar")
    (top,) = [p for p in tmp_path.iterdir() if p.is_dir()]
    assert (top / "share" / "jiafang.desktop").is_file()
    home = tmp_path / "home"
    home.mkdir()
    result = _self_test(top / "jiafang", home)
    assert result.returncode == 0, result.stdout + result.stderr


def test_bundle_is_within_250_mb_and_leaves_out_server_and_unused_qt(built: Built) -> None:
    bundle = built.output / "jiafang"
    size_mb = bi.mib(bi.tree_size(bundle))
    assert size_mb <= bi.SIZE_TARGET_MB, f"bundle is {size_mb:.1f} MB"

    files = {p.name for p in bundle.rglob("*")}
    for unused in (
        "libQt6WebEngineCore.so.6",
        "libQt6Quick3D.so.6",
        "libQt6Pdf.so.6",
    ):
        assert unused not in files
    assert "libqxcb.so" in files and "libqjpeg.so" in files
    assert "libffmpegmediaplugin.so" in files  # the camera

    from PyInstaller.archive.readers import CArchiveReader

    modules = set(
        CArchiveReader(str(bi.executable_path(bundle))).open_embedded_archive("PYZ.pyz").toc
    )
    assert "ui.selftest" in modules and "app.store.local_store" in modules
    for server_side in ("sync.server", "fastapi", "uvicorn", "alembic", "psycopg", "pytest"):
        assert not {m for m in modules if m == server_side or m.startswith(server_side + ".")}


def test_report_has_the_benchmark_shape_with_size_and_startup(built: Built) -> None:
    report = built.report
    assert report["suite"] == "installer"
    assert isinstance(report["machine"], dict)
    metrics = report["metrics"]
    assert isinstance(metrics, dict)
    size = metrics["bundle_size_mb"]
    assert size["unit"] == "MB" and size["better"] == "lower"
    assert 20 < size["value"] <= bi.SIZE_TARGET_MB
    startup = metrics["startup_to_login_s"]
    assert startup["unit"] == "s" and 0 < startup["value"] < 60
    assert metrics["deb_size_mb"]["value"] > 0 and metrics["tarball_size_mb"]["value"] > 0
    # the build prints its artefacts with their sizes
    assert ".deb" in built.log and ".tar.gz" in built.log and " MB" in built.log


def _owning_package(library: str) -> str | None:
    """The Debian package that ships a system library, as this build machine resolves it."""
    listing = subprocess.run(["ldconfig", "-p"], capture_output=True, text=True).stdout
    for line in listing.splitlines():
        if line.strip().startswith(library + " ") and "=>" in line:
            path = Path(line.split("=>", 1)[1].strip())
            real = path.resolve()
            candidates = {str(path), str(real)}
            for candidate in list(candidates):  # merged /usr: dpkg may know either spelling
                if candidate.startswith("/usr/lib/"):
                    candidates.add(candidate.removeprefix("/usr"))
                elif candidate.startswith("/lib/"):
                    candidates.add("/usr" + candidate)
            for candidate in sorted(candidates):
                found = subprocess.run(["dpkg", "-S", candidate], capture_output=True, text=True)
                if found.returncode == 0:
                    return found.stdout.split(":", 1)[0]
    return None


def _depends_closure(packages: set[str]) -> set[str]:
    """The packages plus everything they depend on (as installed on this machine)."""
    closure, todo = set(packages), list(packages)
    while todo:
        package = todo.pop()
        answer = subprocess.run(
            ["dpkg-query", "-W", "-f=${Depends}", package], capture_output=True, text=True
        )
        for alternative in answer.stdout.split(","):
            name = alternative.split("|")[0].split("(")[0].split(":")[0].strip()
            if name and name not in closure:
                closure.add(name)
                todo.append(name)
    return closure


@pytest.mark.skipif(
    shutil.which("readelf") is None or shutil.which("ldconfig") is None,
    reason="needs readelf and ldconfig",
)
def test_every_library_the_bundle_does_not_ship_comes_from_its_depends(built: Built) -> None:
    bundle = built.output / "jiafang"
    shipped = {p.name for p in bundle.rglob("*.so*")}
    needed: set[str] = set()
    for path in [bi.executable_path(bundle), *bundle.rglob("*.so*")]:
        if path.is_symlink() or not path.is_file():
            continue
        dynamic = subprocess.run(["readelf", "-d", str(path)], capture_output=True, text=True)
        for line in dynamic.stdout.splitlines():
            if "(NEEDED)" in line:
                needed.add(line.split("[", 1)[1].rstrip("]"))
    from_system = sorted(needed - shipped)
    assert "libEGL.so.1" in from_system  # GL comes from the system, never from the bundle
    allowed = _depends_closure(set(bi.DEB_DEPENDS)) | {"libc6"}
    owners = {library: _owning_package(library) for library in from_system}
    unknown = {lib: pkg for lib, pkg in owners.items() if pkg is None or pkg not in allowed}
    assert not unknown, f"libraries not covered by the .deb's Depends: {unknown}"
