"""Deterministic synthetic households for the demo, the tests and the benchmarks.

No real person's data: names are drawn from common surname and given-name characters, addresses
from invented roads and villages of a fictional district (示范区), phone numbers from the `100`
block that is never issued to subscribers, and ID numbers from invented city/county parts
(`91`–`99`, unused by GB/T 2260) of existing province codes, with correct check characters.

Everything comes from `random.Random` instances seeded from the caller's seed (no global random
state), so a seed always gives the same data. Each household has its own generator seeded from
(seed, index): household 70,000 is the same whether it is generated alone (`start=70000`) or
after the first 69,999, so a benchmark can generate in pages without holding them all.

ID numbers are unique by construction, not by a seen-set: the household index picks the region
code and the sequence code (see `_id_block`), so two members never share a number however the
dataset is paged.
"""

from __future__ import annotations

import math
import random
import struct
import zlib
from bisect import bisect
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from itertools import accumulate
from typing import Final, TypeVar

from app.domain import (
    AssetItem,
    AssetType,
    AssistanceCategory,
    ExpenseItem,
    ExpenseType,
    Finding,
    Health,
    HouseholdContent,
    IncomeItem,
    IncomeType,
    LabourCapacity,
    MemberContent,
    NeighbourInterview,
    RegionLevel,
    Relation,
    Sex,
    SpecialStatus,
    VisitContent,
)
from app.idnumber import CHECK_CHARACTERS, CHECK_WEIGHTS, PROVINCE_CODES
from app.policy.engine import add_months

_T = TypeVar("_T")

#: Ages and birth dates are computed against this fixed day, not the clock, so a seed gives the
#: same people every day (and every birth date is safely in the past). Visit, review and clue
#: dates are relative to the day the demo is made instead (a `today` parameter, by default the
#: clock's), so a demo seeded any day looks current; tests and screenshots pin that day.
REFERENCE_DATE: Final = date(2025, 1, 1)
#: Share of households whose review is overdue on the demo's day (a handful, not most).
_OVERDUE_SHARE: Final = 0.05
#: Share of households whose review falls due within the next six weeks.
_DUE_SOON_SHARE: Final = 0.25
DISTRICT_NAME: Final = "示范区"

# --- ID number allocation -----------------------------------------------------------------------
# Region code = province (2) + invented city part 91–99 + county 01–99: 891 "counties" a province.
# Sequence code (3 digits, odd for men) gives 500 numbers per sex per region code and birth date;
# ignoring the birth date altogether, 71 households x 7 members = 497 slots fit one region code.
_HOME_PROVINCE: Final = "42"
_PROVINCE_ORDER: Final = (_HOME_PROVINCE, *sorted(PROVINCE_CODES - {_HOME_PROVINCE}))
_COUNTIES_PER_PROVINCE: Final = 9 * 99
_HOUSEHOLDS_PER_COUNTY: Final = 71
MAX_MEMBERS: Final = 7
#: Households that can get unique ID numbers (about 2.1 million).
HOUSEHOLD_CAPACITY: Final = len(_PROVINCE_ORDER) * _COUNTIES_PER_PROVINCE * _HOUSEHOLDS_PER_COUNTY
# An odd-looking but bijective shuffle of the counties (379 is prime to 891 = 3^4 x 11), so
# neighbouring households do not get neighbouring region codes.
_COUNTY_SHUFFLE: Final = 379

