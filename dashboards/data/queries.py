"""Read-only queries against the published snapshot: the only dashboard code that touches DuckDB.

Rules kept here:
- every query opens the snapshot with ``read_only=True``, runs once, and closes the connection;
- every filter value is bound with ``?`` parameters, never formatted into SQL text;
- results are cached with ``st.cache_data`` keyed on the snapshot path plus the parameters, so a
  new publish (new snapshot file) never serves stale data; connections are never cached;
- the marts already hold the counts and rates: rows are selected, nothing is re-aggregated;
- every query runs within the current user's row-level scope (``scope.py``): ``_read`` shadows
  the snapshot's tables with views of the rows the user may see, and the scope is part of the
  cache key, so no page, drill-down or CSV export can read another team's rows.

Each public function takes an optional keyword ``snapshot``; a page resolves the snapshot once per
run and passes it to every query so one render never mixes two publishes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final
from zoneinfo import ZoneInfo

import duckdb
import pandas as pd
import streamlit as st

from . import identity
from .scope import Scope, scoped_connection
from .snapshot import Snapshot, SnapshotError, current_snapshot

GRAINS: Final[tuple[str, ...]] = ("month", "quarter", "week", "year")
SEGMENT_DIMENSIONS: Final[tuple[str, ...]] = (
    "all",
    "customer_type",
    "tier",
    "region",
    "product_category",
    "opportunity_type",
)
# The funnel marts (mart_funnel_conversion, mart_stage_dwell, mart_stage_skips) also cut by team,
# attributed to the owner's team when the deal entered the stage (see the marts' YAML).
FUNNEL_DIMENSIONS: Final[tuple[str, ...]] = (*SEGMENT_DIMENSIONS, "team")
PROCESSES: Final[tuple[str, ...]] = ("standard", "renewal")
# mart_funnel_conversion readings (contract 1): cohort of first entry or period flow; a stage
# passed when any later stage is reached or only when the next one is.
FUNNEL_METHODS: Final[tuple[str, ...]] = ("cohort", "flow")
FUNNEL_KINDS: Final[tuple[str, ...]] = ("any_stage", "strict")
_DEFAULT_READING: Final[str] = "funnel_method = 'cohort' AND funnel_kind = 'any_stage'"
_MAX_ENTRIES: Final[int] = 512


def _text_key(value: str) -> bytes:
    """Cache-key bytes of a text argument; a lone surrogate (not UTF-8) must not break hashing."""
    return value.encode("utf-8", "surrogatepass")


# Every query's cache: keyed on the Source (snapshot file + scope) and the parameters.
_cached = st.cache_data(show_spinner=False, max_entries=_MAX_ENTRIES, hash_funcs={str: _text_key})

_FILTER = (
    "period_grain = ? AND period_start = ? AND segment_dimension = ? AND segment_value = ?"
    " AND sales_process = ?"
)


@dataclass(frozen=True)
class Source:
    """What a cached query reads: one snapshot file as seen by one scope (the cache key)."""

    path: str
    scope: Scope


def _read(source: Source, sql: str, params: Sequence[object] = ()) -> pd.DataFrame:
    """Run one parameterised query on a short-lived read-only connection, within the scope.

    The only place a dashboard query reaches DuckDB: the connection's tables are replaced by
    views of the rows ``source.scope`` may see before ``sql`` runs (``scope.scoped_connection``).
    """
    if not Path(source.path).is_file():
        raise SnapshotError(f"The published snapshot {source.path} is gone; reload the page.")
    con = duckdb.connect(source.path, read_only=True)
    try:
        scoped_connection(con, source.scope)
        return con.execute(sql, [_bindable(p) for p in params]).df()
    finally:
        con.close()


def _bindable(value: object) -> object:
    """``value``, or NULL for text that is not valid UTF-8 (e.g. a lone surrogate).

    DuckDB text is always UTF-8, so such a value equals no stored value; bound as NULL, every
    ``column = ?`` it is used in is false and the query returns "no match" instead of failing.
    """
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return None
    return value


def _snap(snapshot: Snapshot | None) -> Snapshot:
    return snapshot if snapshot is not None else current_snapshot()


def _source(snapshot: Snapshot | None) -> Source:
    """The snapshot's file read with the current user's scope (``identity.current_scope``)."""
    return Source(_snap(snapshot).cache_key, identity.current_scope())


def _as_date(value: dt.date | str) -> dt.date:
    """Accept a date (or datetime / pandas Timestamp) or an ISO ``YYYY-MM-DD`` string."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        return dt.date.fromisoformat(value)  # ValueError for anything that is not a date
    raise TypeError(f"period_start must be a date, got {type(value).__name__}")


# ---------------------------------------------------------------------------- publish info


