"""The outbox (written with each edit) and the pull path (pages applied atomically)."""

from __future__ import annotations

import copy
import uuid
from typing import Any

import pytest

from app.domain import ClueStatus, HouseholdStatus, ReviewDecision, TaskStatus, VisitKind
from app.errors import StoreError
from app.hlc import Hlc
from app.ids import uuid7
from app.store.local_store import LocalStore
from tests.app.store.conftest import (
    PASSWORD,
    complete_visit_content,
    make_household,
    make_id_number,
)


def _household_record(hid: str, *, version: int, seq: int, **data: Any) -> dict[str, Any]:
    return {
        "entity": "household",
        "id": hid,
        "version": version,
        "seq": seq,
        "household_id": hid,
        "grid_id": "g1",
        "deleted": False,
        "meta": {"status": "active", "category": "minimum_living", "next_review": "2026-08-01"},
        "data": {
            "head_name": "服务器户主",
            "address": "服务器地址",
            "registered_residence": "",
            "actual_residence": "",
            "phone": "",
            "note": "",
            **data,
        },
    }


def _member_record(mid: str, hid: str, name: str, serial: int, *, seq: int) -> dict[str, Any]:
    return {
        "entity": "member",
        "id": mid,
        "version": 1,
        "seq": seq,
        "household_id": hid,
        "grid_id": "g1",
        "deleted": False,
        "meta": {},
        "data": {
            "member_id": mid,
            "name": name,
            "id_number": make_id_number(serial),
            "relation": "head",
        },
    }


def test_each_edit_queues_one_mutation_with_only_changed_fields(store: LocalStore) -> None:
    h = store.create_household(grid_id="g1", content=make_household("韩梅", serial=80))
    created = store.pending_mutations()
    assert [m.entity for m in created] == ["household", "member"]
    first = created[0]
    assert uuid.UUID(first.mutation_id).version == 7
    assert first.device_id == "laptop-1"
    assert first.base_version == 0
    assert first.op == "upsert"
    assert first.schema_version == 2  # schema 2: completed visits carry a device signature
    assert first.changed["head_name"] == "韩梅"
    assert first.changed["grid_id"] == "g1"
    store.acknowledge(m.mutation_id for m in created)

    store.update_household(h.household_id, phone="13900000000", note="")
    [edit] = store.pending_mutations()
    assert edit.changed == {"phone": "13900000000"}  # note did not change
    assert edit.entity_id == h.household_id
    assert Hlc.parse(edit.hlc) > Hlc.parse(first.hlc)
    wire = edit.to_wire()
    assert set(wire) == {
        "mutation_id", "device_id", "entity", "entity_id", "household_id",
        "base_version", "op", "changed", "hlc", "schema_version",
    }  # fmt: skip
    store.update_household(h.household_id, phone="13900000000")  # no change: nothing queued
    assert store.pending_count() == 1


def test_mutations_come_out_in_the_order_they_were_made(store: LocalStore) -> None:
    h = store.create_household(grid_id="g1", content=make_household("许诺", serial=81))
    for i in range(5):
        store.update_household(h.household_id, note=f"第{i}次")
    entries = store.pending_mutations(limit=100)
    notes = [m.changed["note"] for m in entries[2:]]  # after the household and member creation
    assert notes == [f"第{i}次" for i in range(5)]
    assert [m.hlc for m in entries] == sorted(m.hlc for m in entries)
    assert len(store.pending_mutations(limit=3)) == 3


def test_acknowledged_mutations_leave_and_rejected_ones_are_quarantined(store: LocalStore) -> None:
    h = store.create_household(grid_id="g1", content=make_household("邓超", serial=82))
    store.update_household(h.household_id, note="会被拒绝")
    entries = store.pending_mutations()
    rejected = entries[-1]
    assert store.acknowledge([entries[0].mutation_id, "unknown-id"]) == 1
    store.quarantine(rejected.mutation_id, "field locked by supervisor")
    remaining = {m.mutation_id for m in store.pending_mutations()}
    assert rejected.mutation_id not in remaining
    assert entries[0].mutation_id not in remaining
    [q] = store.quarantined_mutations()
    assert q.entry.mutation_id == rejected.mutation_id
    assert q.entry.changed == {"note": "会被拒绝"}
    assert q.reason == "field locked by supervisor"
    # Acknowledging a quarantined mutation does not silently drop it.
    store.acknowledge([rejected.mutation_id])
    assert len(store.quarantined_mutations()) == 1
    with pytest.raises(StoreError):
        store.quarantine("no-such-mutation", "x")


