-- One row per period grain × period × segment: how the open pipeline expected to close in
-- the period moved from its start to its end (or to the as-of date for the current period):
-- opening + created + pulled_in - won - lost - pushed_out + changed = closing. Opening and
-- closing come from fct_pipeline_snapshots at the end of the day before the period and at
-- the period's last day (or the as-of date); the flows from comparing them per opportunity.

{%- set period_grains = ['month', 'quarter'] %}

with

snapshots as (

    select * from {{ ref('fct_pipeline_snapshots') }}

),

opportunities as (

    select * from {{ ref('int_opportunities_enriched') }}

),

segments as (

    select * from {{ ref('int_opportunity_segments_with_team') }}

),

month_starts as (

    select * from {{ ref('int_month_starts') }}

),

nightly_dates as (

    select distinct snapshot_date
    from snapshots
    where
        not is_reconstructed
        and snapshot_date <= {{ as_of_date() }}

),

candidate_periods as (

    {% for period_grain in period_grains %}
    select distinct
        '{{ period_grain }}' as period_grain,
        {{ dbt.cast(dbt.date_trunc(period_grain, 'month_start'), type_date()) }}
            as period_start,
        {{ dbt.cast(
            dbt.dateadd(
                'day', -1,
                dbt.dateadd(period_grain, 1, dbt.date_trunc(period_grain, 'month_start')),
            ),
            type_date(),
        ) }} as period_end
    from month_starts
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

periods as (

    select
        period_grain,
        period_start,
        period_end,
        {{ dbt.cast(dbt.dateadd('day', -1, 'period_start'), type_date()) }}
            as opening_snapshot_date,
        case
            when period_end < {{ as_of_date() }} then period_end else {{ as_of_date() }}
        end as closing_snapshot_date
    from candidate_periods

),

opening as (

    select
        periods.period_grain,
        periods.period_start,
        snapshots.opportunity_id,
        coalesce(snapshots.amount, 0) as opening_snapshot_amount,
        coalesce(
            snapshots.expected_close_date between periods.period_start and periods.period_end,
            false
        ) as is_in_period
    from periods
    inner join snapshots
        on periods.opening_snapshot_date = snapshots.snapshot_date

),

closing as (

    select
        periods.period_grain,
        periods.period_start,
        snapshots.opportunity_id,
        coalesce(snapshots.amount, 0) as closing_snapshot_amount,
        coalesce(
            snapshots.expected_close_date between periods.period_start and periods.period_end,
            false
        ) as is_in_period
    from periods
    inner join snapshots
        on periods.closing_snapshot_date = snapshots.snapshot_date

),

closures as (

    -- won, lost or invalid between the opening and the closing snapshot
    select
        periods.period_grain,
        periods.period_start,
        opportunities.opportunity_id,
        opportunities.status
    from periods
    inner join opportunities
        on periods.opening_snapshot_date < opportunities.closed_date
        and periods.closing_snapshot_date >= opportunities.closed_date
    where opportunities.is_closed

),

period_opportunities as (

    select
        period_grain,
        period_start,
        opportunity_id
    from opening
    where is_in_period
    union
    select
        period_grain,
        period_start,
        opportunity_id
    from closing
    where is_in_period
    union
    select
        period_grain,
        period_start,
        opportunity_id
    from closures

),

states as (

    select
        period_opportunities.period_grain,
        period_opportunities.period_start,
        period_opportunities.opportunity_id,
        periods.opening_snapshot_date,
        coalesce(opening.is_in_period, false) as is_opening,
        coalesce(closing.is_in_period, false) as is_closing,
        closing.opportunity_id is not null as is_open_at_closing,
        closures.status as closed_status,
        opening.opening_snapshot_amount,
        closing.closing_snapshot_amount,
        {{ dbt.cast('opportunities.created_at', type_date()) }} as created_date,
        -- the latest amount known: at the closing snapshot, else as exported now
        coalesce(closing.closing_snapshot_amount, opportunities.amount, 0) as latest_amount
    from period_opportunities
    inner join periods
        on period_opportunities.period_grain = periods.period_grain
        and period_opportunities.period_start = periods.period_start
    inner join opportunities
        on period_opportunities.opportunity_id = opportunities.opportunity_id
    left join opening
        on period_opportunities.period_grain = opening.period_grain
        and period_opportunities.period_start = opening.period_start
        and period_opportunities.opportunity_id = opening.opportunity_id
    left join closing
        on period_opportunities.period_grain = closing.period_grain
        and period_opportunities.period_start = closing.period_start
        and period_opportunities.opportunity_id = closing.opportunity_id
    left join closures
        on period_opportunities.period_grain = closures.period_grain
        and period_opportunities.period_start = closures.period_start
        and period_opportunities.opportunity_id = closures.opportunity_id

),

flows as (

    select
        period_grain,
        period_start,
        opportunity_id,
        case when is_opening then opening_snapshot_amount else 0 end as opening_amount,
        case
            when not is_opening and created_date > opening_snapshot_date
                then latest_amount
            else 0
        end as created_amount,
        case
            when not is_opening and created_date <= opening_snapshot_date
                then latest_amount
            else 0
        end as pulled_in_amount,
        case when closed_status = 'won' then latest_amount else 0 end as won_amount,
        case
            when closed_status in ('lost', 'invalid') then latest_amount
            -- in the opening pipeline, neither open at the closing snapshot nor closed in
            -- the period (paused, or gone from the export): it left the pipeline
            when is_opening and closed_status is null and not is_open_at_closing
                then latest_amount
            else 0
        end as lost_amount,
        case
            when is_opening and is_open_at_closing and not is_closing
                then closing_snapshot_amount
            else 0
        end as pushed_out_amount,
        case
            when is_opening then latest_amount - opening_snapshot_amount else 0
        end as changed_amount,
        case when is_closing then closing_snapshot_amount else 0 end as closing_amount
    from states

),

aggregated as (

    select
        flows.period_grain,
        flows.period_start,
        segments.segment_dimension,
        segments.segment_value,
        count(*) as opportunity_count,
        sum(flows.opening_amount) as opening_amount,
        sum(flows.created_amount) as created_amount,
        sum(flows.pulled_in_amount) as pulled_in_amount,
        sum(flows.won_amount) as won_amount,
        sum(flows.lost_amount) as lost_amount,
        sum(flows.pushed_out_amount) as pushed_out_amount,
        sum(flows.changed_amount) as changed_amount,
        sum(flows.closing_amount) as closing_amount
    from flows
    inner join segments
        on flows.opportunity_id = segments.opportunity_id
    group by
        flows.period_grain,
        flows.period_start,
        segments.segment_dimension,
        segments.segment_value

),

final as (

    select
        {{ as_of_date() }} as as_of_date,
        aggregated.period_grain,
        aggregated.period_start,
        periods.period_end,
        periods.opening_snapshot_date,
        periods.closing_snapshot_date,
        periods.period_end <= {{ as_of_date() }} as is_complete,
        (
            opening_nightly.snapshot_date is null
            or closing_nightly.snapshot_date is null
        ) as uses_reconstructed_snapshot,
        aggregated.segment_dimension,
        aggregated.segment_value,
        aggregated.opportunity_count,
        {{ dbt.cast('aggregated.opening_amount', type_amount()) }} as opening_amount,
        {{ dbt.cast('aggregated.created_amount', type_amount()) }} as created_amount,
        {{ dbt.cast('aggregated.pulled_in_amount', type_amount()) }} as pulled_in_amount,
        {{ dbt.cast('aggregated.won_amount', type_amount()) }} as won_amount,
        {{ dbt.cast('aggregated.lost_amount', type_amount()) }} as lost_amount,
        {{ dbt.cast('aggregated.pushed_out_amount', type_amount()) }} as pushed_out_amount,
        {{ dbt.cast('aggregated.changed_amount', type_amount()) }} as changed_amount,
        {{ dbt.cast('aggregated.closing_amount', type_amount()) }} as closing_amount
    from aggregated
    inner join periods
        on aggregated.period_grain = periods.period_grain
        and aggregated.period_start = periods.period_start
    left join nightly_dates as opening_nightly
        on periods.opening_snapshot_date = opening_nightly.snapshot_date
    left join nightly_dates as closing_nightly
        on periods.closing_snapshot_date = closing_nightly.snapshot_date

)

select * from final