@dataclass(frozen=True)
class PublishInfo:
    refresh_id: str
    as_of_date: dt.date
    published_at: dt.datetime  # timezone-aware, UTC
    run_started_at: dt.datetime | None
    duration_seconds: float | None

    def published_at_local(self, tz: str = "Asia/Shanghai") -> dt.datetime:
        return self.published_at.astimezone(ZoneInfo(tz))


@_cached
def _publish_info(source: Source) -> pd.DataFrame:
    return _read(
        source,
        "SELECT refresh_id, as_of_date, published_at, run_started_at, duration_seconds"
        " FROM _publish_info ORDER BY published_at DESC LIMIT 1",
    )


def _utc(value: object) -> dt.datetime | None:
    if not isinstance(value, (dt.datetime, dt.date, str)) or pd.isna(value):
        return None  # None, NaT, NaN
    ts = pd.Timestamp(value)
    ts = ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")
    result: dt.datetime = ts.to_pydatetime()
    return result


def publish_info(*, snapshot: Snapshot | None = None) -> PublishInfo:
    """The snapshot's ``_publish_info`` row (as-of date, publish time, run duration)."""
    df = _publish_info(_source(snapshot))
    if df.empty:
        raise SnapshotError("The published snapshot has no _publish_info row.")
    row = df.iloc[0]
    published_at = _utc(row["published_at"])
    if published_at is None:
        raise SnapshotError("The published snapshot has no publish time.")
    duration = row["duration_seconds"]
    return PublishInfo(
        refresh_id=str(row["refresh_id"]),
        as_of_date=pd.Timestamp(row["as_of_date"]).date(),
        published_at=published_at,
        run_started_at=_utc(row["run_started_at"]),
        duration_seconds=None if pd.isna(duration) else float(duration),
    )


# ---------------------------------------------------------------------------- filter options


@dataclass(frozen=True)
class FunnelOptions:
    """Distinct filter combinations present in ``mart_funnel_conversion``."""

    combos: pd.DataFrame  # period_grain, period_start, segment_dimension, segment_value, process

    @property
    def empty(self) -> bool:
        return bool(self.combos.empty)

    def grains(self) -> list[str]:
        present = set(self.combos["period_grain"])
        return [g for g in GRAINS if g in present] + sorted(present - set(GRAINS))

    def periods(self, grain: str) -> list[dt.date]:
        """Period starts for ``grain``, latest first."""
        rows = self.combos.loc[self.combos["period_grain"] == grain, "period_start"]
        return sorted({pd.Timestamp(p).date() for p in rows}, reverse=True)

    def dimensions(self) -> list[str]:
        """The segment dimensions the funnel mart has rows of (for a scoped user, only the
        granted ones: e.g. just ``team`` for a team manager)."""
        present = set(self.combos["segment_dimension"])
        known = [d for d in FUNNEL_DIMENSIONS if d in present]
        return known + sorted(present - set(FUNNEL_DIMENSIONS))

    def values(self, dimension: str) -> list[str]:
        rows = self.combos.loc[self.combos["segment_dimension"] == dimension, "segment_value"]
        return sorted(set(rows), key=lambda v: (v != "all", v))

    def processes(self) -> list[str]:
        present = set(self.combos["sales_process"])
        return [p for p in PROCESSES if p in present] + sorted(present - set(PROCESSES))


@_cached
def _funnel_options(source: Source) -> pd.DataFrame:
    return _read(
        source,
        "SELECT DISTINCT period_grain, period_start, segment_dimension, segment_value,"
        " sales_process FROM mart_funnel_conversion"
        f" WHERE {_DEFAULT_READING}"
        " ORDER BY period_grain, period_start, segment_dimension, segment_value, sales_process",
    )


def funnel_options(*, snapshot: Snapshot | None = None) -> FunnelOptions:
    """Available grains, periods, segment dimensions/values and sales processes."""
    return FunnelOptions(_funnel_options(_source(snapshot)))


# ---------------------------------------------------------------------------- funnel marts


@_cached
def _funnel_conversion(
    source: Source,
    grain: str,
    period_start: dt.date,
    dimension: str,
    value: str,
    process: str,
    method: str,
    kind: str,
) -> pd.DataFrame:
    return _read(
        source,
        "SELECT from_stage, to_stage, from_stage_order, entered_count, advanced_count,"
        " skipped_count, lost_count, open_count, conversion_rate, resolved_conversion_rate,"
        " benchmark_rate,"
        " CASE WHEN conversion_rate IS NULL OR benchmark_rate IS NULL THEN NULL"
        " ELSE conversion_rate < benchmark_rate END AS below_benchmark,"
        " entered_amount, advanced_amount"
        f" FROM mart_funnel_conversion WHERE {_FILTER}"
        " AND funnel_method = ? AND funnel_kind = ? ORDER BY from_stage_order",
        [grain, period_start, dimension, value, process, method, kind],
    )


