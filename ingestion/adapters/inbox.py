"""The entry point: turn every export in a folder into canonical CSV files for the loader."""

from __future__ import annotations

import csv
import io
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from ingestion.adapters.config import DEFAULT_MAPPING_PATH, AdapterError, load_mapping
from ingestion.adapters.readers import read_table
from ingestion.adapters.salesforce import adapt_salesforce, is_salesforce_folder
from ingestion.adapters.tabular import CanonicalTable, adapt_table

SUPPORTED = (".csv", ".xlsx", ".xlsm")


@dataclass(frozen=True)
class AdaptedFile:
    """What happened to one source file (or one file of a Salesforce export folder).

    ``status``: ``converted`` (rewritten), ``passed_through`` (already canonical: copied byte for
    byte), ``error`` (nothing written; ``error`` says why and the caller must surface it) or
    ``ignored`` (not an export: an unsupported file type, or a Salesforce file not used).
    Rows reconcile: ``rows_out == rows_in - rows_folded`` (``rows_folded`` only for Salesforce
    history rows that are not stage changes, each listed in the warnings); blank trailing rows
    and rows above the header are not in ``rows_in`` and are counted on their own.
    """

    source: str  # path relative to the inbox
    status: str
    format: str = ""  # csv | xlsx | salesforce
    encoding: str = ""  # utf-8 | utf-8-sig | gb18030 | xlsx
    family: str = ""
    output: str = ""  # file name written in dst
    rows_in: int = 0
    rows_out: int = 0
    rows_blank_trailing: int = 0
    rows_above_header: int = 0
    rows_folded: int = 0
    header_mapping: dict[str, str] = field(default_factory=dict)  # canonical -> source header
    warnings: tuple[str, ...] = ()
    error: str = ""


def canonical_csv(header: list[str], rows: list[list[str]]) -> bytes:
    """UTF-8 (no BOM), comma, minimal ``"`` quoting, ``\\n`` line ends: same rows, same bytes."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def _write(
    table: CanonicalTable, dst: Path, stem: str, source: str, fmt: str, encoding: str
) -> AdaptedFile:
    output = f"{table.family}__{stem}.csv"
    (dst / output).write_bytes(canonical_csv(table.header, table.rows))
    return AdaptedFile(
        source=source,
        status="converted",
        format=fmt,
        encoding=encoding,
        family=table.family,
        output=output,
        rows_in=table.rows_in,
        rows_out=len(table.rows),
        rows_blank_trailing=table.blank_trailing,
        rows_above_header=table.rows_above_header,
        rows_folded=table.rows_folded,
        header_mapping=table.header_map,
        warnings=tuple(table.warnings),
    )


def adapt_file(path: Path, dst: Path, mapping_path: Path = DEFAULT_MAPPING_PATH) -> AdaptedFile:
    """One CSV / XLSX export -> ``dst/<family>__<stem>.csv``; raises AdapterError."""
    mapping = load_mapping(mapping_path)
    table = read_table(path)
    canonical = adapt_table(table, mapping, path.name)
    if canonical.unchanged:
        output = f"{canonical.family}__{path.stem}.csv"
        shutil.copyfile(path, dst / output)
        return AdaptedFile(
            source=path.name,
            status="passed_through",
            format=table.format,
            encoding=table.encoding,
            family=canonical.family,
            output=output,
            rows_in=canonical.rows_in,
            rows_out=canonical.rows_in,
            header_mapping=canonical.header_map,
        )
    return _write(canonical, dst, path.stem, path.name, table.format, table.encoding)


def adapt_salesforce_folder(
    folder: Path, dst: Path, mapping_path: Path = DEFAULT_MAPPING_PATH
) -> list[AdaptedFile]:
    tables = adapt_salesforce(folder, load_mapping(mapping_path))
    results = []
    for obj, table in tables.items():
        source = (
            f"{folder.name}/{'(owner ids of Opportunity.csv)' if table.derived else obj + '.csv'}"
        )
        results.append(_write(table, dst, f"{folder.name}-{obj}", source, "salesforce", "utf-8"))
    used = {f"{obj}.csv" for obj in tables}
    for other in sorted(p for p in folder.iterdir() if p.is_file() and p.name not in used):
        results.append(
            AdaptedFile(
                source=f"{folder.name}/{other.name}",
                status="ignored",
                format="salesforce",
                warnings=("not used by the Salesforce adapter",),
            )
        )
    return results


def normalize_inbox(
    src: Path, dst: Path, mapping_path: Path = DEFAULT_MAPPING_PATH
) -> list[AdaptedFile]:
    """Canonical UTF-8 CSVs in ``dst`` for every export in ``src``, one record per source file.

    ``src`` holds CSV / XLSX files (any supported encoding, Chinese or English headers) and
    Salesforce Data Loader folders (holding Opportunity.csv). Files are visited in name order; a
    file that cannot be adapted gives an ``error`` record and the others go on. Output names are
    ``<family>__<source stem>.csv`` (``<family>__<folder>-<Object>.csv`` for Salesforce), which
    match the loader's ``<family>*.csv`` globs. Same input, same output bytes.
    """
    dst.mkdir(parents=True, exist_ok=True)
    results: list[AdaptedFile] = []
    for path in sorted(src.iterdir()):
        if path.name.startswith(".") or path.resolve() == dst.resolve():
            continue
        try:
            if is_salesforce_folder(path):
                results.extend(adapt_salesforce_folder(path, dst, mapping_path))
            elif path.is_file() and path.suffix.lower() in SUPPORTED:
                results.append(adapt_file(path, dst, mapping_path))
            else:
                results.append(
                    AdaptedFile(
                        source=path.name,
                        status="ignored",
                        warnings=("not a CSV, XLSX or Salesforce export",),
                    )
                )
        except AdapterError as error:
            results.append(AdaptedFile(source=path.name, status="error", error=str(error)))
    return results