# --- vocabulary ---------------------------------------------------------------------------------
_SURNAMES: Final = tuple(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝"
)
_GIVEN_COMMON: Final = tuple("文华明国建平志海春晓玉永德秀金荣新宇子浩佳欣思雨晨嘉俊博天一")
_GIVEN_MALE: Final = tuple("伟强军磊勇杰涛刚斌超辉鹏飞林峰成龙亮波")
_GIVEN_FEMALE: Final = tuple("芳娜敏静丽娟霞燕玲红梅兰英萍婷雪琳慧颖洁")
_ROADS: Final = (
    "明德路",
    "和顺街",
    "安宁巷",
    "青禾大道",
    "丰泽路",
    "望川街",
    "云溪路",
    "兴隆巷",
    "桂园路",
    "柳岸街",
    "石桥路",
    "枫林巷",
)
_TOWNS: Final = ("青禾镇", "望川镇", "兴隆镇", "白鹭镇")
_VILLAGES: Final = ("杏花村", "松涛村", "金穗村", "清泉村", "东篱村", "梧桐村")
_OTHER_COUNTIES: Final = ("青石县", "云岭县", "南湖县", "北川县（虚构）", "长垣县（虚构）")
_STREET_NAMES: Final = ("明德街道", "和顺街道", "安宁街道", "丰泽街道", "云溪街道", "兴隆镇")
_COMMUNITY_NAMES: Final = (
    "桂园",
    "柳岸",
    "石桥",
    "枫林",
    "清泉",
    "东篱",
    "杏花",
    "松涛",
    "翠湖",
    "梧桐",
    "芳草",
    "白鹭",
    "金穗",
    "银杏",
)
_NUMERALS: Final = "一二三四五六七八九十"
_JOBS_FULL: Final = ("保洁员", "外卖骑手", "保安", "建筑工", "超市理货员", "快递分拣员", "务农")
_JOBS_PARTIAL: Final = ("公益性岗位", "社区保洁（半天）", "门卫", "零工", "手工编织")
_HOUSING: Final = (
    "砖混结构两居室，约45平方米，墙面有渗水",
    "自建平房三间，约60平方米，屋顶漏雨",
    "租住单间，约20平方米，无独立厨卫",
    "老旧小区一居室，约38平方米，设施陈旧",
    "公租房两居室，约50平方米，居住条件一般",
)
_LIVING: Final = (
    "家具陈旧，家电仅有电视和冰箱",
    "生活用品简单，冬季取暖靠电热毯",
    "屋内整洁，无高档消费品",
    "常年服药，家中药品较多",
    "孩子上学，学习用品齐全，其余开支节俭",
)
_NEIGHBOUR_STATEMENTS: Final = (
    "平时很少见他家有人外出打工，日子过得紧",
    "老人身体不好，经常去医院",
    "没见过他家有车，也没听说做生意",
    "孩子在读书，家里主要靠低保",
    "去年开始在附近打零工，收入不稳定",
)
_FINDING_REASONS: Final = {
    Finding.ELIGIBLE: "家庭收入、财产状况与申报一致，符合救助条件",
    Finding.INELIGIBLE: "家庭人均收入高于当地标准，不符合救助条件",
    Finding.DOUBTFUL: "邻里反映有未申报收入，需进一步核实",
}


@dataclass(frozen=True)
class DemoRegion:
    region_id: str
    name: str
    level: RegionLevel
    parent_id: str | None


@dataclass(frozen=True)
class DemoHousehold:
    household_id: str
    grid_id: str
    content: HouseholdContent
    category: AssistanceCategory
    incomes: tuple[IncomeItem, ...]
    assets: tuple[AssetItem, ...]
    expenses: tuple[ExpenseItem, ...]
    next_review: date


@dataclass(frozen=True)
class DemoDataset:
    seed: int
    regions: tuple[DemoRegion, ...]
    households: tuple[DemoHousehold, ...]

    @property
    def grid_ids(self) -> tuple[str, ...]:
        return tuple(r.region_id for r in self.regions if r.level is RegionLevel.GRID)


def generate_regions(
    seed: int = 0,
    *,
    streets: int = 2,
    communities_per_street: int = 3,
    grids_per_community: int = 2,
) -> tuple[DemoRegion, ...]:
    """The fictional district with its streets, communities and grids, parents first."""
    if min(streets, communities_per_street, grids_per_community) < 1:
        raise ValueError("every level needs at least one region")
    rng = random.Random(f"jiafang-demo/regions/{seed}")
    district = DemoRegion(_uuid(rng), DISTRICT_NAME, RegionLevel.DISTRICT, None)
    regions = [district]
    community_count = 0
    for s in range(streets):
        street_name = _numbered(_STREET_NAMES, s)
        street = DemoRegion(_uuid(rng), street_name, RegionLevel.STREET, district.region_id)
        regions.append(street)
        suffix = "村" if street_name.endswith("镇") else "社区"
        for _ in range(communities_per_street):
            community_name = _numbered(_COMMUNITY_NAMES, community_count) + suffix
            community_count += 1
            community = DemoRegion(
                _uuid(rng), community_name, RegionLevel.COMMUNITY, street.region_id
            )
            regions.append(community)
            for g in range(grids_per_community):
                grid_name = f"{community_name}第{_numeral(g + 1)}网格"
                regions.append(
                    DemoRegion(_uuid(rng), grid_name, RegionLevel.GRID, community.region_id)
                )
    return tuple(regions)