def funnel_conversion(
    grain: str,
    period_start: dt.date | str,
    dimension: str,
    value: str,
    process: str,
    method: str = "cohort",
    kind: str = "any_stage",
    *,
    snapshot: Snapshot | None = None,
) -> pd.DataFrame:
    """One row per stage transition of one reading, ordered by ``from_stage_order``.

    ``method`` is 'cohort' or 'flow' and ``kind`` 'any_stage' or 'strict' (contract 1); flow
    rows may have null lost/open counts.

    Columns: from_stage, to_stage, from_stage_order, entered/advanced/skipped/lost/open_count,
    conversion_rate, resolved_conversion_rate, benchmark_rate, below_benchmark (bool or null),
    entered_amount, advanced_amount. Unknown filter values give an empty frame.
    """
    return _funnel_conversion(
        _source(snapshot),
        grain,
        _as_date(period_start),
        dimension,
        value,
        process,
        method,
        kind,
    )


@_cached
def _stage_dwell(
    source: Source, grain: str, period_start: dt.date, dimension: str, value: str, process: str
) -> pd.DataFrame:
    return _read(
        source,
        "SELECT d.stage_code, d.stage_order, d.completed_visits, d.mean_days, d.median_days,"
        " d.p90_days, d.open_visits, d.open_median_age_days, s.sla_days,"
        " CASE WHEN d.median_days IS NULL OR s.sla_days IS NULL THEN NULL"
        " ELSE d.median_days > s.sla_days END AS median_over_sla"
        " FROM mart_stage_dwell AS d LEFT JOIN dim_stages AS s"
        " ON s.sales_process = d.sales_process AND s.stage_code = d.stage_code"
        " WHERE d.period_grain = ? AND d.period_start = ? AND d.segment_dimension = ?"
        " AND d.segment_value = ? AND d.sales_process = ? ORDER BY d.stage_order",
        [grain, period_start, dimension, value, process],
    )


def stage_dwell(
    grain: str,
    period_start: dt.date | str,
    dimension: str,
    value: str,
    process: str,
    *,
    snapshot: Snapshot | None = None,
) -> pd.DataFrame:
    """Days in stage (calendar days) per stage, ordered by ``stage_order``.

    Columns: stage_code, stage_order, completed_visits, mean_days, median_days, p90_days,
    open_visits, open_median_age_days, sla_days, median_over_sla (bool or null).
    """
    return _stage_dwell(_source(snapshot), grain, _as_date(period_start), dimension, value, process)


@_cached
def _stage_skips(
    source: Source, grain: str, period_start: dt.date, dimension: str, value: str, process: str
) -> pd.DataFrame:
    return _read(
        source,
        "SELECT opportunities, skipping_opportunities, skip_share"
        f" FROM mart_stage_skips WHERE {_FILTER}",
        [grain, period_start, dimension, value, process],
    )


def stage_skips(
    grain: str,
    period_start: dt.date | str,
    dimension: str,
    value: str,
    process: str,
    *,
    snapshot: Snapshot | None = None,
) -> pd.DataFrame:
    """The stage-skip share of the opportunities created in the period: zero or one row.

    Columns: opportunities (created in the period and moved stage at least once),
    skipping_opportunities (of those, skipped a stage at least once), skip_share (fraction).
    """
    return _stage_skips(_source(snapshot), grain, _as_date(period_start), dimension, value, process)


@_cached
def _stages(source: Source, process: str) -> pd.DataFrame:
    return _read(
        source,
        "SELECT stage_code, stage_order, stage_name_zh, stage_name_en, win_probability,"
        " sla_days, is_won_stage FROM dim_stages WHERE sales_process = ? ORDER BY stage_order",
        [process],
    )


def stages(process: str, *, snapshot: Snapshot | None = None) -> pd.DataFrame:
    """The stages of ``process`` from ``dim_stages``, ordered by ``stage_order``."""
    return _stages(_source(snapshot), process)


# ---------------------------------------------------------------------- forecast and targets

FORECAST_COLUMNS: Final[tuple[str, ...]] = (
    "period_grain",
    "period_start",
    "segment_dimension",
    "segment_value",
    "won_count",
    "won_amount",
    "open_count",
    "open_pipeline_amount",
    "weighted_configured_amount",
    "weighted_empirical_amount",
    "target_amount",
    "attainment_rate",
    "projected_configured_amount",
    "projected_empirical_amount",
    "projected_configured_attainment_rate",
    "projected_empirical_attainment_rate",
    "gap_configured_amount",
    "gap_empirical_amount",
    "pipeline_coverage_ratio",
    "model_scored_count",
    "weighted_model_amount",
    "projected_model_amount",
    "projected_model_attainment_rate",
    "gap_model_amount",
    "model_version",
)


