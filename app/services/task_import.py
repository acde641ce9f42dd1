"""A verification task from an imported list: an .xlsx or .csv of ID numbers or household ids.

A supervisor is often handed a list (from the civil-affairs office, a data comparison, an audit)
of the people or families to check. Each row names one: an ID number (any member of the
household) or a household id. The list is resolved against this laptop's store, which sync keeps
filled with the supervisor's area: an ID number through the blind index, a household id
directly. The first non-empty cell of a row is used; a header row (`身份证号`, `户编号`, ...) is
skipped.

All or nothing: the result names every row that cannot be used, with its reason, and the caller
creates no task unless there is none (the server then creates the task in one transaction). ID
numbers are never logged and appear masked in the row reasons.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Final

from app.errors import StoreError, ValidationError
from app.idnumber import parse_id_number
from app.masking import mask_id_number
from app.services.readmodels import looks_like_id_number, normalise_query
from app.services.session import AccountSession
from app.tabular import read_rows

logger = logging.getLogger(__name__)

#: Largest list accepted (the server takes at most this many households in one task).
MAX_LIST_ROWS: Final = 5000
#: Header cells recognised (normalised: lower case, no blanks) and skipped.
HEADER_WORDS: Final = frozenset(
    {
        "身份证号",
        "身份证号码",
        "公民身份号码",
        "证件号码",
        "户编号",
        "家庭编号",
        "户id",
        "idnumber",
        "id_number",
        "household",
        "householdid",
        "household_id",
    }
)


class TaskListFileError(ValidationError):
    """The file itself cannot be read (format, encoding, damage, size)."""

    code = "task_list_file"


@dataclass(frozen=True)
class RowProblem:
    """Why one row of the list cannot be used (row numbers as the spreadsheet shows them)."""

    row: int
    message_zh: str
    message_en: str

    def message(self, language: str) -> str:
        text = self.message_zh if language.startswith("zh") else self.message_en
        return text


@dataclass(frozen=True)
class TaskList:
    """The households a list names, in list order without repeats, and every unusable row."""

    household_ids: tuple[str, ...]
    problems: tuple[RowProblem, ...]
    rows_read: int

    @property
    def ok(self) -> bool:
        return not self.problems and bool(self.household_ids)


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _rows(path: Path) -> Iterator[tuple[int, list[Any]]]:
    return read_rows(path, TaskListFileError, "Only .xlsx and .csv files can be read")


def read_task_list(session: AccountSession, path: Path) -> TaskList:
    """Resolve every row of the list at `path` to a household of this laptop (see module)."""
    store = session.store
    households: list[str] = []
    seen: set[str] = set()
    problems: list[RowProblem] = []
    rows_read = 0
    try:
        rows = list(_rows(path))
    except OSError:
        raise TaskListFileError("无法打开该文件", "The file cannot be opened") from None
    for number, cells in rows:
        value = next((_cell_text(c) for c in cells if _cell_text(c)), "")
        if not value:
            continue
        if rows_read == 0 and normalise_query(value).replace(" ", "") in HEADER_WORDS:
            continue
        rows_read += 1
        if rows_read > MAX_LIST_ROWS:
            raise TaskListFileError(
                f"名单最多 {MAX_LIST_ROWS} 行", f"A list has at most {MAX_LIST_ROWS} rows"
            )
        found: str | None = None
        if looks_like_id_number(value):
            shown = mask_id_number(value)
            try:
                number_ok = parse_id_number(value).number
            except ValidationError as error:
                problems.append(
                    RowProblem(
                        number,
                        f"第 {number} 行：身份证号 {shown} 无效（{error.message_zh}）",
                        f"Row {number}: ID number {shown} is not valid ({error.message_en})",
                    )
                )
                continue
            members = store.find_by_id_number(number_ok)
            if not members:
                problems.append(
                    RowProblem(
                        number,
                        f"第 {number} 行：辖区内没有身份证号为 {shown} 的家庭成员",
                        f"Row {number}: no family member in your area has ID number {shown}",
                    )
                )
                continue
            found = members[0].household_id
        else:
            try:
                found = store.get_household(value).household_id
            except (StoreError, ValidationError):
                problems.append(
                    RowProblem(
                        number,
                        f"第 {number} 行：“{value[:40]}”既不是身份证号，也不是辖区内的户编号",
                        f"Row {number}: '{value[:40]}' is neither an ID number nor a household "
                        "id of your area",
                    )
                )
                continue
        if found not in seen:
            seen.add(found)
            households.append(found)
    if rows_read == 0:
        raise TaskListFileError("名单是空的", "The list is empty")
    logger.info(
        "task list read: %d rows, %d households, %d problems",
        rows_read,
        len(households),
        len(problems),
    )
    return TaskList(tuple(households), tuple(problems), rows_read)
