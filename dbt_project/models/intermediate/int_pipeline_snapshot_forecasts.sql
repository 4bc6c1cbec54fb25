-- One row per forecast snapshot date × open opportunity × segment dimension: the snapshot's
-- amount and expected close with two win probabilities, the configured one of its stage and
-- the empirical one (historical stage win rate of its segment as of the snapshot date, else
-- of all segments, else the configured one), and which of the three was used.

{%- set min_closed = var('empirical_win_rate_min_closed', 10) %}

{%- set next_day = dbt.dateadd('day', 1, 'snapshot_date') %}

with

snapshots as (

    select * from {{ ref('fct_pipeline_snapshots') }}

),

segments as (

    select * from {{ ref('int_opportunity_segments_with_team') }}

),

win_rates as (

    select * from {{ ref('int_empirical_stage_win_rates') }}

),

forecast_snapshots as (

    -- the as-of date's snapshot and the month-end ones (forecasts frozen at period starts)
    select * from snapshots
    where
        snapshot_date = {{ as_of_date() }}
        or (
            snapshot_date < {{ as_of_date() }}
            -- a month end: the next day starts a month
            and {{ dbt.cast(dbt.date_trunc('month', next_day), type_date()) }}
            = {{ dbt.cast(next_day, type_date()) }}
        )

),

segmented as (

    select
        forecast_snapshots.snapshot_date,
        forecast_snapshots.opportunity_id,
        forecast_snapshots.is_reconstructed,
        forecast_snapshots.sales_process,
        forecast_snapshots.stage_code,
        forecast_snapshots.amount,
        forecast_snapshots.expected_close_date,
        forecast_snapshots.configured_probability,
        segments.segment_dimension,
        segments.segment_value
    from forecast_snapshots
    inner join segments
        on forecast_snapshots.opportunity_id = segments.opportunity_id

),

with_rates as (

    select
        segmented.*,
        case
            when segment_rates.closed_count >= {{ min_closed }} then segment_rates.win_rate
        end as segment_win_rate,
        case
            when all_rates.closed_count >= {{ min_closed }} then all_rates.win_rate
        end as all_segments_win_rate
    from segmented
    left join win_rates as segment_rates
        on segmented.snapshot_date = segment_rates.rate_date
        and segmented.sales_process = segment_rates.sales_process
        and segmented.stage_code = segment_rates.stage_code
        and segmented.segment_dimension = segment_rates.segment_dimension
        and segmented.segment_value = segment_rates.segment_value
    left join win_rates as all_rates
        on segmented.snapshot_date = all_rates.rate_date
        and segmented.sales_process = all_rates.sales_process
        and segmented.stage_code = all_rates.stage_code
        and all_rates.segment_dimension = 'all'

),

final as (

    select
        snapshot_date,
        opportunity_id,
        segment_dimension,
        segment_value,
        is_reconstructed,
        sales_process,
        stage_code,
        amount,
        expected_close_date,
        configured_probability,
        coalesce(
            segment_win_rate,
            all_segments_win_rate,
            cast(configured_probability as {{ type_double() }})
        ) as empirical_probability,
        case
            when segment_win_rate is not null then 'own_segment'
            when all_segments_win_rate is not null then 'all_segments'
            when configured_probability is not null then 'configured'
        end as empirical_basis,
        {{ as_of_date() }} as as_of_date
    from with_rates

)

select * from final
