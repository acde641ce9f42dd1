"""Fixtures for the local store tests: a fresh store per test with fast KDF parameters."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.crypto import KdfParams
from app.demo_data import DemoDataset, generate_dataset
from app.domain import (
    Finding,
    HouseholdContent,
    MemberContent,
    Relation,
    VisitContent,
)
from app.idnumber import check_digit
from app.ids import uuid7
from app.store.local_store import LocalStore

PASSWORD = "correct horse battery staple"


def make_id_number(serial: int, *, birth: str = "19800101", region: str = "110105") -> str:
    """A valid GB 11643 number (checksum included) for tests; `serial` gives 1000 variants."""
    first17 = f"{region}{birth}{serial % 1000:03d}"
    return first17 + check_digit(first17)


def make_member(name: str, serial: int, relation: Relation = Relation.HEAD) -> MemberContent:
    return MemberContent(
        member_id=uuid7(), name=name, id_number=make_id_number(serial), relation=relation
    )


def make_household(
    head: str = "王建国",
    *,
    serial: int = 1,
    address: str = "幸福街道和平社区3栋2单元101",
    extra_members: tuple[tuple[str, int], ...] = (),
) -> HouseholdContent:
    members = [make_member(head, serial)]
    members += [make_member(name, s, Relation.CHILD) for name, s in extra_members]
    return HouseholdContent(
        head_name=head,
        address=address,
        registered_residence="河南省南阳市",
        actual_residence=address,
        phone="13800000000",
        members=tuple(members),
    )


def complete_visit_content(**overrides: object) -> VisitContent:
    values: dict[str, object] = {
        "visitors": ("worker-1", "worker-2"),
        "started_at": datetime(2026, 3, 2, 1, 30, tzinfo=UTC),
        "ended_at": datetime(2026, 3, 2, 2, 30, tzinfo=UTC),
        "housing_conditions": "两室一厅，家具陈旧",
        "notice_of_duties_signed": True,
        "finding": Finding.ELIGIBLE,
        "finding_reasons": "人均收入低于标准",
    }
    values.update(overrides)
    return VisitContent.model_validate(values)


def new_store(path: Path, **kwargs: object) -> LocalStore:
    return LocalStore.create(
        path,
        PASSWORD,
        user_id=str(kwargs.get("user_id", "worker-1")),
        device_id=str(kwargs.get("device_id", "laptop-1")),
        kdf=KdfParams.for_tests(),
    )


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "profile" / "store.sqlite3"


@pytest.fixture
def store(store_path: Path) -> Iterator[LocalStore]:
    s = new_store(store_path)
    yield s
    if store_path.exists():
        s.close()


@pytest.fixture(scope="session")
def dataset() -> DemoDataset:
    return generate_dataset(seed=5, households=12)
