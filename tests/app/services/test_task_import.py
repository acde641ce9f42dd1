"""Reading a task list: what is refused outright (the file) and what is resolved row by row."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.crypto import KdfParams
from app.services.profiles import ProfileDirectory
from app.services.session import AccountService, AccountSession, Registration, RegistrationRequest
from app.services.task_import import TaskListFileError, read_task_list


def _register(request: RegistrationRequest) -> Registration:
    return Registration(user_id="u1", device_id="d1", display_name=request.account)


@pytest.fixture
def session(tmp_path: Path) -> AccountSession:
    accounts = AccountService(
        ProfileDirectory(tmp_path / "profiles"), register=_register, kdf=KdfParams.for_tests()
    )
    made = accounts.register("https://jf.example.cn", "wangfang", "correct horse battery")
    made.seed_demo_data(seed=2, households=3)
    return made


def test_files_that_cannot_be_a_list_are_refused(session: AccountSession, tmp_path: Path) -> None:
    for name, content in (
        ("名单.txt", b"x"),
        ("空.csv", "身份证号\n\n".encode()),
        ("坏.xlsx", b"PK"),
    ):
        path = tmp_path / name
        path.write_bytes(content)
        with pytest.raises(TaskListFileError):
            read_task_list(session, path)
    with pytest.raises(TaskListFileError):
        read_task_list(session, tmp_path / "missing.csv")


def test_rows_resolve_by_id_number_or_household_id_without_repeats(
    session: AccountSession, tmp_path: Path
) -> None:
    households = [h.household_id for h in session.households()]
    member = session.household_file(households[0]).members[0]
    path = tmp_path / "名单.csv"
    rows = [
        "household_id",
        households[1],
        f" {member.content.id_number.lower()} ",
        households[0],
        "",
    ]
    path.write_text("\n".join(rows), encoding="utf-8")
    listed = read_task_list(session, path)
    assert listed.ok and listed.rows_read == 3
    assert listed.household_ids == (households[1], households[0])
