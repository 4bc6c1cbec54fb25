"""Shared fixtures for the ingestion tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest


@pytest.fixture()
def con(tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A fresh build database."""
    connection = duckdb.connect(str(tmp_path / "build.duckdb"))
    yield connection
    connection.close()
