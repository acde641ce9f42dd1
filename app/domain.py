"""The domain vocabulary: enums, lifecycles and the content of sensitive records.

Content models are what gets serialised to canonical JSON and encrypted into a record's
`payload`; the plaintext columns of the store's tables hold only ids, grid, status, kind, dates
and versions. Money is `Decimal` (serialised as a string), dates are ISO dates, times are UTC.
See `../shared/domain.md` for the meaning of each term.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, Final

from pydantic import BaseModel, ConfigDict, Field

from app.errors import ValidationError

Money = Annotated[Decimal, Field(max_digits=14, decimal_places=2)]


class Role(StrEnum):
    FIELD_WORKER = "field_worker"  # 网格员 / 社会救助协理员
    CONTRACTOR = "contractor"  # 第三方机构工作人员
    AGENCY_ADMIN = "agency_admin"  # 第三方机构协调人
    SUPERVISOR = "supervisor"  # 街道(镇)审核人员
    ADMIN = "admin"  # 区民政局


class RegionLevel(StrEnum):
    DISTRICT = "district"  # 区/县
    STREET = "street"  # 街道/镇
    COMMUNITY = "community"  # 社区/村
    GRID = "grid"  # 网格


class VisitKind(StrEnum):
    APPLICATION = "application"  # 申请家计调查
    PERIODIC_REVIEW = "periodic_review"  # 定期复核
    CLUE_CHECK = "clue_check"  # 比对线索核实
    WELFARE_VISIT = "welfare_visit"  # 特殊困难人员访视
    DISCOVERY = "discovery"  # 主动发现


class VisitStatus(StrEnum):
    DRAFT = "draft"
    COMPLETED = "completed"  # signed and locked on the laptop
    SYNCED = "synced"  # acknowledged by the server
    UNDER_REVIEW = "under_review"
    APPROVED = "approved"
    RETURNED = "returned"  # back to its author with comments
    REVISED = "revised"  # superseded by a newer revision of the same visit


#: Allowed lifecycle moves. A returned visit is never edited in place: its author starts a new
#: revision (a new draft that names it in `revision_of`) and the returned one becomes `revised`.
VISIT_TRANSITIONS: dict[VisitStatus, frozenset[VisitStatus]] = {
    VisitStatus.DRAFT: frozenset({VisitStatus.COMPLETED}),
    VisitStatus.COMPLETED: frozenset({VisitStatus.SYNCED}),
    VisitStatus.SYNCED: frozenset({VisitStatus.UNDER_REVIEW}),
    VisitStatus.UNDER_REVIEW: frozenset({VisitStatus.APPROVED, VisitStatus.RETURNED}),
    VisitStatus.RETURNED: frozenset({VisitStatus.REVISED}),
    VisitStatus.APPROVED: frozenset(),
    VisitStatus.REVISED: frozenset(),
}

VISIT_STATUS_LABELS: dict[VisitStatus, tuple[str, str]] = {
    VisitStatus.DRAFT: ("草稿", "Draft"),
    VisitStatus.COMPLETED: ("已完成", "Completed"),
    VisitStatus.SYNCED: ("已同步", "Synced"),
    VisitStatus.UNDER_REVIEW: ("审核中", "Under review"),
    VisitStatus.APPROVED: ("已通过", "Approved"),
    VisitStatus.RETURNED: ("已退回", "Returned"),
    VisitStatus.REVISED: ("已修订", "Revised"),
}


#: The moves a laptop makes itself and pushes. Every other move is the server's: it marks a
#: completed visit (a first one or a corrected revision) `synced` in the transaction that accepts
#: it, and reviews move it on from there.
DEVICE_VISIT_MOVES: frozenset[tuple[VisitStatus, VisitStatus]] = frozenset(
    {
        (VisitStatus.DRAFT, VisitStatus.COMPLETED),
        (VisitStatus.RETURNED, VisitStatus.REVISED),
    }
)


def _status_label(status: VisitStatus | str) -> tuple[str, str]:
    try:
        return VISIT_STATUS_LABELS[VisitStatus(status)]
    except ValueError:
        raise ValidationError(
            f"未知的走访记录状态：{status}",
            f"Unknown visit status: {status}",
            code="visit_status",
        ) from None


def check_visit_transition(current: VisitStatus | str, new: VisitStatus | str) -> None:
    """Raise `ValidationError` unless `current → new` is an allowed lifecycle move.

    Staying in the same status is not a move and is refused too; callers skip unchanged statuses.
    """
    cur_zh, cur_en = _status_label(current)
    new_zh, new_en = _status_label(new)
    if VisitStatus(new) not in VISIT_TRANSITIONS[VisitStatus(current)]:
        raise ValidationError(
            f"走访记录不能从“{cur_zh}”变为“{new_zh}”",
            f"A visit cannot go from '{cur_en}' to '{new_en}'",
            code="visit_transition",
        )


def check_device_visit_move(current: VisitStatus | str, new: VisitStatus | str) -> None:
    """Raise `ValidationError` unless a laptop may make `current → new` itself: an allowed
    lifecycle move that is not the server's to make (see `DEVICE_VISIT_MOVES`)."""
    check_visit_transition(current, new)
    if (VisitStatus(current), VisitStatus(new)) not in DEVICE_VISIT_MOVES:
        cur_zh, cur_en = _status_label(current)
        new_zh, new_en = _status_label(new)
        raise ValidationError(
            f"走访记录从“{cur_zh}”变为“{new_zh}”由服务器完成，设备不能提交",
            f"Only the server moves a visit from '{cur_en}' to '{new_en}'",
            code="visit_transition_server",
        )