def test_pull_page_upserts_and_moves_the_checkpoint(store: LocalStore) -> None:
    hid, mid = uuid7(), uuid7()
    page = [
        _household_record(hid, version=1, seq=1),
        _member_record(mid, hid, "服务器成员", 90, seq=2),
    ]
    result = store.apply_pull_page(page, "grid:g1", 2)
    assert (result.applied, result.deleted, result.checkpoint) == (2, 0, 2)
    assert store.checkpoint("grid:g1") == 2
    assert store.checkpoint("grid:other") == 0
    view = store.get_household(hid)
    assert view.version == 1
    assert view.content.head_name == "服务器户主"
    assert [m.content.name for m in view.members] == ["服务器成员"]
    assert store.search_households("服务器成员")[0].household_id == hid
    assert [m.member_id for m in store.find_by_id_number(make_id_number(90))] == [mid]
    assert store.pending_count() == 0  # server data is not sent back
    assert store.record_versions("household") == {hid: 1}
    assert store.record_versions("member") == {mid: 1}


def test_pulled_id_number_with_lower_case_x_is_found_by_lookup(store: LocalStore) -> None:
    hid, mid = uuid7(), uuid7()
    number = next(n for n in (make_id_number(i) for i in range(200)) if n.endswith("X"))
    record = _member_record(mid, hid, "尾号X", 0, seq=1)
    record["data"]["id_number"] = number[:17] + "x"
    store.apply_pull_page([_household_record(hid, version=1, seq=1), record], "grid:g1", 1)
    assert [m.member_id for m in store.find_by_id_number(number)] == [mid]
    assert store.get_household(hid).members[0].content.id_number == number


def test_pull_leaves_the_callers_records_as_they_were(store: LocalStore) -> None:
    # The pull path stores most records without copying them; it must never edit the sync
    # client's page (it may be logged, retried or compared after the apply).
    hid, mid = uuid7(), uuid7()
    number = next(n for n in (make_id_number(i) for i in range(200)) if n.endswith("X"))
    household = _household_record(hid, version=1, seq=1, members=[{"name": "内嵌成员"}])
    member = _member_record(mid, hid, "尾号小写", 0, seq=2)
    member["data"]["id_number"] = number[:17] + "x"
    page = [household, member]
    before = copy.deepcopy(page)
    store.apply_pull_page(page, "grid:g1", 2)
    assert page == before
    assert [m.member_id for m in store.find_by_id_number(number)] == [mid]


def test_households_pulled_over_several_pages_are_all_found_after_relock(
    store: LocalStore,
) -> None:
    # Pages of new households share the newest search chunk, which each page rewrites; a
    # household renamed by a later page must be found under its new name only, also after the
    # chunks are read back from disk at the next unlock.
    seq = 0
    pages: list[list[dict[str, Any]]] = []
    ids: list[str] = []
    for page_no in range(3):
        page = []
        for i in range(20):
            seq += 1
            hid = uuid7()
            ids.append(hid)
            page.append(_household_record(hid, version=1, seq=seq, head_name=f"户{page_no}号{i}"))
        pages.append(page)
        store.apply_pull_page(page, "grid:g1", seq)
    renamed = _household_record(ids[3], version=2, seq=seq + 1, head_name="改名后户主")
    store.apply_pull_page([renamed], "grid:g1", seq + 1)
    for relocked in (False, True):
        if relocked:
            store.lock()
            store.unlock(PASSWORD)
        assert [s.household_id for s in store.search_households("改名后户主")] == [ids[3]]
        assert store.search_households("户0号3", addresses=False) == []
        for page_no in range(3):
            found = store.search_households(f"户{page_no}号", limit=100, addresses=False)
            expected = {r["id"] for r in pages[page_no]} - {ids[3]}
            assert {s.household_id for s in found} == expected


def test_member_page_before_its_household_page_is_accepted(store: LocalStore) -> None:
    hid, mid = uuid7(), uuid7()
    store.apply_pull_page([_member_record(mid, hid, "先到成员", 91, seq=5)], "grid:g1", 5)
    assert store.search_households("先到成员") == []  # no household yet to list
    store.apply_pull_page([_household_record(hid, version=2, seq=6)], "grid:g1", 6)
    assert store.search_households("先到成员")[0].member_count == 1


def test_a_bad_record_rolls_back_the_whole_page_and_its_checkpoint(store: LocalStore) -> None:
    hid = uuid7()
    good = _household_record(hid, version=1, seq=1)
    bad = {**_household_record(uuid7(), version=1, seq=2), "meta": {}}  # no status
    with pytest.raises(StoreError) as info:
        store.apply_pull_page([good, bad], "grid:g1", 2)
    assert info.value.code == "bad_record"
    assert store.checkpoint("grid:g1") == 0
    assert store.household_count() == 0
    with pytest.raises(StoreError):
        store.apply_pull_page([{**good, "entity": "spaceship"}], "grid:g1", 2)


