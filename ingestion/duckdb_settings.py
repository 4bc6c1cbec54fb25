"""DuckDB's memory limit and worker threads, from the environment, for every pipeline connection.

The dbt profile (`dbt_project/profiles.yml`, `settings:`) reads the same two variables with the
same defaults, so the loader and dbt run under one budget:

- ``FUNNEL_DUCKDB_MEMORY_LIMIT`` (default ``4GB``): DuckDB's ``memory_limit``, e.g. ``2GB`` or
  ``50%`` of the machine's memory. Beyond it DuckDB spills to a temporary folder beside the
  database file instead of growing.
- ``FUNNEL_DUCKDB_THREADS`` (default ``2``, the cores of the machine the project is sized for):
  DuckDB's worker threads.

Every pipeline connection opens through :func:`connect` (``duckdb.connect`` plus these
settings): ingestion, the checks, scoring, delivery and the publish.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import duckdb

MEMORY_LIMIT_VARIABLE = "FUNNEL_DUCKDB_MEMORY_LIMIT"
THREADS_VARIABLE = "FUNNEL_DUCKDB_THREADS"
DEFAULT_MEMORY_LIMIT = "4GB"
DEFAULT_THREADS = 2

_MEMORY = re.compile(r"^\s*\d+(\.\d+)?\s*(%|[KMGT]i?B|B)\s*$", re.IGNORECASE)


def duckdb_settings() -> dict[str, str]:
    """The settings to apply, validated: ``{'memory_limit': '4GB', 'threads': '2'}``.

    Raises ``ValueError`` naming the variable when a value is not a size or a thread count.
    """
    memory_limit = os.environ.get(MEMORY_LIMIT_VARIABLE, "").strip() or DEFAULT_MEMORY_LIMIT
    if not _MEMORY.match(memory_limit):
        raise ValueError(
            f"{MEMORY_LIMIT_VARIABLE}={memory_limit!r} is not a memory size such as 4GB, "
            "512MB or 50%"
        )
    threads_text = os.environ.get(THREADS_VARIABLE, "").strip() or str(DEFAULT_THREADS)
    if not threads_text.isdigit() or int(threads_text) < 1:
        raise ValueError(f"{THREADS_VARIABLE}={threads_text!r} is not a thread count (1 or more)")
    return {"memory_limit": memory_limit, "threads": threads_text}


def apply_duckdb_settings(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """Set the configured memory limit and threads on ``con``; return it (for chaining)."""
    for name, value in duckdb_settings().items():
        con.execute(f"set {name} = '{value}'")  # validated above: digits, units, '%'
    return con


def connect(path: Path | str, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """``duckdb.connect(path, read_only)`` under the configured memory limit and threads."""
    return apply_duckdb_settings(duckdb.connect(str(path), read_only=read_only))
