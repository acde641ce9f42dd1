"""The account facade over the real encrypted store: register, unlock with back-off, queries."""

from __future__ import annotations

import base64
from datetime import date
from pathlib import Path

import pytest

from app.crypto import KdfParams
from app.demo_data import synthetic_signature_png
from app.domain import ClueStatus, Finding, VisitKind, VisitStatus
from app.errors import JiafangError, ValidationError, WrongPasswordError
from app.services.backoff import BackoffPolicy
from app.services.demo import sign_demo_visit
from app.services.errors import ProfileError, ReauthenticationRequiredError, UnlockThrottledError
from app.services.profiles import ProfileDirectory
from app.services.session import AccountService, Registration, RegistrationRequest

PASSWORD = "correct horse battery"
SERVER = "https://jiafang.example.cn"


def _register(request: RegistrationRequest) -> Registration:
    account = request.account
    return Registration(user_id=f"u-{account}", device_id=f"d-{account}", display_name=account)


def _accounts(base: Path, policy: BackoffPolicy | None = None) -> AccountService:
    return AccountService(
        ProfileDirectory(base), register=_register, kdf=KdfParams.for_tests(), backoff_policy=policy
    )


def test_two_accounts_on_one_laptop_cannot_open_each_other(tmp_path: Path) -> None:
    accounts = _accounts(tmp_path)
    wang = accounts.register(SERVER, "wangfang", PASSWORD)
    li = accounts.register(SERVER, "lijun", "another secret pw")
    wang.seed_demo_data(households=3)
    wang.close()
    li.close()
    assert {p.account for p in accounts.profiles()} == {"wangfang", "lijun"}
    li_again = accounts.open(li.profile.profile_id)
    with pytest.raises(WrongPasswordError):
        li_again.unlock(PASSWORD)
    li_again.unlock("another secret pw")
    assert li_again.households() == []
    wang_again = accounts.open(wang.profile.profile_id)
    wang_again.unlock(PASSWORD)
    assert len(wang_again.households()) == 3


def test_registering_the_same_account_twice_is_refused_before_the_server_call(
    tmp_path: Path,
) -> None:
    calls: list[str] = []

    def register(request: RegistrationRequest) -> Registration:
        calls.append(request.account)
        assert len(base64.b64decode(request.device_public_key)) == 32  # an Ed25519 public key
        return _register(request)

    accounts = AccountService(
        ProfileDirectory(tmp_path), register=register, kdf=KdfParams.for_tests()
    )
    accounts.register(SERVER, "wangfang", PASSWORD).close()
    with pytest.raises(ProfileError):
        accounts.register(SERVER + "/", "wangfang", PASSWORD)
    assert calls == ["wangfang"]


def test_a_refused_registration_leaves_no_profile(tmp_path: Path) -> None:
    def refuse(request: RegistrationRequest) -> Registration:
        raise JiafangError("账号或密码错误", "Wrong account or password", code="auth")

    accounts = AccountService(
        ProfileDirectory(tmp_path), register=refuse, kdf=KdfParams.for_tests()
    )
    with pytest.raises(JiafangError):
        accounts.register(SERVER, "wangfang", PASSWORD)
    assert accounts.profiles() == []


def test_wrong_passwords_back_off_and_survive_reopening(tmp_path: Path) -> None:
    policy = BackoffPolicy(free_attempts=2, base_wait_seconds=60, max_failures=4)
    accounts = _accounts(tmp_path, policy)
    profile = accounts.register(SERVER, "wangfang", PASSWORD).profile
    session = accounts.open(profile.profile_id)
    for _ in range(2):
        with pytest.raises(WrongPasswordError):
            session.unlock("guess")
    # Even the right password is refused during the wait: no KDF run, no oracle.
    with pytest.raises(UnlockThrottledError):
        session.unlock(PASSWORD)
    session.close()
    assert accounts.backoff_status(profile.profile_id).wait_remaining > 50
    reopened = accounts.open(profile.profile_id)
    with pytest.raises(UnlockThrottledError):
        reopened.unlock(PASSWORD)
    assert not reopened.is_unlocked


def test_lock_out_after_max_failures(tmp_path: Path) -> None:
    policy = BackoffPolicy(free_attempts=10, max_failures=3)
    accounts = _accounts(tmp_path, policy)
    session = accounts.register(SERVER, "wangfang", PASSWORD)
    session.lock()
    for _ in range(3):
        with pytest.raises(WrongPasswordError):
            session.unlock("guess")
    with pytest.raises(ReauthenticationRequiredError):
        session.unlock(PASSWORD)


