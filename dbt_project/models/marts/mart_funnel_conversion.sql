-- One row per funnel method × funnel kind × period grain × period × segment × sales process
-- × stage (except the last).
-- Cohort method: of the opportunities that first entered the stage in the period, how many
-- went on to the next stage, skipped past it (strict kind only), were lost, or are still
-- open, as of the as-of date, with a maturity flag (the period ended at least var
-- funnel_maturity_days before the as-of date).
-- Flow method (seed 000's T1/T2 reading): entries into the next stage during the period /
-- entries into the stage during the period (int_funnel_flow_events).
-- Any-stage kind: a stage skipped over counts as reached; strict kind: only stages reached
-- in process order count. Both methods carry a minimum-count guard (var
-- funnel_minimum_count).
-- Segments: those of int_opportunity_segments, plus team, attributed per counted event to the
-- team at the opportunity's first entry into the event's stage (int_funnel_stage_entry_teams):
-- a cohort row to the team at its entry into from_stage, with its outcome; a flow entry into
-- from_stage or to_stage to the team at that entry.

{%- set period_grains = ['week', 'month', 'quarter', 'year'] %}

with

reach_by_kind as (

    select * from {{ ref('int_funnel_reach_by_kind') }}

),

segments as (

    select * from {{ ref('int_opportunity_segments') }}

),

flow_events as (

    select * from {{ ref('int_funnel_flow_events') }}

),

entry_teams as (

    select * from {{ ref('int_funnel_stage_entry_teams') }}

),

benchmarks as (

    select * from {{ ref('stage_benchmarks') }}

),

cohort_members as (

    -- every opportunity that entered the stage (in the kind's reading), counted in the
    -- period of that entry with its outcome as of the as-of date
    select
        'cohort' as funnel_method,
        funnel_kind,
        opportunity_id,
        sales_process,
        from_stage,
        to_stage,
        from_stage_order,
        -- the stage whose first entry decides the row's team
        from_stage as team_stage,
        first_entered_at as counted_at,
        amount,
        1 as is_entered,
        case when is_advanced then 1 else 0 end as is_advanced,
        case when is_skipped then 1 else 0 end as is_skipped,
        case
            when not is_advanced and not is_skipped and status in ('lost', 'invalid') then 1
            else 0
        end as is_lost,
        case
            when not is_advanced and not is_skipped and status not in ('lost', 'invalid')
                then 1
            else 0
        end as is_still_open
    from reach_by_kind

),

flow_members as (

    -- each event counts in the period it happened: an entry into from_stage or into to_stage
    select
        'flow' as funnel_method,
        funnel_kind,
        opportunity_id,
        sales_process,
        from_stage,
        to_stage,
        from_stage_order,
        case when flow_event = 'entered' then from_stage else to_stage end as team_stage,
        event_at as counted_at,
        amount,
        case when flow_event = 'entered' then 1 else 0 end as is_entered,
        case when flow_event = 'advanced' then 1 else 0 end as is_advanced,
        0 as is_skipped,
        0 as is_lost,
        0 as is_still_open
    from flow_events

),

members as (

    select * from cohort_members
    union all
    select * from flow_members

),

member_periods as (

    {% for period_grain in period_grains %}
    select
        '{{ period_grain }}' as period_grain,
        cast({{ dbt.date_trunc(period_grain, 'counted_at') }} as {{ type_date() }})
            as period_start,
        -- last day of the period (weeks run Monday to Sunday)
        cast(
            {{ dbt.dateadd(
                'day', '-1',
                dbt.dateadd(period_grain, '1', dbt.date_trunc(period_grain, 'counted_at')),
            ) }} as {{ type_date() }}
        ) as period_end,
        members.*
    from members
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

segmented as (

    select
        member_periods.*,
        segments.segment_dimension,
        segments.segment_value
    from member_periods
    inner join segments
        on member_periods.opportunity_id = segments.opportunity_id
    union all
    select
        member_periods.*,
        'team' as segment_dimension,
        entry_teams.team as segment_value
    from member_periods
    inner join entry_teams
        on member_periods.opportunity_id = entry_teams.opportunity_id
        and member_periods.team_stage = entry_teams.stage_code

),

aggregated as (

    select
        funnel_method,
        funnel_kind,
        period_grain,
        period_start,
        period_end,
        segment_dimension,
        segment_value,
        sales_process,
        from_stage,
        to_stage,
        from_stage_order,
        cast(sum(is_entered) as {{ dbt.type_bigint() }}) as entered_count,
        cast(sum(is_advanced) as {{ dbt.type_bigint() }}) as advanced_count,
        cast(sum(is_skipped) as {{ dbt.type_bigint() }}) as skipped_count,
        cast(sum(is_lost) as {{ dbt.type_bigint() }}) as lost_count,
        cast(sum(is_still_open) as {{ dbt.type_bigint() }}) as open_count,
        coalesce(sum(case when is_entered = 1 then amount end), 0) as entered_amount,
        coalesce(sum(case when is_advanced = 1 then amount end), 0) as advanced_amount
    from segmented
    group by
        funnel_method,
        funnel_kind,
        period_grain,
        period_start,
        period_end,
        segment_dimension,
        segment_value,
        sales_process,
        from_stage,
        to_stage,
        from_stage_order

),

with_maturity as (

    select
        aggregated.*,
        cast(
            {{ dbt.dateadd('day', var('funnel_maturity_days', 90), 'period_end') }}
            as {{ type_date() }}
        ) as matures_on
    from aggregated

),

final as (

    select
        {{ as_of_date() }} as as_of_date,
        with_maturity.funnel_method,
        with_maturity.funnel_kind,
        with_maturity.period_grain,
        with_maturity.period_start,
        with_maturity.segment_dimension,
        with_maturity.segment_value,
        with_maturity.sales_process,
        with_maturity.from_stage,
        with_maturity.to_stage,
        with_maturity.from_stage_order,
        with_maturity.entered_count,
        with_maturity.advanced_count,
        -- outcomes of a cohort; a flow period has none (its entries are not followed)
        case when with_maturity.funnel_method = 'cohort' then with_maturity.skipped_count end
            as skipped_count,
        case when with_maturity.funnel_method = 'cohort' then with_maturity.lost_count end
            as lost_count,
        case when with_maturity.funnel_method = 'cohort' then with_maturity.open_count end
            as open_count,
        case
            when with_maturity.entered_count > 0
                then cast(with_maturity.advanced_count as {{ type_double() }})
                    / with_maturity.entered_count
        end as conversion_rate,
        case
            when with_maturity.funnel_method = 'cohort'
                and with_maturity.entered_count - with_maturity.open_count > 0
                then cast(with_maturity.advanced_count as {{ type_double() }})
                    / (with_maturity.entered_count - with_maturity.open_count)
        end as resolved_conversion_rate,
        cast(with_maturity.entered_amount as {{ type_amount() }}) as entered_amount,
        cast(with_maturity.advanced_amount as {{ type_amount() }}) as advanced_amount,
        benchmarks.benchmark_rate,
        -- mature: the cohort's period ended at least funnel_maturity_days before the as-of
        -- date, so most of its deals have had time to resolve (young cohorts read low)
        case
            when with_maturity.funnel_method = 'cohort'
                then with_maturity.matures_on <= {{ as_of_date() }}
        end as is_mature,
        with_maturity.entered_count >= {{ var('funnel_minimum_count', 30) }}
            as meets_minimum_count
    from with_maturity
    left join benchmarks
        on with_maturity.sales_process = benchmarks.sales_process
        and with_maturity.from_stage = benchmarks.from_stage
        and with_maturity.to_stage = benchmarks.to_stage

)

select * from final
