"""Split the inbox into canonical files (read by DuckDB directly, the fast path) and everything
else (CSV in another encoding or with other headers, XLSX, Salesforce Data Loader folders),
which the adapters rewrite as canonical CSVs in a staging folder under the warehouse.

- :func:`is_canonical`: a ``<family>*.csv`` file in UTF-8 whose header names contract columns
  by their own names (no alias). Nothing else is looked at, so a 1M-row export costs one line.
- :func:`adapt_inbox`: every other export -> ``<warehouse>/staging/adapted/``, rebuilt on each
  run, with ``_manifest.json`` recording what came from where (never written to the inbox).
- :func:`staged_sources`: the adapted files of one family, reported under the export's name
  and headers, numbered by the export's own rows.
- :func:`log_adapter_errors`: an export the adapters cannot read is recorded in
  ``raw.load_log`` as ``rejected`` with the reason, once per content.
"""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
from dataclasses import asdict
from datetime import datetime
from fnmatch import fnmatch
from pathlib import Path

import duckdb

from ingestion.adapters.config import DEFAULT_MAPPING_PATH, AdapterError, key, load_mapping
from ingestion.adapters.inbox import SUPPORTED, AdaptedFile, adapt_file, adapt_salesforce_folder
from ingestion.adapters.salesforce import is_salesforce_folder
from ingestion.contract import FAMILIES, Family
from ingestion.loader import (
    RAW_SCHEMA,
    FileLoad,
    SourceFile,
    content_hash,
    discover_files,
    ensure_schema,
    load_file,
)
from ingestion.stages import StageCatalog

STAGING_SUBDIR = Path("staging") / "adapted"
MANIFEST = "_manifest.json"
HEADER_PEEK = 1 << 20  # bytes read to find the header line
UNDETECTED = "unknown"  # load_log family of an export whose family could not be told


def staging_dir(warehouse: Path) -> Path:
    return warehouse / STAGING_SUBDIR


def family_by_name(path: Path) -> Family | None:
    """The family whose file glob the name matches (``opportunities_2025.csv``), if any."""
    return next((f for f in FAMILIES if fnmatch(path.name, f.file_glob)), None)


def is_canonical(path: Path, family: Family, mapping_path: Path = DEFAULT_MAPPING_PATH) -> bool:
    """A UTF-8 CSV named like the family whose header names contract columns by their own
    names; other columns are allowed (the loader keeps them as extras) unless one is an alias
    of a contract column, which only the adapters can map (``商机金额`` beside ``opportunity_id``).

    An empty file counts as canonical: the loader reports it. Missing required columns are
    allowed here too: the loader quarantines every row, naming the column.
    """
    if path.suffix.lower() != ".csv" or not fnmatch(path.name, family.file_glob):
        return False
    with path.open("rb") as handle:
        first = handle.readline(HEADER_PEEK)
    try:
        line = first.removeprefix(b"\xef\xbb\xbf").decode("utf-8")
    except UnicodeDecodeError:
        return False
    if not line.strip():
        return True
    header = [h.strip() for h in next(csv.reader([line]))]
    aliases = load_mapping(mapping_path).families[family.name].lookup
    extras = [h for h in header if h not in family.column_names]
    return (
        len(set(header)) == len(header)
        and any(h in family.column_names for h in header)
        and not any(key(h) in aliases for h in extras)
    )


def canonical_files(inbox: Path, family: Family) -> list[Path]:
    return [p for p in discover_files(inbox, family) if is_canonical(p, family)]


def _needs_adapter(path: Path) -> bool:
    if is_salesforce_folder(path):
        return True
    if not path.is_file() or path.suffix.lower() not in SUPPORTED:
        return False
    family = family_by_name(path)
    return family is None or not is_canonical(path, family)


