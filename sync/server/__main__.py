"""`python -m sync.server [--host H] [--port P] [--data-dir DIR] [--database-url URL]
[--shutdown-timeout S] [--active-requests N]` serves;
`python -m sync.server verify-audit [--data-dir DIR] [--database-url URL]` checks the audit
chain and exits 0 (intact) or 1 (broken)."""

from __future__ import annotations

import argparse
import sys

from sqlmodel import Session

from sync.server.audit import verify_chain
from sync.server.config import (
    DEFAULT_ACTIVE_REQUESTS,
    ENV_ACTIVE_REQUESTS,
    ENV_DATABASE_URL,
    active_requests_from,
    load_settings,
)
from sync.server.crypto import ServerKeys
from sync.server.db import make_engine, run_migrations
from sync.server.errors import ConfigError
from sync.server.logs import configure_logging

#: Seconds a SIGTERM'd server lets requests in progress finish before it cancels them and exits
#: (without a bound uvicorn can wait forever on a connection that never completes its request).
DEFAULT_SHUTDOWN_TIMEOUT = 10


def _seconds(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number of seconds: {text!r}") from None
    if not 0 <= value <= 3600:
        raise argparse.ArgumentTypeError("must be between 0 and 3600 seconds")
    return value


def _active_requests(text: str) -> int:
    try:
        return active_requests_from(text)
    except ConfigError as exc:
        raise argparse.ArgumentTypeError(exc.message_en) from None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m sync.server", description="Jiafang sync server"
    )
    parser.add_argument("command", nargs="?", choices=["serve", "verify-audit"], default="serve")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8443)
    parser.add_argument("--data-dir", default=None, help="SQLite file, attachments, key file")
    parser.add_argument(
        "--database-url", default=None, help=f"postgresql://… (or {ENV_DATABASE_URL})"
    )
    parser.add_argument("--ssl-certfile", default=None, help="serve TLS directly")
    parser.add_argument("--ssl-keyfile", default=None)
    parser.add_argument("--proxy-headers", action="store_true", help="behind a TLS reverse proxy")
    parser.add_argument(
        "--shutdown-timeout",
        type=_seconds,
        default=DEFAULT_SHUTDOWN_TIMEOUT,
        metavar="SECONDS",
        help=f"on SIGTERM, wait at most this long for requests in progress "
        f"(default {DEFAULT_SHUTDOWN_TIMEOUT})",
    )
    parser.add_argument(
        "--active-requests",
        type=_active_requests,
        default=None,
        metavar="N",
        help=f"requests worked on at once by this process on PostgreSQL, 1-20 (or "
        f"{ENV_ACTIVE_REQUESTS}; default {DEFAULT_ACTIVE_REQUESTS}); the rest wait their turn",
    )
    parser.add_argument("--log-level", default="info")
    parser.add_argument(
        "--log-format", choices=["json", "text"], default="json", help="one JSON object per line"
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    configure_logging(args.log_level, args.log_format)
    settings = load_settings(args.data_dir, args.database_url, active_requests=args.active_requests)
    if args.command == "verify-audit":
        engine = make_engine(settings.database_url)
        run_migrations(engine)
        with Session(engine) as session:
            result = verify_chain(session, ServerKeys.from_master(settings.master_key))
        if result.ok:
            print(f"audit chain intact: {result.entries} entries")
            return 0
        print(f"audit chain BROKEN at entry {result.first_bad_entry}: {result.reason}")
        return 1

    import uvicorn

    from sync.server.app import create_app

    application = create_app(settings)
    uvicorn.run(
        application,
        host=args.host,
        port=args.port,
        log_level=args.log_level,
        log_config=None,  # uvicorn's own loggers go through the JSON handler too
        ssl_certfile=args.ssl_certfile,
        ssl_keyfile=args.ssl_keyfile,
        proxy_headers=args.proxy_headers,
        server_header=False,
        timeout_graceful_shutdown=args.shutdown_timeout,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
