"""Policy files: the shipped ones carry the sources' figures, bad ones are refused by field."""

from __future__ import annotations

import tomllib
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from app.errors import PolicyError
from app.policy.loader import (
    load_policies,
    load_policy,
    load_policy_text,
    parse_policy,
    policy_in_force,
    shipped_policies,
)
from app.policy.model import Policy
from tests.app.policy.builders import shipped_policy_data


def test_shipped_policies_carry_the_source_figures() -> None:
    by_id = {p.id: p for p in shipped_policies()}
    assert set(by_id) >= {"district-x-2025", "jingmen-urban-2017", "jingmen-county-2017"}
    x, urban, county = (
        by_id["district-x-2025"],
        by_id["jingmen-urban-2017"],
        by_id["jingmen-county-2017"],
    )
    # 003: 低保 1301, 特困 2255; 001: 575 urban / 500 county from 1 April 2017
    assert (x.dibao.standard, x.tekun.standard) == (Decimal("1301.00"), Decimal("2255.00"))
    assert urban.dibao.standard == Decimal("575.00")
    assert county.dibao.standard == Decimal("500.00")
    assert urban.policy.effective_from == county.policy.effective_from == date(2017, 4, 1)
    # 004: 35% sick subsidy, property line 1.5 x consumption, taper 6 x 100% + 6 x 50%, reviews
    assert x.low_income.sick_subsidy_rate == Decimal("0.35")
    assert x.low_income.property_line_multiple == Decimal("1.5")
    assert [(s.months, s.rate) for s in x.taper.steps] == [(6, Decimal("1.0")), (6, Decimal("0.5"))]
    assert (x.review.stable_months, x.review.irregular_months, x.review.tekun_months) == (12, 6, 12)
    # 002: 特困 minors are under 18; elderly from 60
    assert (x.ages.adult, x.ages.elderly) == (18, 60)


def test_every_shipped_file_marks_numbers_not_from_the_sources(policies_dir: Path) -> None:
    for path in policies_dir.glob("*.toml"):
        text = path.read_text(encoding="utf-8")
        assert "EXAMPLE VALUE" in text, path.name
        # and the file parses on its own through the public entry point
        assert load_policy(path).id == path.stem


@pytest.mark.parametrize(
    ("region", "on", "expected"),
    [
        ("district-x", date(2025, 6, 15), "district-x-2025"),
        ("jingmen-urban", date(2017, 4, 1), "jingmen-urban-2017"),  # first day in force
        ("jingmen-duodao", date(2018, 1, 1), "jingmen-urban-2017"),  # covered sub-district
        ("zhongxiang", date(2018, 1, 1), "jingmen-county-2017"),  # covered county
    ],
)
def test_policy_in_force_by_region_and_date(region: str, on: date, expected: str) -> None:
    assert policy_in_force(region, on).id == expected


def test_no_policy_before_the_first_effective_date() -> None:
    with pytest.raises(PolicyError) as caught:
        policy_in_force("jingmen-urban", date(2017, 3, 31))
    assert caught.value.code == "policy_not_in_force"
    assert "2017-03-31" in caught.value.message_en and "jingmen-urban" in caught.value.message_zh


def _version(effective_from: date, effective_to: date | None = None, pid: str = "") -> Policy:
    data = shipped_policy_data("district-x-2025.toml")
    meta: dict[str, Any] = {**data["policy"], "effective_from": effective_from}
    meta["id"] = pid or f"district-x-{effective_from.isoformat()}"
    if effective_to is not None:
        meta["effective_to"] = effective_to
    data["policy"] = meta
    return parse_policy(data, "test.toml")


def test_latest_effective_date_not_after_the_day_wins() -> None:
    versions = [
        _version(date(2024, 1, 1)),
        _version(date(2025, 1, 1)),
        _version(date(2025, 7, 1)),
    ]
    assert policy_in_force("district-x", date(2025, 6, 30), policies=versions).id.endswith(
        "2025-01-01"
    )
    assert policy_in_force("district-x", date(2025, 7, 1), policies=versions).id.endswith(
        "2025-07-01"
    )
    assert policy_in_force("district-x", date(2024, 12, 31), policies=versions).id.endswith(
        "2024-01-01"
    )


def test_an_expired_policy_no_longer_applies() -> None:
    versions = [_version(date(2024, 1, 1), effective_to=date(2024, 12, 31))]
    assert policy_in_force("district-x", date(2024, 12, 31), policies=versions)
    with pytest.raises(PolicyError):
        policy_in_force("district-x", date(2025, 1, 1), policies=versions)


def test_a_grid_uses_its_nearest_ancestor_with_a_policy() -> None:
    policies = shipped_policies()
    chosen = policy_in_force(
        "grid-7",
        date(2025, 6, 1),
        ancestors=("community-3", "street-a", "district-x"),
        policies=policies,
    )
    assert chosen.id == "district-x-2025"


