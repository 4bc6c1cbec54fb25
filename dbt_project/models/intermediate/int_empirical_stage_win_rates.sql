-- One row per rate date × sales process × stage × segment: of the opportunities closed
-- (won, lost or invalid) on or before the rate date that had reached the stage, how many were
-- won. Rate dates are the forecast snapshot dates: the as-of date and every month end before
-- it, so a forecast frozen at a period start uses only outcomes known then.

{{ config(materialized='table') }}

{%- set next_day = dbt.dateadd('day', 1, 'snapshot_date') %}

with

snapshots as (

    select * from {{ ref('fct_pipeline_snapshots') }}

),

opportunities as (

    select * from {{ ref('int_opportunities_enriched') }}

),

stage_reach as (

    select * from {{ ref('int_opportunity_stage_reach') }}

),

segments as (

    select * from {{ ref('int_opportunity_segments_with_team') }}

),

rate_dates as (

    select distinct snapshot_date as rate_date
    from snapshots
    where
        snapshot_date = {{ as_of_date() }}
        or (
            snapshot_date < {{ as_of_date() }}
            -- a month end: the next day starts a month
            and {{ dbt.cast(dbt.date_trunc('month', next_day), type_date()) }}
            = {{ dbt.cast(next_day, type_date()) }}
        )

),

closed_reach as (

    select
        stage_reach.opportunity_id,
        stage_reach.sales_process,
        stage_reach.stage_code,
        opportunities.closed_date,
        case when opportunities.status = 'won' then 1 else 0 end as is_won
    from stage_reach
    inner join opportunities
        on stage_reach.opportunity_id = opportunities.opportunity_id
    where
        stage_reach.is_reached
        and opportunities.is_closed

),

daily as (

    select
        closed_reach.closed_date,
        closed_reach.sales_process,
        closed_reach.stage_code,
        segments.segment_dimension,
        segments.segment_value,
        count(*) as closed_count,
        sum(closed_reach.is_won) as won_count
    from closed_reach
    inner join segments
        on closed_reach.opportunity_id = segments.opportunity_id
    group by
        closed_reach.closed_date,
        closed_reach.sales_process,
        closed_reach.stage_code,
        segments.segment_dimension,
        segments.segment_value

),

cumulative as (

    select
        rate_dates.rate_date,
        daily.sales_process,
        daily.stage_code,
        daily.segment_dimension,
        daily.segment_value,
        cast(sum(daily.closed_count) as {{ dbt.type_bigint() }}) as closed_count,
        cast(sum(daily.won_count) as {{ dbt.type_bigint() }}) as won_count
    from rate_dates
    inner join daily
        on rate_dates.rate_date >= daily.closed_date
    group by
        rate_dates.rate_date,
        daily.sales_process,
        daily.stage_code,
        daily.segment_dimension,
        daily.segment_value

),

final as (

    select
        rate_date,
        sales_process,
        stage_code,
        segment_dimension,
        segment_value,
        closed_count,
        won_count,
        cast(won_count as {{ type_double() }}) / closed_count as win_rate,
        {{ as_of_date() }} as as_of_date
    from cumulative

)

select * from final
