"""The benchmark's comparison is right: on a real load and dbt build of ~500 generated
opportunities, the DuckDB floor (bench/floor.sql) and the pandas peer (bench/pandas_peer.py)
give the pipeline's marts, row for row; and `compare` does catch a difference.

Nothing is timed here (bench/benchmark.py measures). The build runs only the models the four
metric tables read and their seeds (`dbt build` without tests: tests/dbt and
tests/orchestration test the marts).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from bench.metrics import STAGES_CSV, TABLES, compare, pipeline_metrics, run_floor, run_pandas
from ingestion.contract import FAMILIES
from ingestion.demo.generate import generate
from ingestion.loader import load_family
from tests.dbt.conftest import as_of_vars, run_dbt

AS_OF = date(2026, 6, 30)
MARTS = ("mart_funnel_conversion", "mart_stage_dwell", "mart_win_rates", "mart_forecast_vs_target")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path]]:
    root = tmp_path_factory.mktemp("bench")
    inbox, warehouse = root / "inbox", root / "warehouse"
    warehouse.mkdir()
    generate(inbox, 500, 7, AS_OF)
    with duckdb.connect(str(warehouse / "build.duckdb")) as con:
        for family in FAMILIES:
            for load in load_family(con, family, inbox, datetime.now(UTC).replace(tzinfo=None)):
                assert load.status == "loaded", load
    selection = " ".join(f"+{mart}" for mart in MARTS)
    result = run_dbt(
        [
            "build",
            "--select",
            *selection.split(),
            "--exclude",
            "resource_type:test",
            "resource_type:unit_test",
            *as_of_vars(AS_OF.isoformat()),
        ],
        warehouse,
    )
    assert result.returncode == 0, result.output[-3000:]
    yield inbox, warehouse / "build.duckdb"


@pytest.fixture(scope="module")
def marts(built: tuple[Path, Path]) -> dict[str, pd.DataFrame]:
    return pipeline_metrics(built[1], schema="marts")


def test_the_marts_have_rows_to_compare(marts: dict[str, pd.DataFrame]) -> None:
    for table, frame in marts.items():
        assert len(frame) > 0, table
    # both segment dimensions and both processes take part
    assert set(marts["conversion"]["segment_dimension"]) == {"all", "customer_type"}
    assert set(marts["win_rates"]["sales_process"]) == {"standard", "renewal"}


def test_the_duckdb_floor_equals_the_marts(
    built: tuple[Path, Path], marts: dict[str, pd.DataFrame]
) -> None:
    differences = compare(marts, run_floor(built[0], AS_OF))
    assert differences == [], "\n".join(map(str, differences[:20]))


def test_the_pandas_peer_equals_the_marts(
    built: tuple[Path, Path], marts: dict[str, pd.DataFrame]
) -> None:
    differences = compare(marts, run_pandas(built[0], STAGES_CSV, AS_OF))
    assert differences == [], "\n".join(map(str, differences[:20]))


def test_compare_reports_a_changed_value_and_a_missing_row(
    marts: dict[str, pd.DataFrame],
) -> None:
    changed = {table: frame.copy() for table, frame in marts.items()}
    changed["dwell"].loc[changed["dwell"].index[0], "median_days"] += 0.001
    changed["win_rates"] = changed["win_rates"].iloc[1:]
    differences = compare(marts, changed)
    assert sorted((d.table, d.column) for d in differences) == [
        ("dwell", "median_days"),
        ("win_rates", "expected only"),
    ]
    assert set(TABLES) == set(marts)
