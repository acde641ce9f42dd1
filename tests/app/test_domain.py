"""The visit lifecycle (`VISIT_TRANSITIONS`): every allowed move passes, every other one is
refused with an error that names both statuses, and the moves a laptop may push are exactly
its own two (completing a draft, revising a returned visit)."""

from __future__ import annotations

import itertools

import pytest

from app.domain import (
    DEVICE_VISIT_MOVES,
    VISIT_STATUS_LABELS,
    VISIT_TRANSITIONS,
    VisitStatus,
    check_device_visit_move,
    check_visit_transition,
    later_visit_statuses,
)
from app.errors import ValidationError

S = VisitStatus

#: The lifecycle as `domain.md` states it, written out independently of the table under test.
EXPECTED_MOVES = {
    (S.DRAFT, S.COMPLETED),
    (S.COMPLETED, S.SYNCED),
    (S.SYNCED, S.UNDER_REVIEW),
    (S.UNDER_REVIEW, S.APPROVED),
    (S.UNDER_REVIEW, S.RETURNED),
    (S.RETURNED, S.REVISED),
}
ALL_PAIRS = list(itertools.product(VisitStatus, VisitStatus))


def test_the_table_holds_exactly_the_lifecycle() -> None:
    assert set(VISIT_TRANSITIONS) == set(VisitStatus)
    table = {(a, b) for a, targets in VISIT_TRANSITIONS.items() for b in targets}
    assert table == EXPECTED_MOVES


@pytest.mark.parametrize(("current", "new"), sorted(EXPECTED_MOVES))
def test_every_allowed_move_passes(current: VisitStatus, new: VisitStatus) -> None:
    check_visit_transition(current, new)
    check_visit_transition(current.value, new.value)  # as stored: plain strings


@pytest.mark.parametrize(
    ("current", "new"), [pair for pair in ALL_PAIRS if pair not in EXPECTED_MOVES]
)
def test_every_other_move_is_refused_by_name(current: VisitStatus, new: VisitStatus) -> None:
    with pytest.raises(ValidationError) as info:
        check_visit_transition(current, new)
    assert info.value.code == "visit_transition"
    current_zh, current_en = VISIT_STATUS_LABELS[current]
    new_zh, new_en = VISIT_STATUS_LABELS[new]
    assert info.value.message_en == f"A visit cannot go from '{current_en}' to '{new_en}'"
    assert current_zh in info.value.message_zh and new_zh in info.value.message_zh


@pytest.mark.parametrize(("current", "new"), [("draft", "finished"), ("closed", "draft")])
def test_an_unknown_status_is_refused_by_name(current: str, new: str) -> None:
    with pytest.raises(ValidationError) as info:
        check_visit_transition(current, new)
    assert info.value.code == "visit_status"
    assert "finished" in info.value.message_en or "closed" in info.value.message_en


def test_a_laptop_makes_only_its_own_moves() -> None:
    assert {(S.DRAFT, S.COMPLETED), (S.RETURNED, S.REVISED)} == DEVICE_VISIT_MOVES
    for current, new in sorted(DEVICE_VISIT_MOVES):
        check_device_visit_move(current, new)
    for current, new in sorted(EXPECTED_MOVES - DEVICE_VISIT_MOVES):
        with pytest.raises(ValidationError) as info:
            check_device_visit_move(current, new)
        assert info.value.code == "visit_transition_server", (current, new)
        assert info.value.message_en.startswith("Only the server moves a visit")
    with pytest.raises(ValidationError) as skipped:
        check_device_visit_move(S.DRAFT, S.APPROVED)
    assert skipped.value.code == "visit_transition"


def test_later_statuses_follow_the_moves() -> None:
    assert later_visit_statuses(S.COMPLETED) == {
        S.SYNCED,
        S.UNDER_REVIEW,
        S.APPROVED,
        S.RETURNED,
        S.REVISED,
    }
    assert later_visit_statuses(S.UNDER_REVIEW) == {S.APPROVED, S.RETURNED, S.REVISED}
    assert later_visit_statuses(S.APPROVED) == frozenset()
    assert S.COMPLETED not in later_visit_statuses(S.SYNCED)