def generate_households(
    seed: int,
    count: int,
    grid_ids: Sequence[str],
    *,
    start: int = 0,
    today: date | None = None,
) -> Iterator[DemoHousehold]:
    """Households `start` .. `start + count - 1` of the seed's sequence, generated lazily, with
    next reviews around `today` (default: the clock's day)."""
    if not grid_ids:
        raise ValueError("households need at least one grid")
    if count < 0 or start < 0:
        raise ValueError("count and start must not be negative")
    if start + count > HOUSEHOLD_CAPACITY:
        raise ValueError(f"at most {HOUSEHOLD_CAPACITY} households get unique ID numbers")
    grids = tuple(grid_ids)
    day = today or date.today()
    return (_household(seed, index, grids, day) for index in range(start, start + count))


def generate_dataset(
    seed: int = 0, households: int = 200, *, today: date | None = None
) -> DemoDataset:
    """Regions plus `households` households spread over their grids (reviews around `today`)."""
    regions = generate_regions(seed)
    grid_ids = [r.region_id for r in regions if r.level is RegionLevel.GRID]
    return DemoDataset(
        seed=seed,
        regions=regions,
        households=tuple(generate_households(seed, households, grid_ids, today=today)),
    )


def generate_visit_content(
    rng_or_seed: random.Random | int,
    household: DemoHousehold,
    visitors: tuple[str, str],
    *,
    today: date | None = None,
    visited_on: date | None = None,
) -> VisitContent:
    """A completed periodic-review style visit to `household` by the two `visitors`, on
    `visited_on` or else a day in the six months before `today` (default: the clock's day).

    An `int` seed is combined with the household id, so the same seed gives each household its
    own (reproducible) visit, the same whatever day it is dated.
    """
    rng = (
        rng_or_seed
        if isinstance(rng_or_seed, random.Random)
        else random.Random(f"jiafang-demo/visit/{rng_or_seed}/{household.household_id}")
    )
    days_ago = _between(rng, 7, 180)  # drawn even when dated, so the rest stays the same
    day = visited_on or (today or date.today()) - timedelta(days=days_ago)
    # 01:00–08:59 UTC is 09:00–16:59 in China, office hours for a home visit.
    started_at = datetime.combine(day, time(_between(rng, 1, 8), _pick(rng, (0, 15, 30, 45))), UTC)
    ended_at = started_at + timedelta(minutes=_between(rng, 30, 120))
    members = household.content.members
    at_home = [m.name for m in members if m.lives_with_family and rng.random() < 0.7]
    present = tuple(dict.fromkeys([household.content.head_name, *at_home]))
    interviews = tuple(
        NeighbourInterview(
            name=f"{_pick(rng, _SURNAMES)}{_pick(rng, ('女士', '先生'))}",
            relation=_pick(rng, ("邻居", "楼栋长", "村民小组长")),
            statement=_pick(rng, _NEIGHBOUR_STATEMENTS),
        )
        for _ in range(_between(rng, 1, 2))
    )
    if household.category is AssistanceCategory.NOT_ELIGIBLE:
        finding = Finding.INELIGIBLE
    else:
        finding = Finding.DOUBTFUL if rng.random() < 0.1 else Finding.ELIGIBLE
    return VisitContent(
        visitors=visitors,
        started_at=started_at,
        ended_at=ended_at,
        present=present,
        housing_conditions=_pick(rng, _HOUSING),
        living_conditions=_pick(rng, _LIVING),
        members=members,
        incomes=household.incomes,
        assets=household.assets,
        expenses=household.expenses,
        neighbour_interviews=interviews,
        notice_of_duties_signed=True,
        finding=finding,
        finding_reasons=_FINDING_REASONS[finding],
    )


def generate_visit_due_for_review(
    seed: int,
    household: DemoHousehold,
    visitors: tuple[str, str],
    *,
    today: date,
    review_interval: Callable[[VisitContent, date], int | None],
) -> VisitContent:
    """`generate_visit_content`, dated so that the review the policy engine schedules after it
    falls due on the household's `next_review`: the latest visit was one review interval
    before, as on a district that keeps to its review cycle (a handful overdue, some due in
    the coming weeks, the rest later). `review_interval(visit, day)` is the engine's interval
    in months (None: no next review, e.g. found ineligible; the visit keeps its recent day).
    Never later than the day before `today`."""
    content = generate_visit_content(seed, household, visitors, today=today)
    assert content.started_at is not None  # the generator always dates its visits
    months = review_interval(content, content.started_at.date())
    if not months:
        return content
    day = min(add_months(household.next_review, -months), today - timedelta(days=1))
    return generate_visit_content(seed, household, visitors, visited_on=day)


