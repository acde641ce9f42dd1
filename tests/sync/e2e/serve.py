"""Run the real sync server for tests and benchmarks: `python -m tests.sync.e2e.serve`.

Configuration comes from the environment (`JIAFANG_DATA_DIR`, `JIAFANG_DATABASE_URL`,
`JIAFANG_SERVER_MASTER_KEY`, `JIAFANG_TEST_PORT`; `JIAFANG_TEST_STANDBY=1` waits for a
line on stdin before binding the port; `JIAFANG_TEST_WORKERS=N` serves from N processes, each
with its own socket on the port (SO_REUSEPORT, so the kernel spreads connections over them as a
balancer in front of several server processes would)) so that a test can kill -9 it and start it
again on the same data. Password hashing is cheap here (the test harness logs in often); every
other setting is the server's default.
"""

from __future__ import annotations

import ctypes
import os
import signal
import socket
import subprocess
import sys
from dataclasses import replace

import uvicorn

from sync.server.app import create_app
from sync.server.config import Argon2Params, load_settings

TEST_ARGON2 = Argon2Params(memory_kib=64, iterations=1, lanes=1)


def main() -> None:
    settings = load_settings(argon2=TEST_ARGON2)
    if os.environ.get("JIAFANG_TEST_ACCESS_TTL"):
        settings = replace(settings, access_token_ttl_s=int(os.environ["JIAFANG_TEST_ACCESS_TTL"]))
    application = create_app(settings)
    if os.environ.get("JIAFANG_TEST_STANDBY"):
        # A warm spare: imported and migrated, it binds the port only when told to, so a test
        # that kills the server -9 gets a new one in milliseconds instead of seconds.
        sys.stdout.write("ready\n")
        sys.stdout.flush()
        if not sys.stdin.readline():
            return
    port = int(os.environ["JIAFANG_TEST_PORT"])
    workers = int(os.environ.get("JIAFANG_TEST_WORKERS", "1"))
    shared = workers > 1 or bool(os.environ.get("JIAFANG_TEST_REUSEPORT"))
    if os.environ.get("JIAFANG_TEST_REUSEPORT"):
        _die_with_parent()
    helpers = [_spawn_helper() for _ in range(workers - 1)]
    config = uvicorn.Config(
        application,
        host="127.0.0.1",
        port=port,
        log_level=os.environ.get("JIAFANG_TEST_LOG_LEVEL", "warning"),
        server_header=False,
        ssl_certfile=os.environ.get("JIAFANG_TEST_SSL_CERT"),
        ssl_keyfile=os.environ.get("JIAFANG_TEST_SSL_KEY"),
        access_log=False,
    )
    try:
        uvicorn.Server(config).run(sockets=[_shared_socket(port)] if shared else None)
    finally:
        for helper in helpers:
            helper.terminate()
            helper.wait(10)


def _shared_socket(port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind(("127.0.0.1", port))
    sock.listen(2048)
    return sock


def _spawn_helper() -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if k != "JIAFANG_TEST_STANDBY"}
    env.update({"JIAFANG_TEST_WORKERS": "1", "JIAFANG_TEST_REUSEPORT": "1"})
    return subprocess.Popen([sys.executable, "-m", "tests.sync.e2e.serve"], env=env)


def _die_with_parent() -> None:
    """A helper goes when the process that started it goes, even by kill -9 (Linux)."""
    if sys.platform.startswith("linux"):
        pr_set_pdeathsig = 1
        ctypes.CDLL(None).prctl(pr_set_pdeathsig, signal.SIGTERM)


if __name__ == "__main__":
    main()
