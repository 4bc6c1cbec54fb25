"""The same dbt project builds on Apache Spark and gives DuckDB's marts, row for row.

DuckDB's side is the fixture warehouse of tests/dbt (`built_warehouse`: the raw CSVs of
tests/dbt/fixtures/raw, the fixture scores, `dbt build`), shared with the dbt tests. Its
`raw` and `scoring` tables are copied to Spark through parquet files, dbt builds the project
on Spark (`dbt build` of models and seeds: the data and unit tests run on DuckDB in tests/dbt),
and every table of the marts schema is compared, every row and column.

Spark runs in this process: dbt-spark's session mode with pyspark in local mode (the `spark`
target of profiles.yml) with an in-memory catalog, the tables under a temporary folder and the
settings for small data (FUNNEL_SPARK_SMALL_DATA). 2 minutes on the 2-core machine at a
load average of 5-7, up to 3.5 at 10-15 (besides `built_warehouse`), most of it Spark
running the 66 models and seeds. It needs Java 17 (a missing `java` fails the test, never
skips it); FUNNEL_SKIP_SPARK=1 skips it.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import pytest

from tests.dbt.conftest import DBT_PROJECT_DIR, FIXTURE_AS_OF_DATE
from tests.spark.compare import comparable_rows, differences

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

    from tests.dbt.conftest import BuiltWarehouse

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        os.environ.get("FUNNEL_SKIP_SPARK") == "1",
        reason="FUNNEL_SKIP_SPARK=1: the Spark comparison is skipped",
    ),
]

VARS = {"as_of_date": FIXTURE_AS_OF_DATE}
SOURCE_SCHEMAS = ("raw", "scoring")
MARTS_SCHEMA = "marts"
# the spark target of profiles.yml, sized for the fixture data (README, section "Spark")
SPARK_SETTINGS = {
    "FUNNEL_SPARK_CATALOG": "in-memory",
    "FUNNEL_SPARK_SMALL_DATA": "true",
    "FUNNEL_SPARK_THREADS": "4",
}


@pytest.fixture(scope="module")
def spark_installed() -> None:
    """Fail, never skip, when the machine cannot run Spark: `make test` must run this test.
    (A fixture, listed first, so that it fails before the DuckDB warehouse is built.)"""
    try:
        import pyspark  # noqa: F401
        from dbt.adapters import spark  # noqa: F401
    except ImportError as error:
        pytest.fail(
            f"the Spark comparison needs the [spark] extra ({error}): "
            "pip install -e '.[dev,spark]' (make install does), or set FUNNEL_SKIP_SPARK=1"
        )
    java_home = os.environ.get("JAVA_HOME")
    java = Path(java_home) / "bin" / "java" if java_home else shutil.which("java")
    if java is None or not Path(java).exists():
        pytest.fail(
            "the Spark comparison needs Java 17 (pyspark starts a JVM): install it "
            "(Debian: apt-get install openjdk-17-jre-headless) or set JAVA_HOME; "
            "FUNNEL_SKIP_SPARK=1 skips the test"
        )


def _dbt_spark(args: list[str], work: Path) -> None:
    """Run dbt in this process on the spark target; fail with the end of dbt's log."""
    from dbt.cli.main import dbtRunner

    result = dbtRunner().invoke(
        [
            *args,
            "--target",
            "spark",
            "--project-dir",
            str(DBT_PROJECT_DIR),
            "--profiles-dir",
            str(DBT_PROJECT_DIR),
            *([] if args[0] == "debug" else ["--vars", json.dumps(VARS)]),
        ]
    )
    if not result.success:
        log = (work / "dbt_logs" / "dbt.log").read_text(encoding="utf-8", errors="replace")
        pytest.fail(f"dbt {args[0]} on Spark failed:\n{log[-6000:]}")


