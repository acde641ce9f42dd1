"""Household list matching: name, address, ID number, full-width input."""

from __future__ import annotations

from datetime import date

from app.domain import AssistanceCategory, HouseholdStatus
from app.services.readmodels import HouseholdListItem, looks_like_id_number


def _item(**changes: object) -> HouseholdListItem:
    values: dict[str, object] = {
        "household_id": "h1",
        "grid_id": "g1",
        "head_name": "张桂兰",
        "address": "幸福街道 红星社区 3栋 2单元 401",
        "member_count": 3,
        "status": HouseholdStatus.ACTIVE,
        "category": AssistanceCategory.MINIMUM_LIVING,
        "next_review": date(2026, 5, 1),
        "member_names": ("李小明",),
    }
    values.update(changes)
    return HouseholdListItem(**values)  # type: ignore[arg-type]


def test_matches_head_member_names_and_address() -> None:
    item = _item()
    assert item.matches("桂兰")
    assert item.matches("红星社区")
    assert item.matches("3栋 2单元")
    assert item.matches("小明")
    assert item.matches("")
    assert not item.matches("王")


def test_id_number_queries_are_recognised() -> None:
    assert looks_like_id_number("11010519491231002x")
    assert looks_like_id_number("１１０１０５１９４９１２３１００２Ｘ")
    assert looks_like_id_number("110105491231002")
    assert not looks_like_id_number("1101051949")
    assert not looks_like_id_number("张桂兰")


def test_full_width_input_matches() -> None:
    assert _item().matches("４０１")
    assert _item().matches("３栋")


def test_personal_fields_stay_out_of_repr() -> None:
    text = repr(_item())
    assert "张桂兰" not in text and "小明" not in text and "红星" not in text


def test_review_due() -> None:
    assert _item().review_due_by(date(2026, 5, 1))
    assert not _item().review_due_by(date(2026, 4, 30))
    assert not _item(next_review=None).review_due_by(date(2030, 1, 1))