def test_success_resets_the_count(tmp_path: Path) -> None:
    accounts = _accounts(tmp_path)
    session = accounts.register(SERVER, "wangfang", PASSWORD)
    session.lock()
    with pytest.raises(WrongPasswordError):
        session.unlock("guess")
    session.unlock(PASSWORD)
    assert session.backoff_status().failures == 0


def test_household_queries_return_plain_read_models(tmp_path: Path) -> None:
    session = _accounts(tmp_path).register(SERVER, "wangfang", PASSWORD)
    session.seed_demo_data(seed=3, households=30)
    items = session.households()
    assert len(items) == 30
    # The list's pinyin sort keys were worked out here, by the loader, not later on the GUI
    # thread when the user clicks a column.
    assert all({"head_sort_key", "address_sort_key"} <= vars(i).keys() for i in items)
    with_clue = [i for i in items if i.open_clues]
    assert with_clue, "the demo data gives some households an open clue"
    household_file = session.household_file(with_clue[0].household_id)
    assert household_file.members and household_file.household.content.head_name
    assert any(c.status is ClueStatus.OPEN for c in household_file.clues)
    # The ID number of any member finds exactly that household through the blind index.
    number = household_file.members[-1].content.id_number
    assert session.find_household_ids(number) == {with_clue[0].household_id}
    assert session.find_household_ids("110105194912310021") == frozenset()
    visited = next(i for i in items if session.household_file(i.household_id).visits)
    decision = session.household_file(visited.household_id).eligibility
    assert decision is not None and decision.reasons
    home = session.home()
    assert home.household_count == 30
    assert home.open_clue_count == len(session.open_clues()) == sum(i.open_clues for i in items)


def test_the_demo_is_current_on_the_day_it_is_seeded(tmp_path: Path) -> None:
    seeded_on = date(2026, 3, 2)
    session = _accounts(tmp_path).register(SERVER, "wangfang", PASSWORD)
    session.seed_demo_data(seed=2026, households=80, today=seeded_on)
    home = session.home(on=seeded_on)
    overdue = [i for i in home.reviews_due if i.next_review and i.next_review < seeded_on]
    # A district keeping to its review cycle: a handful overdue, more falling due in the
    # coming weeks (Home lists the next 30 days), the rest later.
    assert 1 <= len(overdue) <= 8
    assert len(home.reviews_due) - len(overdue) >= 5
    assert all(t.deadline is not None and t.deadline > seeded_on for t in home.tasks)
    assert home.open_clues
    assert all(
        c.found_on is not None and 0 <= (seeded_on - c.found_on).days <= 40 for c in home.open_clues
    )
    visit_days = [
        v.visit_date
        for i in session.households()
        for v in session.household_file(i.household_id, on=seeded_on).visits
    ]
    assert len(visit_days) > 40
    assert all(d is not None and 0 < (seeded_on - d).days <= 400 for d in visit_days)
    # The engine dates each visited household's review from its visit, within a year of it.
    for item in session.households():
        visits = session.household_file(item.household_id, on=seeded_on).visits
        if visits and item.next_review is not None:
            assert visits[0].visit_date is not None
            assert 0 < (item.next_review - visits[0].visit_date).days <= 366


def test_locked_session_gives_no_data(tmp_path: Path) -> None:
    session = _accounts(tmp_path).register(SERVER, "wangfang", PASSWORD)
    session.seed_demo_data(households=2)
    session.lock()
    with pytest.raises(JiafangError):
        session.households()


