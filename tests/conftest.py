"""Shared test set-up: quiet, offline tools and dbt's manifest before Dagster imports it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")


_parsed = False


def ensure_dbt_manifest() -> Path:
    """`@dbt_assets` reads target/manifest.json at import: parse once per session, so that the
    manifest always matches the models (a stale one fails the dbt step with a KeyError)."""
    global _parsed
    manifest = DBT_PROJECT_DIR / "target" / "manifest.json"
    if not _parsed:
        dbt = Path(sys.executable).parent / "dbt"
        subprocess.run(
            [
                str(dbt),
                "parse",
                "--quiet",
                "--project-dir",
                str(DBT_PROJECT_DIR),
                "--profiles-dir",
                str(DBT_PROJECT_DIR),
            ],
            check=True,
        )
        _parsed = True
    return manifest
