"""What every exported workbook shares: Chinese headers, a frozen header row, column widths,
money as numbers with two decimals, dates as real dates, and a save that leaves no half file.

A half-written file would be a spreadsheet of personal data nobody meant to keep, so a workbook
is written to a hidden file beside the target and moved into place only once complete (the
same folder, so the move is atomic); on failure the partial file is removed.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from enum import Enum
from pathlib import Path
from typing import IO, Final

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from app.errors import JiafangError

MONEY_FORMAT: Final = "#,##0.00"
DATE_FORMAT: Final = "yyyy-mm-dd"
CENT: Final = Decimal("0.01")

Cell = str | int | Decimal | date | None


class ColumnKind(Enum):
    TEXT = "text"
    INTEGER = "integer"
    MONEY = "money"
    DATE = "date"


@dataclass(frozen=True)
class Column:
    header: str
    #: width in Excel character units (a Chinese character counts about 2)
    width: float
    kind: ColumnKind = ColumnKind.TEXT


class ExportWriteError(JiafangError):
    """The export file could not be written (folder missing, disk full, file open elsewhere)."""

    code = "export_write_failed"


_HEADER_FONT: Final = Font(bold=True)
_HEADER_FILL: Final = PatternFill("solid", fgColor="DDE5F0")
_THIN: Final = Side(style="thin", color="A0A0A0")
_BORDER: Final = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


def money_cell(amount: Decimal | None) -> Decimal | None:
    """Money rounded to the cent half-up, the policy engine's rounding rule."""
    return None if amount is None else amount.quantize(CENT, ROUND_HALF_UP)


def add_table(
    workbook: Workbook,
    title: str,
    columns: Sequence[Column],
    rows: Sequence[Sequence[Cell]],
    *,
    first: bool = False,
) -> Worksheet:
    """A sheet with a bold frozen header row, the column widths and a format per column kind."""
    if first:
        sheet = workbook.active
        assert isinstance(sheet, Worksheet)
        sheet.title = title
    else:
        sheet = workbook.create_sheet(title)
    sheet.append([c.header for c in columns])
    for cell in sheet[1]:
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        cell.border = _BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for values in rows:
        if len(values) != len(columns):
            raise ValueError(f"row has {len(values)} cells, the table {len(columns)} columns")
        sheet.append([_excel_value(v) for v in values])
    for index, column in enumerate(columns, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = column.width
        number_format = {
            ColumnKind.MONEY: MONEY_FORMAT,
            ColumnKind.DATE: DATE_FORMAT,
            ColumnKind.INTEGER: "0",
            ColumnKind.TEXT: "@",
        }[column.kind]
        for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
            cell.number_format = number_format
            cell.border = _BORDER
            if column.kind is ColumnKind.TEXT:
                cell.alignment = Alignment(vertical="top", wrap_text=True)
    sheet.freeze_panes = "A2"
    if rows:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{len(rows) + 1}"
    return sheet


def _excel_value(value: Cell) -> str | int | float | date | None:
    if isinstance(value, Decimal):
        # openpyxl would write a Decimal's repr-free str, but a float keeps Excel's number type
        # across every reader; cents fit a double exactly enough at these magnitudes.
        return float(value.quantize(CENT, ROUND_HALF_UP))
    if isinstance(value, datetime):
        raise TypeError("exports write dates, not times (times are UTC and need a zone)")
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        # Keep text that looks like a formula from being evaluated (CSV/formula injection).
        return "'" + value
    return value


def save_workbook(workbook: Workbook, path: str | os.PathLike[str]) -> Path:
    """Save atomically to `path` (see the module docstring); returns the final path."""

    def write(stream: IO[bytes]) -> None:
        workbook.save(stream)

    return save_atomically(path, write)


def save_atomically(path: str | os.PathLike[str], write: Callable[[IO[bytes]], None]) -> Path:
    target = Path(path)
    try:
        with _partial_file(target) as (stream, partial):
            write(stream)
            stream.flush()
            os.fsync(stream.fileno())
            stream.close()
            os.replace(partial, target)
    except OSError as exc:
        raise ExportWriteError(
            f"无法写入导出文件：{exc.strerror or exc.__class__.__name__}",
            f"Cannot write the export file: {exc.strerror or exc.__class__.__name__}",
        ) from exc
    return target


@contextlib.contextmanager
def _partial_file(target: Path) -> Iterator[tuple[IO[bytes], Path]]:
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent)
    partial = Path(name)
    stream = os.fdopen(fd, "wb")
    try:
        yield stream, partial
    except BaseException:
        stream.close()
        partial.unlink(missing_ok=True)
        raise