def test_a_visit_from_start_to_completion(tmp_path: Path) -> None:
    session = _accounts(tmp_path).register(SERVER, "wangfang", PASSWORD)
    session.seed_demo_data(seed=5, households=5)
    household_id = session.households()[0].household_id
    draft = session.start_visit(household_id, VisitKind.PERIODIC_REVIEW)
    assert draft.status is VisitStatus.DRAFT
    assert draft.content.visitors == ("u-wangfang",)
    assert draft.content.members, "the family as last recorded is pre-filled"

    # Autosave keeps a half-typed form; it comes back after a restart.
    session.autosave_visit(draft.visit_id, {"housing_conditions": "砖混结构，两室一厅"})
    session.close()
    again = _accounts(tmp_path).open(session.profile.profile_id)
    again.unlock(PASSWORD)
    [recovered] = again.recovered_drafts()
    assert recovered.visit_id == draft.visit_id
    assert recovered.content == {"housing_conditions": "砖混结构，两室一厅"}

    content = draft.content.model_copy(
        update={"visitors": ("u-wangfang", "u-lijun"), "notice_of_duties_signed": True}
    )
    decision = again.evaluate(household_id, content)
    assert decision is not None and decision.reasons
    with pytest.raises(ValidationError) as info:
        again.complete_visit(draft.visit_id, content)
    assert info.value.code == "visit_finding"
    # Everyone signs on the pads: the household and each visitor; one missing is named.
    again.add_signature(draft.visit_id, "household", synthetic_signature_png("household"))
    again.add_signature(draft.visit_id, "u-wangfang", synthetic_signature_png("u-wangfang"))
    content = content.model_copy(
        update={
            "finding": Finding.ELIGIBLE,
            "signatures": again.visit(draft.visit_id).content.signatures,
        }
    )
    with pytest.raises(ValidationError) as info:
        again.complete_visit(draft.visit_id, content)
    assert info.value.code == "visit_signatures"
    assert "u-lijun" in info.value.message_en and "u-lijun" in info.value.message_zh
    assert "household" not in info.value.message_en
    assert again.visit(draft.visit_id).status is VisitStatus.DRAFT
    again.add_signature(draft.visit_id, "u-lijun", synthetic_signature_png("u-lijun"))
    content = content.model_copy(
        update={"signatures": again.visit(draft.visit_id).content.signatures}
    )
    finished = again.complete_visit(
        draft.visit_id, content.model_copy(update={"finding": Finding.ELIGIBLE})
    )
    assert finished.status is VisitStatus.COMPLETED
    assert again.recovered_drafts() == []
    assert again.household_file(household_id).visits[0].visit_id == draft.visit_id


