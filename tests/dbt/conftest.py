"""Fixtures for the dbt project tests: a throw-away DuckDB warehouse built from small CSVs.

`build_raw_schema` mimics the ingestion job: every export family of
`ingestion/contract.py` becomes table `raw.<family>` with all contract columns as VARCHAR
(in contract order) plus the lineage columns `_source_file`, `_content_hash`, `_row_number`
and `_loaded_at`. Each CSV in `fixtures/raw/` is one loaded file; its family is found with
the contract's `file_glob` and its load time is the date in its name
(`opportunities_2025-07-01.csv` was loaded 2025-07-01 06:00:00), so several files of a
family are several loaded versions.

`build_scoring_schema` adds what the Dagster scoring asset writes between the two dbt builds
(`scoring.opportunity_scores`, `scoring.model_status`, through the asset's own writer) from
`fixtures/scoring/opportunity_scores.csv`: hand-made win-probability scores of the open
opportunities as of 2025-06-30 (model wp-20250630-fixture1) and backfilled ones of the 05-31
month end (model wp-20250331-fixture0, trained on data up to 03-31), so that `dbt build` of the
whole project exercises the model forecast method.

`run_dbt` runs the project's dbt CLI in a subprocess (the database file is then closed when
it returns) with FUNNEL_WAREHOUSE pointing at a temporary directory and target/logs kept out
of the project folder.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
RAW_FIXTURES_DIR = Path(__file__).resolve().parent / "fixtures" / "raw"
SCORES_FIXTURE = Path(__file__).resolve().parent / "fixtures" / "scoring" / "opportunity_scores.csv"
FIXTURE_AS_OF_DATE = "2025-06-30"

if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from ingestion.contract import FAMILIES, LINEAGE_COLUMNS  # noqa: E402

_LOAD_DATE = re.compile(r"_(\d{4}-\d{2}-\d{2})\.csv$")


def _dbt_executable() -> str:
    beside_python = Path(sys.executable).with_name("dbt")
    if beside_python.exists():
        return str(beside_python)
    found = shutil.which("dbt")
    if found is None:
        raise RuntimeError("dbt is not installed in this environment")
    return found


def build_raw_schema(db_path: Path, fixtures_dir: Path = RAW_FIXTURES_DIR) -> dict[str, int]:
    """Create schema `raw` in `db_path` from the CSVs in `fixtures_dir`; return row counts."""
    counts: dict[str, int] = {}
    con = duckdb.connect(str(db_path))
    try:
        con.execute("create schema if not exists raw")
        for family in FAMILIES:
            column_defs = ", ".join(f'"{name}" varchar' for name in family.column_names)
            con.execute(f"drop table if exists raw.{family.name}")
            con.execute(
                f"create table raw.{family.name} ({column_defs}, _source_file varchar, "
                "_content_hash varchar, _row_number bigint, _loaded_at timestamp)"
            )
            for csv_path in sorted(fixtures_dir.glob(family.file_glob)):
                header = csv_path.read_text(encoding="utf-8").splitlines()[0].split(",")
                if tuple(header) != family.column_names:
                    raise ValueError(
                        f"{csv_path.name}: header {header} is not the contract's "
                        f"{list(family.column_names)}"
                    )
                match = _LOAD_DATE.search(csv_path.name)
                if match is None:
                    raise ValueError(f"{csv_path.name}: name must end in _YYYY-MM-DD.csv")
                loaded_at = f"{match.group(1)} 06:00:00"
                content_hash = hashlib.sha256(csv_path.read_bytes()).hexdigest()
                select_columns = ", ".join(f'"{name}"' for name in family.column_names)
                con.execute(
                    f"""
                    insert into raw.{family.name}
                    select
                        {select_columns},
                        ? as _source_file,
                        ? as _content_hash,
                        row_number() over () as _row_number,
                        cast(? as timestamp) as _loaded_at
                    from read_csv(?, all_varchar = true, header = true)
                    """,
                    [csv_path.name, content_hash, loaded_at, str(csv_path)],
                )
            counts[family.name] = con.execute(f"select count(*) from raw.{family.name}").fetchone()[
                0
            ]
        table_columns = con.execute(
            "select column_name from information_schema.columns "
            "where table_schema = 'raw' and table_name = 'orders' order by ordinal_position"
        ).fetchall()
        assert tuple(c[0] for c in table_columns[-len(LINEAGE_COLUMNS) :]) == LINEAGE_COLUMNS
    finally:
        con.close()
    return counts


def build_scoring_schema(db_path: Path, scores_csv: Path = SCORES_FIXTURE) -> int:
    """Write `scoring.opportunity_scores` and `scoring.model_status` into `db_path` from
    `scores_csv` with the scoring asset's writer; return the number of score rows."""
    from orchestration.scoring.score import ModelStatus, write_scores

    as_of = dt.date.fromisoformat(FIXTURE_AS_OF_DATE)
    con = duckdb.connect(str(db_path))
    try:
        scores = con.execute("select * from read_csv(?, header = true)", [str(scores_csv)]).df()
        current = scores[~scores["is_backfilled"]]
        version = str(current["model_version"].iloc[0])
        status = ModelStatus("scored", version, as_of, "fixture scores", 200, 60, 140)
        write_scores(con, scores, status, as_of)
    finally:
        con.close()
    return len(scores)