def test_pending_local_edits_stay_on_top_of_pulled_records(store: LocalStore) -> None:
    hid = uuid7()
    store.apply_pull_page([_household_record(hid, version=1, seq=1)], "grid:g1", 1)
    store.update_household(hid, phone="13700000000", status=HouseholdStatus.SUSPENDED)
    incoming = _household_record(hid, version=2, seq=7, phone="010-1234", address="新地址")
    result = store.apply_pull_page([incoming], "grid:g1", 7)
    assert set(result.kept_local) == {(hid, "phone"), (hid, "status")}
    view = store.get_household(hid)
    assert view.content.phone == "13700000000"  # local pending edit kept
    assert view.status is HouseholdStatus.SUSPENDED  # local pending meta edit kept
    assert view.content.address == "新地址"  # other fields take the server's value
    assert view.version == 2  # next edit is based on the server's latest version
    [pending] = store.pending_mutations()
    assert pending.base_version == 1 and pending.changed["phone"] == "13700000000"
    # Once acknowledged, the server's value wins again on the next pull.
    store.acknowledge([pending.mutation_id])
    store.apply_pull_page([_household_record(hid, version=3, seq=8, phone="0")], "grid:g1", 8)
    assert store.get_household(hid).content.phone == "0"


def test_a_pending_local_deletion_is_not_undone_by_a_pull(store: LocalStore) -> None:
    hid, mid = uuid7(), uuid7()
    store.apply_pull_page(
        [_household_record(hid, version=1, seq=1), _member_record(mid, hid, "已搬走", 93, seq=2)],
        "grid:g1",
        2,
    )
    store.remove_member(mid)
    again = {**_member_record(mid, hid, "已搬走", 93, seq=3), "version": 2}
    result = store.apply_pull_page([again], "grid:g1", 3)
    assert (mid, "deleted") in result.kept_local
    assert store.get_household(hid).members == ()
    [pending] = store.pending_mutations()
    assert (pending.op, pending.entity_id) == ("delete", mid)


def test_pulled_deletions_remove_records(store: LocalStore) -> None:
    hid, mid = uuid7(), uuid7()
    store.apply_pull_page(
        [
            _household_record(hid, version=1, seq=1),
            _member_record(mid, hid, "要删除的人", 92, seq=2),
        ],
        "grid:g1",
        2,
    )
    gone = {"entity": "member", "id": mid, "version": 2, "seq": 3, "household_id": hid,
            "deleted": True}  # fmt: skip
    assert store.apply_pull_page([gone], "grid:g1", 3).deleted == 1
    assert store.get_household(hid).members == ()
    assert store.search_households("要删除的人") == []
    store.apply_pull_page(
        [{"entity": "household", "id": hid, "version": 2, "seq": 4, "deleted": True}], "grid:g1", 4
    )
    assert store.household_count() == 0


def test_tasks_clues_reviews_and_conflicts_arrive_by_pull(store: LocalStore) -> None:
    hid = uuid7()
    visit = store.create_visit_draft(
        store.apply_pull_page([_household_record(hid, version=1, seq=1)], "grid:g1", 1) and hid,
        VisitKind.CLUE_CHECK,
        complete_visit_content(),
    )
    task_id, clue_id, review_id, conflict_id = uuid7(), uuid7(), uuid7(), uuid7()
    page = [
        {"entity": "task", "id": task_id, "version": 1, "seq": 2, "household_id": None,
         "grid_id": "g1", "meta": {"kind": "periodic_review", "status": "open",
         "deadline": "2026-12-31"}, "data": {"title": "年度复核", "household_ids": [hid]}},
        {"entity": "clue", "id": clue_id, "version": 1, "seq": 3, "household_id": hid,
         "meta": {"member_id": None, "kind": "vehicle", "status": "open"},
         "data": {"detail": "名下登记车辆一辆"}},
        {"entity": "review", "id": review_id, "version": 1, "seq": 4, "household_id": hid,
         "meta": {"visit_id": visit.visit_id, "decision": "returned",
                  "reviewed_at": "2026-03-05T02:00:00+00:00"},
         "data": {"comments": {"finding_reasons": "请补充收入证明"}}},
        {"entity": "conflict", "id": conflict_id, "version": 1, "seq": 5, "household_id": hid,
         "meta": {"target_entity": "household", "target_id": hid, "status": "open"},
         "data": {"field": "phone", "local": "1", "server": "2"}},
    ]  # fmt: skip
    store.apply_pull_page(page, "grid:g1", 5)
    [task] = store.list_tasks(status=TaskStatus.OPEN)
    assert task.task_id == task_id and task.data["title"] == "年度复核"
    [clue] = store.list_clues(household_id=hid)
    assert clue.status is ClueStatus.OPEN and clue.data["detail"] == "名下登记车辆一辆"
    [review] = store.list_reviews(visit.visit_id)
    assert review.decision is ReviewDecision.RETURNED
    [conflict] = store.list_conflicts()
    assert conflict.target_id == hid and conflict.data["field"] == "phone"

    closed = store.close_clue(clue_id, ClueStatus.REFUTED, visit_id=visit.visit_id)
    assert closed.status is ClueStatus.REFUTED
    assert store.list_clues(status=ClueStatus.OPEN) == []
    last = store.pending_mutations()[-1]
    assert last.entity == "clue"
    assert last.changed == {"status": "refuted", "visit_id": visit.visit_id}