def synthetic_signature_png(signer: str) -> bytes:
    """A drawn stand-in for `signer`'s signature on the pad: a small greyscale PNG with a wavy
    stroke of its own (from the signer's name), never anyone's real signature."""
    width, height = 160, 48
    rng = random.Random(f"jiafang-demo/signature/{signer}")
    phase, amplitude = rng.random() * math.tau, 6 + rng.random() * 10
    wavelength = 4 + 4 * rng.random()
    rows = [bytearray(b"\xff" * width) for _ in range(height)]
    previous = None
    for x in range(8, width - 8):
        y = int(height / 2 + amplitude * math.sin(phase + x / wavelength))
        low, high = (y, y) if previous is None else sorted((previous, y))
        for row in range(max(low, 0), min(high + 2, height)):  # joined, two pixels thick
            rows[row][x] = 0x20
        previous = y
    raw = b"".join(b"\x00" + bytes(row) for row in rows)  # filter byte 0 per scanline

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body))
            + kind
            + body
            + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


# --- internals ----------------------------------------------------------------------------------


@dataclass
class _Person:
    relation: Relation
    age: int
    sex: Sex
    surname: str


def _between(rng: random.Random, low: int, high: int) -> int:
    """`rng.randint(low, high)` at a third of the cost (randint is three Python frames deep)."""
    return low + int(rng.random() * (high - low + 1))


def _pick(rng: random.Random, options: Sequence[_T]) -> _T:
    """`rng.choice(options)` without its Python-level overhead."""
    return options[int(rng.random() * len(options))]


_UUID_VERSION_CLEAR: Final = ~((0xF000 << 64) | (0xC000 << 48))
_UUID_VERSION_4: Final = (0x4000 << 64) | (0x8000 << 48)


def _uuid(rng: random.Random) -> str:
    """`str(uuid.UUID(int=rng.getrandbits(128), version=4))`, formatted directly: the uuid
    module's constructor is a noticeable share of generating 100,000 households."""
    h = f"{rng.getrandbits(128) & _UUID_VERSION_CLEAR | _UUID_VERSION_4:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _numbered(names: Sequence[str], index: int) -> str:
    base = names[index % len(names)]
    return base if index < len(names) else f"{base}{index // len(names) + 1}"


def _numeral(n: int) -> str:
    return _NUMERALS[n - 1] if 1 <= n <= len(_NUMERALS) else str(n)


def _money(rng: random.Random, low: int, high: int) -> Decimal:
    """A yuan amount between `low` and `high` with fen, e.g. Decimal('1234.50')."""
    # whole jiao, written with two decimal places: Decimal(123450).scaleb(-2) == Decimal("1234.50")
    return Decimal(_between(rng, low * 10, high * 10) * 10).scaleb(-2)


def _weighted_sum(digits: str, first_position: int) -> int:
    """The MOD 11-2 weighted sum of `digits` standing at `first_position` (0-based)."""
    return sum(int(d) * CHECK_WEIGHTS[first_position + i] for i, d in enumerate(digits))


# Check characters for 400,000 numbers were a large share of generating 100,000 households;
# looking up the weighted sum of each field makes it four additions. The tests
# parse every generated number with `app.idnumber`, so these tables cannot drift from it.
_YEAR_SUMS: Final = {y: _weighted_sum(f"{y:04d}", 6) for y in range(1900, REFERENCE_DATE.year + 1)}
_MONTH_SUMS: Final = tuple(_weighted_sum(f"{m:02d}", 10) for m in range(13))
_DAY_SUMS: Final = tuple(_weighted_sum(f"{d:02d}", 12) for d in range(32))
_SEQUENCE_SUMS: Final = tuple(_weighted_sum(f"{n:03d}", 14) for n in range(1000))
#: ordinal of the latest birth date giving each age (0..100) on REFERENCE_DATE (a 1 January)
_LATEST_BIRTH: Final = tuple(
    REFERENCE_DATE.replace(year=REFERENCE_DATE.year - age).toordinal() for age in range(101)
)


@dataclass(frozen=True)
class _IdBlock:
    """Where a household's members' ID numbers come from: one region code, 7 sequence slots."""

    region: str
    region_sum: int
    first_slot: int


def _id_block(index: int) -> _IdBlock:
    """Region code of household `index` and the first of its 7 sequence slots (0..496)."""
    province_index, within = divmod(index, _COUNTIES_PER_PROVINCE * _HOUSEHOLDS_PER_COUNTY)
    local, county_slot = divmod(within, _COUNTIES_PER_PROVINCE)
    shuffled = county_slot * _COUNTY_SHUFFLE % _COUNTIES_PER_PROVINCE
    city, county = divmod(shuffled, 99)
    region = f"{_PROVINCE_ORDER[province_index]}{91 + city}{county + 1:02d}"
    return _IdBlock(region, _weighted_sum(region, 0), local * MAX_MEMBERS)


