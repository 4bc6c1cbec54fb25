"""Great Expectations 1.x suites, built in code and run on pandas DataFrames.

The loader already quarantines rows that break the contract value by value, and dbt tests cover
keys, relationships and accepted values. GX covers the tables as a whole: the export contract on
the current version of every raw family, the CRM rules (history agrees with the current stage,
stage order, overdue open deals, late deals without an amount, freshness of each export), the
business rules on opportunities, and the published marts. Each result is also written to
``audit.check_results`` (``record_check``).
GX on DuckDB through SQLAlchemy is broken in 1.x, so each validation reads a DataFrame.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import duckdb
import great_expectations as gx
import great_expectations.expectations as gxe
import pandas as pd
from great_expectations.data_context.types.base import ProgressBarsConfig

from ingestion.contract import OPPORTUNITIES, STAGE_HISTORY, Family
from ingestion.loader import RAW_SCHEMA
from ingestion.stages import (
    STAGES_FILE,
    StageCatalog,
    create_rules_table,
    process_choice_sql,
    read_process_rules,
)
from ingestion.validation import TIMESTAMP_FORMATS
from orchestration.lib.settings import inbox_max_age_hours

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

# The newest version of each opportunity, with its values typed, as staging will see it.
CURRENT_OPPORTUNITIES_SQL = """
select opportunity_id, status, current_stage,
       try_cast(amount as double) as amount,
       try_strptime(created_at, ['%Y-%m-%d %H:%M:%S', '%Y-%m-%dT%H:%M:%S', '%Y-%m-%d %H:%M'])
           as created_at,
       try_cast(closed_date as date) as closed_date
