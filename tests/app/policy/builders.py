"""Builders for the policy engine tests: valid ID numbers, members, incomes, assets, policies."""

from __future__ import annotations

import tomllib
from datetime import date
from decimal import Decimal
from typing import Any

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
from app.policy.loader import parse_policy
from app.policy.model import Policy
from app.resources import resource_path

_sequence = iter(range(100, 999))


def id_number_born(birth: date, region: str = "110105") -> str:
    """A valid 18-character ID number (GB 11643 checksum) for someone born on `birth`."""
    first17 = f"{region}{birth:%Y%m%d}{next(_sequence) % 900 + 100:03d}"
    return first17 + check_digit(first17)


def member(
    member_id: str,
    born: date,
    relation: Relation = Relation.HEAD,
    *,
    health: Health = Health.HEALTHY,
    disability_grade: int | None = None,
    labour: LabourCapacity = LabourCapacity.FULL,
    employed: bool = False,
    special: SpecialStatus = SpecialStatus.NONE,
    lives_with_family: bool = True,
    has_able_supporter: bool = False,
) -> MemberContent:
    return MemberContent(
        member_id=member_id,
        name="测试成员",
        id_number=id_number_born(born),
        relation=relation,
        health=health,
        disability_grade=disability_grade,
        labour_capacity=labour,
        employed=employed,
        special_status=special,
        lives_with_family=lives_with_family,
        has_able_supporter=has_able_supporter,
    )


def income(
    amount: str, member_id: str | None = None, kind: IncomeType = IncomeType.WAGES
) -> IncomeItem:
    return IncomeItem(member_id=member_id, type=kind, monthly_amount=Decimal(amount))


def asset(
    kind: AssetType, value: str = "0", member_id: str | None = None, *, for_disability: bool = False
) -> AssetItem:
    return AssetItem(
        member_id=member_id, type=kind, value=Decimal(value), for_disability=for_disability
    )


def expense(amount: str, kind: ExpenseType, member_id: str | None = None) -> ExpenseItem:
    return ExpenseItem(member_id=member_id, type=kind, monthly_amount=Decimal(amount))


def shipped_policy_data(name: str) -> dict[str, Any]:
    """A shipped policy file as a TOML dict, to derive variants from in tests."""
    with resource_path("policies", name).open("rb") as handle:
        return tomllib.load(handle, parse_float=Decimal)


def variant(name: str, **sections: dict[str, Any]) -> Policy:
    """A shipped policy with some sections' keys replaced."""
    data = shipped_policy_data(name)
    for section, values in sections.items():
        data[section] = {**data[section], **values}
    return parse_policy(data, "variant.toml")
