"""Policy engine benchmark: time to evaluate one household (target: p95 <= 1 ms).

    python -m tests.benchmarks.policy [--quick] [--json PATH]

Households are generated with a fixed seed and vary in size (1-6 members), ages (children to
the very old), health, disability, labour capacity, income types, deposits, vehicles, dwellings,
business registrations, medical/education/employment costs and reported employment, so every
route of the engine (特困, 低保, taper, 低收入, 支出型, not eligible) is exercised. Each is
evaluated under the shipped district X 2025 and Jingmen 2017 policies in turn.
"""

from __future__ import annotations

import random
import statistics
import time
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal

from app.domain import (
    AssetItem,
    AssetType,
    ExpenseItem,
    ExpenseType,
    Health,
    IncomeItem,
    IncomeType,
    LabourCapacity,
    MemberContent,
    Relation,
    SpecialStatus,
)
from app.idnumber import check_digit
from app.policy.engine import evaluate
from app.policy.loader import load_policies, policy_by_id
from app.policy.model import Policy
from app.resources import resource_path
from tests.benchmarks.common import BenchmarkReport, benchmark_args, percentile

Household = tuple[
    list[MemberContent], list[IncomeItem], list[AssetItem], list[ExpenseItem], date | None
]


def _id_number(rng: random.Random, birth: date) -> str:
    first17 = f"110105{birth:%Y%m%d}{rng.randrange(100, 999):03d}"
    return first17 + check_digit(first17)


def _household(rng: random.Random, on: date) -> Household:
    size = rng.choice([1, 1, 2, 2, 3, 3, 3, 4, 5, 6])
    members: list[MemberContent] = []
    for index in range(size):
        age = rng.choice([rng.randrange(0, 18), rng.randrange(18, 60), rng.randrange(60, 95)])
        birth = on - timedelta(days=age * 365 + rng.randrange(0, 365))
        members.append(
            MemberContent(
                member_id=f"m{index}",
                name="基准测试",
                id_number=_id_number(rng, birth),
                relation=Relation.HEAD if index == 0 else rng.choice(list(Relation)[1:]),
                health=rng.choice([Health.HEALTHY, Health.HEALTHY, Health.CHRONIC, Health.SERIOUS]),
                disability_grade=rng.choice([None, None, None, rng.randint(1, 4)]),
                labour_capacity=rng.choice(list(LabourCapacity)),
                employed=rng.random() < 0.2,
                special_status=rng.choice([SpecialStatus.NONE] * 12 + [SpecialStatus.DECEASED]),
                has_able_supporter=rng.random() < 0.3,
            )
        )
    if all(m.special_status is SpecialStatus.DECEASED for m in members):
        members[0] = members[0].model_copy(update={"special_status": SpecialStatus.NONE})
    incomes = [
        IncomeItem(
            member_id=rng.choice([None, *(m.member_id for m in members)]),
            type=rng.choice(list(IncomeType)),
            monthly_amount=Decimal(rng.randrange(0, 400_000)) / 100,
        )
        for _ in range(rng.randrange(0, 5))
    ]
    assets = [
        AssetItem(
            member_id=None,
            type=rng.choice(list(AssetType)),
            value=Decimal(rng.randrange(0, 10_000_000)) / 100,
            for_disability=rng.random() < 0.3,
        )
        for _ in range(rng.choice([0, 0, 1, 2, 3]))
    ]
    expenses = [
        ExpenseItem(
            member_id=rng.choice([None, *(m.member_id for m in members)]),
            type=rng.choice(list(ExpenseType)),
            monthly_amount=Decimal(rng.randrange(0, 300_000)) / 100,
        )
        for _ in range(rng.choice([0, 1, 2]))
    ]
    reported = on - timedelta(days=rng.randrange(0, 500)) if rng.random() < 0.2 else None
    return members, incomes, assets, expenses, reported


def main() -> None:
    args = benchmark_args(__doc__ or "policy benchmark").parse_args()
    count = 300 if args.quick else 3000
    rounds = 3 if args.quick else 10
    rng = random.Random(20250615)
    runs: list[tuple[Policy, date, Household]] = []
    for policy_id, on in [
        ("district-x-2025", date(2025, 6, 15)),
        ("jingmen-urban-2017", date(2018, 3, 1)),
    ]:
        policy = policy_by_id(policy_id)
        runs.extend((policy, on, _household(rng, on)) for _ in range(count // 2))

    categories: Counter[str] = Counter()
    samples: list[float] = []
    for round_number in range(rounds + 1):
        for policy, on, (members, incomes, assets, expenses, reported) in runs:
            start = time.perf_counter()
            decision = evaluate(
                policy, members, incomes, assets, expenses, on=on, employment_reported_on=reported
            )
            elapsed = (time.perf_counter() - start) * 1000
            if round_number == 0:
                categories[decision.category.value] += 1  # first round warms caches
            else:
                samples.append(elapsed)

    start = time.perf_counter()
    load_policies(resource_path("policies"))
    load_ms = (time.perf_counter() - start) * 1000

    report = BenchmarkReport("policy")
    report.add("evaluate_p95_ms", percentile(samples, 95), "ms", "lower", "<= 1")
    report.add("evaluate_p50_ms", percentile(samples, 50), "ms", "lower")
    report.add("evaluate_p99_ms", percentile(samples, 99), "ms", "lower")
    report.add("evaluate_mean_ms", statistics.fmean(samples), "ms", "lower")
    report.add("load_shipped_policies_ms", load_ms, "ms", "lower")
    report.notes["households"] = f"{len(runs)} generated households x {rounds} timed rounds"
    report.notes["categories"] = ", ".join(f"{k}={v}" for k, v in sorted(categories.items()))
    report.write(args.json)


if __name__ == "__main__":
    main()
