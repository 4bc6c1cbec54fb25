"""Shared test set-up: quiet, offline tools and dbt's manifest before Dagster imports it."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from filelock import FileLock

if TYPE_CHECKING:
    import dagster as dg

    from tests.orchestration.conftest import Pipeline

REPO_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")


def _import_pyspark_connect_on_an_xdist_worker() -> None:
    """Great Expectations imports pyspark.sql.connect whenever pyspark is installed (the
    [spark] extra), and pyspark.sql.connect calls sys.exit(0) ("Skipping doctests") when
    __main__ has neither a spec nor a file: the case in pytest-xdist's execnet workers. The
    worker then stopped collecting silently, with no test modified by the hooks below. Import
    GX's pyspark shim once here with __main__ given a file name (pyspark.sql.connect then fails
    with the ImportError GX expects: its gRPC extras are not installed), and take the name away
    again (multiprocessing's spawn would try to run that file in its children)."""
    main = sys.modules["__main__"]
    if getattr(main, "__spec__", None) is not None or hasattr(main, "__file__"):
        return
    main.__file__ = "<pytest-xdist worker>"
    try:
        import great_expectations.compatibility.pyspark  # noqa: F401
    finally:
        del main.__file__


_import_pyspark_connect_on_an_xdist_worker()


_parsed = False
# what dbt parses: a manifest newer than all of these is current
DBT_SOURCES = ("dbt_project.yml", "profiles.yml", "models", "macros", "seeds", "tests")


def _newest_source_mtime() -> float:
    newest = 0.0
    for name in DBT_SOURCES:
        path = DBT_PROJECT_DIR / name
        files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
        newest = max([newest, *(f.stat().st_mtime for f in files)])
    return newest


def ensure_dbt_manifest() -> Path:
    """`@dbt_assets` reads target/manifest.json at import: parse once per session unless the
    manifest is newer than every dbt source file (`make test` has just parsed), so that it
    always matches the models (a stale one fails the dbt step with a KeyError). A file lock
    keeps two pytest-xdist workers from writing target/ at once."""
    global _parsed
    manifest = DBT_PROJECT_DIR / "target" / "manifest.json"
    if _parsed:
        return manifest
    with FileLock(str(DBT_PROJECT_DIR / "target.parse.lock")):
        if not manifest.exists() or manifest.stat().st_mtime <= _newest_source_mtime():
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


# pytest-xdist (`make test` runs `-n 2 --dist loadgroup`): tests sharing an expensive fixture
# run on one worker, which builds it once. The session's demo pipeline (fixtures `pipeline`,
# `first_run`) and the dbt fixture warehouse (`built_warehouse`) are one group each; every
# other test goes with its module, whose module-scoped fixtures (a pipeline run, the
# reliability harness) are then built once too.
SHARED_FIXTURE_GROUPS = {
    "first_run": "demo_pipeline",
    "pipeline": "demo_pipeline",
    "built_warehouse": "dbt_fixture_warehouse",
}


@pytest.hookimpl(tryfirst=True)  # before xdist's own hook, which reads the marks
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.get_closest_marker("xdist_group"):  # set by the test module itself
            continue
        fixtures = getattr(item, "fixturenames", ())
        group = next(
            (g for name, g in SHARED_FIXTURE_GROUPS.items() if name in fixtures),
            item.nodeid.split("::")[0],
        )
        item.add_marker(pytest.mark.xdist_group(group))


def pytest_xdist_node_collection_finished(node: Any, ids: list[str]) -> None:
    """Under --dist loadgroup every test is grouped (above), so every node id a worker collected
    must carry its `@group` suffix: without it xdist spreads a group over both workers and each
    builds the expensive fixtures again, silently doubling the run (pytest 9.2 did that,
    pytest-xdist#1386). Runs on the controller."""
    if node.config.getoption("dist") != "loadgroup":
        return
    lost = [nodeid for nodeid in ids if "@" not in nodeid]
    if lost:
        raise pytest.UsageError(
            f"pytest-xdist did not apply the xdist_group of {len(lost)} tests (first: {lost[0]}):"
            f" pytest {pytest.__version__} breaks --dist loadgroup; install the pinned pytest"
            " (pyproject.toml, requirements.lock)"
        )


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
