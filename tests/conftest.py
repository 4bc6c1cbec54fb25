"""Shared test set-up: quiet, offline tools and dbt's manifest before Dagster imports it."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    import dagster as dg

    from tests.orchestration.conftest import Pipeline

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


@pytest.fixture(scope="session")
def pipeline(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pipeline]:
    """The demo pipeline (tests/orchestration/conftest.py) at a size where the truth tests have
    statistical power; its refresh is shared by the orchestration tests and tests/e2e."""
    from tests.orchestration.conftest import N_OPPORTUNITIES, SEED, make_pipeline

    yield from make_pipeline(tmp_path_factory.mktemp("pipeline"), N_OPPORTUNITIES, SEED)


@pytest.fixture(scope="session")
def first_run(pipeline: Pipeline) -> dg.ExecuteInProcessResult:
    result = pipeline.run()
    assert result.success, "the first full refresh on clean demo data must succeed"
    return result
