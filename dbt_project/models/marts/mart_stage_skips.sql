-- One row per period grain × creation period × segment × sales process: of the opportunities
-- created in the period that moved stage at least once by the as-of date, how many skipped a
-- stage (moved more than +1 stage in the process order) at least once.
-- Segments: those of int_opportunity_segments, plus team: the team of the opportunity's first
-- stage entry (int_funnel_stage_entry_teams), i.e. when it entered the funnel.

{%- set period_grains = ['month', 'quarter'] %}

with

transitions as (

    select * from {{ ref('fct_stage_transitions') }}

),

opportunities as (

    select * from {{ ref('dim_opportunities') }}

),

segments as (

    select * from {{ ref('int_opportunity_segments') }}

),

entry_teams as (

    select * from {{ ref('int_funnel_stage_entry_teams') }}

),

moves as (

    -- the first change (entry) and re-saves in the stage it is in (same) are not moves
    select
        opportunity_id,
        case when direction = 'skip' then 1 else 0 end as is_skip
    from transitions
    where direction in ('forward', 'skip', 'backward')

),

moved_opportunities as (

    select
        opportunity_id,
        max(is_skip) as has_skipped
    from moves
    group by opportunity_id

),

created as (

    select
        moved_opportunities.opportunity_id,
        moved_opportunities.has_skipped,
        opportunities.sales_process,
        opportunities.created_at
    from moved_opportunities
    inner join opportunities
        on moved_opportunities.opportunity_id = opportunities.opportunity_id

),

first_entry_teams as (

    -- the team of the opportunity's earliest stage entry
    select
        opportunity_id,
        team,
        row_number() over (
            partition by opportunity_id order by first_entered_at, stage_order
        ) as entry_rank
    from entry_teams

),

created_periods as (

    {% for period_grain in period_grains %}
    select
        '{{ period_grain }}' as period_grain,
        {{ dbt.cast(dbt.date_trunc(period_grain, 'created_at'), type_date()) }} as period_start,
        created.opportunity_id,
        created.sales_process,
        created.has_skipped
    from created
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

segmented as (

    select
        created_periods.*,
        segments.segment_dimension,
        segments.segment_value
    from created_periods
    inner join segments
        on created_periods.opportunity_id = segments.opportunity_id
    union all
    select
        created_periods.*,
        'team' as segment_dimension,
        first_entry_teams.team as segment_value
    from created_periods
    inner join first_entry_teams
        on created_periods.opportunity_id = first_entry_teams.opportunity_id
        and first_entry_teams.entry_rank = 1

),

aggregated as (

    select
        period_grain,
        period_start,
        segment_dimension,
        segment_value,
        sales_process,
        count(*) as opportunities,
        cast(sum(has_skipped) as {{ dbt.type_bigint() }}) as skipping_opportunities
    from segmented
    group by
        period_grain,
        period_start,
        segment_dimension,
        segment_value,
        sales_process

),

final as (

    select
        {{ as_of_date() }} as as_of_date,
        period_grain,
        period_start,
        segment_dimension,
        segment_value,
        sales_process,
        opportunities,
        skipping_opportunities,
        cast(skipping_opportunities as {{ type_double() }}) / opportunities as skip_share
    from aggregated

)

select * from final
