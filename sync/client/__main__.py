"""`python -m sync.client --profile DIR --server URL [--user U] sync|status`

For tests, benchmarks and support staff. The password (it unlocks the profile and signs in to
the server) comes from the `JIAFANG_PASSWORD` environment variable or the first line of stdin,
never from the command line (other users can read argv) and never into a log. `sync` runs one
sync and prints its report (`--json` for one JSON line); `status` shows what waits to be sent and
what was last pulled without unlocking anything. Exit codes: 0 ok, 1 error, 2 offline,
3 wiped (device revoked), 4 sign-in needed, 5 upgrade needed, 6 certificate refused.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path

from app.errors import JiafangError
from app.store.local_store import LocalStore
from sync.client.config import STATE_FILE_NAME, ClientConfig
from sync.client.engine import SyncEngine
from sync.client.state import SyncState

PASSWORD_ENV = "JIAFANG_PASSWORD"
STORE_FILE = "store.sqlite3"
PROFILE_FILE = "profile.json"
EXIT_CODES = {
    "ok": 0,
    "offline": 2,
    "wiped": 3,
    "auth_required": 4,
    "upgrade_required": 5,
    "server_too_old": 5,
    "tls": 6,
}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m sync.client", description=__doc__)
    parser.add_argument("command", choices=["sync", "status"])
    parser.add_argument("--profile", required=True, help="profile folder (holds store.sqlite3)")
    parser.add_argument("--server", default=None, help="server URL (default: from profile.json)")
    parser.add_argument("--user", default=None, help="login name (default: from profile.json)")
    parser.add_argument("--ca-bundle", default=None, help="PEM file of the deployment's CA")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--connect-timeout", type=float, default=5.0)
    parser.add_argument("--read-timeout", type=float, default=60.0)
    parser.add_argument("--log-level", default="warning")
    return parser


def _read_password() -> str:
    password = os.environ.get(PASSWORD_ENV)
    if password:
        return password
    line = sys.stdin.readline()
    return line.rstrip("\r\n")


def _profile_value(folder: Path, key: str) -> str | None:
    try:
        raw = json.loads((folder / PROFILE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    value = raw.get(key)
    return str(value) if value else None


def _status(folder: Path, as_json: bool) -> int:
    store = LocalStore.open(folder / STORE_FILE)
    try:
        state = SyncState(folder / STATE_FILE_NAME)
        checkpoints = {b: store.checkpoint(b) for b in state.buckets()}
        pending, last_sync = store.pending_count(), state.get("last_sync_at")
        state.close()
    finally:
        store.close()
    if as_json:
        print(json.dumps({"pending": pending, "last_sync_at": last_sync, "buckets": checkpoints}))
    else:
        print(f"waiting to send: {pending}")
        print(f"last sync:       {last_sync or 'never'}")
        for bucket, checkpoint in checkpoints.items():
            print(f"  {bucket}: checkpoint {checkpoint}")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=args.log_level.upper(), format="%(levelname)s %(name)s %(message)s")
    folder = Path(args.profile)
    try:
        if args.command == "status":
            return _status(folder, args.json)
        server = args.server or _profile_value(folder, "server_url")
        user = args.user or _profile_value(folder, "account")
        if not server or not user:
            print("--server and --user are needed (no profile.json here)", file=sys.stderr)
            return 1
        config = ClientConfig(
            server_url=server,
            ca_bundle=args.ca_bundle,
            connect_timeout_s=args.connect_timeout,
            read_timeout_s=args.read_timeout,
        )
        password = _read_password()
        store = LocalStore.open(folder / STORE_FILE)
        store.unlock(password)
        engine = SyncEngine(store, config, username=user, password=password)
        del password
        try:
            report = engine.run_once()
        finally:
            engine.close()
            if not engine.wiped:  # a wiped store has closed and deleted itself
                store.close()
    except JiafangError as exc:
        print(f"{exc.code}: {exc.message_en} / {exc.message_zh}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(report.as_dict()))
    else:
        print(
            f"{report.outcome}: sent {report.acknowledged} ({report.conflicts} conflicts, "
            f"{report.rejected} refused), received {report.pulled}, "
            f"waiting {report.pending_after}, {report.duration_s:.2f}s"
        )
        if report.outcome != "ok":
            print(f"{report.error_code}: {report.message_en} / {report.message_zh}")
    return EXIT_CODES.get(report.outcome, 1)


if __name__ == "__main__":
    sys.exit(main())
