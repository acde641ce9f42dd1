"""Run the real sync server for tests and benchmarks: `python -m tests.sync.e2e.serve`.

Configuration comes from the environment (`JIAFANG_DATA_DIR`, `JIAFANG_DATABASE_URL`,
`JIAFANG_SERVER_MASTER_KEY`, `JIAFANG_TEST_PORT`; `JIAFANG_TEST_STANDBY=1` waits for a
line on stdin before binding the port) so that a test can kill -9 it and start it
again on the same data. Password hashing is cheap here (the test harness logs in often); every
other setting is the server's default.
"""

from __future__ import annotations

import os
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
    uvicorn.run(
        application,
        host="127.0.0.1",
        port=int(os.environ["JIAFANG_TEST_PORT"]),
        log_level=os.environ.get("JIAFANG_TEST_LOG_LEVEL", "warning"),
        server_header=False,
        ssl_certfile=os.environ.get("JIAFANG_TEST_SSL_CERT"),
        ssl_keyfile=os.environ.get("JIAFANG_TEST_SSL_KEY"),
        access_log=False,
    )


if __name__ == "__main__":
    main()
