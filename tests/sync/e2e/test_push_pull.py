"""The engine against the real server over loopback HTTP: push, acknowledgement, pull."""

from __future__ import annotations

from collections.abc import Callable

from app.domain import HouseholdStatus, VisitKind, VisitStatus
from app.policy import shipped_policies
from app.services.demo import complete_signed
from sync.client import SyncProgress
from tests.sync.e2e.harness import (
    REFERENCE_RECORDS,
    Laptop,
    LiveServer,
    household_content,
    visit_content,
)

LaptopFactory = Callable[[str], Laptop]


def test_households_made_offline_reach_the_server_once_and_the_other_laptop(
    server: LiveServer, laptop_factory: LaptopFactory
) -> None:
    fw1, fw2 = laptop_factory("fw1"), laptop_factory("fw2")
    made = [
        fw1.db.create_household(grid_id="G1", content=household_content(f"户主{n}", n, members=2))
        for n in range(3)
    ]
    queued = fw1.db.pending_count()
    assert queued == 9  # three households, six members

    seen: list[SyncProgress] = []
    report = fw1.engine().run_once(progress=seen.append)

    assert report.ok, report
    assert report.applied == queued and report.rejected == 0
    assert fw1.db.pending_count() == 0
    assert {p.phase for p in seen} >= {"connect", "push", "pull", "verify"}
    assert sorted(r.id for r in server.records("household")) == sorted(h.household_id for h in made)
    assert server.checksum("grid:G1") == fw1.engine().local_checksum("grid:G1")
    # Pulled back: the local copies now carry the server's version.
    assert all(fw1.db.get_household(h.household_id).version == 1 for h in made)

    report2 = fw2.engine().run_once()
    assert report2.ok and report2.pulled == 9 + REFERENCE_RECORDS
    for h in made:
        theirs = fw2.db.get_household(h.household_id)
        assert theirs.content.head_name == h.content.head_name
        assert len(theirs.members) == 2
    assert server.checksum("grid:G1") == fw2.engine().local_checksum("grid:G1")


def test_an_edit_travels_and_a_second_run_sends_nothing(
    server: LiveServer, laptop_factory: LaptopFactory
) -> None:
    fw1, fw2 = laptop_factory("fw1"), laptop_factory("fw2")
    hid = fw1.db.create_household(grid_id="G1", content=household_content("张三", 1)).household_id
    assert fw1.engine().run_once().ok
    assert fw2.engine().run_once().ok

    fw2.db.update_household(hid, phone="13911112222", status=HouseholdStatus.SUSPENDED)
    report = fw2.engines[0].run_once()
    assert report.ok and report.applied == 1

    again = fw2.engines[0].run_once()
    assert again.ok and again.applied == 0 and again.push_batches == 0

    assert fw1.engines[0].run_once().ok
    mine = fw1.db.get_household(hid)
    assert mine.content.phone == "13911112222"
    assert mine.status is HouseholdStatus.SUSPENDED
    assert mine.version == 2


def test_big_outbox_goes_in_batches_of_at_most_200(
    server: LiveServer, laptop_factory: LaptopFactory
) -> None:
    fw1 = laptop_factory("fw1")
    for n in range(150):
        fw1.db.create_household(grid_id="G1", content=household_content(f"户{n}", n, members=2))
    assert fw1.db.pending_count() == 450

    report = fw1.engine(pull_limit=100).run_once()

    assert report.ok and report.applied == 450
    assert report.push_batches == 3
    assert report.pages >= 5  # 450 records in pages of 100
    assert len(server.records("household")) == 150
    assert server.checksum("grid:G1") == fw1.engines[0].local_checksum("grid:G1")


