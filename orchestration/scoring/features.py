"""Point-in-time feature rows: one per (snapshot date, opportunity open at the end of that day).

Everything is as the warehouse knew it on the snapshot date: the stage from the stage changes up
to that day, activities up to that day, stage regressions up to that day, close-date pushes
between the opportunity export versions loaded by that day. The outcome (won / lost / still open)
comes from the as-of date, and is only used as a training label for deals closed by the training
cutoff, so nothing from after a snapshot leaks into its features.

Reads the build database after dbt: ``marts.dim_opportunities``, ``marts.fct_stage_transitions``,
``marts.dim_stages``, ``staging.stg_crm__opportunity_versions`` and ``raw.activities`` (the
optional activities export; latest loaded version of each activity).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

import duckdb
import pandas as pd

CATEGORICAL: tuple[str, ...] = (
    "customer_type",
    "tier",
    "industry",
    "region",
    "amount_band",
    "product_category",
    "opportunity_type",
    "source",
    "sales_process",
    "stage_code",
)
NUMERIC: tuple[str, ...] = (
    "days_in_stage",
    "age_days",
    "activities_30d",
    "strong_activities_30d",
    "activities_in_stage",
    "strong_activities_in_stage",
    "days_since_activity",
    "stage_regressions",
    "close_date_pushes",
)
FEATURES: tuple[str, ...] = CATEGORICAL + NUMERIC
STRONG_ACTIVITY_TYPES: tuple[str, ...] = ("visit", "meeting", "demo", "proposal_sent")
NO_ACTIVITY_DAYS = 365  # days_since_activity of a deal with none (capped)
# amount bands in the opportunity's currency (yuan for the demo): upper bounds, exclusive
AMOUNT_BANDS: tuple[tuple[float, str], ...] = (
    (100_000, "<100k"),
    (500_000, "100k-500k"),
    (2_000_000, "500k-2M"),
    (float("inf"), ">=2M"),
)
FEATURE_VERSION = "1"  # bump when the feature definitions change: forces a retrain

_SQL = """
with
snapshot_dates as (
    select cast(unnest(?) as date) as snapshot_date
),
opportunities as (
    select * from marts.dim_opportunities
),
stages as (
    select sales_process, stage_code, stage_order, win_probability, is_won_stage
    from marts.dim_stages
),
open_at as (
    select snapshot_dates.snapshot_date, opportunities.*
    from snapshot_dates
    inner join opportunities
        on cast(opportunities.created_at as date) <= snapshot_dates.snapshot_date
        and (
            opportunities.closed_date is null
            or opportunities.closed_date > snapshot_dates.snapshot_date
        )
),
stage_at as (
    select
        open_at.snapshot_date,
        open_at.opportunity_id,
        arg_max(moves.to_stage, moves.changed_at) as stage_code,
        max(moves.changed_at) as stage_entered_at,
        count(*) filter (where moves.direction = 'backward') as stage_regressions
    from open_at
    inner join marts.fct_stage_transitions as moves
        on open_at.opportunity_id = moves.opportunity_id
        and cast(moves.changed_at as date) <= open_at.snapshot_date
    group by open_at.snapshot_date, open_at.opportunity_id
),
activities as (
    select
        trim(opportunity_id) as opportunity_id,
        trim(activity_type) as activity_type,
        cast(trim(activity_at) as timestamp) as activity_at
    from raw.activities
    qualify row_number() over (
        partition by trim(activity_id) order by _loaded_at desc, _source_file desc
    ) = 1
),
activity_at as (
    select
        stage_at.snapshot_date,
        stage_at.opportunity_id,
        count(*) filter (
            where activities.activity_at >= stage_at.snapshot_date - interval 29 day
        ) as activities_30d,
        count(*) filter (
            where activities.activity_at >= stage_at.snapshot_date - interval 29 day
            and activities.activity_type in ({strong})
        ) as strong_activities_30d,
        count(*) filter (
            where activities.activity_at >= stage_at.stage_entered_at
        ) as activities_in_stage,
        count(*) filter (
            where activities.activity_at >= stage_at.stage_entered_at
            and activities.activity_type in ({strong})
        ) as strong_activities_in_stage,
        max(activities.activity_at) as last_activity_at
    from stage_at
    inner join activities
        on stage_at.opportunity_id = activities.opportunity_id
        and cast(activities.activity_at as date) <= stage_at.snapshot_date
    group by stage_at.snapshot_date, stage_at.opportunity_id
),
versions as (
    select
        opportunity_id,
        cast(loaded_at as date) as loaded_on,
        expected_close_date,
        lag(expected_close_date) over (
            partition by opportunity_id order by loaded_at, source_file
        ) as previous_expected_close_date
    from staging.stg_crm__opportunity_versions
),
pushes_at as (
    select
        stage_at.snapshot_date,
        stage_at.opportunity_id,
        count(*) filter (
            where versions.expected_close_date > versions.previous_expected_close_date
        ) as close_date_pushes
    from stage_at
    inner join versions
        on stage_at.opportunity_id = versions.opportunity_id
        and versions.loaded_on <= stage_at.snapshot_date
    group by stage_at.snapshot_date, stage_at.opportunity_id
)
select
    open_at.snapshot_date,
    open_at.opportunity_id,
    open_at.owner_id,
    open_at.team,
    coalesce(open_at.customer_type, 'unknown') as customer_type,
    coalesce(open_at.tier, 'unknown') as tier,
    coalesce(open_at.industry, 'unknown') as industry,
    coalesce(open_at.region, 'unknown') as region,
    cast(open_at.amount as double) as amount,
    coalesce(open_at.product_category, 'unknown') as product_category,
    coalesce(open_at.opportunity_type, 'unknown') as opportunity_type,
    coalesce(open_at.source, 'unknown') as source,
    open_at.sales_process,
    stage_at.stage_code,
    cast(stages.win_probability as double) as configured_probability,
    date_diff('day', cast(stage_at.stage_entered_at as date), open_at.snapshot_date)
        as days_in_stage,
    date_diff('day', cast(open_at.created_at as date), open_at.snapshot_date) as age_days,
    coalesce(activity_at.activities_30d, 0) as activities_30d,
    coalesce(activity_at.strong_activities_30d, 0) as strong_activities_30d,
    coalesce(activity_at.activities_in_stage, 0) as activities_in_stage,
    coalesce(activity_at.strong_activities_in_stage, 0) as strong_activities_in_stage,
    least(
        coalesce(
            date_diff('day', cast(activity_at.last_activity_at as date), open_at.snapshot_date),
            {no_activity}
        ),
        {no_activity}
    ) as days_since_activity,
    stage_at.stage_regressions,
    coalesce(pushes_at.close_date_pushes, 0) as close_date_pushes,
    case
        when open_at.status = 'won' then 'won'
        when open_at.status in ('lost', 'invalid') then 'lost'
        else 'open'
    end as outcome,
    open_at.closed_date
