"""Chinese labels of the domain's enums as they appear on ledgers, lists and printed forms.

Exports and printouts are official Chinese documents whatever the user's interface language, so
these are plain strings here rather than Qt translations (and `app` cannot import Qt).
"""

from __future__ import annotations

from typing import Final

from app.domain import (
    AssetType,
    AssistanceCategory,
    ClueKind,
    ClueStatus,
    ExpenseType,
    Finding,
    Health,
    HouseholdStatus,
    LabourCapacity,
    SpecialStatus,
    VisitKind,
    VisitStatus,
)

#: short forms used in ledger and list columns (the decision's own labels are longer)
CATEGORY_ZH: Final[dict[AssistanceCategory, str]] = {
    AssistanceCategory.EXTREME_POVERTY: "特困",
    AssistanceCategory.MINIMUM_LIVING: "低保",
    AssistanceCategory.LOW_INCOME: "低收入",
    AssistanceCategory.EXPENDITURE_HARDSHIP: "支出型困难",
    AssistanceCategory.NOT_ELIGIBLE: "不符合",
}
NOT_ASSESSED_ZH: Final = "未认定"

HOUSEHOLD_STATUS_ZH: Final[dict[HouseholdStatus, str]] = {
    HouseholdStatus.ACTIVE: "正常",
    HouseholdStatus.SUSPENDED: "停保",
    HouseholdStatus.CLOSED: "已退出",
}

FINDING_ZH: Final[dict[Finding, str]] = {
    Finding.ELIGIBLE: "符合",
    Finding.INELIGIBLE: "不符合",
    Finding.DOUBTFUL: "存疑",
}

VISIT_KIND_ZH: Final[dict[VisitKind, str]] = {
    VisitKind.APPLICATION: "申请家计调查",
    VisitKind.PERIODIC_REVIEW: "定期复核",
    VisitKind.CLUE_CHECK: "比对线索核实",
    VisitKind.WELFARE_VISIT: "特殊困难人员访视",
    VisitKind.DISCOVERY: "主动发现",
}

VISIT_STATUS_ZH: Final[dict[VisitStatus, str]] = {
    VisitStatus.DRAFT: "草稿",
    VisitStatus.COMPLETED: "已完成",
    VisitStatus.SYNCED: "已同步",
    VisitStatus.UNDER_REVIEW: "审核中",
    VisitStatus.APPROVED: "已通过",
    VisitStatus.RETURNED: "已退回",
    VisitStatus.REVISED: "已修订",
}

CLUE_KIND_ZH: Final[dict[ClueKind, str]] = {
    ClueKind.BUSINESS_REGISTRATION: "工商登记",
    ClueKind.PUBLIC_PAYROLL_RELATIVE: "财政供养人员亲属",
    ClueKind.REAL_ESTATE: "不动产",
    ClueKind.VEHICLE: "车辆",
    ClueKind.DEATH: "死亡",
    ClueKind.IMPRISONMENT: "服刑",
    ClueKind.LARGE_DEPOSIT: "大额存款",
}

CLUE_STATUS_ZH: Final[dict[ClueStatus, str]] = {
    ClueStatus.OPEN: "未销号",
    ClueStatus.CONFIRMED: "查实",
    ClueStatus.REFUTED: "查否",
}

HEALTH_ZH: Final[dict[Health, str]] = {
    Health.HEALTHY: "健康",
    Health.CHRONIC: "慢病",
    Health.SERIOUS: "重病",
}

LABOUR_ZH: Final[dict[LabourCapacity, str]] = {
    LabourCapacity.FULL: "完全劳动能力",
    LabourCapacity.PARTIAL: "部分劳动能力",
    LabourCapacity.NONE: "无劳动能力",
}

SPECIAL_STATUS_ZH: Final[dict[SpecialStatus, str]] = {
    SpecialStatus.NONE: "",
    SpecialStatus.ORPHAN: "孤儿",
    SpecialStatus.EXTREME_POVERTY: "特困人员",
    SpecialStatus.IMPRISONED: "服刑",
    SpecialStatus.DECEASED: "死亡",
}

ASSET_ZH: Final[dict[AssetType, str]] = {
    AssetType.DEPOSIT: "存款",
    AssetType.SECURITIES: "有价证券",
    AssetType.VEHICLE: "机动车辆",
    AssetType.REAL_ESTATE: "房产",
    AssetType.BUSINESS_REGISTRATION: "工商登记",
    AssetType.OTHER: "其他财产",
}

EXPENSE_ZH: Final[dict[ExpenseType, str]] = {
    ExpenseType.MEDICAL: "医疗支出",
    ExpenseType.EDUCATION: "教育支出",
    ExpenseType.EMPLOYMENT_COST: "必要就业成本",
}


def category_zh(category: AssistanceCategory | None) -> str:
    return NOT_ASSESSED_ZH if category is None else CATEGORY_ZH[category]