def later_visit_statuses(status: VisitStatus) -> frozenset[VisitStatus]:
    """Every status reachable from `status` by one or more lifecycle moves."""
    reached: set[VisitStatus] = set()
    frontier = set(VISIT_TRANSITIONS[status])
    while frontier:
        reached |= frontier
        frontier = {n for s in frontier for n in VISIT_TRANSITIONS[s]} - reached
    return frozenset(reached)


class AssistanceCategory(StrEnum):
    EXTREME_POVERTY = "extreme_poverty"  # 特困
    MINIMUM_LIVING = "minimum_living"  # 低保
    LOW_INCOME = "low_income"  # 低收入
    EXPENDITURE_HARDSHIP = "expenditure_hardship"  # 支出型
    NOT_ELIGIBLE = "not_eligible"


class HouseholdStatus(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"  # 停保 pending a confirmed clue
    CLOSED = "closed"


class Sex(StrEnum):
    MALE = "male"
    FEMALE = "female"


class Relation(StrEnum):
    HEAD = "head"
    SPOUSE = "spouse"
    CHILD = "child"
    PARENT = "parent"
    GRANDCHILD = "grandchild"
    GRANDPARENT = "grandparent"
    SIBLING = "sibling"
    OTHER = "other"


class Health(StrEnum):
    HEALTHY = "healthy"
    CHRONIC = "chronic"  # 慢病
    SERIOUS = "serious"  # 重病


class LabourCapacity(StrEnum):
    FULL = "full"  # 完全劳动能力
    PARTIAL = "partial"  # 部分劳动能力
    NONE = "none"  # 无劳动能力


class SpecialStatus(StrEnum):
    NONE = "none"
    ORPHAN = "orphan"  # 孤儿
    EXTREME_POVERTY = "extreme_poverty"  # 特困
    IMPRISONED = "imprisoned"  # 服刑
    DECEASED = "deceased"  # 死亡


class IncomeType(StrEnum):
    WAGES = "wages"  # 工资性收入
    BUSINESS = "business"  # 经营净收入
    PROPERTY = "property"  # 财产净收入
    PENSION = "pension"  # 养老金
    TRANSFER = "transfer"  # 转移净收入 (赡养费等)
    AGRICULTURE = "agriculture"
    ASSISTANCE = "assistance"  # 救助金 (usually not counted)
    OTHER = "other"


class AssetType(StrEnum):
    DEPOSIT = "deposit"  # 存款
    SECURITIES = "securities"  # 有价证券
    VEHICLE = "vehicle"
    REAL_ESTATE = "real_estate"
    BUSINESS_REGISTRATION = "business_registration"  # 工商登记
    OTHER = "other"


class ExpenseType(StrEnum):
    MEDICAL = "medical"
    EDUCATION = "education"
    EMPLOYMENT_COST = "employment_cost"  # 必要就业成本


class Finding(StrEnum):
    ELIGIBLE = "eligible"  # 符合
    INELIGIBLE = "ineligible"  # 不符合
    DOUBTFUL = "doubtful"  # 存疑


class TaskStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class ClueKind(StrEnum):
    BUSINESS_REGISTRATION = "business_registration"  # 工商登记
    PUBLIC_PAYROLL_RELATIVE = "public_payroll_relative"  # 财政供养人员亲属
    REAL_ESTATE = "real_estate"
    VEHICLE = "vehicle"
    DEATH = "death"
    IMPRISONMENT = "imprisonment"
    LARGE_DEPOSIT = "large_deposit"


class ClueStatus(StrEnum):
    OPEN = "open"
    CONFIRMED = "confirmed"  # 查实
    REFUTED = "refuted"  # 查否


class ReviewDecision(StrEnum):
    APPROVED = "approved"
    RETURNED = "returned"


class _Content(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class MemberContent(_Content):
    """One family member. `id_number` is the normalised 18-character number."""

    member_id: str
    name: str = Field(min_length=1, max_length=64)
    id_number: str = Field(min_length=18, max_length=18)
    relation: Relation
    health: Health = Health.HEALTHY
    disability_grade: int | None = Field(default=None, ge=1, le=4)
    labour_capacity: LabourCapacity = LabourCapacity.FULL
    employed: bool = False
    employment: str = ""
    schooling: str = ""
    special_status: SpecialStatus = SpecialStatus.NONE
    lives_with_family: bool = True
    #: a legal supporter (法定赡养/抚养/扶养人) able to support this member exists
    has_able_supporter: bool = False


class IncomeItem(_Content):
    member_id: str | None = None
    type: IncomeType
    monthly_amount: Money
    note: str = ""


class AssetItem(_Content):
    member_id: str | None = None
    type: AssetType
    value: Money = Decimal("0")
    description: str = ""
    #: a vehicle used because of a disability does not disqualify
    for_disability: bool = False


class ExpenseItem(_Content):
    member_id: str | None = None
    type: ExpenseType
    monthly_amount: Money
    note: str = ""


class NeighbourInterview(_Content):
    name: str
    relation: str = ""
    statement: str


class SignatureRef(_Content):
    """A signature image stored as an encrypted attachment."""

    signer: str  # "household" or a visitor's user id
    attachment_id: str
    signed_at: datetime


class HouseholdContent(_Content):
    """Sensitive part of a household record (encrypted as a whole)."""

    head_name: str = Field(min_length=1, max_length=64)
    address: str = Field(min_length=1, max_length=200)
    registered_residence: str = ""  # 户籍地
    actual_residence: str = ""  # 居住地; differs from the above when 人户分离
    phone: str = ""
    members: tuple[MemberContent, ...] = ()
    note: str = ""

    @property
    def residence_split(self) -> bool:
        return bool(
            self.registered_residence
            and self.actual_residence
            and self.registered_residence != self.actual_residence
        )


class VisitContent(_Content):
    """Sensitive part of a visit record: everything observed and recorded in the home."""

    visitors: tuple[str, ...] = ()  # user ids; a completed visit needs at least two
    started_at: datetime | None = None
    ended_at: datetime | None = None
    present: tuple[str, ...] = ()  # names of people present
    housing_conditions: str = ""
    living_conditions: str = ""
    members: tuple[MemberContent, ...] = ()  # the family as found on this visit
    incomes: tuple[IncomeItem, ...] = ()
    assets: tuple[AssetItem, ...] = ()
    expenses: tuple[ExpenseItem, ...] = ()
    neighbour_interviews: tuple[NeighbourInterview, ...] = ()
    photo_ids: tuple[str, ...] = ()
    notice_of_duties_signed: bool = False  # 告知书/承诺书
    signatures: tuple[SignatureRef, ...] = ()
    finding: Finding | None = None
    finding_reasons: str = ""
    employment_reported_on: date | None = None
    clue_ids: tuple[str, ...] = ()
    #: the laptop's eligibility result at completion (`EligibilityDecision.to_dict()`), kept so
    #: the server can recompute it and flag any difference for the supervisor
    eligibility: dict[str, Any] | None = None


#: The signer of a visit's household signature (the others are visitors' user ids).
HOUSEHOLD_SIGNER: Final = "household"


def required_signers(content: VisitContent) -> tuple[str, ...]:
    """Who signs a visit: the household, then every visitor listed (by account)."""
    return (HOUSEHOLD_SIGNER, *dict.fromkeys(content.visitors))


def missing_signatures(content: VisitContent) -> list[str]:
    """The required signers without a kept signature, in the order they are listed."""
    signed = {s.signer for s in content.signatures}
    return [s for s in required_signers(content) if s not in signed]
