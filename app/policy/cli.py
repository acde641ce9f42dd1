"""Command line for appeals and for checking a new policy file.

    python -m app.policy.cli evaluate HOUSEHOLD.json [--policy FILE | --region ID]
                                      [--date YYYY-MM-DD] [--lang zh|en] [--json]
    python -m app.policy.cli check POLICY.toml
    python -m app.policy.cli list

Exit status: 0 on success, 1 when an input or policy is refused (the message says why), 2 for a
wrong command line.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import date

from app.errors import JiafangError
from app.policy.decision import EligibilityDecision
from app.policy.engine import yuan_en, yuan_zh
from app.policy.household import load_household
from app.policy.loader import load_policy, policy_in_force, shipped_policies
from app.policy.model import Policy


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m app.policy.cli",
        description="Evaluate a household against a social-assistance policy, or check a policy.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    ev = commands.add_parser("evaluate", help="evaluate a household JSON file")
    ev.add_argument("household", help="household JSON file")
    source = ev.add_mutually_exclusive_group()
    source.add_argument("--policy", metavar="FILE", help="policy TOML file to apply")
    source.add_argument("--region", metavar="ID", help="use the shipped policy for this region")
    ev.add_argument("--date", type=_date, help="evaluation date (default: file's, else today)")
    ev.add_argument("--lang", choices=("zh", "en"), default="zh")
    ev.add_argument("--json", action="store_true", help="print the decision as JSON")
    check = commands.add_parser("check", help="validate a policy TOML file")
    check.add_argument("policy", help="policy TOML file")
    commands.add_parser("list", help="list the shipped policies")
    return parser


def format_decision(decision: EligibilityDecision, policy: Policy, lang: str = "zh") -> str:
    """The decision as readable text, every reason with its outcome, in one language."""
    zh = lang == "zh"
    amount = yuan_zh if zh else yuan_en
    title = policy.policy.title_zh if zh else policy.policy.title_en
    review = decision.next_review_on.isoformat() if decision.next_review_on else "—"
    if zh:
        lines = [
            f"政策：{title}（{decision.policy_id}，版本 {decision.policy_version}）",
            f"核定日期：{decision.evaluated_on.isoformat()}",
            f"结论：{decision.category_label('zh')}",
            f"每月救助金：{amount(decision.monthly_benefit)}",
            f"家庭月人均收入：{amount(decision.per_capita_income)}"
            f"（共同生活 {decision.household_size} 人）",
            f"下次复核：{review}",
        ]
    else:
        lines = [
            f"Policy: {title} ({decision.policy_id}, version {decision.policy_version})",
            f"Evaluated on: {decision.evaluated_on.isoformat()}",
            f"Decision: {decision.category_label('en')}",
            f"Monthly benefit: {amount(decision.monthly_benefit)}",
            f"Per-capita monthly income: {amount(decision.per_capita_income)}"
            f" ({decision.household_size} member(s) living together)",
            f"Next review: {review}",
        ]
    if decision.taper:
        lines.append("渐退安排：" if zh else "Taper schedule:")
        for month in decision.taper:
            rate = f"{(month.rate * 100).normalize():f}%"
            if zh:
                lines.append(
                    f"  第 {month.month} 个月（{month.starts_on.isoformat()} 起）"
                    f" {rate} {amount(month.amount)}"
                )
            else:
                lines.append(
                    f"  month {month.month} (from {month.starts_on.isoformat()})"
                    f" {rate} {amount(month.amount)}"
                )
    lines.append("理由：" if zh else "Reasons:")
    for reason in decision.reasons:
        mark = (
            ("[符合]" if reason.passed else "[不符合]")
            if zh
            else ("[pass]" if reason.passed else "[fail]")
        )
        lines.append(f"  {mark} {reason.text(lang)}  ({reason.rule})")
    return "\n".join(lines)


def _evaluate(args: argparse.Namespace) -> int:
    household = load_household(args.household)
    on = args.date or household.evaluated_on or date.today()
    if args.policy:
        policy = load_policy(args.policy)
    else:
        region = args.region or household.region_id
        if not region:
            print(
                "请用 --policy 指定政策文件或用 --region 指定地区 / "
                "give --policy FILE or --region ID (or region_id in the household file)",
                file=sys.stderr,
            )
            return 2
        policy = policy_in_force(region, on)
    decision = household.evaluate(policy, on)
    if args.json:
        print(json.dumps(decision.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(format_decision(decision, policy, args.lang))
    return 0


def _check(args: argparse.Namespace) -> int:
    policy = load_policy(args.policy)
    meta = policy.policy
    until = meta.effective_to.isoformat() if meta.effective_to else "…"
    print(
        f"OK {meta.id} v{meta.version}: {policy.region.name_zh} / {policy.region.name_en},"
        f" {meta.effective_from.isoformat()} – {until}, 低保 {policy.dibao.standard},"
        f" 特困 {policy.tekun.standard}"
    )
    return 0


def _list() -> int:
    for policy in shipped_policies():
        meta = policy.policy
        until = meta.effective_to.isoformat() if meta.effective_to else "…"
        print(
            f"{meta.id}\t{policy.region.id}\t{meta.effective_from.isoformat()} – {until}"
            f"\t{policy.region.name_zh}"
        )
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "evaluate":
            return _evaluate(args)
        if args.command == "check":
            return _check(args)
        return _list()
    except JiafangError as exc:
        print(f"错误 / error [{exc.code}]: {exc.message_zh}\n  {exc.message_en}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
