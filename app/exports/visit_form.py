"""The printable visit form (入户核查记录表) as HTML for Qt's rich-text engine.

This module only builds the document: pure Python, testable without Qt. `ui.printing` lays it
out with `QTextDocument` and writes the PDF. The form holds everything a supervisor signs off
and an appellant may ask to see: the household and the visit, the members, incomes, assets and
expenses, the neighbour interviews, the finding, the eligibility decision with each of its
reasons marked 符合/不符合 (issue 3: "the printed form shows these reasons"), the signatures
and the notice of duties.

ID numbers are printed in full only on the internal form; `mask_ids=True` prints the masked
form (first 6 and last 4) for a copy that leaves the office. Every value is HTML-escaped: names
and free text come from the field and must not be able to change the layout.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from decimal import ROUND_HALF_UP, Decimal
from typing import Final

from app.domain import (
    HouseholdContent,
    MemberContent,
    SignatureRef,
    VisitContent,
    VisitKind,
    VisitStatus,
)
from app.errors import ValidationError
from app.exports.labels import (
    ASSET_ZH,
    EXPENSE_ZH,
    FINDING_ZH,
    HEALTH_ZH,
    LABOUR_ZH,
    SPECIAL_STATUS_ZH,
    VISIT_KIND_ZH,
    VISIT_STATUS_ZH,
)
from app.idnumber import parse_id_number
from app.masking import mask_id_number
from app.models.views import HouseholdView, VisitView
from app.policy.decision import EligibilityDecision
from app.policy.engine import INCOME_LABELS, RELATION_LABELS
from app.resources import resource_path

#: China has kept one offset without daylight saving since 1991; a fixed zone needs no tzdata
#: (absent on a bare Windows install).
CHINA_TIME: Final = timezone(timedelta(hours=8), "CST")
CENT: Final = Decimal("0.01")
FORM_TITLE: Final = "社会救助家庭入户核查记录表"
SIGNATURE_URL_PREFIX: Final = "jiafang-signature-"
INTERNAL_WARNING: Final = "内部资料：含完整身份证号码等个人信息，请妥善保管，不得外传"


@dataclass(frozen=True)
class SignatureImage:
    """A decoded signature image (PNG/JPEG bytes) and who signed, as printed under it."""

    signer: str
    image: bytes = field(repr=False)
    signed_at: datetime | None = None


@dataclass(frozen=True)
class VisitForm:
    """Everything the printed form shows, gathered from the read models."""

    visit_id: str
    household_id: str
    grid_name: str
    kind: VisitKind
    status: VisitStatus
    visit_date: date | None
    household: HouseholdContent = field(repr=False)
    visit: VisitContent = field(repr=False)
    decision: EligibilityDecision | None = field(default=None, repr=False)
    #: user id → name as printed (visitors are recorded by user id)
    visitor_names: Mapping[str, str] = field(default_factory=dict, repr=False)
    signatures: tuple[SignatureImage, ...] = field(default=(), repr=False)
    #: the office the form is printed for, e.g. "示范区明德街道"
    organisation: str = ""


@dataclass(frozen=True)
class VisitFormDocument:
    """The HTML and the images it refers to by URL (`<img src="jiafang-signature-0">`)."""

    title: str
    html: str = field(repr=False)
    images: tuple[tuple[str, bytes], ...] = field(default=(), repr=False)
    #: printed at the foot of every page, beside the page number
    footer: str = ""


def visit_form_from_views(
    household: HouseholdView,
    visit: VisitView,
    *,
    grid_name: str,
    decision: EligibilityDecision | None = None,
    visitor_names: Mapping[str, str] | None = None,
    signatures: Sequence[SignatureImage] = (),
    organisation: str = "",
) -> VisitForm:
    if visit.household_id != household.household_id:
        raise ValidationError(
            "走访记录不属于该家庭",
            "The visit does not belong to this household",
            code="visit_household_mismatch",
        )
    return VisitForm(
        visit_id=visit.visit_id,
        household_id=household.household_id,
        grid_name=grid_name,
        kind=visit.kind,
        status=visit.status,
        visit_date=visit.visit_date,
        household=household.content,
        visit=visit.content,
        decision=decision,
        visitor_names=dict(visitor_names or {}),
        signatures=tuple(signatures),
        organisation=organisation,
    )


def signature_images(
    refs: Iterable[SignatureRef],
    read_attachment: Callable[[str], bytes],
    *,
    visitor_names: Mapping[str, str] | None = None,
    household_signer: str = "被访家庭",
) -> tuple[SignatureImage, ...]:
    """Decrypt-and-read each signature through `read_attachment` (the session's reader)."""
    names = visitor_names or {}
    images = []
    for ref in refs:
        if ref.signer == "household":
            label = household_signer
        else:
            label = f"走访人 {names.get(ref.signer, ref.signer)}"
        images.append(SignatureImage(label, read_attachment(ref.attachment_id), ref.signed_at))
    return tuple(images)


def notice_of_duties_text() -> str:
    """The statement of the applicant's duties (resources/templates), as printed."""
    return resource_path("templates", "notice_of_duties_zh.txt").read_text("utf-8").strip()


def form_stylesheet() -> str:
    return resource_path("templates", "visit_form.css").read_text("utf-8")


def build_visit_form(
    form: VisitForm,
    *,
    mask_ids: bool = False,
    printed_at: datetime | None = None,
    zone: tzinfo = CHINA_TIME,
) -> VisitFormDocument:
    """The form as one HTML document for `QTextDocument.setHtml`."""
    builder = _FormBuilder(form, mask_ids=mask_ids, zone=zone)
    printed = (printed_at or datetime.now(UTC)).astimezone(zone)
    body = [
        f"<h1>{_e(FORM_TITLE)}</h1>",
        f'<p class="meta">{_e(form.organisation)}　记录编号：{_e(form.visit_id)}　'
        f"打印时间：{printed:%Y-%m-%d %H:%M}</p>",
    ]
    if mask_ids:
        body.append('<p class="meta">本表身份证号码已遮蔽（仅显示前 6 位和后 4 位）</p>')
    else:
        body.append(f'<p class="internal">{_e(INTERNAL_WARNING)}</p>')
    body += builder.household_section()
    body += builder.members_section()
    body += builder.incomes_section()
    body += builder.assets_section()
    body += builder.expenses_section()
    body += builder.conditions_section()
    body += builder.interviews_section()
    body += builder.finding_section()
    body += builder.decision_section()
    body += builder.notice_section()
    body += builder.signatures_section()
    document = (
        '<html><head><meta charset="utf-8"><style>'
        + form_stylesheet()
        + "</style></head><body>"
        + "\n".join(body)
        + "</body></html>"
    )
    footer = f"{FORM_TITLE}　记录编号 {form.visit_id}"
    if not mask_ids:
        footer += "　内部资料 注意保密"
    return VisitFormDocument(title=FORM_TITLE, html=document, images=builder.images, footer=footer)


# --- the sections -------------------------------------------------------------------------------


#: One collapsed border for the whole grid; the cell padding comes from the stylesheet (in pt).
_TABLE_OPEN: Final = (
    '<table class="grid" width="100%" border="1" cellspacing="0" '
    'style="border-collapse: collapse; border-color: #8a8a8a; border-style: solid">'
)


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _money(amount: Decimal | None) -> str:
    return "" if amount is None else f"{amount.quantize(CENT, ROUND_HALF_UP):,.2f}"


def _date(value: date | None) -> str:
    return "" if value is None else value.isoformat()


def _table(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    money: Sequence[int] = (),
    widths: Sequence[int] = (),
) -> str:
    """A bordered table; `rows` hold already-escaped HTML, `money` the right-aligned columns,
    `widths` the column widths in percent. The header row is a `<thead>`, which Qt repeats at
    the top of every page the table runs onto."""
    head = ""
    for i, h in enumerate(headers):
        width = f' width="{widths[i]}%"' if i < len(widths) else ""
        css = ' class="money"' if i in money else ""
        head += f"<th{css}{width}>{_e(h)}</th>"
    lines = [_TABLE_OPEN, f"<thead><tr>{head}</tr></thead>"]
    for row in rows:
        cells = "".join(
            f'<td class="money">{c}</td>' if i in money else f"<td>{c}</td>"
            for i, c in enumerate(row)
        )
        lines.append(f"<tr>{cells}</tr>")
    lines.append("</table>")
    return "\n".join(lines)


def _pairs(pairs: Sequence[tuple[str, str]], columns: int = 2) -> str:
    """Label/value pairs laid out `columns` pairs to a row (values already escaped)."""
    lines = [_TABLE_OPEN]
    for start in range(0, len(pairs), columns):
        chunk = list(pairs[start : start + columns])
        cells = "".join(f'<td class="label" width="14%">{_e(k)}</td><td>{v}</td>' for k, v in chunk)
        missing = columns - len(chunk)
        if missing:
            cells += '<td class="label"></td><td></td>' * missing
        lines.append(f"<tr>{cells}</tr>")
    lines.append("</table>")
    return "\n".join(lines)


def _none(text: str) -> str:
    return f'<p class="empty">{_e(text)}</p>'


class _FormBuilder:
    def __init__(self, form: VisitForm, *, mask_ids: bool, zone: tzinfo) -> None:
        self.form = form
        self.mask_ids = mask_ids
        self.zone = zone
        self.images: tuple[tuple[str, bytes], ...] = ()
        visit_members = form.visit.members or form.household.members
        self.members: tuple[MemberContent, ...] = visit_members
        self.member_labels = {
            m.member_id: f"{m.name}（{RELATION_LABELS[m.relation][0]}）" for m in visit_members
        }
        self.on = form.visit_date or (
            form.visit.started_at.astimezone(zone).date() if form.visit.started_at else None
        )

    def _time(self, value: datetime | None) -> str:
        return "" if value is None else f"{value.astimezone(self.zone):%Y-%m-%d %H:%M}"

    def _member(self, member_id: str | None) -> str:
        if member_id is None:
            return "全家"
        return _e(self.member_labels.get(member_id, "（未知成员）"))

    def household_section(self) -> list[str]:
        f, h, v = self.form, self.form.household, self.form.visit
        visitors = "、".join(f.visitor_names.get(u, u) for u in v.visitors)
        split = "是（户籍地与居住地不一致）" if h.residence_split else "否"
        period = self._time(v.started_at)
        if v.ended_at is not None:
            period += f" 至 {self._time(v.ended_at)[11:] if period else self._time(v.ended_at)}"
        pairs = [
            ("户主姓名", _e(h.head_name)),
            ("所属网格", _e(f.grid_name)),
            ("家庭住址", _e(h.address)),
            ("联系电话", _e(h.phone)),
            ("户籍地", _e(h.registered_residence)),
            ("居住地", _e(h.actual_residence)),
            ("人户分离", _e(split)),
            ("家庭人口", _e(f"{len(self.members)} 人")),
            ("走访类型", _e(VISIT_KIND_ZH[f.kind])),
            ("记录状态", _e(VISIT_STATUS_ZH[f.status])),
            ("走访日期", _e(_date(self.on))),
            ("走访时间", _e(period)),
            ("走访人员", _e(visitors)),
            ("在场人员", _e("、".join(v.present))),
        ]
        return ["<h2>一、家庭及走访基本情况</h2>", _pairs(pairs)]

    def members_section(self) -> list[str]:
        rows = []
        for number, m in enumerate(self.members, start=1):
            id_text = mask_id_number(m.id_number) if self.mask_ids else m.id_number
            sex, age = "", ""
            try:
                parsed = parse_id_number(m.id_number, today=self.on)
                sex = "男" if parsed.sex.value == "male" else "女"
                age = str(parsed.age_on(self.on)) if self.on else ""
            except ValidationError:
                pass  # the form prints what was recorded; validation is the visit form's job
            disability = "" if m.disability_grade is None else f"{m.disability_grade} 级"
            work = "；".join(x for x in (m.employment, m.schooling) if x)
            rows.append(
                [
                    str(number),
                    _e(m.name),
                    _e(RELATION_LABELS[m.relation][0]),
                    _e(id_text),
                    _e(sex),
                    _e(age),
                    _e(HEALTH_ZH[m.health]),
                    _e(disability),
                    _e(LABOUR_ZH[m.labour_capacity]),
                    _e(work),
                    _e(SPECIAL_STATUS_ZH[m.special_status]),
                    "是" if m.lives_with_family else "否",
                ]
            )
        headers = [
            "序号",
            "姓名",
            "关系",
            "身份证号码",
            "性别",
            "年龄",
            "健康状况",
            "残疾等级",
            "劳动能力",
            "就业／就学",
            "特殊身份",
            "共同生活",
        ]
        if not rows:
            return ["<h2>二、家庭成员</h2>", _none("未登记家庭成员")]
        widths = (4, 8, 7, 21, 5, 5, 8, 8, 11, 10, 7, 6)
        return ["<h2>二、家庭成员</h2>", _table(headers, rows, widths=widths)]

    def incomes_section(self) -> list[str]:
        items = self.form.visit.incomes
        if not items:
            return ["<h2>三、家庭收入（月）</h2>", _none("未申报收入")]
        rows = [
            [
                self._member(i.member_id),
                _e(INCOME_LABELS[i.type][0]),
                _money(i.monthly_amount),
                _e(i.note),
            ]
            for i in items
        ]
        total = sum((i.monthly_amount for i in items), Decimal("0"))
        rows.append(["<b>申报合计</b>", "", f"<b>{_money(total)}</b>", ""])
        return [
            "<h2>三、家庭收入（月）</h2>",
            _table(["成员", "收入类型", "月收入（元）", "说明"], rows, money=(2,)),
        ]

    def assets_section(self) -> list[str]:
        items = self.form.visit.assets
        if not items:
            return ["<h2>四、家庭财产</h2>", _none("未申报财产")]
        rows = [
            [
                self._member(a.member_id),
                _e(ASSET_ZH[a.type]),
                _money(a.value),
                _e(a.description),
                "是" if a.for_disability else "",
            ]
            for a in items
        ]
        return [
            "<h2>四、家庭财产</h2>",
            _table(["成员", "财产类型", "价值（元）", "说明", "残疾人专用"], rows, money=(2,)),
        ]

    def expenses_section(self) -> list[str]:
        items = self.form.visit.expenses
        if not items:
            return ["<h2>五、刚性支出（月）</h2>", _none("无刚性支出")]
        rows = [
            [
                self._member(x.member_id),
                _e(EXPENSE_ZH[x.type]),
                _money(x.monthly_amount),
                _e(x.note),
            ]
            for x in items
        ]
        return [
            "<h2>五、刚性支出（月）</h2>",
            _table(["成员", "支出类型", "月支出（元）", "说明"], rows, money=(2,)),
        ]

    def conditions_section(self) -> list[str]:
        v = self.form.visit
        pairs = [
            ("住房情况", _e(v.housing_conditions or "未记录")),
            ("生活状况", _e(v.living_conditions or "未记录")),
        ]
        return ["<h2>六、住房及生活状况</h2>", _pairs(pairs, columns=1)]

    def interviews_section(self) -> list[str]:
        items = self.form.visit.neighbour_interviews
        if not items:
            return ["<h2>七、邻里访问</h2>", _none("未进行邻里访问")]
        rows = [[_e(i.name), _e(i.relation), _e(i.statement)] for i in items]
        return ["<h2>七、邻里访问</h2>", _table(["被访人", "关系", "反映情况"], rows)]

    def finding_section(self) -> list[str]:
        v = self.form.visit
        finding = "尚未填写" if v.finding is None else FINDING_ZH[v.finding]
        pairs = [("核查结论", f"<b>{_e(finding)}</b>"), ("结论理由", _e(v.finding_reasons))]
        return ["<h2>八、核查结论</h2>", _pairs(pairs, columns=1)]

    def decision_section(self) -> list[str]:
        d = self.form.decision
        # A new page: the decision and its reasons are what the reviewer signs off, and a
        # heading left alone at the foot of a page (Qt has no keep-with-next) reads badly.
        title = '<h2 style="page-break-before: always">九、救助资格核定结果及依据</h2>'
        if d is None:
            return [title, _none("未计算核定结果（缺少政策或家庭数据）")]
        pairs = [
            ("核定类别", f"<b>{_e(d.category_label('zh'))}</b>"),
            ("适用政策", _e(f"{d.policy_id}（{d.policy_version}）")),
            ("家庭月人均收入", _e(f"{_money(d.per_capita_income)} 元")),
            ("人均货币财产", _e(f"{_money(d.per_capita_monetary_assets)} 元")),
            ("月救助金额", f"<b>{_e(_money(d.monthly_benefit))} 元</b>"),
            ("核定日期", _e(_date(d.evaluated_on))),
            ("下次复核日期", _e(_date(d.next_review_on) or "无")),
            (
                "复核周期",
                _e("" if d.review_interval_months is None else f"{d.review_interval_months} 个月"),
            ),
        ]
        rows = [
            [
                str(number),
                '<span style="color:#176b2c"><b>符合</b></span>'
                if r.passed
                else '<span style="color:#a61b1b"><b>不符合</b></span>',
                _e(r.text_zh),
            ]
            for number, r in enumerate(d.reasons, start=1)
        ]
        out = [title, _pairs(pairs), "<p>核定依据（逐条）：</p>"]
        out.append(_table(["序号", "结果", "依据"], rows, widths=(6, 10, 84)))
        if d.taper:
            taper_rows = [
                [
                    str(t.month),
                    _e(_date(t.starts_on)),
                    _e(f"{(t.rate * 100).normalize():f}%"),
                    _money(t.amount),
                ]
                for t in d.taper
            ]
            out.append("<p>渐退安排：</p>")
            out.append(_table(["月次", "起始日期", "比例", "金额（元）"], taper_rows, money=(3,)))
        return out

    def notice_section(self) -> list[str]:
        signed = "已签署" if self.form.visit.notice_of_duties_signed else "未签署"
        return [
            "<h2>十、告知事项</h2>",
            f'<p class="notice">{_e(notice_of_duties_text())}</p>',
            f"<p>告知书／承诺书：<b>{_e(signed)}</b></p>",
        ]

    def signatures_section(self) -> list[str]:
        signatures = self.form.signatures
        out = ["<h2>十一、签字</h2>"]
        if not signatures:
            out.append(_none("无电子签名（请在纸质表上签字）"))
            return out
        images: list[tuple[str, bytes]] = []
        cells = []
        for index, signature in enumerate(signatures):
            url = f"{SIGNATURE_URL_PREFIX}{index}"
            images.append((url, signature.image))
            when = self._time(signature.signed_at)
            cells.append(
                f'<td align="center"><img src="{url}" width="150" height="60"><br>'
                f"{_e(signature.signer)}<br>{_e(when)}</td>"
            )
        self.images = tuple(images)
        out.append('<table width="100%" cellspacing="0" cellpadding="24">')
        for start in range(0, len(cells), 3):
            out.append("<tr>" + "".join(cells[start : start + 3]) + "</tr>")
        out.append("</table>")
        return out
