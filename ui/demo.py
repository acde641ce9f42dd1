"""`python -m ui.demo`: the README's demo.

Starts the embedded server on SQLite (its own process: the client never imports the server)
with the synthetic demo data set, then opens the desktop app on the registration screen with
the server address and the demo field worker's account filled in, and prints the credentials.
Everything lives in one demo folder, so a second run reuses the registered laptop and the
server's data; `--reset` starts again from nothing.
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests
from platformdirs import user_data_dir

logger = logging.getLogger(__name__)

DEMO_ACCOUNT = "demo-worker-1"
# the synthetic data set's shared password (sync/server/demo_seed.py)
DEMO_PASSWORD = "jiafang-demo-2025"
DEFAULT_PORT = 8765  # fixed, because a registered demo laptop remembers its server address
SEEDED_MARKER = ".demo-seeded"


class DemoError(RuntimeError):
    """The demo cannot start; the message says why and what to do."""


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m ui.demo",
        description="Jiafang demo: embedded server with synthetic data + the desktop app",
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=Path(user_data_dir("jiafang-demo", appauthor=False)),
        help="demo folder (server data and laptop profiles)",
    )
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    parser.add_argument("--households", type=int, default=200)
    parser.add_argument("--lang", choices=["zh_CN", "en"], default=None)
    parser.add_argument("--reset", action="store_true", help="delete the demo folder first")
    parser.add_argument(
        "--server-only", action="store_true", help="run the demo server until Ctrl+C, no window"
    )
    return parser.parse_args(argv)


def _port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def seed_server(server_dir: Path, households: int) -> None:
    """Load the demo data set once; its output lists the demo accounts."""
    if (server_dir / SEEDED_MARKER).exists():
        return
    server_dir.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "sync.server.admin", "--data-dir", str(server_dir)]
    result = subprocess.run(
        [*command, "seed-demo", "--households", str(households)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if result.returncode != 0:
        raise DemoError(f"seeding the demo server failed:\n{result.stderr.strip()}")
    sys.stdout.write(result.stdout)
    (server_dir / SEEDED_MARKER).write_text("seeded\n")


def start_server(server_dir: Path, port: int, log_path: Path) -> subprocess.Popen[bytes]:
    if not _port_is_free(port):
        raise DemoError(
            f"port {port} is in use (another demo still running?); pass --port with a free one"
        )
    log = log_path.open("ab")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sync.server",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--data-dir",
            str(server_dir),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    log.close()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise DemoError(f"the demo server stopped at start-up; see {log_path}")
        try:
            if requests.get(f"{url}/health", timeout=2).ok:
                return process
        except requests.RequestException:
            pass
        time.sleep(0.3)
    stop_server(process)
    raise DemoError(f"the demo server did not answer within 60 s; see {log_path}")


def stop_server(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def _has_display() -> bool:
    if sys.platform != "linux" or os.environ.get("QT_QPA_PLATFORM"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def run_app(profile_dir: Path, server_url: str, language: str | None) -> int:
    from ui.app import build_app, configure_logging, server_registration

    configure_logging(logging.INFO)
    context = build_app(
        profile_dir=profile_dir,
        language=language,
        register=server_registration,
        with_sync=True,
        argv=[sys.argv[0]],
    )
    page = context.window.registration_page
    page.server_edit.setText(server_url)
    page.account_edit.setText(DEMO_ACCOUNT)
    context.window.start()
    context.window.show()
    return int(context.app.exec())


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if not args.server_only and not _has_display():
        sys.stderr.write(
            "No display: run the demo in a desktop session (or under "
            'xvfb-run -a -s "-screen 0 1366x768x24" to try it headless).\n'
        )
        return 2
    if args.reset and args.data_dir.exists():
        shutil.rmtree(args.data_dir)
    server_dir = args.data_dir / "server"
    try:
        seed_server(server_dir, args.households)
        server = start_server(server_dir, args.port, args.data_dir / "server.log")
    except DemoError as exc:
        sys.stderr.write(f"{exc}\n")
        return 1
    url = f"http://127.0.0.1:{args.port}"
    sys.stdout.write(
        "\nJiafang demo server: "
        f"{url}  (data: {args.data_dir})\n"
        f"Log in as the demo field worker: account {DEMO_ACCOUNT}, password {DEMO_PASSWORD}\n"
        "On first start the app registers this laptop with that account and password (type the "
        "password twice: it also locks the laptop's vault); later starts only unlock.\n"
        "Other demo accounts: demo-supervisor, demo-contractor-1 (same password).\n\n"
    )
    sys.stdout.flush()
    try:
        if args.server_only:
            server.wait()
            return 0
        return run_app(args.data_dir / "profiles", url, args.lang)
    except KeyboardInterrupt:
        return 0
    finally:
        stop_server(server)


if __name__ == "__main__":
    raise SystemExit(main())