@dataclass
class DbtResult:
    returncode: int
    output: str
    target_dir: Path

    def run_results(self) -> dict:
        return json.loads((self.target_dir / "run_results.json").read_text())

    def manifest(self) -> dict:
        return json.loads((self.target_dir / "manifest.json").read_text())


def run_dbt(args: list[str], warehouse_dir: Path, timeout: int = 900) -> DbtResult:
    """Run `dbt <args>` on the project against `warehouse_dir`/build.duckdb."""
    target_dir = warehouse_dir / "dbt_target"
    env = dict(os.environ)
    env.update(
        {
            "FUNNEL_WAREHOUSE": str(warehouse_dir),
            "DBT_TARGET_PATH": str(target_dir),
            "DBT_LOG_PATH": str(warehouse_dir / "dbt_logs"),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
            "DBT_USE_COLORS": "false",
        }
    )
    completed = subprocess.run(
        [
            _dbt_executable(),
            *args,
            "--project-dir",
            str(DBT_PROJECT_DIR),
            "--profiles-dir",
            str(DBT_PROJECT_DIR),
        ],
        cwd=DBT_PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    return DbtResult(completed.returncode, completed.stdout + completed.stderr, target_dir)


def as_of_vars(as_of_date: str) -> list[str]:
    """The CLI arguments that set the as-of date."""
    return ["--vars", json.dumps({"as_of_date": as_of_date})]


@pytest.fixture(scope="session")
def dbt_vars():
    """`dbt_vars('2025-06-30')` -> the CLI arguments that set the as-of date."""
    return as_of_vars


@dataclass
class BuiltWarehouse:
    warehouse_dir: Path
    db_path: Path
    build: DbtResult | None

    def query(self, sql: str, params: list | None = None) -> list[tuple]:
        con = duckdb.connect(str(self.db_path), read_only=True)
        try:
            return con.execute(sql, params or []).fetchall()
        finally:
            con.close()


@pytest.fixture(scope="session")
def dbt_cli():
    """`dbt_cli(args, warehouse_dir)` runs the dbt CLI on the project (see `run_dbt`)."""
    return run_dbt


@pytest.fixture(scope="session")
def raw_warehouse():
    """`raw_warehouse(directory)`: a BuiltWarehouse-like handle on a fresh raw-only database
    `directory`/build.duckdb made from the fixture CSVs (its `build` is None)."""

    def make(directory: Path) -> BuiltWarehouse:
        db_path = directory / "build.duckdb"
        build_raw_schema(db_path)
        build_scoring_schema(db_path)
        return BuiltWarehouse(directory, db_path, None)

    return make
