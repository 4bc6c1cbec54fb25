"""Read an export (CSV in UTF-8 / UTF-8 with BOM / GB18030, or XLSX) into rows of cells."""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path

from ingestion.adapters.config import AdapterError

Cell = str | int | float | bool | datetime | date | time | None
ENCODINGS = ("utf-8-sig", "gb18030")  # tried in this order, strictly


@dataclass(frozen=True)
class Table:
    """The rows of one file or sheet; ``blank_trailing`` rows were removed from the end."""

    rows: list[list[Cell]]
    format: str  # csv | xlsx
    encoding: str  # utf-8 | utf-8-sig | gb18030 | xlsx
    sheet: str = ""
    blank_trailing: int = 0
    raw: bytes = b""  # the file's bytes (CSV only), for the byte-identical pass-through


def is_blank(cell: Cell) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _strip_trailing_blank(rows: list[list[Cell]]) -> tuple[list[list[Cell]], int]:
    end = len(rows)
    while end and all(is_blank(c) for c in rows[end - 1]):
        end -= 1
    return rows[:end], len(rows) - end


def decode(data: bytes, name: str) -> tuple[str, str]:
    """The text and the encoding that decoded it strictly (utf-8, utf-8-sig or gb18030)."""
    for encoding in ENCODINGS:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if encoding == "utf-8-sig" and not data.startswith(b"\xef\xbb\xbf"):
            encoding = "utf-8"
        return text, encoding
    raise AdapterError(f"{name}: not UTF-8 or GB18030 text (tried {', '.join(ENCODINGS)})")


def read_csv(path: Path) -> Table:
    data = path.read_bytes()
    text, encoding = decode(data, path.name)
    try:
        rows: list[list[Cell]] = [list(r) for r in csv.reader(io.StringIO(text, newline=""))]
    except csv.Error as error:
        raise AdapterError(f"{path.name}: not a readable CSV: {error}") from error
    rows, blank = _strip_trailing_blank(rows)
    return Table(rows, "csv", encoding, blank_trailing=blank, raw=data)


def read_xlsx(path: Path, sheet: str | None = None) -> Table:
    """Cell values (cached results, never formulas) of the first sheet or a named one."""
    from openpyxl import load_workbook  # imported here: only XLSX needs it

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (OSError, KeyError, ValueError, zipfile.BadZipFile) as error:
        raise AdapterError(f"{path.name}: not a readable XLSX workbook: {error}") from error
    try:
        if sheet is None:
            worksheet = workbook.worksheets[0]
        elif sheet in workbook.sheetnames:
            worksheet = workbook[sheet]
        else:
            raise AdapterError(
                f"{path.name}: no sheet {sheet!r} (sheets: {', '.join(workbook.sheetnames)})"
            )
        rows: list[list[Cell]] = [list(r) for r in worksheet.iter_rows(values_only=True)]
        title = str(worksheet.title)
    finally:
        workbook.close()
    rows, blank = _strip_trailing_blank(rows)
    return Table(rows, "xlsx", "xlsx", sheet=title, blank_trailing=blank)


def read_table(path: Path, sheet: str | None = None) -> Table:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return read_csv(path)
    if suffix in (".xlsx", ".xlsm"):
        return read_xlsx(path, sheet)
    raise AdapterError(f"{path.name}: unsupported file type {suffix or '(none)'}")