from (
    select *, row_number() over (
        partition by opportunity_id order by _loaded_at desc, _source_file desc, _row_number desc
    ) as version_rank
    from raw.opportunities
)
where version_rank = 1
"""


@dataclass(frozen=True)
class ValidationOutcome:
    success: bool
    failures: list[str]
    evaluated: int


def opportunities_suite() -> list[gxe.Expectation]:
    return [
        gxe.ExpectTableRowCountToBeBetween(min_value=1),
        gxe.ExpectColumnValuesToBeUnique(column="opportunity_id"),
        gxe.ExpectColumnValuesToNotBeNull(column="current_stage"),
        gxe.ExpectColumnValuesToBeBetween(column="amount", min_value=0, max_value=1e11),
        # A deal cannot close before it was created.
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="closed_date_ts",
            column_B="created_day",
            or_equal=True,
            ignore_row_if="either_value_is_missing",
        ),
    ]


def prepare_opportunities(frame: pd.DataFrame) -> pd.DataFrame:
    """Add the day-level columns the date-order rule compares."""
    prepared = frame.copy()
    prepared["closed_date_ts"] = pd.to_datetime(prepared["closed_date"])
    prepared["created_day"] = pd.to_datetime(prepared["created_at"]).dt.normalize()
    return prepared


def validate(
    frame: pd.DataFrame, expectations: list[gxe.Expectation], name: str
) -> ValidationOutcome:
    """Validate a DataFrame in a fresh ephemeral context; returns the failed expectations."""
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    batch = (
        context.data_sources.add_pandas(f"{name}_source")
        .add_dataframe_asset(f"{name}_asset")
        .add_batch_definition_whole_dataframe(f"{name}_batch")
        .get_batch(batch_parameters={"dataframe": frame})
    )
    suite = gx.ExpectationSuite(name=f"{name}_suite", expectations=expectations)
    result = batch.validate(suite)
    failures = [
        f"{r.expectation_config.type} {r.expectation_config.kwargs.get('column', '')}: "
        f"{r.result.get('unexpected_count', r.result.get('observed_value', ''))} unexpected"
        for r in result.results
        if not r.success and r.expectation_config is not None
    ]
    return ValidationOutcome(bool(result.success), failures, len(result.results))


# --- suites for every raw family, the CRM rules and the published marts ---------------------

Frame = Callable[[duckdb.DuckDBPyConnection], pd.DataFrame]


@dataclass(frozen=True)
class Suite:
    """One validation: a frame read from the build database and the expectations it must meet.

    ``severity`` ERROR blocks everything downstream (the publish); WARN is reported only.
    """

    name: str
    description: str
    frame: Frame
    expectations: list[gxe.Expectation]
    severity: str = "ERROR"


def _current_version_sql(family: Family) -> str:
    """The newest loaded version of each key of a raw family, as staging will see it."""
    key = ", ".join(family.key)
    return f"""
        select {", ".join(family.column_names)} from (
            select *, row_number() over (
                partition by {key} order by _loaded_at desc, _source_file desc, _row_number desc
            ) as version_rank
            from raw.{family.name}
        ) where version_rank = 1
    """


def contract_suite(family: Family) -> Suite:
    """The export contract on the current version of every row: one row per key, required
    columns present, enum values allowed. The loader enforces it row by row; this checks the
    table as dbt will read it (across file versions too)."""
    expectations: list[gxe.Expectation] = [
        gxe.ExpectCompoundColumnsToBeUnique(column_list=list(family.key))
        if len(family.key) > 1
        else gxe.ExpectColumnValuesToBeUnique(column=family.key[0])
    ]
    for column in family.columns:
        if column.required:
            expectations.append(gxe.ExpectColumnValuesToNotBeNull(column=column.name))
        if column.type == "enum":
            expectations.append(
                gxe.ExpectColumnValuesToBeInSet(column=column.name, value_set=list(column.allowed))
            )
    sql = _current_version_sql(family)
    return Suite(
        name=f"gx_{family.name}_contract",
        description=f"Export contract on the current version of every raw.{family.name} row: "
        f"unique {'+'.join(family.key)}, required columns present, enum values allowed.",
        frame=lambda con: con.execute(sql).df(),
        expectations=expectations,
    )


def close_grace_days() -> int:
    """FUNNEL_CLOSE_GRACE_DAYS: how long an open deal may be past its expected close date."""
    return int(os.environ.get("FUNNEL_CLOSE_GRACE_DAYS") or "30")


def late_stage_probability() -> float:
    """FUNNEL_LATE_STAGE_PROBABILITY: a stage whose win probability is at least this is late."""
    return float(os.environ.get("FUNNEL_LATE_STAGE_PROBABILITY") or "0.6")


HISTORY_VS_CURRENT_SQL = f"""
with opportunities as ({_current_version_sql(OPPORTUNITIES)}),
history as ({_current_version_sql(STAGE_HISTORY)}),
latest as (
    select opportunity_id, arg_max(to_stage, try_strptime(changed_at, {TIMESTAMP_FORMATS}))
        as latest_to_stage
    from history group by 1
)
select o.opportunity_id, o.status, o.current_stage, l.latest_to_stage
from opportunities as o inner join latest as l using (opportunity_id)
"""


def history_agrees_with_current_stage() -> Suite:
    return Suite(
        name="gx_history_agrees_with_current_stage",
        description="For every opportunity with a stage history, the latest history row's "
        "to_stage is its current_stage (the marts follow the history; a disagreement means the "
        "two exports were taken at different times or one of them is wrong).",
        frame=lambda con: con.execute(HISTORY_VS_CURRENT_SQL).df(),
        expectations=[
            gxe.ExpectColumnPairValuesToBeEqual(
                column_A="current_stage",
                column_B="latest_to_stage",
                ignore_row_if="either_value_is_missing",
            )
        ],
        severity="WARN",
    )


def _stage_table(con: duckdb.DuckDBPyConnection, catalog: StageCatalog) -> None:
    rows = [(p, code, i + 1) for p, codes in catalog.items() for i, code in enumerate(codes)]
    con.execute("create or replace temp table _stage_orders (p varchar, s varchar, n integer)")
    if rows:
        con.executemany("insert into _stage_orders values (?, ?, ?)", rows)
    create_rules_table(con, catalog.rules)


# The process each current opportunity follows: its own, else the one the rules choose for a
# blank sales_process, as the loader and dbt do (ingestion.stages; needs ``_process_rules``).
_CURRENT_OPPORTUNITIES = f"({_current_version_sql(OPPORTUNITIES)})"
PROCESSES_SQL = f"""
    select o.*, c.sales_process as process
    from {_CURRENT_OPPORTUNITIES} as o
    inner join ({process_choice_sql(_CURRENT_OPPORTUNITIES, "opportunity_id")}) as c
        on c._k = o.opportunity_id
