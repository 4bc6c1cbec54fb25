"""The benchmark's core metrics three ways, and the check that they agree.

1. the pipeline: its published marts (`pipeline_metrics`, read from a snapshot);
2. the DuckDB floor: bench/floor.sql, one hand-written script over the inbox CSVs
   (`run_floor`);
3. the pandas peer: bench/pandas_peer.py (`run_pandas`).

Each gives four tables at quarter grain: `conversion` (cohort stage conversion, segments all
and customer_type, with the any-stage reading of mart_funnel_conversion), `dwell` (days in
stage of completed visits, segment all), `win_rates` (stage 'all', segments all and
customer_type, quarters with a closed opportunity) and `weighted_pipeline` (open pipeline at
the as-of date by quarter of expected close, weighted by the configured probabilities,
segment all). `compare` lists every difference beyond float tolerance.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from string import Template

import duckdb
import pandas as pd

from bench.pandas_peer import run_pandas

FLOOR_SQL = Path(__file__).with_name("floor.sql")
REPO_ROOT = Path(__file__).resolve().parents[1]
STAGES_CSV = REPO_ROOT / "dbt_project" / "seeds" / "sales_process_stages.csv"

# table -> (key columns, metric columns)
TABLES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "conversion": (
        (
            "period_start",
            "segment_dimension",
            "segment_value",
            "sales_process",
            "from_stage",
            "to_stage",
        ),
        ("entered_count", "advanced_count", "lost_count", "resolved_conversion_rate"),
    ),
    "dwell": (
        ("period_start", "sales_process", "stage_code"),
        ("completed_visits", "mean_days", "median_days"),
    ),
    "win_rates": (
        ("period_start", "segment_dimension", "segment_value", "sales_process"),
        ("won_count", "lost_count", "win_rate"),
    ),
    "weighted_pipeline": (
        ("period_start",),
        ("open_count", "open_pipeline_amount", "weighted_configured_amount"),
    ),
}
AMOUNT_COLUMNS = ("open_pipeline_amount", "weighted_configured_amount")

__all__ = ["TABLES", "compare", "pipeline_metrics", "run_floor", "run_pandas"]


def _columns(table: str) -> str:
    keys, metrics = TABLES[table]
    return ", ".join((*keys, *metrics))


def run_floor(
    inbox: Path, as_of: date, stages_csv: Path = STAGES_CSV, threads: int | None = None
) -> dict[str, pd.DataFrame]:
    """Run bench/floor.sql on an in-memory DuckDB; return its four result tables."""
    script = Template(FLOOR_SQL.read_text(encoding="utf-8")).substitute(
        inbox=str(inbox).replace("'", "''"),
        stages=str(stages_csv).replace("'", "''"),
        as_of=as_of.isoformat(),
    )
    con = duckdb.connect()
    try:
        if threads:
            con.execute(f"set threads = {int(threads)}")
        con.execute(script)
        return {
            table: con.execute(f"select {_columns(table)} from floor_{table}").df()
            for table in TABLES
        }
    finally:
        con.close()


def _cohort_filter(con: duckdb.DuckDBPyConnection) -> str:
    """Today's cohort reading of mart_funnel_conversion (shared contract 1: the mart may carry
    funnel_method / funnel_kind columns; the cohort, any-stage rows are the ones compared)."""
    columns = {row[0] for row in con.execute("describe mart_funnel_conversion").fetchall()}
    if {"funnel_method", "funnel_kind"} <= columns:
        return " and funnel_method = 'cohort' and funnel_kind = 'any_stage'"
    return ""


def pipeline_metrics(database: Path, schema: str = "main") -> dict[str, pd.DataFrame]:
    """The same four tables selected from the marts, read-only: of a published snapshot
    (schema main), or of the build warehouse (schema marts)."""
    con = duckdb.connect(str(database), read_only=True)
    con.execute(f"set schema = '{schema}'")
    segments = "segment_dimension in ('all', 'customer_type')"
    queries = {
        "conversion": "select {cols} from mart_funnel_conversion where period_grain = 'quarter'"
        f" and {segments}{_cohort_filter(con)}",
        "dwell": "select {cols} from mart_stage_dwell where period_grain = 'quarter'"
        " and segment_dimension = 'all'",
        "win_rates": "select {cols} from mart_win_rates where period_grain = 'quarter'"
        f" and stage_code = 'all' and {segments} and won_count + lost_count > 0",
        "weighted_pipeline": "select {cols} from mart_forecast_vs_target"
        " where period_grain = 'quarter' and segment_dimension = 'all' and open_count > 0",
    }
    try:
        return {
            table: con.execute(sql.format(cols=_columns(table))).df()
            for table, sql in queries.items()
        }
    finally:
        con.close()


def _normalised(frame: pd.DataFrame, table: str) -> pd.DataFrame:
    keys, metrics = TABLES[table]
    out = frame[[*keys, *metrics]].copy()
    for key in keys:
        if key == "period_start":
            out[key] = pd.to_datetime(out[key]).dt.strftime("%Y-%m-%d")
        else:
            out[key] = out[key].astype(str)
    for metric in metrics:
        out[metric] = pd.to_numeric(out[metric].astype(object), errors="coerce").astype(float)
    return out.set_index(list(keys)).sort_index()


@dataclass(frozen=True)
class Difference:
    table: str
    key: tuple[str, ...]
    column: str
    expected: float | None
    actual: float | None

    def __str__(self) -> str:
        return f"{self.table} {self.key} {self.column}: {self.expected} != {self.actual}"


def _close(expected: float, actual: float, column: str) -> bool:
    if math.isnan(expected) or math.isnan(actual):
        return math.isnan(expected) and math.isnan(actual)
    # amounts are decimals in the marts and floats in pandas: a cent of rounding is equal
    absolute = 0.011 if column in AMOUNT_COLUMNS else 1e-9
    return abs(expected - actual) <= max(absolute, 1e-9 * abs(expected))


def _key(key: object) -> tuple[str, ...]:
    return tuple(map(str, key)) if isinstance(key, tuple) else (str(key),)


def compare(expected: dict[str, pd.DataFrame], actual: dict[str, pd.DataFrame]) -> list[Difference]:
    """Every key present on one side only, and every metric beyond tolerance."""
    differences: list[Difference] = []
    for table in TABLES:
        left, right = _normalised(expected[table], table), _normalised(actual[table], table)
        for key in left.index.symmetric_difference(right.index):
            where = "expected only" if key in left.index else "actual only"
            differences.append(Difference(table, _key(key), where, None, None))
        for key in left.index.intersection(right.index):
            for column in TABLES[table][1]:
                a, b = float(left.at[key, column]), float(right.at[key, column])
                if not _close(a, b, column):
                    differences.append(Difference(table, _key(key), column, a, b))
    return differences