@_cached
def _forecast_options(source: Source) -> pd.DataFrame:
    return _read(
        source,
        "SELECT DISTINCT period_grain, period_start, segment_dimension"
        " FROM mart_forecast_vs_target ORDER BY period_grain, period_start, segment_dimension",
    )


def forecast_options(*, snapshot: Snapshot | None = None) -> pd.DataFrame:
    """Distinct (period_grain, period_start, segment_dimension) of ``mart_forecast_vs_target``."""
    return _forecast_options(_source(snapshot))


@_cached
def _forecast_vs_target(source: Source, grain: str, dimension: str) -> pd.DataFrame:
    return _read(
        source,
        f"SELECT {_select_list(source, 'mart_forecast_vs_target', FORECAST_COLUMNS)}"
        " FROM mart_forecast_vs_target"
        " WHERE period_grain = ? AND segment_dimension = ?"
        " ORDER BY period_start DESC, segment_value",
        [grain, dimension],
    )


def forecast_vs_target(
    grain: str, dimension: str, *, snapshot: Snapshot | None = None
) -> pd.DataFrame:
    """Every period of ``grain`` for one segment dimension, latest period first.

    Columns: ``FORECAST_COLUMNS`` as in the mart (rates are fractions, null without a target;
    the model method's columns are null when the model declined or did not score every open
    opportunity of the row, and in a snapshot published before the model method existed).
    """
    return _forecast_vs_target(_source(snapshot), grain, dimension)


@_cached
def _win_rates(source: Source, grain: str, dimension: str, value: str) -> pd.DataFrame:
    return _read(
        source,
        "SELECT period_start, sales_process, won_count, lost_count, win_rate,"
        " median_sales_cycle_days FROM mart_win_rates"
        " WHERE period_grain = ? AND segment_dimension = ? AND segment_value = ?"
        " AND stage_code = 'all' ORDER BY period_start DESC, sales_process",
        [grain, dimension, value],
    )


def win_rates(
    grain: str,
    dimension: str = "all",
    value: str = "all",
    *,
    snapshot: Snapshot | None = None,
) -> pd.DataFrame:
    """Win rate and median sales cycle (stage_code 'all') of one segment per period and sales
    process, latest first."""
    return _win_rates(_source(snapshot), grain, dimension, value)


# --------------------------------------------------------------------------------- alerts

ALERT_COLUMNS: Final[tuple[str, ...]] = (
    "alert_id",
    "alert_type",
    "severity",
    "severity_rank",
    "alert_rank",
    "priority_score",
    "segment_dimension",
    "segment_value",
    "period_start",
    "sales_process",
    "stage_code",
    "to_stage",
    "opportunity_id",
    "owner_id",
    "escalation_level",
    "measured_value",
    "standard_value",
    "standard_source",
    "days_over_sla",
    "due_date",
    "opportunity_count",
    "detail",
    "detail_zh",
)


@_cached
def _alerts(source: Source) -> pd.DataFrame:
    return _read(
        source,
        f"SELECT {', '.join(f'a.{c}' for c in ALERT_COLUMNS)}{_score_columns(source)}"
        f" FROM mart_bottleneck_alerts AS a{_score_join(source, 'a')}"
        " ORDER BY a.severity_rank DESC, a.priority_score DESC NULLS LAST, a.alert_type,"
        " a.alert_rank",
    )


def alerts(*, snapshot: Snapshot | None = None) -> pd.DataFrame:
    """Every alert of the as-of date, most severe first (``ALERT_COLUMNS``), with the
    win-probability score of the opportunity it names (``SCORE_COLUMNS``, null without one)."""
    return _alerts(_source(snapshot))


@_cached
def _alert_opportunities(source: Source, alert_id: str) -> pd.DataFrame:
    return _read(
        source,
        f"SELECT a.opportunity_id AS alert_member, a.member_role, {_OPPORTUNITY_COLUMNS}"
        f"{_score_columns(source)}"
        " FROM fct_alert_opportunities AS a LEFT JOIN dim_opportunities AS o"
        f" ON o.opportunity_id = a.opportunity_id{_STAGE_NAMES}{_score_join(source, 'a')}"
        " WHERE a.alert_id = ? ORDER BY a.member_role, a.opportunity_id",
        [alert_id],
    )


def alert_opportunities(alert_id: str, *, snapshot: Snapshot | None = None) -> pd.DataFrame:
    """The opportunities behind one alert, with their ``dim_opportunities`` attributes and
    win-probability scores."""
    return _alert_opportunities(_source(snapshot), alert_id)


# ------------------------------------------------------------------ conversion and dwell


