"""Reading the rows of a spreadsheet a user hands in: the first sheet of an .xlsx/.xlsm, or a CSV
in UTF-8 (with or without BOM) or GBK/GB18030 (what Excel writes on Chinese Windows).

Used by the laptop's task-list import and the server's household/clue import; each passes its own
error type so the failure carries that feature's code.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from app.errors import JiafangError


def read_rows(
    path: Path, error: type[JiafangError], unsupported_en: str
) -> Iterator[tuple[int, list[Any]]]:
    """(row number from 1, raw cells) of the file, header row included.

    Raises `error` when the file cannot be read as a table; `unsupported_en` is the English
    message for a file that is neither .xlsx nor .csv.
    """
    suffix = path.suffix.lower()
    if suffix == ".csv":
        raw = path.read_bytes()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = raw.decode("gb18030")  # Excel's "CSV" on Chinese Windows
            except UnicodeDecodeError:
                # Not chained: the decode error quotes bytes of the file (names, ID numbers).
                raise error(
                    "CSV 文件编码无法识别（应为 UTF-8 或 GBK）",
                    "The CSV encoding is not UTF-8 or GBK",
                ) from None
        for number, cells in enumerate(csv.reader(text.splitlines()), start=1):
            yield number, list(cells)
        return
    if suffix in (".xlsx", ".xlsm"):
        import openpyxl

        try:
            workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds for a damaged file
            raise error(
                "无法读取 Excel 文件", f"Cannot read the Excel file ({type(exc).__name__})"
            ) from None
        try:
            sheet = workbook.worksheets[0]
            for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
                yield number, list(cells)
        finally:
            workbook.close()
        return
    raise error("只支持 .xlsx 和 .csv 文件", unsupported_en)
