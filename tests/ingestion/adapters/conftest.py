"""Shared helpers: fixtures folder, a DuckDB connection and loading canonical files."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from ingestion.adapters import AdaptedFile
from ingestion.contract import FAMILIES
from ingestion.loader import FileLoad, SourceFile, load_family, load_file, reconcile

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
LOADED_AT = datetime(2026, 7, 1, 2, 0, 0)  # after the Salesforce sample's last change


@pytest.fixture()
def con(tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect(str(tmp_path / "build.duckdb"))
    yield connection
    connection.close()


def load_all(con: duckdb.DuckDBPyConnection, inbox: Path) -> list[FileLoad]:
    """Load every family in contract order (parents first); every file must reconcile."""
    loads: list[FileLoad] = []
    for family in FAMILIES:
        loads.extend(load_family(con, family, inbox, LOADED_AT))
        assert reconcile(con, family) == []
    return loads


def load_adapted(
    con: duckdb.DuckDBPyConnection, out: Path, results: list[AdaptedFile]
) -> list[FileLoad]:
    """Load adapted files as the pipeline does: under the export's name, numbered by its rows."""
    loads: list[FileLoad] = []
    for family in FAMILIES:
        for r in results:
            if r.family == family.name and r.output:
                source = SourceFile(out / r.output, r.source, r.header_mapping)
                loads.append(load_file(con, family, source, LOADED_AT))
        assert reconcile(con, family) == []
    return loads