@_cached
def _conversion_by_segment(
    source: Source, grain: str, period_start: dt.date, dimension: str, process: str
) -> pd.DataFrame:
    return _read(
        source,
        "SELECT segment_value, from_stage, to_stage, from_stage_order, entered_count,"
        " advanced_count, conversion_rate, benchmark_rate, meets_minimum_count"
        " FROM mart_funnel_conversion WHERE period_grain = ? AND period_start = ?"
        " AND segment_dimension = ? AND sales_process = ?"
        f" AND {_DEFAULT_READING} ORDER BY from_stage_order, segment_value",
        [grain, period_start, dimension, process],
    )


def conversion_by_segment(
    grain: str,
    period_start: dt.date | str,
    dimension: str,
    process: str,
    *,
    snapshot: Snapshot | None = None,
) -> pd.DataFrame:
    """Every segment value of ``dimension`` × transition of one cohort period (heatmap input).

    Columns: segment_value, from_stage, to_stage, from_stage_order, entered_count,
    advanced_count, conversion_rate, benchmark_rate, meets_minimum_count.
    """
    return _conversion_by_segment(
        _source(snapshot), grain, _as_date(period_start), dimension, process
    )


@_cached
def _dwell_by_segment(
    source: Source, grain: str, period_start: dt.date, dimension: str, process: str
) -> pd.DataFrame:
    return _read(
        source,
        "SELECT segment_value, stage_code, stage_order, completed_visits, median_days,"
        " median_business_days FROM mart_stage_dwell WHERE period_grain = ?"
        " AND period_start = ? AND segment_dimension = ? AND sales_process = ?"
        " ORDER BY stage_order, segment_value",
        [grain, period_start, dimension, process],
    )


def dwell_by_segment(
    grain: str,
    period_start: dt.date | str,
    dimension: str,
    process: str,
    *,
    snapshot: Snapshot | None = None,
) -> pd.DataFrame:
    """Every segment value of ``dimension`` × stage of one entry period (heatmap input).

    Columns: segment_value, stage_code, stage_order, completed_visits, median_days (calendar),
    median_business_days.
    """
    return _dwell_by_segment(_source(snapshot), grain, _as_date(period_start), dimension, process)


@_cached
def _conversion_trend(
    source: Source,
    grain: str,
    start: dt.date,
    end: dt.date,
    dimension: str,
    value: str,
    process: str,
    from_stage: str,
) -> pd.DataFrame:
    return _read(
        source,
        "SELECT period_start, entered_count, advanced_count, conversion_rate, benchmark_rate,"
        " is_mature FROM mart_funnel_conversion WHERE period_grain = ?"
        " AND period_start BETWEEN ? AND ? AND segment_dimension = ? AND segment_value = ?"
        " AND sales_process = ? AND from_stage = ?"
        f" AND {_DEFAULT_READING} ORDER BY period_start",
        [grain, start, end, dimension, value, process, from_stage],
    )


def conversion_trend(
    grain: str,
    start: dt.date | str,
    end: dt.date | str,
    dimension: str,
    value: str,
    process: str,
    from_stage: str,
    *,
    snapshot: Snapshot | None = None,
) -> pd.DataFrame:
    """One transition's cohort conversion per period starting in [start, end], oldest first.

    Columns: period_start, entered_count, advanced_count, conversion_rate, benchmark_rate,
    is_mature.
    """
    return _conversion_trend(
        _source(snapshot),
        grain,
        _as_date(start),
        _as_date(end),
        dimension,
        value,
        process,
        from_stage,
    )


# ----------------------------------------------------------------------------- data health

AUDIT_TABLES: Final[tuple[str, ...]] = (
    "_load_log",
    "_quarantine",
    "_check_results",
    "_alert_deliveries",
)


@_cached
def _present_tables(source: Source) -> frozenset[str]:
    found = _read(
        source,
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'",
    )
    return frozenset(str(name) for name in found["table_name"])


def has_table(name: str, *, snapshot: Snapshot | None = None) -> bool:
    """Whether the snapshot publishes ``name`` (the audit tables are optional)."""
    return name in _present_tables(_source(snapshot))


@_cached
def _load_log(source: Source) -> pd.DataFrame:
    return _read(
        source,
        "SELECT family, source_file, status, rows_read, rows_loaded, rows_quarantined,"
        " loaded_at, message FROM _load_log ORDER BY loaded_at DESC, family, source_file",
    )


def load_log(*, snapshot: Snapshot | None = None) -> pd.DataFrame:
    """One row per export file version loaded so far (``_load_log``), latest first."""
    return _load_log(_source(snapshot))


@_cached
def _quarantine_reasons(source: Source) -> pd.DataFrame:
    return _read(
        source,
        "SELECT source_file, reason_code, column_name, count(*) AS rows, min(message) AS example"
        " FROM _quarantine GROUP BY source_file, reason_code, column_name"
        " ORDER BY rows DESC, source_file, reason_code, column_name",
    )