"""

STAGE_ORDER_SQL = f"""
with opportunities as (
    select * exclude (sales_process), process as sales_process from ({PROCESSES_SQL})
),
history as ({_current_version_sql(STAGE_HISTORY)}),
ordered as (
    select h.opportunity_id, h.to_stage, o.sales_process, so.n as stage_order,
        lag(so.n) over (
            partition by h.opportunity_id
            order by try_strptime(h.changed_at, {TIMESTAMP_FORMATS}), so.n
        ) as previous_order
    from history as h
    inner join opportunities as o using (opportunity_id)
    inner join _stage_orders as so on so.p = o.sales_process and so.s = h.to_stage
)
select opportunity_id, sales_process, to_stage, stage_order - previous_order as stages_moved
from ordered where previous_order is not null
"""


def stage_order_within_process(catalog: StageCatalog) -> Suite:
    def frame(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
        _stage_table(con, catalog)
        return con.execute(STAGE_ORDER_SQL).df()

    return Suite(
        name="gx_stage_order_within_process",
        description="Stage changes follow the process's stage order: no move back to an "
        "earlier stage of the same process (a reopened or mis-keyed deal). Backward moves are "
        "counted by the marts as direction 'backward'; this reports them.",
        frame=frame,
        expectations=[gxe.ExpectColumnValuesToBeBetween(column="stages_moved", min_value=0)],
        severity="WARN",
    )


def open_deals_not_overdue(as_of: date) -> Suite:
    grace = close_grace_days()
    sql = f"""
        select opportunity_id, expected_close_date,
            date_diff('day', try_cast(expected_close_date as date), ?::date) as days_overdue
        from ({_current_version_sql(OPPORTUNITIES)})
        where status = 'open' and try_cast(expected_close_date as date) is not null
    """
    return Suite(
        name="gx_open_deals_not_overdue",
        description=f"No open deal's expected close date is more than {grace} day(s) "
        "(FUNNEL_CLOSE_GRACE_DAYS) before the as-of date: such deals inflate the pipeline.",
        frame=lambda con: con.execute(sql, [as_of]).df(),
        expectations=[gxe.ExpectColumnValuesToBeBetween(column="days_overdue", max_value=grace)],
        severity="WARN",
    )


def late_stages(folder: Path, threshold: float) -> list[tuple[str, str]]:
    """(sales process, stage) pairs whose win probability is at least ``threshold``."""
    with (folder / STAGES_FILE).open(encoding="utf-8-sig", newline="") as handle:
        return [
            (r["sales_process"].strip(), r["stage_code"].strip())
            for r in csv.DictReader(handle)
            if (r.get("win_probability") or "").strip() and float(r["win_probability"]) >= threshold
        ]


def late_stage_deals_have_amount(folder: Path) -> Suite:
    threshold = late_stage_probability()

    def frame(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
        pairs = late_stages(folder, threshold)
        create_rules_table(con, read_process_rules(folder))
        current = con.execute(
            "select opportunity_id, process as sales_process, current_stage, status, "
            f"try_cast(amount as double) as amount from ({PROCESSES_SQL})"
        ).df()
        late = pd.DataFrame(pairs, columns=["sales_process", "current_stage"])
        return current[current.status == "open"].merge(late, on=["sales_process", "current_stage"])

    return Suite(
        name="gx_late_stage_deals_have_amount",
        description="Every open deal in a late stage (win probability at least "
        f"{threshold}, FUNNEL_LATE_STAGE_PROBABILITY) has an amount above zero: the forecast "
        "weights amounts, so a late deal without one is invisible in it.",
        frame=frame,
        expectations=[
            gxe.ExpectColumnValuesToNotBeNull(column="amount"),
            gxe.ExpectColumnValuesToBeBetween(column="amount", min_value=0, strict_min=True),
        ],
        severity="WARN",
    )


def export_freshness(family: Family, now: datetime) -> Suite:
    # the inbox freshness check's window (orchestration/lib/freshness.py), per family here
    limit = inbox_max_age_hours()
    sql = f"""
        select family, date_diff('second', max(loaded_at), ?::timestamp) / 3600.0 as age_hours
        from {RAW_SCHEMA}.load_log where family = ? and status = 'loaded' group by 1
    """
    return Suite(
        name="gx_export_freshness",
        description=f"A {family.name} export was loaded within the last {limit:g} hours "
        "(FUNNEL_INBOX_MAX_AGE_HOURS); the same file again does not count as new.",
        frame=lambda con: con.execute(sql, [now, family.name]).df(),
        expectations=[
            gxe.ExpectTableRowCountToBeBetween(min_value=1),
            gxe.ExpectColumnValuesToBeBetween(column="age_hours", max_value=limit),
        ],
        severity="WARN",
    )


MART_SCHEMA = "marts"


def _mart_frame(table: str, where: str = "true") -> Frame:
    return lambda con: con.execute(f"select * from {MART_SCHEMA}.{table} where {where}").df()


def _cohort_funnel(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    frame = _mart_frame("mart_funnel_conversion")(con)
    if "funnel_method" in frame.columns:  # flow rows (T2 / T1) may exceed 1 by design
        frame = frame[frame.funnel_method.fillna("cohort") == "cohort"].reset_index(drop=True)
    return frame


WATERFALL_SQL = f"""
select *, opening_amount + created_amount + pulled_in_amount - won_amount - lost_amount
    - pushed_out_amount + changed_amount - closing_amount as unexplained_amount
