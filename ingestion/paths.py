"""Where the inbox and the warehouse live. Both default under the repository and are git-ignored.

- ``FUNNEL_INBOX``: the folder the exports are dropped into (default ``data/inbox``).
- ``FUNNEL_WAREHOUSE``: the folder holding ``build.duckdb`` (written by ingestion and dbt),
  ``snapshots/`` (published, read-only copies) and ``serving.json`` (the pointer the dashboards
  follow). Default ``warehouse``.
"""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def _from_env(name: str, default: str) -> Path:
    value = os.environ.get(name) or default
    path = Path(value)
    return path if path.is_absolute() else (REPO_ROOT / path).resolve()


def inbox_dir() -> Path:
    return _from_env("FUNNEL_INBOX", "data/inbox")


def warehouse_dir() -> Path:
    return _from_env("FUNNEL_WAREHOUSE", "warehouse")


def build_db_path() -> Path:
    """The DuckDB file that ingestion and dbt write. Dashboards never open it."""
    return warehouse_dir() / "build.duckdb"
