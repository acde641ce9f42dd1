"""Admin command line for the server: accounts, regions, agencies, devices, imports, tasks, demo.

    python -m sync.server.admin [--data-dir DIR] [--database-url URL] COMMAND [options]

Commands: create-region, create-agency, create-user, create-device, revoke-device, revoke-user,
import-households, import-clues, create-task, close-task, spot-check, seed-demo.
Run `python -m sync.server.admin COMMAND --help` for each command's options.

Works on the same database and master key as the server (same `--data-dir`/`--database-url`
and `JIAFANG_*` environment), migrating it first if needed. Every change is one transaction and
is audited (actor: the admin CLI). Exit codes: 0 done; 1 refused (the reason is printed in
Chinese and English); 2 an import refused some rows (the good rows were imported).
"""

from __future__ import annotations

import argparse
import getpass
import json
import logging
import secrets
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TextIO

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from app.domain import RegionLevel, Role, VisitKind
from app.errors import JiafangError
from sync.server import accounts, spotcheck
from sync.server import tasks as task_service
from sync.server.audit import AuditEvent, bind_keys, record_event
from sync.server.config import ENV_DATABASE_URL, Settings, load_settings
from sync.server.crypto import ServerKeys
from sync.server.db import make_engine, run_migrations
from sync.server.demo_seed import DEMO_PASSWORD, seed_demo
from sync.server.errors import ApiError
from sync.server.importer import IMPORTERS, ImportReport
from sync.server.models import User
from sync.server.records import Actor

logger = logging.getLogger(__name__)

#: Changes made from the command line are audited under this device id (no user session).
CLI_ACTOR = Actor(user_id=None, device_id="admin-cli")


def _say(text: str, stream: TextIO | None = None) -> None:
    """The CLI's output (this module is a command line; logging stays for diagnostics)."""
    (stream or sys.stdout).write(text + "\n")


class CliError(JiafangError):
    code = "admin_cli"


def _user_id(session: Session, username: str) -> str:
    user = session.exec(select(User).where(User.username == username.strip().lower())).first()
    if user is None:
        raise CliError(f"没有用户 {username}", f"No user named {username}", code="unknown_user")
    return user.id


def _read_password(args: argparse.Namespace) -> tuple[str, bool]:
    """(password, generated?) from stdin, an interactive prompt, or a fresh random one."""
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n"), False
    if args.prompt_password:
        first = getpass.getpass("Password: ")
        if first != getpass.getpass("Repeat: "):
            raise CliError("两次输入的密码不一致", "The passwords differ", code="password_mismatch")
        return first, False
    return secrets.token_urlsafe(12), True


# ----------------------------------------------------------------------------- commands

Command = Callable[[Session, Settings, ServerKeys, argparse.Namespace], int]


def cmd_create_region(
    session: Session, _s: Settings, _k: ServerKeys, args: argparse.Namespace
) -> int:
    region = accounts.create_region(
        session, args.id, RegionLevel(args.level), args.name, args.parent
    )
    _audit(session, "region_created", "region", region.id)
    session.commit()
    _say(f"region {region.id} ({region.level}) created: {region.path}")
    return 0


def cmd_create_agency(
    session: Session, _s: Settings, _k: ServerKeys, args: argparse.Namespace
) -> int:
    agency = accounts.create_agency(session, args.id, args.name)
    _audit(session, "agency_created", "agency", agency.id)
    session.commit()
    _say(f"agency {agency.id} created")
    return 0


def cmd_create_user(
    session: Session, settings: Settings, _k: ServerKeys, args: argparse.Namespace
) -> int:
    password, generated = _read_password(args)
    if len(password) < 8:
        raise CliError("密码至少 8 位", "The password needs at least 8 characters", code="password")
    user = accounts.create_user(
        session,
        username=args.username,
        password=password,
        role=Role(args.role),
        argon2=settings.argon2,
        agency_id=args.agency,
        region_id=args.region,
        grid_ids=args.grid or [],
    )
    _audit(session, "user_created", "user", user.id)
    session.commit()
    _say(f"user {user.username} ({user.role}) created: id {user.id}")
    if generated:
        _say(f"initial password (shown once): {password}")
    return 0


def cmd_create_device(
    session: Session, _s: Settings, _k: ServerKeys, args: argparse.Namespace
) -> int:
    user = session.get(User, _user_id(session, args.username))
    assert user is not None
    device = accounts.register_device(session, user, args.public_key, args.name)
    session.commit()
    _say(f"device {device.id} registered for {user.username}")
    return 0


