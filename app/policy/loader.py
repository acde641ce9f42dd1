"""Reading policy files and choosing the policy in force for a region on a date.

Shipped policies live in `resources/policies/*.toml` (one file per region and effective date).
A file that is not valid TOML, misses a field, has a field of the wrong type or a field the schema
does not know is refused with a `PolicyError` whose message names the file and the field.
"""

from __future__ import annotations

import logging
import tomllib
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol, TypeVar

import pydantic
from pydantic_core import ErrorDetails

from app.errors import PolicyError
from app.policy.model import Policy
from app.resources import resource_path

logger = logging.getLogger(__name__)

POLICY_DIR = "policies"


def _field_path(error: ErrorDetails) -> str:
    # pydantic puts validator names (e.g. "function-after[...]") and list indexes in `loc`;
    # a person editing the TOML wants the dotted key path with indexes in brackets.
    parts: list[str] = []
    for item in error["loc"]:
        if isinstance(item, int):
            parts.append(f"[{item}]")
        elif "[" in item and "]" in item:
            continue
        else:
            parts.append(("." if parts else "") + item)
    return "".join(parts) or "(file)"


def _describe(error: ErrorDetails) -> tuple[str, str]:
    field = _field_path(error)
    kind = error["type"]
    if kind == "missing":
        return f"缺少字段 `{field}`", f"field `{field}` missing"
    if kind == "extra_forbidden":
        return f"未知字段 `{field}`", f"field `{field}` is not a known policy field"
    message = error["msg"]
    if field == "(file)" or kind == "value_error":
        message = message.removeprefix("Value error, ")
        return f"`{field}` 不符合要求：{message}", f"`{field}` is invalid: {message}"
    return (
        f"字段 `{field}` 的值无效：{message}",
        f"field `{field}` has an invalid value: {message}",
    )


def parse_policy(data: dict[str, Any], name: str) -> Policy:
    """Validate already-parsed TOML data; `name` (usually the file name) goes into errors."""
    try:
        return Policy.model_validate(data)
    except pydantic.ValidationError as exc:
        described = [_describe(e) for e in exc.errors()]
        raise PolicyError(
            f"政策文件 {name}：" + "；".join(zh for zh, _ in described),
            f"policy {name}: " + "; ".join(en for _, en in described),
            code="policy_file_invalid",
        ) from None


def load_policy_text(text: str, name: str) -> Policy:
    try:
        data = tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(
            f"政策文件 {name}：不是有效的 TOML（{exc}）",
            f"policy {name}: not valid TOML ({exc})",
            code="policy_file_invalid",
        ) from None
    return parse_policy(data, name)


def load_policy(path: str | Path) -> Policy:
    """Load and validate one policy file."""
    file_path = Path(path)
    try:
        text = file_path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PolicyError(
            f"无法读取政策文件 {file_path.name}：{exc.__class__.__name__}",
            f"cannot read policy file {file_path.name}: {exc.__class__.__name__}",
            code="policy_file_unreadable",
        ) from None
    return load_policy_text(text, file_path.name)


def load_policies(directory: str | Path) -> tuple[Policy, ...]:
    """Every `*.toml` policy in `directory`, sorted by region and date; ids must be unique."""
    policies = [load_policy(p) for p in sorted(Path(directory).glob("*.toml"))]
    seen: dict[str, Policy] = {}
    for policy in policies:
        if policy.id in seen:
            raise PolicyError(
                f"政策编号 {policy.id} 重复",
                f"policy id {policy.id} appears in more than one file",
                code="policy_duplicate",
            )
        seen[policy.id] = policy
    policies.sort(key=lambda p: (p.region.id, p.policy.effective_from))
    return tuple(policies)


@lru_cache(maxsize=1)
def shipped_policies() -> tuple[Policy, ...]:
    """The policies shipped in `resources/policies/` (loaded once per process)."""
    policies = load_policies(resource_path(POLICY_DIR))
    logger.info("loaded %d shipped policies", len(policies))
    return policies


def policy_by_id(policy_id: str, policies: Iterable[Policy] | None = None) -> Policy:
    for policy in shipped_policies() if policies is None else policies:
        if policy.id == policy_id:
            return policy
    raise PolicyError(
        f"没有编号为 {policy_id} 的政策",
        f"no policy with id {policy_id}",
        code="policy_not_found",
    )


class _Choosable(Protocol):
    """A policy or a reference to one: what the choice of the policy in force needs."""

    @property
    def effective_from(self) -> date: ...

    def covers_region(self, region_id: str, /) -> bool: ...

    def applies_on(self, day: date, /) -> bool: ...


_C = TypeVar("_C", bound=_Choosable)


def first_in_force(pool: Sequence[_C], chain: Sequence[str], on: date) -> _C | None:
    """The rule of `policy_in_force` over any policies or policy references: the first region of
    `chain` (most specific first) with something in force on `on`; of those, the latest start."""
    for candidate in chain:
        in_force = [p for p in pool if p.covers_region(candidate) and p.applies_on(on)]
        if in_force:
            return max(in_force, key=lambda p: p.effective_from)
    return None


def policy_in_force(
    region_id: str,
    on: date,
    *,
    ancestors: Sequence[str] = (),
    policies: Iterable[Policy] | None = None,
) -> Policy:
    """The policy that applies to `region_id` on `on`.

    Candidates are tried from the most specific region outwards: `region_id` itself, then each
    of `ancestors` (nearest first, e.g. community, street, district). For the first region that
    has any policy in force, the one with the latest `effective_from` not after `on` wins (a
    policy whose `effective_to` has passed does not apply). A region matches a policy by its
    `region.id` or by being listed in its `region.covers`.
    """
    pool = tuple(shipped_policies() if policies is None else policies)
    found = first_in_force(pool, (region_id, *ancestors), on)
    if found is not None:
        return found
    regions = "、".join((region_id, *ancestors))
    regions_en = ", ".join((region_id, *ancestors))
    raise PolicyError(
        f"地区 {regions} 在 {on.isoformat()} 没有生效的救助标准",
        f"no policy in force for region {regions_en} on {on.isoformat()}",
        code="policy_not_in_force",
    )
