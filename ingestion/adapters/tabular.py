"""Turn one table (CSV or XLSX sheet) with mapped headers into canonical rows."""

from __future__ import annotations

from dataclasses import dataclass, field

from ingestion.adapters.config import Mapping
from ingestion.adapters.headers import HeaderMap, map_headers
from ingestion.adapters.readers import Cell, Table
from ingestion.adapters.values import as_text, normalize
from ingestion.contract import FAMILIES_BY_NAME, Column

MAX_LISTED = 5  # row numbers listed in one warning


@dataclass
class CanonicalTable:
    """Canonical rows of one family; ``unchanged`` when they equal the source exactly."""

    family: str
    header: list[str]
    rows: list[list[str]]
    rows_in: int
    header_map: dict[str, str]  # canonical column -> source header
    rows_above_header: int = 0
    blank_trailing: int = 0
    rows_folded: int = 0  # source rows folded into other rows (Salesforce history), not lost
    derived: bool = False  # rows made from other files (reps from owner ids), rows_in is 0
    unchanged: bool = False
    warnings: list[str] = field(default_factory=list)


def listed(numbers: list[int]) -> str:
    shown = ", ".join(str(n) for n in numbers[:MAX_LISTED])
    return shown + (f" and {len(numbers) - MAX_LISTED} more" if len(numbers) > MAX_LISTED else "")


def adapt_table(
    table: Table, mapping: Mapping, name: str, family: str | None = None
) -> CanonicalTable:
    """Map headers, normalise every value of a contract column, keep every other column.

    Each data row becomes exactly one output row, with ``source_row``: its 1-based row number
    in the source file or sheet, counting the header and any rows above it.
    """
    hmap: HeaderMap = map_headers(table, mapping, name, family)
    fam = mapping.families[hmap.family]
    columns: dict[str, Column] = {c.name: c for c in FAMILIES_BY_NAME[hmap.family].columns}
    width = len(hmap.names)
    data = table.rows[hmap.header_index + 1 :]
    extra_width = max((len(r) for r in data), default=0) - width
    names = list(hmap.names) + [f"column_{width + i + 1}" for i in range(max(extra_width, 0))]
    xlsx = table.format == "xlsx"
    warnings = list(hmap.warnings)
    changed, ragged = False, []
    out: list[list[str]] = []
    for offset, row in enumerate(data):
        number = hmap.header_index + offset + 2
        if len(row) != width:
            ragged.append(number)
        cells: list[Cell] = list(row) + [None] * (len(names) - len(row))
        values: list[str] = []
        for position, cell in enumerate(cells):
            column = columns.get(names[position]) if position < width else None
            if column is not None and hmap.canonical[position]:
                labels = fam.values.get(column.name, {})
                value = normalize(cell, column, labels, mapping.booleans, xlsx)
            else:
                value = as_text(cell)
            changed = changed or value != cell
            values.append(value)
        out.append([*values, str(number)])
    if ragged:
        warnings.append(
            f"{len(ragged)} row(s) do not have {width} cells (rows {listed(ragged)}); "
            "short rows are padded, extra cells kept in column_N"
        )
    header_changed = hmap.header_index != 0 or any(
        n != as_text(c) for n, c in zip(names, table.rows[hmap.header_index], strict=False)
    )
    unchanged = not (changed or ragged or header_changed or table.blank_trailing)
    return CanonicalTable(
        family=hmap.family,
        header=[*names, "source_row"],
        rows=out,
        rows_in=len(data),
        header_map=dict(hmap.used),
        rows_above_header=hmap.header_index,
        blank_trailing=table.blank_trailing,
        unchanged=unchanged and table.format == "csv" and table.encoding == "utf-8",
        warnings=warnings,
    )