def cmd_revoke_device(
    session: Session, _s: Settings, _k: ServerKeys, args: argparse.Namespace
) -> int:
    device = accounts.revoke_device(session, args.device_id, CLI_ACTOR)
    session.commit()
    _say(f"device {device.id} revoked: it is refused on its next request and wipes its data")
    return 0


def cmd_revoke_user(
    session: Session, _s: Settings, _k: ServerKeys, args: argparse.Namespace
) -> int:
    user = accounts.revoke_user(session, _user_id(session, args.username), CLI_ACTOR)
    session.commit()
    _say(f"user {user.username} revoked on every device")
    return 0


def _print_report(report: ImportReport, json_path: str | None) -> int:
    _say(
        f"{report.file}: {len(report.rows)} rows, {report.imported} imported, "
        f"{len(report.refused)} refused"
    )
    for row in report.refused:
        for reason in row.reasons:
            column = f" [{reason.column}]" if reason.column else ""
            _say(f"  row {row.row}{column}: {reason.message_zh} / {reason.message_en}")
    if json_path:
        Path(json_path).write_text(
            json.dumps(report.to_dict(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
    return 2 if report.refused else 0


def _cmd_import(kind: str) -> Command:
    def run(session: Session, _s: Settings, keys: ServerKeys, args: argparse.Namespace) -> int:
        report = IMPORTERS[kind](session, keys, CLI_ACTOR, Path(args.file))
        session.commit()
        return _print_report(report, args.report)

    return run


def _households_arg(args: argparse.Namespace) -> list[str]:
    ids = list(args.household or [])
    if args.households_file:
        ids += [
            line.strip()
            for line in Path(args.households_file).read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")
        ]
    return ids


def cmd_create_task(
    session: Session, _s: Settings, keys: ServerKeys, args: argparse.Namespace
) -> int:
    assignee = _user_id(session, args.assignee) if args.assignee else None
    task = task_service.create_task(
        session,
        keys,
        CLI_ACTOR,
        kind=VisitKind(args.kind),
        household_ids=_households_arg(args),
        assignee_user_id=assignee,
        agency_id=args.agency,
        deadline=args.deadline,
        title=args.title,
    )
    session.commit()
    households = len(task_service.task_household_ids(session, task.id))
    _say(f"task {task.id} created with {households} households")
    return 0


def cmd_close_task(
    session: Session, _s: Settings, keys: ServerKeys, args: argparse.Namespace
) -> int:
    task = task_service.close_task(session, keys, CLI_ACTOR, args.task_id)
    session.commit()
    _say(f"task {task.id} closed; its households leave the holders' laptops on their next sync")
    return 0


def cmd_spot_check(
    session: Session, _s: Settings, keys: ServerKeys, args: argparse.Namespace
) -> int:
    inspectors = [_user_id(session, name) for name in args.inspector] if args.inspector else None
    draw = spotcheck.spot_check(
        session,
        keys,
        None,
        datetime.now(UTC),
        region_id=args.region,
        sample_size=args.sample,
        kind=VisitKind(args.kind),
        inspector_count=args.inspectors,
        inspector_ids=inspectors,
        agency_id=args.agency,
        seed=args.seed,
        deadline=args.deadline,
    )
    session.commit()
    _say(
        f"spot check {draw.id}: seed {draw.seed}, {len(draw.selected)} of "
        f"{len(draw.population)} households, tasks {', '.join(draw.task_ids)}"
    )
    return 0


def cmd_seed_demo(
    session: Session, settings: Settings, keys: ServerKeys, args: argparse.Namespace
) -> int:
    summary = seed_demo(
        session,
        keys,
        settings.argon2,
        seed=args.seed,
        households=args.households,
        password=args.password,
    )
    session.commit()
    _say(
        f"demo data (seed {summary.seed}): {summary.regions} regions, {summary.households} "
        f"households, {summary.visits} visits, {summary.clues} clues, "
        f"{len(summary.task_ids)} tasks"
    )
    _say("demo accounts (synthetic data only; every password is the same):")
    width = max(len(a.username) for a in summary.accounts)
    for account in summary.accounts:
        _say(f"  {account.username.ljust(width)}  {account.role.value:<13} {account.scope}")
    _say(f"password: {summary.password}")
    return 0


def _audit(session: Session, action: str, entity: str, entity_id: str) -> None:
    record_event(
        session,
        AuditEvent(
            action=action,
            user_id=None,
            device_id=CLI_ACTOR.device_id,
            entity=entity,
            entity_id=entity_id,
        ),
    )


# ----------------------------------------------------------------------------- parser


def _day(text: str) -> date:
    return date.fromisoformat(text)


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data-dir", default=argparse.SUPPRESS, help="server data directory")
    common.add_argument(
        "--database-url", default=argparse.SUPPRESS, help=f"postgresql://… (or {ENV_DATABASE_URL})"
    )
    parser = argparse.ArgumentParser(
        prog="python -m sync.server.admin",
        description="Jiafang server administration",
        parents=[common],
    )
    sub = parser.add_subparsers(dest="command", required=True)

    def add(name: str, command: Command, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text, parents=[common])
        p.set_defaults(run=command)
        return p

    p = add("create-region", cmd_create_region, "create a district, street, community or grid")
    p.add_argument("id")
    p.add_argument("--level", required=True, choices=[r.value for r in RegionLevel])
    p.add_argument("--name", required=True)
    p.add_argument("--parent")

    p = add("create-agency", cmd_create_agency, "create a third-party agency")
    p.add_argument("id")
    p.add_argument("--name", required=True)

    p = add("create-user", cmd_create_user, "create a user (password generated unless given)")
    p.add_argument("username")
    p.add_argument("--role", required=True, choices=[r.value for r in Role])
    p.add_argument("--agency")
    p.add_argument("--region", help="a supervisor's or admin's region")
    p.add_argument("--grid", action="append", help="a field worker's grid (repeat)")
    p.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    p.add_argument("--prompt-password", action="store_true", help="ask for the password")

    p = add("create-device", cmd_create_device, "register a laptop's Ed25519 public key")
    p.add_argument("username")
    p.add_argument("--public-key", required=True, help="raw 32-byte key, base64")
    p.add_argument("--name", default="")

    p = add("revoke-device", cmd_revoke_device, "revoke a lost or retired laptop")
    p.add_argument("device_id")

    p = add("revoke-user", cmd_revoke_user, "revoke a user on every device")
    p.add_argument("username")

    for kind in ("households", "clues"):
        p = add(
            f"import-{kind}",
            _cmd_import(kind),
            f"import {kind} from .xlsx or .csv with a per-row report",
        )
        p.add_argument("file")
        p.add_argument("--report", help="also write the report as JSON here")

    p = add("create-task", cmd_create_task, "create a task for a worker or an agency")
    p.add_argument("--kind", required=True, choices=[k.value for k in VisitKind])
    who = p.add_mutually_exclusive_group(required=True)
    who.add_argument("--assignee", help="user name of a field worker or contractor")
    who.add_argument("--agency", help="agency id")
    p.add_argument("--household", action="append", help="household id (repeat)")
    p.add_argument("--households-file", help="file with one household id per line")
    p.add_argument("--deadline", type=_day)
    p.add_argument("--title", default="")

    p = add("close-task", cmd_close_task, "close a task (and its sub-tasks)")
    p.add_argument("task_id")

    p = add("spot-check", cmd_spot_check, "random spot-check draw (双随机), turned into tasks")
    p.add_argument("--region", required=True)
    p.add_argument("--sample", type=int, required=True)
    p.add_argument("--kind", default=VisitKind.PERIODIC_REVIEW.value)
    p.add_argument("--inspectors", type=int, default=2)
    p.add_argument("--inspector", action="append", help="user name in the pool (repeat)")
    p.add_argument("--agency")
    p.add_argument("--seed")
    p.add_argument("--deadline", type=_day)

    p = add("seed-demo", cmd_seed_demo, "load the synthetic demo data set and print the logins")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--households", type=int, default=200)
    p.add_argument("--password", default=DEMO_PASSWORD)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s %(message)s")
    settings = load_settings(getattr(args, "data_dir", None), getattr(args, "database_url", None))
    keys = ServerKeys.from_master(settings.master_key)
    engine = make_engine(settings.database_url)
    try:
        run_migrations(engine)
        with Session(engine, expire_on_commit=False) as session:
            bind_keys(session, keys)
            run: Command = args.run
            return run(session, settings, keys, args)
    except ApiError as exc:
        detail = f" {json.dumps(exc.detail, ensure_ascii=False)}" if exc.detail else ""
        _say(f"refused ({exc.code}): {exc.message_zh} / {exc.message_en}{detail}", sys.stderr)
        return 1
    except JiafangError as exc:
        _say(f"error ({exc.code}): {exc.message_zh} / {exc.message_en}", sys.stderr)
        return 1
    except IntegrityError:
        _say(
            "refused (exists): 已存在同名或同编号的对象 / "
            "An object with that name or id already exists",
            sys.stderr,
        )
        return 1
    finally:
        engine.dispose()


if __name__ == "__main__":
    sys.exit(main())
