"""A household to evaluate, as JSON: what the CLI reads and what appeals and tests are written in.

```json
{"region_id": "district-x", "evaluated_on": "2025-06-15", "employment_reported_on": null,
 "stable": null, "members": [...], "incomes": [...], "assets": [...], "expenses": [...]}
```
Members, incomes, assets and expenses have the shape of `app.domain`'s content models (money as
strings such as "1180.00"). Anything malformed is refused with a `PolicyError` naming the field.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pydantic
from pydantic import BaseModel, ConfigDict

from app.domain import AssetItem, ExpenseItem, IncomeItem, MemberContent
from app.errors import PolicyError
from app.policy.decision import EligibilityDecision
from app.policy.engine import evaluate
from app.policy.model import Policy


class HouseholdInput(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    region_id: str | None = None
    evaluated_on: date | None = None
    employment_reported_on: date | None = None
    stable: bool | None = None
    members: tuple[MemberContent, ...]
    incomes: tuple[IncomeItem, ...]
    assets: tuple[AssetItem, ...] = ()
    expenses: tuple[ExpenseItem, ...] = ()

    def evaluate(self, policy: Policy, on: date) -> EligibilityDecision:
        return evaluate(
            policy,
            self.members,
            self.incomes,
            self.assets,
            self.expenses,
            on=on,
            employment_reported_on=self.employment_reported_on,
            stable=self.stable,
        )


def _location(loc: tuple[int | str, ...]) -> str:
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else part)
    return path


def parse_household(data: Any, name: str = "household") -> HouseholdInput:
    """Validate decoded JSON; errors name each bad field, e.g. `incomes[0].monthly_amount`."""
    try:
        return HouseholdInput.model_validate(data)
    except pydantic.ValidationError as exc:
        zh_parts: list[str] = []
        en_parts: list[str] = []
        for error in exc.errors():
            field = _location(tuple(error["loc"])) or "(file)"
            if error["type"] == "missing":
                zh_parts.append(f"缺少字段 `{field}`")
                en_parts.append(f"field `{field}` missing")
            elif error["type"] == "extra_forbidden":
                zh_parts.append(f"未知字段 `{field}`")
                en_parts.append(f"field `{field}` is not a known household field")
            else:
                # the message may quote the input: keep it short, it can hold personal data
                zh_parts.append(f"字段 `{field}` 的值无效（{error['type']}）")
                en_parts.append(f"field `{field}` has an invalid value ({error['msg']})")
        raise PolicyError(
            f"家庭数据 {name}：" + "；".join(zh_parts),
            f"household {name}: " + "; ".join(en_parts),
            code="household_invalid",
        ) from None


def load_household(path: str | Path) -> HouseholdInput:
    file_path = Path(path)
    try:
        data = json.loads(file_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise PolicyError(
            f"无法读取家庭数据文件 {file_path.name}：{exc.__class__.__name__}",
            f"cannot read household file {file_path.name}: {exc.__class__.__name__}",
            code="household_unreadable",
        ) from None
    except json.JSONDecodeError as exc:
        raise PolicyError(
            f"家庭数据文件 {file_path.name} 不是有效的 JSON（第 {exc.lineno} 行）",
            f"household file {file_path.name} is not valid JSON (line {exc.lineno})",
            code="household_invalid",
        ) from None
    return parse_household(data, file_path.name)