from open_at
inner join stage_at
    on open_at.snapshot_date = stage_at.snapshot_date
    and open_at.opportunity_id = stage_at.opportunity_id
inner join stages
    on open_at.sales_process = stages.sales_process
    and stage_at.stage_code = stages.stage_code
left join activity_at
    on open_at.snapshot_date = activity_at.snapshot_date
    and open_at.opportunity_id = activity_at.opportunity_id
left join pushes_at
    on open_at.snapshot_date = pushes_at.snapshot_date
    and open_at.opportunity_id = pushes_at.opportunity_id
where not stages.is_won_stage
order by open_at.snapshot_date, open_at.opportunity_id
"""


def month_ends(first: date, last: date) -> list[date]:
    """Every month's last day from the month of ``first`` up to ``last`` (inclusive)."""
    out: list[date] = []
    month = date(first.year, first.month, 1)
    while True:
        following = date(month.year + month.month // 12, month.month % 12 + 1, 1)
        end = following - timedelta(days=1)
        if end > last:
            return out
        out.append(end)
        month = following


def amount_band(amount: float | None) -> str:
    if amount is None or pd.isna(amount):
        return "unknown"
    return next(label for upper, label in AMOUNT_BANDS if amount < upper)


def load_features(con: duckdb.DuckDBPyConnection, snapshot_dates: Sequence[date]) -> pd.DataFrame:
    """Feature rows for every opportunity open at the end of each snapshot date."""
    strong = ", ".join(f"'{t}'" for t in STRONG_ACTIVITY_TYPES)
    sql = _SQL.replace("{strong}", strong).replace("{no_activity}", str(NO_ACTIVITY_DAYS))
    frame = con.execute(sql, [list(snapshot_dates)]).df()
    frame["amount_band"] = [amount_band(a) for a in frame["amount"]]
    frame["snapshot_date"] = pd.to_datetime(frame["snapshot_date"]).dt.date
    frame["closed_date"] = pd.to_datetime(frame["closed_date"]).dt.date
    for column in NUMERIC:
        frame[column] = frame[column].astype(float)
    return frame


def first_snapshot_date(con: duckdb.DuckDBPyConnection) -> date | None:
    """The day the first opportunity was created, or None when there is none."""
    row = con.execute(
        "select min(cast(created_at as date)) from marts.dim_opportunities"
    ).fetchall()
    return row[0][0] if row and row[0][0] is not None else None