from {MART_SCHEMA}.mart_pipeline_waterfall
"""


def mart_suites() -> dict[str, Suite]:
    """Published marts: rates are fractions and counts add up. Blocking: a broken mart is
    never published."""
    return {
        "mart_funnel_conversion": Suite(
            name="gx_mart_funnel_conversion",
            description="Cohort conversion rates are fractions 0-1 and no transition advances "
            "more opportunities than entered its stage.",
            frame=_cohort_funnel,
            expectations=[
                gxe.ExpectTableRowCountToBeBetween(min_value=1),
                gxe.ExpectColumnValuesToBeBetween(
                    column="conversion_rate", min_value=0, max_value=1
                ),
                gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                    column_A="entered_count", column_B="advanced_count", or_equal=True
                ),
            ],
        ),
        "mart_stage_dwell": Suite(
            name="gx_mart_stage_dwell",
            description="Days in stage are not negative and the 90th percentile is not below "
            "the median.",
            frame=_mart_frame("mart_stage_dwell"),
            expectations=[
                gxe.ExpectColumnValuesToBeBetween(column="mean_days", min_value=0),
                gxe.ExpectColumnValuesToBeBetween(column="completed_visits", min_value=0),
                gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                    column_A="p90_days",
                    column_B="median_days",
                    or_equal=True,
                    ignore_row_if="either_value_is_missing",
                ),
            ],
        ),
        "mart_stage_skips": Suite(
            name="gx_mart_stage_skips",
            description="Skip shares are fractions 0-1; skippers are a subset of opportunities.",
            frame=_mart_frame("mart_stage_skips"),
            expectations=[
                gxe.ExpectColumnValuesToBeBetween(column="skip_share", min_value=0, max_value=1),
                gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                    column_A="opportunities", column_B="skipping_opportunities", or_equal=True
                ),
            ],
        ),
        "mart_pipeline_waterfall": Suite(
            name="gx_mart_pipeline_waterfall",
            description="Every waterfall adds up: opening + created + pulled in - won - lost - "
            "pushed out + changes = closing, to the cent.",
            frame=lambda con: con.execute(WATERFALL_SQL).df(),
            expectations=[
                gxe.ExpectColumnValuesToBeBetween(
                    column="unexplained_amount", min_value=-0.005, max_value=0.005
                )
            ],
        ),
        "mart_win_rates": Suite(
            name="gx_mart_win_rates",
            description="Win rates are fractions 0-1; won and lost counts are not negative.",
            frame=_mart_frame("mart_win_rates"),
            expectations=[
                gxe.ExpectColumnValuesToBeBetween(column="win_rate", min_value=0, max_value=1),
                gxe.ExpectColumnValuesToBeBetween(column="won_count", min_value=0),
                gxe.ExpectColumnValuesToBeBetween(column="lost_count", min_value=0),
            ],
        ),
    }


def run_suite(suite: Suite, con: duckdb.DuckDBPyConnection) -> tuple[ValidationOutcome, int]:
    """Validate a suite against the build database; (outcome, rows validated)."""
    frame = suite.frame(con)
    return validate(frame, suite.expectations, suite.name), len(frame)


# --- audit.check_results (shared contract 4) ---------------------------------------------

AUDIT_DDL = """
create schema if not exists audit;
create table if not exists audit.check_results (
    run_id varchar, check_name varchar, asset_key varchar, passed boolean, severity varchar,
    description varchar, observed varchar, checked_at timestamp
)"""


@dataclass(frozen=True)
class CheckRecord:
    run_id: str
    check_name: str
    asset_key: str
    passed: bool
    severity: str  # ERROR | WARN
    description: str
    observed: str
    checked_at: datetime


def record_check(con: duckdb.DuckDBPyConnection, record: CheckRecord) -> None:
    con.execute(AUDIT_DDL)
    con.execute(
        "insert into audit.check_results values (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            record.run_id,
            record.check_name,
            record.asset_key,
            record.passed,
            record.severity,
            record.description,
            record.observed,
            record.checked_at,
        ],
    )
