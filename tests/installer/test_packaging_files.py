"""The files the packages install or a deployment copies: launcher, desktop entry, control
file, Inno Setup script, systemd unit and nginx configuration."""

from __future__ import annotations

import configparser
import datetime
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

import build_installer as bi
from tests.installer.conftest import ROOT

SERVER_DIR = ROOT / "resources" / "packaging" / "server"


def test_launcher_runs_the_bundle_installed_or_unpacked_elsewhere(tmp_path: Path) -> None:
    # the same layout as the .deb, unpacked into a scratch root instead of /
    app = tmp_path / "opt" / "jiafang" / "jiafang"
    app.parent.mkdir(parents=True)
    app.write_text('#!/bin/sh\necho "bundle got: $*"\n', encoding="utf-8")
    app.chmod(0o755)
    launcher = tmp_path / "usr" / "bin" / "jiafang"
    launcher.parent.mkdir(parents=True)
    launcher.write_text(bi.launcher_script(), encoding="utf-8")
    launcher.chmod(0o755)
    # called through a symlink, as a desktop or a user's ~/bin link would
    link = tmp_path / "elsewhere"
    link.symlink_to(launcher)
    for entry in (launcher, link):
        out = subprocess.run(
            [str(entry), "--self-test", "two words"], capture_output=True, text=True, check=True
        )
        assert out.stdout == "bundle got: --self-test two words\n"


def test_control_file_names_the_qt_runtime_packages() -> None:
    control = bi.deb_control("1.2.3", "amd64", 204800)
    fields = dict(
        line.split(": ", 1) for line in control.splitlines() if line and not line.startswith(" ")
    )
    assert fields["Package"] == "jiafang"
    assert fields["Version"] == "1.2.3"
    assert fields["Architecture"] == "amd64"
    assert fields["Installed-Size"] == "204800"
    depends = {d.strip() for d in fields["Depends"].split(",")}
    assert depends == {
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
        "libpulse0",
        "libxrandr2",
    }
    # a multi-line Description: continuation lines start with a space
    assert all(line.startswith(" ") for line in control.splitlines()[-3:])
    assert control.endswith("\n")


def test_desktop_entry_starts_the_launcher_with_its_icon_in_chinese_and_english() -> None:
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str  # type: ignore[assignment,method-assign]
    entry.read(ROOT / "resources/packaging/linux/jiafang.desktop", encoding="utf-8")
    section = entry["Desktop Entry"]
    assert section["Type"] == "Application"
    assert section["Exec"].split()[0] == "jiafang"
    assert section["Icon"] == "jiafang"
    assert section["Name[zh_CN]"] == "家访"
    assert section["Terminal"] == "false"
    assert section["Categories"].endswith(";")
    validator = shutil.which("desktop-file-validate")
    if validator:
        subprocess.run(
            [validator, str(ROOT / "resources/packaging/linux/jiafang.desktop")], check=True
        )


def test_icons_are_the_sizes_the_packages_declare() -> None:
    from PIL import Image

    with Image.open(ROOT / "resources/packaging/linux/jiafang.png") as png:
        assert png.size == (256, 256)
    with Image.open(ROOT / "resources/packaging/windows/jiafang.ico") as ico:
        assert (16, 16) in ico.info["sizes"] and (256, 256) in ico.info["sizes"]


def test_inno_setup_script_is_filled_in(tmp_path: Path) -> None:
    bundle = tmp_path / "dist" / "jiafang"
    iss = bi.render_iss(bundle, tmp_path, "1.2.3")
    assert re.search(r"@[A-Z_]+@", iss) is None, "an unfilled @PLACEHOLDER@ is left"
    assert '#define AppVersion "1.2.3"' in iss
    assert f'Source: "{bundle}\\*"' in iss
    assert f"OutputDir={tmp_path}" in iss
    assert 'AppExe "jiafang.exe"' in iss
    assert "recursesubdirs" in iss


def _exec_start(unit: str) -> list[str]:
    lines = unit.replace("\\\n", " ").splitlines()
    (line,) = [line for line in lines if line.startswith("ExecStart=")]
    return shlex.split(line.removeprefix("ExecStart="))


def test_systemd_unit_starts_the_server_with_options_it_accepts() -> None:
    from sync.server.__main__ import _parser

    unit = (SERVER_DIR / "jiafang-server.service").read_text(encoding="utf-8")
    command = _exec_start(unit)
    assert command[1:3] == ["-m", "sync.server"]
    args = _parser().parse_args(command[3:])
    assert args.command == "serve"
    assert args.host == "127.0.0.1", "the server must only listen behind the proxy"
    assert args.proxy_headers
    assert "EnvironmentFile=/etc/jiafang/server.env" in unit
    assert "JIAFANG_DATABASE_URL=postgresql://" in unit
    assert "JIAFANG_SERVER_MASTER_KEY" in unit
    analyze = shutil.which("systemd-analyze")
    if analyze:
        result = subprocess.run(
            [analyze, "verify", str(SERVER_DIR / "jiafang-server.service")],
            capture_output=True,
            text=True,
        )
        # the only complaint allowed here is the not-yet-installed server venv
        problems = [
            line
            for line in (result.stdout + result.stderr).splitlines()
            if line.strip() and "/opt/jiafang-server/venv/bin/python" not in line
        ]
        assert not problems


def test_nginx_proxies_to_the_unit_port_with_room_for_the_servers_body_limit() -> None:
    from sync.server.config import Settings

    unit = (SERVER_DIR / "jiafang-server.service").read_text(encoding="utf-8")
    command = _exec_start(unit)
    port = command[command.index("--port") + 1]
    conf = (SERVER_DIR / "nginx-jiafang.conf").read_text(encoding="utf-8")
    assert f"server 127.0.0.1:{port};" in conf
    limit = re.search(r"client_max_body_size (\d+)m;", conf)
    assert limit is not None
    server_limit = Settings.__dataclass_fields__["max_request_bytes"].default
    assert int(limit.group(1)) * 2**20 > server_limit  # type: ignore[operator]
    assert "ssl_protocols TLSv1.2 TLSv1.3;" in conf
    assert "X-Forwarded-Proto $scheme" in conf


@pytest.mark.skipif(shutil.which("nginx") is None, reason="nginx is not installed")
def test_nginx_accepts_the_configuration(tmp_path: Path) -> None:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "jiafang.example.gov.cn")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    (tmp_path / "fullchain.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "privkey.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    conf = (SERVER_DIR / "nginx-jiafang.conf").read_text(encoding="utf-8")
    conf = conf.replace("/etc/jiafang/tls/", f"{tmp_path}/").replace(
        "/var/log/nginx/", f"{tmp_path}/"
    )
    (tmp_path / "site.conf").write_text(conf, encoding="utf-8")
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{\n  access_log off;\n  include {tmp_path}/site.conf;\n}}\n",
        encoding="utf-8",
    )
    result = subprocess.run(
        [
            shutil.which("nginx") or "nginx",
            "-t",
            "-p",
            str(tmp_path),
            "-c",
            str(tmp_path / "nginx.conf"),
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
