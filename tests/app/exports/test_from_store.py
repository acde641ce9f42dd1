"""Exports fed from a real local store (encrypted, seeded with demo data), as the app does it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from app.crypto import KdfParams
from app.demo_data import DemoDataset
from app.domain import ClueStatus, RegionLevel, Role, VisitKind
from app.exports.clue_ledger import clue_ledger_row, write_clue_ledger
from app.exports.ledger import ledger_row, write_ledger
from app.exports.public_notice import public_notice_entry, write_public_notice
from app.policy import evaluate_visit, policy_by_id
from app.services.demo import seed_store
from app.store.local_store import LocalStore

TODAY = date(2025, 6, 1)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[LocalStore]:
    local = LocalStore.create(
        tmp_path / "store.db",
        "correct horse battery staple",
        user_id="supervisor-1",
        device_id="device-1",
        kdf=KdfParams.for_tests(),
    )
    yield local
    local.close()


@pytest.fixture
def dataset(store: LocalStore) -> DemoDataset:
    return seed_store(store, seed=3, households=12, clue_ratio=0.6, today=TODAY)


def test_ledger_and_public_notice_from_the_store(
    store: LocalStore, dataset: DemoDataset, tmp_path: Path
) -> None:
    regions = {r.region_id: r for r in dataset.regions}
    policy = policy_by_id("district-x-2025")
    rows, entries = [], []
    for summary in store.list_households():
        household = store.get_household(summary.household_id)
        visits = store.list_visits(summary.household_id)
        latest = max(visits, key=lambda v: v.visit_date or date.min) if visits else None
        decision = evaluate_visit(policy, latest.content, TODAY) if latest else None
        grid = regions[household.grid_id]
        rows.append(
            ledger_row(household, grid_name=grid.name, latest_visit=latest, decision=decision)
        )
        if decision is not None and decision.eligible:
            community = regions[grid.parent_id or ""]
            assert community.level is RegionLevel.COMMUNITY
            entries.append(
                public_notice_entry(
                    household, community=community.name, monthly_amount=decision.monthly_benefit
                )
            )
    ledger = load_workbook(write_ledger(tmp_path / "台账.xlsx", rows, role=Role.SUPERVISOR)).active
    assert ledger is not None
    values = list(ledger.iter_rows(min_row=2, values_only=True))
    assert len(values) == len(dataset.households)
    expected = {h.content.address: h for h in dataset.households}
    for row in values:
        demo = expected[str(row[2])]
        assert row[3] == demo.content.head_name
        assert row[4] == len(demo.content.members)
    visited = [row for row in values if row[8] is not None]
    assert visited and all(isinstance(row[6], int | float) for row in visited)  # numbers

    assert entries
    notice = tmp_path / "公示.csv"
    write_public_notice(notice, entries, role=Role.SUPERVISOR)
    text = notice.read_text("utf-8-sig")
    assert not re.search(r"\d{17}[\dX]", text)
    assert len(text.strip().splitlines()) == 1 + len(entries)


def test_clue_ledger_from_the_store_shows_a_closure(
    store: LocalStore, dataset: DemoDataset, tmp_path: Path
) -> None:
    clues = store.list_clues()
    assert len(clues) >= 2
    closed = clues[0]
    visit = store.create_visit_draft(
        closed.household_id, VisitKind.CLUE_CHECK, visit_date=date(2025, 6, 3)
    )
    store.close_clue(closed.clue_id, ClueStatus.REFUTED, visit_id=visit.visit_id)

    regions = {r.region_id: r for r in dataset.regions}
    rows = []
    for clue in store.list_clues():
        household = store.get_household(clue.household_id)
        closing = store.get_visit(clue.data["visit_id"]) if "visit_id" in clue.data else None
        rows.append(
            clue_ledger_row(
                clue,
                grid_name=regions[household.grid_id].name,
                head_name=household.content.head_name,
                closing_visit=closing,
            )
        )
    workbook = load_workbook(write_clue_ledger(tmp_path / "c.xlsx", rows, role=Role.ADMIN))
    values = list(workbook["线索台账"].iter_rows(min_row=2, values_only=True))
    assert len(values) == len(clues)
    assert [v[7] for v in values].count("查否") == 1
    refuted = next(v for v in values if v[7] == "查否")
    assert refuted[11] == visit.visit_id
    assert refuted[8] == "比对线索核实"
    assert isinstance(refuted[10], datetime) and refuted[10].date() == date(2025, 6, 3)
    open_rows = [v for v in values if v[7] == "未销号"]
    assert all(isinstance(v[6], datetime) for v in open_rows)
    summary = dict(workbook["销号汇总"].iter_rows(min_row=2, values_only=True))
    assert summary["查否"] == 1 and summary["线索总数"] == len(clues)
