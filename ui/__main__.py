"""`python -m ui [--profile-dir DIR] [--lang zh_CN|en] [--demo]`: the desktop app."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from ui.i18n import DEFAULT_LANGUAGE, LANGUAGES


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="jiafang", description="Jiafang home-visit client")
    parser.add_argument(
        "--profile-dir",
        type=Path,
        default=None,
        help="folder holding the account profiles (default: the platform's user data folder)",
    )
    parser.add_argument(
        "--lang",
        choices=LANGUAGES,
        default=None,
        help=f"user interface language (default: the saved choice, else {DEFAULT_LANGUAGE})",
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        help="register accounts locally without a server (demo and trying out only)",
    )
    parser.add_argument(
        "--idle-lock-minutes", type=float, default=None, help="default: the saved setting (5)"
    )
    parser.add_argument("--debug", action="store_true")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    raw_args = sys.argv[1:] if argv is None else argv
    if "--self-test" in raw_args or "--measure-startup" in raw_args:
        # Installation checks (build_installer.py runs them on the bundle): see ui/selftest.py.
        from ui.selftest import main as selftest_main

        return selftest_main(raw_args)
    args = parse_args(raw_args)
    from ui.app import (
        build_app,
        configure_logging,
        demo_registration,
        server_registration,
    )

    configure_logging(logging.DEBUG if args.debug else logging.INFO)
    context = build_app(
        profile_dir=args.profile_dir,
        language=args.lang,
        register=demo_registration if args.demo else server_registration,
        with_sync=not args.demo,
        idle_lock_seconds=args.idle_lock_minutes * 60 if args.idle_lock_minutes else None,
        argv=[sys.argv[0]],
    )
    context.window.start()
    context.window.show()
    return int(context.app.exec())


if __name__ == "__main__":
    raise SystemExit(main())