def _mutated(path: tuple[str, ...], value: Any = ..., remove: bool = False) -> dict[str, Any]:
    data = shipped_policy_data("district-x-2025.toml")
    target = data
    for key in path[:-1]:
        target = target[key]
    if remove:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return data


@pytest.mark.parametrize(
    ("path", "value", "remove", "en", "zh"),
    [
        (
            ("dibao", "standard"),
            None,
            True,
            "field `dibao.standard` missing",
            "缺少字段 `dibao.standard`",
        ),
        (("tekun",), None, True, "field `tekun` missing", "缺少字段 `tekun`"),
        (
            ("dibao", "standard"),
            "a lot",
            False,
            "field `dibao.standard` has an invalid value",
            "`dibao.standard`",
        ),
        (
            ("dibao", "standard"),
            Decimal("-1"),
            False,
            "field `dibao.standard` has an invalid value",
            "`dibao.standard`",
        ),
        (
            ("dibao", "standrad"),
            Decimal("1301"),
            False,
            "field `dibao.standrad` is not a known policy field",
            "未知字段 `dibao.standrad`",
        ),
        (
            ("review", "stable_months"),
            "twelve",
            False,
            "field `review.stable_months`",
            "`review.stable_months`",
        ),
        (
            ("income", "counted_types"),
            ["wages", "lottery"],
            False,
            "field `income.counted_types[1]`",
            "`income.counted_types[1]`",
        ),
        (
            ("low_income", "sick_subsidy_rate"),
            Decimal("1.35"),
            False,
            "`low_income.sick_subsidy_rate`",
            "`low_income.sick_subsidy_rate`",
        ),
        (
            ("taper", "steps"),
            [{"months": 6}],
            False,
            "field `taper.steps[0].rate` missing",
            "`taper.steps[0].rate`",
        ),
        (("policy", "currency"), "dollar", False, "field `policy.currency`", "`policy.currency`"),
        (
            ("low_income", "income_line"),
            Decimal("2000"),
            False,
            "exactly one of income_line_multiple and income_line",
            "`low_income`",
        ),
    ],
)
def test_malformed_policy_is_refused_naming_the_field(
    path: tuple[str, ...], value: Any, remove: bool, en: str, zh: str
) -> None:
    data = _mutated(path, value, remove)
    with pytest.raises(PolicyError) as caught:
        parse_policy(data, "district-x-2025.toml")
    assert caught.value.code == "policy_file_invalid"
    assert caught.value.message_en.startswith("policy district-x-2025.toml: ")
    assert en in caught.value.message_en
    assert caught.value.message_zh.startswith("政策文件 district-x-2025.toml：")
    assert zh in caught.value.message_zh


def test_income_type_both_counted_and_excluded_is_refused() -> None:
    data = _mutated(("income", "excluded_types"), ["assistance", "wages"])
    with pytest.raises(PolicyError, match="both counted and excluded: wages"):
        parse_policy(data, "p.toml")


def test_effective_to_before_effective_from_is_refused() -> None:
    data = _mutated(("policy", "effective_to"), date(2024, 1, 1))
    with pytest.raises(PolicyError, match="effective_to is before effective_from"):
        parse_policy(data, "p.toml")


def test_not_toml_is_refused_with_the_file_name() -> None:
    with pytest.raises(PolicyError) as caught:
        load_policy_text("[dibao\nstandard = 1", "broken.toml")
    assert "broken.toml" in caught.value.message_en and "TOML" in caught.value.message_zh


def test_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(PolicyError) as caught:
        load_policy(tmp_path / "nope.toml")
    assert caught.value.code == "policy_file_unreadable"


def test_floats_are_read_exactly() -> None:
    # 0.35 as a binary float is 0.34999...; the loader must keep the decimal the file says
    text = (Path(__file__).parents[3] / "resources/policies/district-x-2025.toml").read_text(
        encoding="utf-8"
    )
    policy = load_policy_text(text, "district-x-2025.toml")
    assert str(policy.low_income.sick_subsidy_rate) == "0.35"
    assert tomllib.loads(text)["low_income"]["sick_subsidy_rate"] != Decimal("0.35")


def test_duplicate_policy_ids_in_a_directory_are_refused(
    tmp_path: Path, policies_dir: Path
) -> None:
    text = (policies_dir / "district-x-2025.toml").read_text(encoding="utf-8")
    (tmp_path / "a.toml").write_text(text, encoding="utf-8")
    (tmp_path / "b.toml").write_text(text, encoding="utf-8")
    with pytest.raises(PolicyError) as caught:
        load_policies(tmp_path)
    assert caught.value.code == "policy_duplicate"