def test_a_store_that_cannot_be_created_leaves_no_profile(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import app.services.session as session_module

    def broken_create(path: Path, *args: object, **kwargs: object) -> None:
        Path(path).write_bytes(b"half")
        raise OSError("disk full")

    monkeypatch.setattr(session_module.LocalStore, "create", broken_create)
    accounts = _accounts(tmp_path)
    with pytest.raises(OSError, match="disk full"):
        accounts.register(SERVER, "wangfang", PASSWORD)
    assert accounts.directory.list() == []


def test_conflicts_and_rejected_changes_are_listed_with_both_values(tmp_path: Path) -> None:
    session = _accounts(tmp_path).register(SERVER, "wangfang", PASSWORD)
    session.seed_demo_data(seed=2, households=2)
    household = session.households()[0]
    session.store.apply_pull_page(
        [
            {
                "entity": "conflict",
                "id": "c-1",
                "version": 1,
                "seq": 900,
                "household_id": household.household_id,
                "grid_id": household.grid_id,
                "deleted": False,
                "meta": {
                    "target_entity": "household",
                    "target_id": household.household_id,
                    "status": "open",
                },
                "data": {"clashes": {"phone": {"kept": "10012345678", "other": "10087654321"}}},
            }
        ],
        "grid:test",
        900,
    )
    [conflict] = session.conflict_items()
    assert conflict.head_name == household.head_name
    assert [(c.name, c.kept, c.other) for c in conflict.clashes] == [
        ("phone", "10012345678", "10087654321")
    ]
    pending = session.store.pending_mutations()
    session.store.quarantine(pending[0].mutation_id, "grid not assigned to this user")
    [rejected] = session.rejected_items()
    assert rejected.reason == "grid not assigned to this user"
    assert rejected.fields
    assert session.sync_counts() == (len(pending) - 1, 1, 1)


def test_a_clue_is_closed_by_its_clue_check_visit(tmp_path: Path) -> None:
    session = _accounts(tmp_path).register(SERVER, "wangfang", PASSWORD)
    session.seed_demo_data(seed=3, households=30)
    [clue, *_] = session.open_clues()
    before = len(session.open_clues())
    visit = session.start_visit(clue.household_id, VisitKind.CLUE_CHECK, clue_ids=(clue.clue_id,))
    content = visit.content.model_copy(
        update={
            "visitors": ("u-wangfang", "u-lijun"),
            "notice_of_duties_signed": True,
            "finding": Finding.INELIGIBLE,
        }
    )
    content = sign_demo_visit(session.store, visit.visit_id, content)
    with pytest.raises(ValidationError) as info:
        session.complete_visit(visit.visit_id, content)
    assert info.value.code == "visit_clue_outcome"
    session.complete_visit(visit.visit_id, content, {clue.clue_id: ClueStatus.CONFIRMED})
    assert clue.clue_id not in {c.clue_id for c in session.open_clues()}
    assert len(session.open_clues()) == before - 1
    [closed] = [
        c for c in session.household_file(clue.household_id).clues if c.clue_id == clue.clue_id
    ]
    assert closed.status is ClueStatus.CONFIRMED


def test_a_family_found_in_the_field_gets_a_household_and_a_discovery_visit(
    tmp_path: Path,
) -> None:
    session = _accounts(tmp_path).register(SERVER, "wangfang", PASSWORD)
    session.seed_demo_data(seed=4, households=3)
    [grid, *_] = session.grid_ids()
    with pytest.raises(ValidationError) as info:
        session.discover_household(grid_id=grid, head_name="", address="幸福路 1 号")
    assert info.value.code == "discovery_fields"
    visit = session.discover_household(
        grid_id=grid, head_name="刘桂芬", address="示范区幸福路 1 号", phone="10012340000"
    )
    assert visit.kind is VisitKind.DISCOVERY and visit.status is VisitStatus.DRAFT
    found = [i for i in session.households() if i.head_name == "刘桂芬"]
    assert [i.household_id for i in found] == [visit.household_id]
    assert found[0].grid_id == grid


def test_open_tasks_show_their_progress(tmp_path: Path) -> None:
    session = _accounts(tmp_path).register(SERVER, "wangfang", PASSWORD)
    session.seed_demo_data(seed=6, households=6)
    households = [i.household_id for i in session.households()]
    visited = [h for h in households if session.household_file(h).visits]
    session.store.apply_pull_page(
        [
            {
                "entity": "task",
                "id": "t-1",
                "version": 1,
                "seq": 700,
                "household_id": None,
                "grid_id": None,
                "deleted": False,
                "meta": {"kind": "periodic_review", "status": "open", "deadline": "2026-12-31"},
                "data": {"title": "2026 年第四季度复核", "household_ids": households},
            }
        ],
        "task:t-1",
        700,
    )
    [task] = [t for t in session.home().tasks if t.task_id == "t-1"]
    assert task.title == "2026 年第四季度复核"
    assert (task.done, task.total) == (len(visited), len(households))
    assert task.deadline is not None and task.deadline.isoformat() == "2026-12-31"


def test_a_member_found_on_a_visit_joins_the_household(tmp_path: Path) -> None:
    session = _accounts(tmp_path).register(SERVER, "wangfang", PASSWORD)
    session.seed_demo_data(seed=8, households=1)
    household_id = session.households()[0].household_id
    before = len(session.household_file(household_id).members)
    visit = session.start_visit(household_id, VisitKind.PERIODIC_REVIEW)
    newborn = visit.content.members[0].model_copy(
        update={"member_id": "m-new", "name": "小宝", "id_number": "110105202401010011"[:17]}
    )
    from app.idnumber import check_digit

    newborn = newborn.model_copy(
        update={"id_number": newborn.id_number + check_digit(newborn.id_number)}
    )
    content = visit.content.model_copy(
        update={
            "visitors": ("u-wangfang", "u-lijun"),
            "notice_of_duties_signed": True,
            "finding": Finding.ELIGIBLE,
            "members": (*visit.content.members, newborn),
        }
    )
    session.complete_visit(visit.visit_id, sign_demo_visit(session.store, visit.visit_id, content))
    members = session.household_file(household_id).members
    assert len(members) == before + 1
    assert "小宝" in {m.content.name for m in members}


def test_a_wiped_profile_can_be_forgotten_but_a_live_one_cannot(tmp_path: Path) -> None:
    accounts = _accounts(tmp_path)
    session = accounts.register(SERVER, "wangfang", PASSWORD)
    profile = session.profile
    with pytest.raises(ProfileError):
        accounts.forget_wiped(profile.profile_id)
    session.store.wipe()
    accounts.forget_wiped(profile.profile_id)
    assert not profile.path.exists()
    assert accounts.profiles() == []


def test_online_sign_in_lifts_the_lock_out(tmp_path: Path) -> None:
    policy = BackoffPolicy(free_attempts=10, max_failures=2)
    accounts = _accounts(tmp_path, policy)
    session = accounts.register(SERVER, "wangfang", PASSWORD)
    profile_id = session.profile.profile_id
    session.lock()
    for _ in range(2):
        with pytest.raises(WrongPasswordError):
            session.unlock("guess")
    session.close()
    assert accounts.backoff_status(profile_id).reauth_required

    def refuse(profile: object, password: str) -> None:
        raise JiafangError("用户名或密码错误", "Wrong user name or password", code="auth")

    with pytest.raises(JiafangError):
        accounts.unlock_after_online_check(profile_id, PASSWORD, refuse)
    assert accounts.backoff_status(profile_id).reauth_required
    checked: list[str] = []
    unlocked = accounts.unlock_after_online_check(
        profile_id, PASSWORD, lambda profile, password: checked.append(password)
    )
    assert checked == [PASSWORD] and unlocked.is_unlocked
    assert accounts.backoff_status(profile_id).failures == 0