def quarantine_reasons(*, snapshot: Snapshot | None = None) -> pd.DataFrame:
    """Quarantined rows per file, reason and column with one example message (``_quarantine``).

    Only call when ``has_table("_quarantine")``.
    """
    return _quarantine_reasons(_source(snapshot))


@_cached
def _audit_rows(source: Source, table: str) -> pd.DataFrame:
    if table not in AUDIT_TABLES:  # table names cannot be bound: only the known ones
        raise ValueError(f"not an audit table: {table!r}")
    return _read(source, f"SELECT * FROM {table}")


def check_results(*, snapshot: Snapshot | None = None) -> pd.DataFrame:
    """Every row of ``_check_results`` (contract 4); only call when the table is present."""
    return _audit_rows(_source(snapshot), "_check_results")


def alert_deliveries(*, snapshot: Snapshot | None = None) -> pd.DataFrame:
    """Every row of ``_alert_deliveries`` (contract 5); only call when the table is present."""
    return _audit_rows(_source(snapshot), "_alert_deliveries")


# ------------------------------------------------------------------------ pipeline and misc


@_cached
def _currencies(source: Source) -> pd.DataFrame:
    return _read(
        source,
        "SELECT DISTINCT currency FROM dim_opportunities WHERE currency IS NOT NULL"
        " ORDER BY currency",
    )


def currencies(*, snapshot: Snapshot | None = None) -> list[str]:
    """The currencies the opportunities are exported in (amounts are summed as exported)."""
    return [str(c) for c in _currencies(_source(snapshot))["currency"]]


@_cached
def _new_pipeline(source: Source, grain: str, dimension: str, value: str) -> pd.DataFrame:
    return _read(
        source,
        "SELECT period_start, created_amount FROM mart_pipeline_waterfall"
        " WHERE period_grain = ? AND segment_dimension = ? AND segment_value = ?"
        " ORDER BY period_start DESC",
        [grain, dimension, value],
    )


def new_pipeline(
    grain: str, dimension: str, value: str, *, snapshot: Snapshot | None = None
) -> pd.DataFrame:
    """Amount created per period (``mart_pipeline_waterfall.created_amount``), latest first."""
    return _new_pipeline(_source(snapshot), grain, dimension, value)


# ------------------------------------------------------------------------------ drill-down

# Segment dimensions that are also columns of dim_opportunities / fct_stage_visits. Column
# names cannot be bound as parameters: only these known names are ever put into SQL text.
_SEGMENT_COLUMNS: Final[frozenset[str]] = frozenset(
    {"customer_type", "tier", "region", "product_category", "opportunity_type", "team"}
)
_OPPORTUNITY_COLUMNS: Final[str] = (
    "o.opportunity_id, o.opportunity_name, o.account_name, o.owner_name, o.team,"
    " o.current_stage, o.status, o.amount, o.currency, o.expected_close_date,"
    " s.stage_name_zh AS current_stage_zh, s.stage_name_en AS current_stage_en"
)
# The current stage's names, for the drill-down lists (``o`` is dim_opportunities).
_STAGE_NAMES: Final[str] = (
    " LEFT JOIN dim_stages AS s"
    " ON s.sales_process = o.sales_process AND s.stage_code = o.current_stage"
)
# What a period's number counts, as a condition on dim_opportunities ``o``; each takes the
# grain and the period start. They follow the marts' definitions: won and closed by closed
# date, new pipeline by created date, open pipeline by expected close date.
PERIOD_MEASURES: Final[dict[str, str]] = {
    "won": "o.status = 'won' AND date_trunc(?, o.closed_date) = ?",
    "closed": "o.status IN ('won', 'lost') AND date_trunc(?, o.closed_date) = ?",
    "created": "date_trunc(?, o.created_at) = ?",
    "open": "o.status = 'open' AND date_trunc(?, o.expected_close_date) = ?",
}


def _check_grain(grain: str) -> None:
    """``date_trunc`` takes the grain as a bound value but fails on an unknown one: refuse it."""
    if grain not in GRAINS:
        raise ValueError(f"unknown period grain {grain!r}; expected one of {list(GRAINS)}")


def _segment_filter(alias: str, dimension: str, value: str) -> tuple[str, list[object]]:
    """``AND <alias>.<dimension> = ?`` for a known dimension; nothing for 'all'."""
    if dimension == "all":
        return "", []
    if dimension not in _SEGMENT_COLUMNS:
        raise ValueError(f"cannot list opportunities by segment dimension {dimension!r}")
    return f" AND {alias}.{dimension} = ?", [value]


