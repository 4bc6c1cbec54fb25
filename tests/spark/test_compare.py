"""The row comparison of the Spark test finds every kind of difference it is there to find."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from tests.spark.compare import comparable_rows, differences

COLUMNS = ["team_id", "period_start", "won_count", "win_rate", "refreshed_at"]
DUCKDB_ROWS = [
    ("t1", date(2025, 6, 1), 3, Decimal("0.75"), datetime(2025, 6, 30, 6, 0)),
    ("t2", date(2025, 6, 1), 0, None, datetime(2025, 6, 30, 6, 0)),
]


def _compare(spark_rows: list[tuple]) -> list[str]:
    return differences("mart_x", COLUMNS, comparable_rows(DUCKDB_ROWS), comparable_rows(spark_rows))


def test_the_same_rows_in_another_order_and_types_are_equal() -> None:
    spark_rows = [
        ("t2", date(2025, 6, 1), 0, None, datetime(2025, 6, 30, 6, 0, tzinfo=UTC)),
        ("t1", date(2025, 6, 1), 3, 0.75 + 1e-12, datetime(2025, 6, 30, 6, 0)),
    ]
    assert _compare(spark_rows) == []


def test_a_changed_cell_is_a_difference() -> None:
    spark_rows = [DUCKDB_ROWS[0], ("t2", date(2025, 6, 1), 1, None, datetime(2025, 6, 30, 6, 0))]
    assert _compare(spark_rows) == ["mart_x row 1: won_count: 0.0 != 1.0"]


def test_a_null_for_a_value_is_a_difference() -> None:
    spark_rows = [("t1", date(2025, 6, 1), 3, None, datetime(2025, 6, 30, 6, 0)), DUCKDB_ROWS[1]]
    assert _compare(spark_rows) == ["mart_x row 0: win_rate: 0.75 != None"]


def test_a_small_float_error_is_a_difference() -> None:
    spark_rows = [("t1", date(2025, 6, 1), 3, 0.7501, datetime(2025, 6, 30, 6, 0)), DUCKDB_ROWS[1]]
    assert _compare(spark_rows) == ["mart_x row 0: win_rate: 0.75 != 0.7501"]


def test_a_missing_or_extra_row_is_a_difference() -> None:
    assert _compare(DUCKDB_ROWS[:1]) == ["mart_x: 2 rows on DuckDB, 1 on Spark"]
    assert _compare([*DUCKDB_ROWS, DUCKDB_ROWS[0]]) == ["mart_x: 2 rows on DuckDB, 3 on Spark"]