def adapt_inbox(
    inbox: Path, staging: Path, mapping_path: Path = DEFAULT_MAPPING_PATH
) -> list[AdaptedFile]:
    """Rewrite every non-canonical export of the inbox into ``staging`` (emptied first).

    Files that are not exports (``truth.json``, a README) are skipped without a record; an
    export the adapters cannot read gives an ``error`` record and the others go on.
    """
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir(parents=True)
    results: list[AdaptedFile] = []
    for path in sorted(inbox.iterdir()) if inbox.is_dir() else []:
        if path.name.startswith(".") or not _needs_adapter(path):
            continue
        try:
            if path.is_dir():
                results.extend(adapt_salesforce_folder(path, staging, mapping_path))
            else:
                results.append(adapt_file(path, staging, mapping_path))
        except AdapterError as error:
            family = family_by_name(path)
            results.append(
                AdaptedFile(
                    source=path.name,
                    status="error",
                    format="salesforce" if path.is_dir() else path.suffix.lower().lstrip("."),
                    family=family.name if family else "",
                    error=str(error),
                )
            )
    (staging / MANIFEST).write_text(
        json.dumps([asdict(r) for r in results], ensure_ascii=False, indent=1), encoding="utf-8"
    )
    return results


def staged_sources(staging: Path, family: Family) -> list[SourceFile]:
    """The adapted canonical files of one family, from the manifest of the last adaptation."""
    manifest = staging / MANIFEST
    if not manifest.is_file():
        return []
    records = json.loads(manifest.read_text(encoding="utf-8"))
    return [
        SourceFile(staging / r["output"], r["source"], dict(r["header_mapping"]))
        for r in records
        if r["family"] == family.name
        and r["status"] in ("converted", "passed_through")
        and (staging / r["output"]).is_file()
    ]


def family_sources(inbox: Path, staging: Path, family: Family) -> list[SourceFile]:
    """Everything to load for a family: canonical inbox files, then adapted exports."""
    return [SourceFile(p) for p in canonical_files(inbox, family)] + staged_sources(staging, family)


def _source_hash(inbox: Path, source: str) -> str:
    path = inbox / source
    if path.is_file():
        return content_hash(path)
    digest = hashlib.sha256(source.encode("utf-8"))
    for member in sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else []:
        digest.update(member.name.encode("utf-8") + content_hash(member).encode("ascii"))
    return digest.hexdigest()


def log_adapter_errors(
    con: duckdb.DuckDBPyConnection, inbox: Path, results: list[AdaptedFile], loaded_at: datetime
) -> list[AdaptedFile]:
    """Record each unreadable export in raw.load_log (status rejected, the reason as message),
    once per content; returns the ones newly recorded."""
    ensure_schema(con)
    logged: list[AdaptedFile] = []
    for result in results:
        if result.status != "error":
            continue
        digest = _source_hash(inbox, result.source)
        family = result.family or UNDETECTED
        seen = con.execute(
            f"select count(*) from {RAW_SCHEMA}.load_log where family = ? and content_hash = ?",
            [family, digest],
        ).fetchone()
        if seen and seen[0]:
            continue
        con.execute(
            f"insert into {RAW_SCHEMA}.load_log values (?, ?, ?, 'rejected', 0, 0, 0, ?, ?)",
            [family, result.source, digest, loaded_at, result.error],
        )
        logged.append(result)
    return logged


def ingest_inbox(
    con: duckdb.DuckDBPyConnection,
    inbox: Path,
    staging: Path,
    loaded_at: datetime,
    stages: StageCatalog | None,
) -> tuple[list[AdaptedFile], list[FileLoad]]:
    """What the Dagster ingest assets do, in one call: adapt, log adapter errors, then load
    every family in contract order (parents first). For scripts and tests."""
    adapted = adapt_inbox(inbox, staging)
    log_adapter_errors(con, inbox, adapted, loaded_at)
    loads = [
        load_file(con, family, source, loaded_at, stages)
        for family in FAMILIES
        for source in family_sources(inbox, staging, family)
    ]
    return adapted, loads