def _id_number(block: _IdBlock, position: int, born: date, sex: Sex) -> str:
    slot = block.first_slot + position
    # Slot s → sequence 10*(s // 5) + 2*(s % 5) + (1 for men): injective, and odd only for men.
    sequence = 10 * (slot // 5) + 2 * (slot % 5) + (1 if sex is Sex.MALE else 0)
    year, month, day = born.year, born.month, born.day
    total = (
        block.region_sum
        + _YEAR_SUMS[year]
        + _MONTH_SUMS[month]
        + _DAY_SUMS[day]
        + _SEQUENCE_SUMS[sequence]
    )
    # explicit fields: strftime is several times slower and this runs 400,000 times at 100k
    return (
        f"{block.region}{year:04d}{month:02d}{day:02d}{sequence:03d}{CHECK_CHARACTERS[total % 11]}"
    )


def _birth_date(rng: random.Random, age: int) -> date:
    """A birth date that makes the person exactly `age` on REFERENCE_DATE."""
    return date.fromordinal(_LATEST_BIRTH[age] - _between(rng, 0, 364))


def _weighted_choice(rng: random.Random, options: Sequence[_T], cumulative: Sequence[int]) -> _T:
    """`rng.choices(options, cum_weights=cumulative)[0]`, without its per-call set-up."""
    return options[bisect(cumulative, rng.random() * cumulative[-1])]


_SIZES: Final = tuple(range(1, MAX_MEMBERS + 1))
_SIZE_WEIGHTS: Final = tuple(accumulate((6, 12, 20, 26, 18, 11, 7)))
_GRADES: Final = (1, 2, 3, 4)
_GRADE_WEIGHTS: Final = tuple(accumulate((15, 25, 30, 30)))


def _name(rng: random.Random, surname: str, sex: Sex) -> str:
    gendered = _GIVEN_MALE if sex is Sex.MALE else _GIVEN_FEMALE
    if rng.random() < 0.3:
        return surname + _pick(rng, gendered)
    return surname + _pick(rng, _GIVEN_COMMON) + _pick(rng, gendered)


def _family(rng: random.Random) -> list[_Person]:
    size = _weighted_choice(rng, _SIZES, _SIZE_WEIGHTS)
    head_age = int(rng.triangular(25, 85.99, 58))
    head_sex = Sex.MALE if rng.random() < 0.62 else Sex.FEMALE
    head = _Person(Relation.HEAD, head_age, head_sex, _pick(rng, _SURNAMES))
    people = [head]
    family_surname = head.surname
    if size > 1 and rng.random() < 0.75:
        spouse_sex = Sex.FEMALE if head_sex is Sex.MALE else Sex.MALE
        spouse_age = min(max(head_age + _between(rng, -5, 5), 20), 95)
        spouse = _Person(Relation.SPOUSE, spouse_age, spouse_sex, _pick(rng, _SURNAMES))
        people.append(spouse)
        if spouse_sex is Sex.MALE:
            family_surname = spouse.surname
    youngest_parent = min(p.age for p in people)
    if len(people) < size and head_age <= 62 and rng.random() < 0.35:
        # the head's own parents (one or both), the father carrying the head's surname
        both = (Sex.MALE, Sex.FEMALE)
        parents = both if size - len(people) >= 2 and rng.random() < 0.5 else (_pick(rng, both),)
        for parent_sex in parents:
            age = min(head_age + _between(rng, 22, 35), 100)
            surname = head.surname if parent_sex is Sex.MALE else _pick(rng, _SURNAMES)
            people.append(_Person(Relation.PARENT, age, parent_sex, surname))
    # a young couple has few children: about one per two years past twenty
    max_children = 1 + (youngest_parent - 20) // 2
    children = 0
    while len(people) < size:
        sex = _pick(rng, (Sex.MALE, Sex.FEMALE))
        roll = rng.random()
        if youngest_parent >= 48 and roll < 0.35:
            age = _between(rng, 0, min(youngest_parent - 42, 20))
            people.append(_Person(Relation.GRANDCHILD, age, sex, family_surname))
        elif roll < 0.94 and children < max_children:
            children += 1
            age = _between(rng, 0, min(youngest_parent - 20, 40))
            people.append(_Person(Relation.CHILD, age, sex, family_surname))
        else:
            age = max(head_age + _between(rng, -8, 8), 18)
            people.append(_Person(Relation.SIBLING, age, sex, head.surname))
    return people


@dataclass
class _MemberDraft:
    """A member before the household-level facts (supporters, 特困 status) are known; turned
    into a `MemberContent` once, because copying frozen pydantic models costs time at 100k."""

    age: int
    member_id: str
    name: str
    id_number: str
    relation: Relation
    health: Health
    disability_grade: int | None
    labour_capacity: LabourCapacity
    employment: str
    schooling: str
    special_status: SpecialStatus
    lives_with_family: bool
    has_able_supporter: bool = False

    def content(self) -> MemberContent:
        # Only values that differ from the model's defaults: pydantic validates every field
        # passed in, and most members keep most defaults (about 40% faster at 100k).
        fields: dict[str, object] = {
            "member_id": self.member_id,
            "name": self.name,
            "id_number": self.id_number,
            "relation": self.relation,
        }
        if self.health is not Health.HEALTHY:
            fields["health"] = self.health
        if self.disability_grade is not None:
            fields["disability_grade"] = self.disability_grade
        if self.labour_capacity is not LabourCapacity.FULL:
            fields["labour_capacity"] = self.labour_capacity
        if self.employment:
            fields["employed"] = True
            fields["employment"] = self.employment
        if self.schooling:
            fields["schooling"] = self.schooling
        if self.special_status is not SpecialStatus.NONE:
            fields["special_status"] = self.special_status
        if not self.lives_with_family:
            fields["lives_with_family"] = False
        if self.has_able_supporter:
            fields["has_able_supporter"] = True
        return MemberContent.model_validate(fields)


def _member(
    rng: random.Random, block: _IdBlock, position: int, person: _Person, lives_apart: bool
) -> _MemberDraft:
    age = person.age
    born = _birth_date(rng, age)
    health = Health.HEALTHY
    roll = rng.random()
    if roll < 0.03 + age * 0.0012:
        health = Health.SERIOUS
    elif roll < 0.08 + age * 0.005:
        health = Health.CHRONIC
    grade = _weighted_choice(rng, _GRADES, _GRADE_WEIGHTS) if rng.random() < 0.08 else None
    if age < 16 or health is Health.SERIOUS or (grade is not None and grade <= 2):
        capacity = LabourCapacity.NONE
    elif age >= 60:
        capacity = LabourCapacity.NONE if rng.random() < 0.7 else LabourCapacity.PARTIAL
    elif health is Health.CHRONIC or grade is not None:
        capacity = LabourCapacity.PARTIAL
    else:
        capacity = LabourCapacity.FULL
    schooling = _schooling(rng, age)
    employment = ""
    if 16 <= age < 65 and not schooling:
        if capacity is LabourCapacity.FULL and rng.random() < 0.55:
            employment = _pick(rng, _JOBS_FULL)
        elif capacity is LabourCapacity.PARTIAL and rng.random() < 0.25:
            employment = _pick(rng, _JOBS_PARTIAL)
    special = SpecialStatus.NONE
    roll = rng.random()
    if roll < 0.002:
        special = SpecialStatus.DECEASED
    elif roll < 0.005 and 18 <= age < 60:
        special = SpecialStatus.IMPRISONED
    return _MemberDraft(
        age=age,
        member_id=_uuid(rng),
        name=_name(rng, person.surname, person.sex),
        id_number=_id_number(block, position, born, person.sex),
        relation=person.relation,
        health=health,
        disability_grade=grade,
        labour_capacity=capacity,
        employment=employment,
        schooling=schooling,
        special_status=special,
        lives_with_family=not lives_apart and special is SpecialStatus.NONE,
    )


def _schooling(rng: random.Random, age: int) -> str:
    if 3 <= age <= 5:
        return "幼儿园"
    if 6 <= age <= 11:
        return "小学"
    if 12 <= age <= 14:
        return "初中"
    if 15 <= age <= 17:
        return _pick(rng, ("高中", "中职"))
    if 18 <= age <= 22 and rng.random() < 0.5:
        return _pick(rng, ("大学", "高职"))
    return ""


def _add_supporters(drafts: list[_MemberDraft]) -> None:
    """Elderly, disabled and minor members have an able supporter (法定赡养/抚养人 with income)
    if a working adult other than themselves is in the family."""
    earners = [d for d in drafts if d.employment and d.age < 60]
    for draft in drafts:
        if draft.age >= 60 or draft.age < 18 or draft.disability_grade is not None:
            draft.has_able_supporter = any(e is not draft for e in earners)


def _address(rng: random.Random) -> str:
    if rng.random() < 0.7:
        return (
            f"{DISTRICT_NAME}{_pick(rng, _ROADS)}{_between(rng, 1, 299)}号"
            f"{_between(rng, 1, 30)}栋{_between(rng, 1, 4)}单元{_between(rng, 1, 18)}"
            f"{_between(rng, 1, 6):02d}室"
        )
    return (
        f"{DISTRICT_NAME}{_pick(rng, _TOWNS)}{_pick(rng, _VILLAGES)}"
        f"{_between(rng, 1, 12)}组{_between(rng, 1, 80)}号"
    )


def _household(seed: int, index: int, grid_ids: tuple[str, ...], today: date) -> DemoHousehold:
    rng = random.Random(f"jiafang-demo/{seed}/{index}")
    household_id = _uuid(rng)
    grid_id = grid_ids[rng.randrange(len(grid_ids))]
    people = _family(rng)
    split = rng.random() < 0.1
    block = _id_block(index)
    drafts = [
        _member(
            rng,
            block,
            position,
            person,
            lives_apart=split and person.relation is not Relation.HEAD and rng.random() < 0.3,
        )
        for position, person in enumerate(people)
    ]
    _add_supporters(drafts)
    category = _category(rng, drafts)
    if (
        category is AssistanceCategory.EXTREME_POVERTY
        and drafts[0].special_status is SpecialStatus.NONE
    ):
        drafts[0].special_status = SpecialStatus.EXTREME_POVERTY
    members = [d.content() for d in drafts]
    ages = [d.age for d in drafts]
    address = _address(rng)
    registered = address
    if split:
        # 人户分离: registered elsewhere (an invented county), living here
        registered = (
            f"{_pick(rng, _OTHER_COUNTIES)}{_pick(rng, _TOWNS)}{_pick(rng, _VILLAGES)}"
            f"{_between(rng, 1, 12)}组"
        )
    content = HouseholdContent(
        head_name=members[0].name,
        address=address,
        registered_residence=registered,
        actual_residence=address,
        phone=f"100{_between(rng, 0, 99_999_999):08d}",
        members=tuple(members),
    )
    incomes = _incomes(rng, members, ages, category)
    assets = _assets(rng, members, ages)
    expenses = _expenses(rng, members)
    interval = 12 if category is AssistanceCategory.EXTREME_POVERTY or rng.random() < 0.6 else 6
    next_review = today + timedelta(days=_review_due_in(rng, interval))
    return DemoHousehold(
        household_id=household_id,
        grid_id=grid_id,
        content=content,
        category=category,
        incomes=incomes,
        assets=assets,
        expenses=expenses,
        next_review=next_review,
    )


def _review_due_in(rng: random.Random, interval_months: int) -> int:
    """Days from the demo's day to a household's next review: a handful overdue, a quarter due
    in the next six weeks, the rest spread over the review interval."""
    roll = rng.random()
    if roll < _OVERDUE_SHARE:
        return -_between(rng, 1, 30)
    if roll < _OVERDUE_SHARE + _DUE_SOON_SHARE:
        return _between(rng, 0, 42)
    return _between(rng, 43, interval_months * 30)


def _category(rng: random.Random, drafts: list[_MemberDraft]) -> AssistanceCategory:
    head = drafts[0]
    if (
        len(drafts) == 1
        and (head.age >= 60 or head.disability_grade is not None)
        and head.labour_capacity is LabourCapacity.NONE
        and not head.employment
    ):
        # alone, unable to work, no supporter in the family: the 特困 profile of domain.md
        return AssistanceCategory.EXTREME_POVERTY
    return rng.choices(
        (
            AssistanceCategory.MINIMUM_LIVING,
            AssistanceCategory.LOW_INCOME,
            AssistanceCategory.EXPENDITURE_HARDSHIP,
            AssistanceCategory.NOT_ELIGIBLE,
        ),
        weights=(60, 22, 8, 10),
    )[0]


def _incomes(
    rng: random.Random,
    members: list[MemberContent],
    ages: list[int],
    category: AssistanceCategory,
) -> tuple[IncomeItem, ...]:
    items: list[IncomeItem] = []
    for member, age in zip(members, ages, strict=True):
        if member.employed:
            if rng.random() < 0.1:
                # irregular work: a month without pay is recorded as zero, not left out
                amount = Decimal("0.00")
            elif member.labour_capacity is LabourCapacity.FULL:
                amount = _money(rng, 1800, 4500)
            else:
                amount = _money(rng, 600, 2000)
            items.append(
                IncomeItem(
                    member_id=member.member_id,
                    type=IncomeType.WAGES,
                    monthly_amount=amount,
                    note=member.employment,
                )
            )
        if age >= 60:
            employee_pension = rng.random() < 0.2
            items.append(
                IncomeItem(
                    member_id=member.member_id,
                    type=IncomeType.PENSION,
                    monthly_amount=_money(rng, 2200, 4200)
                    if employee_pension
                    else _money(rng, 150, 450),
                    note="职工养老金" if employee_pension else "城乡居民养老金",
                )
            )
            if rng.random() < 0.25:
                items.append(
                    IncomeItem(
                        member_id=member.member_id,
                        type=IncomeType.TRANSFER,
                        monthly_amount=_money(rng, 200, 800),
                        note="子女赡养费",
                    )
                )
    if rng.random() < 0.15:
        items.append(
            IncomeItem(
                member_id=members[0].member_id,
                type=IncomeType.AGRICULTURE,
                monthly_amount=_money(rng, 100, 600),
                note="种植收入（按年折月）",
            )
        )
    if category is AssistanceCategory.MINIMUM_LIVING and rng.random() < 0.5:
        items.append(
            IncomeItem(
                type=IncomeType.ASSISTANCE,
                monthly_amount=_money(rng, 300, 1500),
                note="低保金（不计入家庭收入）",
            )
        )
    return tuple(items)


def _assets(
    rng: random.Random, members: list[MemberContent], ages: list[int]
) -> tuple[AssetItem, ...]:
    items: list[AssetItem] = []
    if rng.random() < 0.9:
        # most deposits are small; a few are large enough to matter (some are zero)
        value = Decimal("0.00") if rng.random() < 0.1 else _money(rng, 100, 60_000)
        items.append(AssetItem(type=AssetType.DEPOSIT, value=value, description="银行存款"))
    adults = [m for m, age in zip(members, ages, strict=True) if age >= 18]
    if rng.random() < 0.06 and adults:
        disabled = any(m.disability_grade is not None for m in members)
        for_disability = disabled and rng.random() < 0.6
        items.append(
            AssetItem(
                member_id=_pick(rng, adults).member_id,
                type=AssetType.VEHICLE,
                value=_money(rng, 2000, 8000) if for_disability else _money(rng, 3000, 80_000),
                description="残疾人代步车"
                if for_disability
                else _pick(rng, ("电动三轮车", "二手小轿车", "面包车")),
                for_disability=for_disability,
            )
        )
    if rng.random() < 0.03 and adults:
        items.append(
            AssetItem(
                member_id=_pick(rng, adults).member_id,
                type=AssetType.BUSINESS_REGISTRATION,
                value=_money(rng, 0, 50_000),
                description=_pick(rng, ("个体工商户（小吃店）", "个体工商户（五金店）", "网店")),
            )
        )
    if rng.random() < 0.01:
        items.append(
            AssetItem(
                type=AssetType.SECURITIES, value=_money(rng, 1000, 30_000), description="股票"
            )
        )
    if rng.random() < 0.03:
        items.append(
            AssetItem(
                type=AssetType.REAL_ESTATE,
                value=_money(rng, 80_000, 400_000),
                description="另有住房一套",
            )
        )
    return tuple(items)


def _expenses(rng: random.Random, members: list[MemberContent]) -> tuple[ExpenseItem, ...]:
    items: list[ExpenseItem] = []
    for member in members:
        if member.health is Health.SERIOUS and rng.random() < 0.8:
            items.append(
                ExpenseItem(
                    member_id=member.member_id,
                    type=ExpenseType.MEDICAL,
                    monthly_amount=_money(rng, 500, 4000),
                    note="重病自付医疗费",
                )
            )
        elif member.health is Health.CHRONIC and rng.random() < 0.5:
            items.append(
                ExpenseItem(
                    member_id=member.member_id,
                    type=ExpenseType.MEDICAL,
                    monthly_amount=_money(rng, 100, 800),
                    note="慢病门诊药费",
                )
            )
        if member.schooling in ("高中", "中职", "大学", "高职"):
            high = 2500 if member.schooling in ("大学", "高职") else 1000
            items.append(
                ExpenseItem(
                    member_id=member.member_id,
                    type=ExpenseType.EDUCATION,
                    monthly_amount=_money(rng, 200, high),
                    note=f"{member.schooling}学杂费",
                )
            )
    return tuple(items)
