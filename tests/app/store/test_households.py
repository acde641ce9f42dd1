"""Households and members through the store: what a field worker sees in lists and searches."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from app.demo_data import DemoDataset
from app.domain import AssistanceCategory, HouseholdStatus, Relation
from app.errors import StoreError, ValidationError, VaultLockedError
from app.store.local_store import LocalStore
from tests.app.store.conftest import PASSWORD, make_household, make_id_number, make_member


def test_created_household_reads_back_with_members_and_residence_split(store: LocalStore) -> None:
    content = make_household("李秀英", serial=3, extra_members=(("李小明", 4),))
    created = store.create_household(
        grid_id="grid-7",
        content=content,
        category=AssistanceCategory.MINIMUM_LIVING,
        next_review=date(2026, 9, 1),
    )
    view = store.get_household(created.household_id)
    assert view.content.head_name == "李秀英"
    assert view.content.residence_split  # 户籍地 河南省南阳市 vs 居住地 the address
    assert {m.content.name for m in view.members} == {"李秀英", "李小明"}
    assert view.category is AssistanceCategory.MINIMUM_LIVING
    assert view.next_review == date(2026, 9, 1)
    assert view.status is HouseholdStatus.ACTIVE
    assert view.version == 0  # not yet accepted by the server


def test_demo_households_round_trip(store: LocalStore, dataset: DemoDataset) -> None:
    for h in dataset.households[:5]:
        store.create_household(
            grid_id=h.grid_id, content=h.content, category=h.category, household_id=h.household_id
        )
        view = store.get_household(h.household_id)
        assert view.content.model_dump(exclude={"members"}) == h.content.model_dump(
            exclude={"members"}
        )
        assert sorted(m.content.id_number for m in view.members) == sorted(
            m.id_number for m in h.content.members
        )


def test_search_finds_households_by_any_member_name_or_address_substring(store: LocalStore) -> None:
    a = store.create_household(
        grid_id="g1", content=make_household("张伟", serial=5, extra_members=(("张晓燕", 6),))
    )
    b = store.create_household(
        grid_id="g1", content=make_household("赵磊", serial=7, address="光明路88号")
    )
    assert [s.household_id for s in store.search_households("晓燕")] == [a.household_id]
    assert [s.household_id for s in store.search_households("光明路")] == [b.household_id]
    # Full-width digits typed with a Chinese IME still match.
    assert [s.household_id for s in store.search_households("８８号")] == [b.household_id]
    assert store.search_households("不存在的名字") == []
    summary = store.search_households("张伟")[0]
    assert summary.member_count == 2
    assert summary.head_name == "张伟"


def test_search_follows_edits_and_removals(store: LocalStore) -> None:
    h = store.create_household(grid_id="g1", content=make_household("陈静", serial=8))
    store.update_household(h.household_id, head_name="陈静怡")
    assert store.search_households("静怡")[0].head_name == "陈静怡"
    member = store.add_member(h.household_id, make_member("陈小虎", 9, Relation.CHILD))
    assert store.search_households("小虎")
    store.remove_member(member.member_id)
    assert store.search_households("小虎") == []
    assert len(store.get_household(h.household_id).members) == 1


def test_search_index_is_rebuilt_after_reopen_and_unlock(
    store_path: Path, store: LocalStore
) -> None:
    h = store.create_household(grid_id="g1", content=make_household("周芳", serial=10))
    store.close()
    reopened = LocalStore.open(store_path)
    with pytest.raises(VaultLockedError):
        reopened.search_households("周芳")
    reopened.unlock(PASSWORD)
    assert [s.household_id for s in reopened.search_households("周芳")] == [h.household_id]
    reopened.close()


def test_exact_lookup_by_id_number_accepts_typing_variants(store: LocalStore) -> None:
    number = make_id_number(11, birth="19750505")
    member = make_member("孙丽", 0)
    member = member.model_copy(update={"id_number": number})
    h = store.create_household(
        grid_id="g1", content=make_household("孙强", serial=12).model_copy(update={})
    )
    store.add_member(h.household_id, member)
    full_width = number.translate({ord(c): 0xFF10 + int(c) for c in "0123456789"})
    for typed in (number, f" {number[:6]} {number[6:]} ", full_width):
        found = store.find_by_id_number(typed)
        assert [m.member_id for m in found] == [member.member_id]
    assert store.find_by_id_number(make_id_number(13)) == []
    with pytest.raises(ValidationError):
        store.find_by_id_number("110105198001011234")  # wrong check digit


def test_same_person_in_two_households_is_found_in_both(store: LocalStore) -> None:
    number = make_id_number(21)
    first = store.create_household(grid_id="g1", content=make_household("吴刚", serial=21))
    second = store.create_household(grid_id="g2", content=make_household("吴刚", serial=21))
    found = store.find_by_id_number(number)
    assert {m.household_id for m in found} == {first.household_id, second.household_id}


def test_invalid_id_number_is_refused_when_adding_a_member(store: LocalStore) -> None:
    h = store.create_household(grid_id="g1", content=make_household("郑洁", serial=30))
    bad = make_member("郑小", 31).model_copy(update={"id_number": "110105198001011234"})
    with pytest.raises(ValidationError):
        store.add_member(h.household_id, bad)


def test_filters_by_grid_category_status_and_due_review(store: LocalStore) -> None:
    a = store.create_household(
        grid_id="g1",
        content=make_household("甲", serial=40),
        category=AssistanceCategory.MINIMUM_LIVING,
        next_review=date(2026, 1, 10),
    )
    b = store.create_household(
        grid_id="g2",
        content=make_household("乙", serial=41),
        category=AssistanceCategory.LOW_INCOME,
        next_review=date(2026, 6, 1),
    )
    c = store.create_household(
        grid_id="g1",
        content=make_household("丙", serial=42),
        category=AssistanceCategory.MINIMUM_LIVING,
        status=HouseholdStatus.SUSPENDED,
    )

    def ids(**kw: object) -> set[str]:
        return {s.household_id for s in store.list_households(**kw)}  # type: ignore[arg-type]

    assert ids(grid_id="g1") == {a.household_id, c.household_id}
    assert ids(category=AssistanceCategory.LOW_INCOME) == {b.household_id}
    assert ids(status=HouseholdStatus.SUSPENDED) == {c.household_id}
    assert ids(review_due_by=date(2026, 2, 1)) == {a.household_id}
    assert ids(grid_id="g1", category=AssistanceCategory.MINIMUM_LIVING) == {
        a.household_id,
        c.household_id,
    }
    store.update_household(c.household_id, status=HouseholdStatus.ACTIVE, grid_id="g3")
    assert ids(grid_id="g3", status=HouseholdStatus.ACTIVE) == {c.household_id}


def test_updates_validate_and_unknown_fields_are_refused(store: LocalStore) -> None:
    h = store.create_household(grid_id="g1", content=make_household("冯军", serial=50))
    with pytest.raises(ValidationError):
        store.update_household(h.household_id, head_name="")
    with pytest.raises(ValidationError):
        store.update_household(h.household_id, salary=1)
    with pytest.raises(StoreError) as info:
        store.get_household("no-such-household")
    assert info.value.code == "not_found"


def test_locked_store_refuses_reads(store: LocalStore) -> None:
    h = store.create_household(grid_id="g1", content=make_household("何平", serial=60))
    store.lock()
    assert not store.is_unlocked
    with pytest.raises(VaultLockedError):
        store.get_household(h.household_id)
    store.unlock(PASSWORD)
    assert store.get_household(h.household_id).content.head_name == "何平"


def test_search_chunks_stay_consistent_across_many_edits_and_reopen(
    store_path: Path, store: LocalStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    import app.store.local_store as local_store_module

    monkeypatch.setattr(local_store_module, "CHUNK_SIZE", 3)  # many small chunks
    made = [
        store.create_household(
            grid_id="g1", content=make_household(f"块户{i:02d}", serial=100 + i)
        ).household_id
        for i in range(11)
    ]
    store.update_household(made[1], head_name="改名户甲")
    store.update_household(made[7], address="新的地址七号")
    store.acknowledge(m.mutation_id for m in store.pending_mutations(500))
    store.purge_households([made[0], made[4], made[5]])
    # (household 1 still matches "块户" through its head member's name)
    expected = {hid for i, hid in enumerate(made) if i not in (0, 4, 5)}

    def found(query: str) -> set[str]:
        return {s.household_id for s in store.search_households(query)}

    assert found("块户") == expected
    assert found("改名户甲") == {made[1]}
    assert found("七号") == {made[7]}
    store.close()
    reopened = LocalStore.open(store_path)
    reopened.unlock(PASSWORD)
    assert {s.household_id for s in reopened.search_households("块户")} == expected
    assert {s.household_id for s in reopened.search_households("改名户甲")} == {made[1]}
    assert {s.household_id for s in reopened.search_households("七号")} == {made[7]}
    assert len(reopened.list_households()) == 8
    reopened.create_household(grid_id="g1", content=make_household("块户新", serial=200))
    assert len(reopened.search_households("块户")) == len(expected) + 1
    reopened.close()


def test_name_only_search_ignores_addresses(store: LocalStore) -> None:
    by_name = store.create_household(grid_id="g1", content=make_household("和平", serial=300))
    by_address = store.create_household(
        grid_id="g1", content=make_household("路人甲", serial=301, address="和平路9号")
    )
    assert [s.household_id for s in store.search_households("和平", addresses=False)] == [
        by_name.household_id
    ]
    assert [s.household_id for s in store.search_households("和平")] == [
        by_name.household_id,  # name matches first
        by_address.household_id,
    ]


def test_search_offsets_survive_text_that_changes_length_when_folded(
    store_path: Path, store: LocalStore
) -> None:
    # "ß" folds to "ss" and "㈱" to "(株)": the joined index must still map hits to households.
    odd = store.create_household(
        grid_id="g1", content=make_household("Weiß㈱", serial=310, address="Hauptstraße 5")
    )
    after = [
        store.create_household(grid_id="g1", content=make_household(f"后户{i}", serial=311 + i))
        for i in range(3)
    ]
    store.close()
    reopened = LocalStore.open(store_path)
    reopened.unlock(PASSWORD)  # builds the joined index from scratch
    assert [s.household_id for s in reopened.search_households("WEISS")] == [odd.household_id]
    assert [s.household_id for s in reopened.search_households("strasse")] == [odd.household_id]
    assert [s.household_id for s in reopened.search_households("(株)")] == [odd.household_id]
    for i, h in enumerate(after):
        assert [s.household_id for s in reopened.search_households(f"后户{i}")] == [h.household_id]
    reopened.close()