@_cached
def _period_opportunities(
    source: Source, measure: str, grain: str, period_start: dt.date, dimension: str, value: str
) -> pd.DataFrame:
    if measure not in PERIOD_MEASURES:
        raise ValueError(f"unknown measure {measure!r}; expected one of {sorted(PERIOD_MEASURES)}")
    _check_grain(grain)
    segment, segment_params = _segment_filter("o", dimension, value)
    return _read(
        source,
        f"SELECT {_OPPORTUNITY_COLUMNS}{_score_columns(source)}"
        f" FROM dim_opportunities AS o{_STAGE_NAMES}{_score_join(source)}"
        f" WHERE {PERIOD_MEASURES[measure]}{segment}"
        " ORDER BY o.amount DESC NULLS LAST, o.opportunity_id",
        [grain, period_start, *segment_params],
    )


def period_opportunities(
    measure: str,
    grain: str,
    period_start: dt.date | str,
    dimension: str,
    value: str,
    *,
    snapshot: Snapshot | None = None,
) -> pd.DataFrame:
    """The opportunities behind a period number (``PERIOD_MEASURES``), largest amount first,
    with their win-probability scores (``SCORE_COLUMNS``)."""
    return _period_opportunities(
        _source(snapshot), measure, grain, _as_date(period_start), dimension, value
    )


@_cached
def _stage_entrants(
    source: Source,
    grain: str,
    period_start: dt.date,
    dimension: str,
    value: str,
    process: str,
    stage_code: str,
) -> pd.DataFrame:
    _check_grain(grain)
    # team as the funnel marts attribute it: the owner's team when the visit began
    alias = "v" if dimension == "team" else "o"
    segment, segment_params = _segment_filter(alias, dimension, value)
    return _read(
        source,
        f"SELECT {_OPPORTUNITY_COLUMNS}, v.entered_at, v.exited_at, v.days_in_stage"
        f"{_score_columns(source)}"
        " FROM fct_stage_visits AS v JOIN dim_opportunities AS o"
        f" ON o.opportunity_id = v.opportunity_id{_STAGE_NAMES}{_score_join(source)}"
        " WHERE v.visit_number = 1 AND v.sales_process = ? AND v.stage_code = ?"
        f" AND date_trunc(?, v.entered_at) = ?{segment}"
        " ORDER BY v.entered_at, o.opportunity_id",
        [process, stage_code, grain, period_start, *segment_params],
    )


def stage_entrants(
    grain: str,
    period_start: dt.date | str,
    dimension: str,
    value: str,
    process: str,
    stage_code: str,
    *,
    snapshot: Snapshot | None = None,
) -> pd.DataFrame:
    """Opportunities whose first visit of ``stage_code`` began in the period (fct_stage_visits).

    The funnel's entered count also includes those that skipped past the stage; they have no
    visit of it and are not listed here. For dimension ``team`` the visit's team
    (``fct_stage_visits.team``, the owner's team when the visit began) is matched, as the
    funnel marts attribute teams; the list column ``team`` is the current one. With their
    win-probability scores (``SCORE_COLUMNS``).
    """
    return _stage_entrants(
        _source(snapshot),
        grain,
        _as_date(period_start),
        dimension,
        value,
        process,
        stage_code,
    )


# -------------------------------------------------------------------- win-probability scores

SCORES_TABLE: Final[str] = "fct_opportunity_scores"
# The score columns every opportunity list carries (fct_opportunity_scores): P(won) as a
# fraction, the top factors in both languages, the model version. Null for an opportunity
# without a score: closed by the as-of date, or the model declined.
SCORE_COLUMNS: Final[tuple[str, ...]] = (
    "win_probability",
    "top_factors_zh",
    "top_factors_en",
    "model_version",
)
_SCORE_TYPES: Final[dict[str, str]] = {
    "win_probability": "DOUBLE",
    "top_factors_zh": "VARCHAR",
    "top_factors_en": "VARCHAR",
    "model_version": "VARCHAR",
}


@_cached
def _table_columns(source: Source, table: str) -> frozenset[str]:
    found = _read(
        source,
        "SELECT column_name FROM information_schema.columns"
        " WHERE table_schema = 'main' AND table_name = ?",
        [table],
    )
    return frozenset(str(name) for name in found["column_name"])


def _select_list(source: Source, table: str, columns: Sequence[str]) -> str:
    """``columns`` for a SELECT on ``table``, a NULL for each one a snapshot published before
    the column existed lacks (only known column names ever reach the SQL text)."""
    present = _table_columns(source, table)
    return ", ".join(c if c in present else f"NULL AS {c}" for c in columns)


def _score_columns(source: Source) -> str:
    """``, sc.win_probability, ...``; typed NULLs when the snapshot predates the scores."""
    if SCORES_TABLE in _present_tables(source):
        return "".join(f", sc.{c}" for c in SCORE_COLUMNS)
    return "".join(f", CAST(NULL AS {_SCORE_TYPES[c]}) AS {c}" for c in SCORE_COLUMNS)