def _export_sources(db_path: Path, folder: Path) -> list[tuple[str, str]]:
    """Write every table of the source schemas to `folder`/<schema>.<table>/data.parquet.

    Timestamps without a zone are written as UTC instants, which Spark reads as its
    `timestamp` in the session's UTC zone (a plain parquet timestamp would become
    `timestamp_ntz`), so the values are unchanged."""
    tables: list[tuple[str, str]] = []
    with duckdb.connect(str(db_path), read_only=True) as con:
        con.execute("set TimeZone = 'UTC'")
        found = con.execute(
            "select table_schema, table_name from information_schema.tables "
            f"where table_schema in {SOURCE_SCHEMAS} and table_type = 'BASE TABLE' "
            "order by all"
        ).fetchall()
        for schema, table in found:
            columns = con.execute(
                "select column_name, data_type from information_schema.columns "
                "where table_schema = ? and table_name = ? order by ordinal_position",
                [schema, table],
            ).fetchall()
            select = ", ".join(
                f'cast("{name}" as timestamptz) as "{name}"' if kind == "TIMESTAMP" else f'"{name}"'
                for name, kind in columns
            )
            target = folder / f"{schema}.{table}"
            target.mkdir(parents=True)
            con.execute(
                f"copy (select {select} from {schema}.{table}) "
                f"to '{target / 'data.parquet'}' (format parquet)"
            )
            tables.append((schema, table))
    return tables


@pytest.fixture(scope="module")
def spark_marts(
    spark_installed: None, built_warehouse: BuiltWarehouse, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SparkSession]:
    """A Spark session in which dbt has built the project over the fixture warehouse's
    sources; its catalog holds the marts."""
    assert built_warehouse.build is not None
    failed = [
        result["unique_id"]
        for result in built_warehouse.build.run_results()["results"]
        if result["unique_id"].startswith(("model.", "seed.")) and result["status"] != "success"
    ]
    assert failed == [], f"the DuckDB fixture build failed for {failed}"
    work = tmp_path_factory.mktemp("spark")
    tables = _export_sources(built_warehouse.db_path, work / "sources")
    assert {schema for schema, _ in tables} == set(SOURCE_SCHEMAS), tables

    with pytest.MonkeyPatch.context() as env:
        for name, value in SPARK_SETTINGS.items():
            env.setenv(name, value)
        env.setenv("FUNNEL_SPARK_WAREHOUSE", str(work / "spark"))
        env.setenv("DBT_TARGET_PATH", str(work / "dbt_target"))
        env.setenv("DBT_LOG_PATH", str(work / "dbt_logs"))
        # dbt opens the session with the profile's settings; the test then uses the same one
        _dbt_spark(["debug"], work)
        from pyspark.sql import SparkSession

        spark = SparkSession.builder.getOrCreate()
        assert spark.conf.get("spark.sql.catalogImplementation") == "in-memory"
        for schema, table in tables:
            spark.sql(f"create database if not exists {schema}")
            spark.sql(
                f"create table {schema}.{table} using parquet "
                f"location '{work / 'sources' / f'{schema}.{table}'}'"
            )
        _dbt_spark(["build", "--exclude", "resource_type:test", "resource_type:unit_test"], work)
        yield spark
        spark.stop()


def test_every_mart_is_equal_on_spark_and_duckdb(
    built_warehouse: BuiltWarehouse, spark_marts: SparkSession
) -> None:
    with duckdb.connect(str(built_warehouse.db_path), read_only=True) as con:
        marts = [
            row[0]
            for row in con.execute(
                "select table_name from information_schema.tables "
                "where table_schema = ? order by table_name",
                [MARTS_SCHEMA],
            ).fetchall()
        ]
        assert len(marts) >= 15, marts
        on_spark = sorted(
            row.tableName
            for row in spark_marts.sql(f"show tables in {MARTS_SCHEMA}").collect()
            if not row.isTemporary
        )
        assert on_spark == marts, "the marts schema holds other tables on Spark than on DuckDB"
        problems: list[str] = []
        for mart in marts:
            columns = [
                row[0]
                for row in con.execute(
                    "select column_name from information_schema.columns where table_schema = ?"
                    " and table_name = ? order by ordinal_position",
                    [MARTS_SCHEMA, mart],
                ).fetchall()
            ]
            spark_frame = spark_marts.table(f"{MARTS_SCHEMA}.{mart}")
            if [c.lower() for c in spark_frame.columns] != columns:
                problems.append(f"{mart}: columns {spark_frame.columns} != {columns}")
                continue
            on_duckdb = con.execute(f"select * from {MARTS_SCHEMA}.{mart}").fetchall()
            expected = comparable_rows(on_duckdb)
            actual = comparable_rows([tuple(row) for row in spark_frame.collect()])
            problems.extend(differences(mart, columns, expected, actual))
    assert problems == [], "\n".join(problems)
