"""Find the header row, decide the family and map each header to a canonical column."""

from __future__ import annotations

from dataclasses import dataclass, field

from ingestion.adapters.config import ADAPTER_REASON, AdapterError, FamilyMapping, Mapping, key
from ingestion.adapters.readers import Cell, Table
from ingestion.adapters.values import as_text
from ingestion.contract import FAMILIES_BY_NAME

RESERVED = ("source_row", "_defaults_applied", ADAPTER_REASON)
Score = tuple[int, float, int]  # required columns matched, share of required matched, all matched


@dataclass(frozen=True)
class HeaderMap:
    family: str
    header_index: int  # 0-based index of the header row in the table
    names: list[str]  # output name of each source column (canonical or kept as extra)
    canonical: list[bool]  # whether each source column maps to a contract column
    used: dict[str, str]  # canonical column -> the source header it came from
    warnings: list[str] = field(default_factory=list)


def _score(headers: list[str], fam: FamilyMapping) -> Score:
    mapped = {fam.lookup[k] for h in headers if (k := key(h)) in fam.lookup}
    required = [c.name for c in FAMILIES_BY_NAME[fam.name].columns if c.required]
    covered = sum(1 for c in required if c in mapped)
    return covered, covered / len(required), len(mapped)


def _texts(row: list[Cell]) -> list[str]:
    return [as_text(c).strip() for c in row]


def detect_header(table: Table, mapping: Mapping, name: str, family: str | None) -> tuple[int, str]:
    """(header row index, family): the first row within ``max_scan_rows`` that matches at least
    ``min_matched_columns`` required columns of a family; the best-covered family wins."""
    candidates = [family] if family else list(mapping.families)
    best_seen: tuple[Score, str] | None = None
    for index, row in enumerate(table.rows[: mapping.max_scan_rows]):
        headers = _texts(row)
        ranked = sorted(
            ((_score(headers, mapping.families[f]), f) for f in candidates), reverse=True
        )
        top_score, top = ranked[0]
        if best_seen is None or top_score > best_seen[0]:
            best_seen = (top_score, top)
        if top_score[0] < mapping.min_matched_columns:
            continue
        tied = [f for s, f in ranked if s == top_score]
        if len(tied) > 1:
            raise AdapterError(
                f"{name}: row {index + 1} fits the families {' and '.join(sorted(tied))} "
                "equally well; rename the file's headers or add aliases to header_mapping.yml"
            )
        return index, top
    hint = f" (closest: {best_seen[1]})" if best_seen else ""
    raise AdapterError(
        f"{name}: no header row in the first {mapping.max_scan_rows} rows matches "
        f"{mapping.min_matched_columns} required columns of "
        f"{family or 'any export family'}{hint}"
    )


def unique_name(name: str, taken: set[str]) -> str:
    """``name``, or ``name_2`` ... if taken; case-insensitive, as DuckDB column names are."""
    candidate, n = name, 1
    while candidate.casefold() in taken:
        n += 1
        candidate = f"{name}_{n}"
    taken.add(candidate.casefold())
    return candidate


def map_headers(table: Table, mapping: Mapping, name: str, family: str | None = None) -> HeaderMap:
    index, fam_name = detect_header(table, mapping, name, family)
    fam = mapping.families[fam_name]
    headers = _texts(table.rows[index])
    used: dict[str, str] = {}
    slots: list[str | None] = []
    warnings: list[str] = []
    for header in headers:
        column = fam.lookup.get(key(header)) if header else None
        if column is not None and column in used:
            warnings.append(
                f"columns {used[column]!r} and {header!r} both mean {column}; "
                f"the first is used, {header!r} is kept as an extra column"
            )
            column = None
        if column is not None:
            used[column] = header
        slots.append(column)
    missing = [c for c in FAMILIES_BY_NAME[fam_name].columns if c.required and c.name not in used]
    if missing:
        details = "; ".join(f"{c.name} (tried: {', '.join(fam.aliases[c.name])})" for c in missing)
        raise AdapterError(
            f"{name}: a {fam_name} export needs required column(s) it lacks: {details}. "
            f"Header row {index + 1}: {', '.join(h for h in headers if h)}"
        )
    taken = {n.casefold() for n in (*used, *RESERVED)}
    names = [
        slot if slot is not None else unique_name(header or f"column_{i + 1}", taken)
        for i, (slot, header) in enumerate(zip(slots, headers, strict=True))
    ]
    if index:
        warnings.append(f"header found on row {index + 1}; {index} row(s) above it are not data")
    return HeaderMap(fam_name, index, names, [s is not None for s in slots], used, warnings)