def _score_join(source: Source, alias: str = "o") -> str:
    """The left join of each listed opportunity (``<alias>.opportunity_id``) to its score."""
    if SCORES_TABLE not in _present_tables(source):
        return ""
    return f" LEFT JOIN {SCORES_TABLE} AS sc ON sc.opportunity_id = {alias}.opportunity_id"


ACCURACY_COLUMNS: Final[tuple[str, ...]] = (
    "forecast_method",
    "period_start",
    "period_end",
    "forecast_snapshot_date",
    "forecast_amount",
    "actual_won_amount",
    "error_rate",
    "mape_rate",
    "bias_rate",
    "evaluated_period_count",
    "model_version",
)
FORECAST_METHODS: Final[tuple[str, ...]] = ("configured", "empirical", "model")


@_cached
def _forecast_accuracy(source: Source, grain: str, dimension: str, value: str) -> pd.DataFrame:
    if "mart_forecast_accuracy" not in _present_tables(source):
        return pd.DataFrame(columns=list(ACCURACY_COLUMNS))
    columns = _select_list(source, "mart_forecast_accuracy", ACCURACY_COLUMNS)
    return _read(
        source,
        f"SELECT {columns} FROM mart_forecast_accuracy"
        " WHERE period_grain = ? AND segment_dimension = ? AND segment_value = ?"
        " ORDER BY period_start DESC, forecast_method",
        [grain, dimension, value],
    )


# ------------------------------------------------------------------ lead conversion (leads)

LEAD_COLUMNS: Final[tuple[str, ...]] = (
    "period_start",
    "lead_count",
    "converted_lead_count",
    "lead_conversion_rate",
    "median_lead_conversion_days",
)


@_cached
def _has_lead_rows(source: Source) -> bool:
    present = _read(
        source,
        "SELECT count(*) AS n FROM information_schema.columns WHERE table_schema = 'main'"
        " AND table_name = 'mart_win_rates' AND column_name = 'lead_count'",
    )
    if not int(present["n"].iloc[0]):  # a snapshot published before the lead columns
        return False
    rows = _read(source, "SELECT count(*) AS n FROM mart_win_rates WHERE lead_count IS NOT NULL")
    return bool(int(rows["n"].iloc[0]))


def leads_exported(*, snapshot: Snapshot | None = None) -> bool:
    """Whether the snapshot holds lead conversion rows (a leads export was loaded)."""
    return _has_lead_rows(_source(snapshot))


@_cached
def _lead_conversion(source: Source, grain: str, dimension: str, value: str) -> pd.DataFrame:
    if not _has_lead_rows(source):
        return pd.DataFrame(columns=list(LEAD_COLUMNS))
    return _read(
        source,
        f"SELECT {', '.join(LEAD_COLUMNS)} FROM mart_win_rates"
        " WHERE period_grain = ? AND segment_dimension = ? AND segment_value = ?"
        " AND sales_process = 'all' AND stage_code = 'all' AND lead_count IS NOT NULL"
        " ORDER BY period_start DESC",
        [grain, dimension, value],
    )


def forecast_accuracy(
    grain: str, dimension: str, value: str, *, snapshot: Snapshot | None = None
) -> pd.DataFrame:
    """Forecast accuracy history of one segment (``mart_forecast_accuracy``): one row per
    completed period × method (configured, empirical, model), latest period first.

    Columns: ``ACCURACY_COLUMNS``. A period whose start the model did not score has no model
    row; a model row may have a null forecast (an opportunity then open had no score).
    """
    return _forecast_accuracy(_source(snapshot), grain, dimension, value)


@_cached
def _model_status(source: Source) -> pd.DataFrame:
    if "_model_status" not in _present_tables(source):
        return pd.DataFrame(columns=["status", "model_version", "trained_on", "reason"])
    return _read(source, "SELECT status, model_version, trained_on, reason FROM _model_status")


def model_status(*, snapshot: Snapshot | None = None) -> pd.DataFrame:
    """The win-probability model's status of the refresh (``_model_status``: scored or
    declined, and why); empty when the snapshot has none or the user's scope hides it."""
    return _model_status(_source(snapshot))


def lead_conversion(
    grain: str, dimension: str, value: str, *, snapshot: Snapshot | None = None
) -> pd.DataFrame:
    """Lead -> opportunity conversion of the leads created per period (the lead rows of
    ``mart_win_rates``, segments 'all' and 'team' only), latest first; empty when no leads
    were exported (``leads_exported``). Columns: ``LEAD_COLUMNS``."""
    return _lead_conversion(_source(snapshot), grain, dimension, value)