def test_a_refused_edit_is_kept_for_the_user_and_does_not_block_the_rest(
    server: LiveServer, laptop_factory: LaptopFactory
) -> None:
    fw1 = laptop_factory("fw1")
    fw1.db.create_household(grid_id="G1", content=household_content("甲", 1))
    outside = fw1.db.create_household(grid_id="G2", content=household_content("乙", 2))
    fw1.db.create_household(grid_id="G1", content=household_content("丙", 3))

    report = fw1.engine().run_once()

    assert report.ok
    assert report.applied == 4 and report.rejected == 2  # G2 is not fw1's grid
    quarantined = fw1.db.quarantined_mutations()
    assert {q.entry.household_id for q in quarantined} == {outside.household_id}
    # The household is outside fw1's grids; its member then has no household on the server.
    assert sorted(q.reason for q in quarantined) == ["forbidden", "unknown_household"]
    assert fw1.db.pending_count() == 0
    assert len(server.records("household")) == 2


def test_a_visit_made_and_completed_offline_arrives_without_a_false_conflict(
    server: LiveServer, laptop_factory: LaptopFactory
) -> None:
    fw1 = laptop_factory("fw1")
    hid = fw1.db.create_household(grid_id="G1", content=household_content("吴十", 1)).household_id
    assert fw1.engine().run_once().ok
    visits = []
    for n in range(3):
        draft = fw1.db.create_visit_draft(hid, VisitKind.PERIODIC_REVIEW, visit_content(f"第{n}次"))
        fw1.db.update_visit_draft(draft.visit_id, living_conditions="整洁")
        complete_signed(fw1.db, draft.visit_id)
        visits.append(draft.visit_id)

    report = fw1.engines[0].run_once()

    # Each visit's later edits waited for the next batch and named the version the earlier
    # one produced: the server saw no clash, so no supervisor gets a conflict to resolve.
    # Per visit: creation, edit, signatures, completion, and the three signature images.
    assert report.ok and report.applied == 3 * (4 + 3) and report.conflicts == 0
    # (The server may raise other kinds of items, e.g. an eligibility mismatch to review.)
    assert [c for c in server.records("conflict") if "kind" not in c.meta] == []
    for vid in visits:
        mine = fw1.db.get_visit(vid)
        # Version 4 is the completion; the server's own move to `synced` is version 5.
        assert mine.status is VisitStatus.SYNCED and mine.version == 5
        assert mine.content.living_conditions == "整洁"


def test_a_completed_visit_shows_synced_once_the_server_takes_it(
    server: LiveServer, laptop_factory: LaptopFactory
) -> None:
    fw1 = laptop_factory("fw1")
    hid = fw1.db.create_household(grid_id="G1", content=household_content("郑十一", 1)).household_id
    assert fw1.engine().run_once().ok
    draft = fw1.db.create_visit_draft(hid, VisitKind.PERIODIC_REVIEW, visit_content("同步"))
    complete_signed(fw1.db, draft.visit_id)
    assert fw1.db.get_visit(draft.visit_id).status is VisitStatus.COMPLETED

    # Pushed alone (as right after completing a visit), without a pull.
    assert fw1.engines[0].push_now().ok
    assert fw1.db.get_visit(draft.visit_id).status is VisitStatus.SYNCED
    [on_server] = [v for v in server.records("visit") if v.id == draft.visit_id]
    assert on_server.meta["status"] == "synced"

    # The next full sync brings the server's version of that move; nothing goes back.
    assert fw1.engines[0].run_once().ok
    mine = fw1.db.get_visit(draft.visit_id)
    assert mine.status is VisitStatus.SYNCED and mine.version == on_server.version
    assert server.checksum("grid:G1") == fw1.engines[0].local_checksum("grid:G1")


def test_the_reference_bucket_fills_the_region_and_policy_tables(
    server: LiveServer, laptop_factory: LaptopFactory
) -> None:
    fw1 = laptop_factory("fw1")
    report = fw1.engine().run_once()
    assert report.ok and "reference" in report.buckets
    # The grid's chain as the server's recomputation walks it: community, street, district.
    assert fw1.db.region_ancestors("G1") == ("C1", "S1", "D1")
    refs = {r.policy_id: r for r in fw1.db.policy_refs()}
    assert set(refs) == {p.id for p in shipped_policies()}
    district = refs["district-x-2025"]
    assert (district.region_id, district.version) == ("district-x", "1")
    assert district.effective_from.isoformat() == "2025-01-01"
    assert server.checksum("reference") == fw1.engines[0].local_checksum("reference")
