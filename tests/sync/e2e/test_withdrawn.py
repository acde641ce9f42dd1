"""A contractor's task closes while a visit form of one of its households holds autosaved
typing: that household is not shredded with the others but withdrawn (kept sealed, refused for
reading) until the form is finished and sent, or discarded; the run itself goes on."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from app.domain import VisitKind
from app.errors import StoreError
from app.services.demo import sign_demo_visit
from app.services.session import AccountSession
from sync.client import SyncProgress
from tests.sync.e2e.harness import Laptop, LiveServer, household_content, visit_content
from tests.sync.e2e.test_buckets_and_wipe import MARKER_NAME, _profile_bytes, _secret_bytes
from tests.sync.e2e.test_lease import MovableClock, _engine, _session

LaptopFactory = Callable[[str], Laptop]


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock()


def _closed_task_with_a_typed_form(
    server: LiveServer, laptop_factory: LaptopFactory, clock: MovableClock
) -> tuple[Laptop, AccountSession, list[str], str]:
    fw1, con = laptop_factory("fw1"), laptop_factory("con")
    tasked = [
        fw1.db.create_household(
            grid_id="G1", content=household_content(f"{MARKER_NAME}{n}", n, members=2)
        ).household_id
        for n in range(2)
    ]
    assert fw1.engine().run_once().ok
    task_id = server.create_task(tasked)
    session = _session(con, clock, "contractor")
    assert _engine(con, clock).run_once().ok
    visit = session.start_visit(tasked[0], VisitKind.PERIODIC_REVIEW)
    assert con.engines[0].run_once().ok  # the draft visit is on the server; the outbox is empty
    assert con.db.pending_count() == 0
    session.autosave_visit(visit.visit_id, {"notes": "两室一厅，家具陈旧"})
    server.close_task(task_id)
    return con, session, tasked, visit.visit_id


def test_a_closed_task_keeps_a_household_whose_visit_form_has_autosaved_typing(
    server: LiveServer, laptop_factory: LaptopFactory, clock: MovableClock
) -> None:
    con, session, tasked, _visit_id = _closed_task_with_a_typed_form(server, laptop_factory, clock)
    visited, other = tasked
    kept_secrets = _secret_bytes(con, [visited])
    clock.now += timedelta(hours=1)

    report = con.engines[0].run_once()

    # The deferral is local: the run completes and renews the lease.
    assert report.ok and report.households_purged == 1 and report.purge_deferred == 1
    assert report.lease_expires_at is not None and report.lease_expires_at > clock.now
    assert "removed from this laptop once the pending work is synced" in report.message_en
    assert "同步后" in report.message_zh
    with pytest.raises(StoreError):
        con.db.get_household(other)
    # The typed form survives, sealed: the household is refused for reading with a clear reason.
    assert [d.content for d in session.recovered_drafts()] == [{"notes": "两室一厅，家具陈旧"}]
    assert all(s in _profile_bytes(con.folder) for s in kept_secrets)
    with pytest.raises(StoreError) as refused:
        session.household_file(visited)
    assert refused.value.code == "household_withdrawn"
    assert "removed from this laptop" in refused.value.message_en
    assert session.households() == []
    assert not con.db.search_households(MARKER_NAME)
    # A second run changes nothing while the typing is there.
    again = con.engines[0].run_once()
    assert again.ok and again.purge_deferred == 1
    assert len(session.recovered_drafts()) == 1


def test_a_withdrawn_household_leaves_once_its_form_is_discarded(
    server: LiveServer, laptop_factory: LaptopFactory, clock: MovableClock
) -> None:
    con, session, tasked, visit_id = _closed_task_with_a_typed_form(server, laptop_factory, clock)
    assert con.engines[0].run_once().purge_deferred == 1
    kept_secrets = _secret_bytes(con, [tasked[0]])

    session.discard_recovered_draft(visit_id)
    report = con.engines[0].run_once()

    assert report.ok and report.households_purged == 1 and report.purge_deferred == 0
    assert report.buckets_removed  # the closed task's bookkeeping goes now
    after = _profile_bytes(con.folder)
    assert not [s for s in kept_secrets if s in after]
    assert MARKER_NAME.encode() not in after
    assert con.engines[0].run_once().buckets_removed == []


def test_a_form_finished_after_the_task_closed_is_refused_visibly_then_the_household_leaves(
    server: LiveServer, laptop_factory: LaptopFactory, clock: MovableClock
) -> None:
    con, session, tasked, visit_id = _closed_task_with_a_typed_form(server, laptop_factory, clock)
    assert con.engines[0].run_once().purge_deferred == 1

    # The worker finishes the form anyway (the household is still sealed on the laptop).
    session.complete_visit(visit_id, sign_demo_visit(session.store, visit_id, visit_content()))
    assert session.recovered_drafts() == []
    report = con.engines[0].run_once()

    # The server no longer takes it: refused with its reason, kept in sight, not dropped.
    assert report.ok and report.rejected >= 1 and report.acknowledged == 0
    rejected = session.rejected_items()
    assert rejected and all(r.reason for r in rejected)
    assert {r.entity for r in rejected} >= {"visit"}
    assert report.purge_deferred == 1
    with pytest.raises(StoreError):
        session.household_file(tasked[0])

    # Once the user has seen and dismissed the refusals, the household leaves.
    for item in rejected:
        session.discard_rejected(item.mutation_id)
    last = con.engines[0].run_once()
    assert last.ok and last.households_purged == 1 and last.purge_deferred == 0
    assert MARKER_NAME.encode() not in _profile_bytes(con.folder)


def test_a_deferred_purge_still_renews_the_lease_so_the_form_can_be_finished_later(
    server: LiveServer, laptop_factory: LaptopFactory, clock: MovableClock
) -> None:
    con, session, _tasked, visit_id = _closed_task_with_a_typed_form(server, laptop_factory, clock)
    first_expiry = session.lease_status().expires_at
    assert first_expiry is not None
    clock.now = first_expiry - timedelta(minutes=5)

    report = con.engines[0].run_once()

    # Keeping the household is a local matter: the server granted a lease and it is kept.
    assert report.ok and report.purge_deferred == 1
    assert report.lease_expires_at == clock.now + timedelta(days=2)
    clock.now = first_expiry + timedelta(hours=1)  # past the old lease: still working
    assert session.lease_status().state == "valid"
    assert [d.visit_id for d in session.recovered_drafts()] == [visit_id]
    session.complete_visit(visit_id, sign_demo_visit(session.store, visit_id, visit_content()))


def test_an_edit_made_while_the_task_closes_defers_the_purge_but_the_lease_is_renewed(
    server: LiveServer, laptop_factory: LaptopFactory, clock: MovableClock
) -> None:
    fw1, con = laptop_factory("fw1"), laptop_factory("con")
    tasked = fw1.db.create_household(grid_id="G1", content=household_content("户主", 1))
    assert fw1.engine().run_once().ok
    task_id = server.create_task([tasked.household_id])
    session = _session(con, clock, "contractor")
    assert _engine(con, clock).run_once().ok
    server.close_task(task_id)
    clock.now += timedelta(days=1)

    def edit_while_syncing(progress: SyncProgress) -> None:
        # The UI keeps working during a sync: an edit lands after the push, before the purge.
        if progress.phase == "purge":
            con.db.update_household(tasked.household_id, phone="13900001234")

    report = con.engines[0].run_once(progress=edit_while_syncing)

    assert report.ok and report.purge_deferred == 1
    assert report.lease_expires_at == clock.now + timedelta(days=2)
    assert session.lease_status().expires_at == clock.now + timedelta(days=2)
    assert con.db.pending_count() == 1
    # The next run sends the edit (refused: the task is closed), shown as rejected.
    again = con.engines[0].run_once()
    assert again.ok and again.rejected == 1 and len(session.rejected_items()) == 1


def test_a_withdrawn_household_given_again_in_a_new_task_is_readable_again(
    server: LiveServer, laptop_factory: LaptopFactory, clock: MovableClock
) -> None:
    con, session, tasked, visit_id = _closed_task_with_a_typed_form(server, laptop_factory, clock)
    assert con.engines[0].run_once().purge_deferred == 1
    with pytest.raises(StoreError):
        session.household_file(tasked[0])

    server.create_task([tasked[0]])
    report = con.engines[0].run_once()

    assert report.ok and report.purge_deferred == 0
    assert session.household_file(tasked[0]).household.household_id == tasked[0]
    assert [h.household_id for h in session.households()] == [tasked[0]]
    assert [d.visit_id for d in session.recovered_drafts()] == [visit_id]
