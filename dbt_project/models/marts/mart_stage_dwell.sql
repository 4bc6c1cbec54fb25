-- One row per period grain × period of stage entry × segment × sales process × stage: how
-- long completed visits of the stage lasted (mean, median, p90 in calendar days) and, apart,
-- how many visits are still open and their median age as of the as-of date. Business-day
-- figures count Mon–Fri days strictly after the entry day up to and including the exit day
-- (macro business_days_between: Friday 10:00 -> next Tuesday 10:00 is 2).
-- Segments: those of int_opportunity_segments, plus team: the team fct_stage_visits attributes
-- the visit to (the owner's team when the visit began, var restate_to_current_org).
-- Left out: visits whose start is only known as the first export that showed them
-- (entered_at_basis 'first_export', snapshot-only CRMs): they began earlier, so their length
-- is a lower bound that would bias every statistic down.

{%- set period_grains = ['week', 'month', 'quarter', 'year'] %}

with

visits as (

    select * from {{ ref('fct_stage_visits') }}

),

segments as (

    select * from {{ ref('int_opportunity_segments') }}

),

visit_periods as (

    {% for period_grain in period_grains %}
    select
        '{{ period_grain }}' as period_grain,
        cast({{ dbt.date_trunc(period_grain, 'entered_at') }} as date) as period_start,
        visits.opportunity_id,
        visits.sales_process,
        visits.stage_code,
        visits.stage_order,
        visits.is_open,
        visits.days_in_stage,
        case
            when not visits.is_open
                then {{ business_days_between('visits.entered_at', 'visits.exited_at') }}
        end as business_days_in_stage,
        visits.open_age_days,
        visits.team
    from visits
    where coalesce(visits.entered_at_basis, 'recorded') != 'first_export'
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

segmented as (

    select
        visit_periods.*,
        segments.segment_dimension,
        segments.segment_value
    from visit_periods
    inner join segments
        on visit_periods.opportunity_id = segments.opportunity_id
    union all
    select
        visit_periods.*,
        'team' as segment_dimension,
        coalesce(visit_periods.team, 'unknown') as segment_value
    from visit_periods

),

aggregated as (

    -- days_in_stage is null for open visits and open_age_days for completed ones, so each
    -- statistic only sees its own kind of visit
    select
        period_grain,
        period_start,
        segment_dimension,
        segment_value,
        sales_process,
        stage_code,
        stage_order,
        cast(
            sum(case when is_open then 0 else 1 end) as {{ dbt.type_bigint() }}
        ) as completed_visits,
        avg(days_in_stage) as mean_days,
        {{ percentile_cont('days_in_stage', 0.5) }} as median_days,
        {{ percentile_cont('days_in_stage', 0.9) }} as p90_days,
        avg(business_days_in_stage) as mean_business_days,
        {{ percentile_cont('business_days_in_stage', 0.5) }} as median_business_days,
        cast(
            sum(case when is_open then 1 else 0 end) as {{ dbt.type_bigint() }}
        ) as open_visits,
        {{ percentile_cont('open_age_days', 0.5) }} as open_median_age_days
    from segmented
    group by
        period_grain,
        period_start,
        segment_dimension,
        segment_value,
        sales_process,
        stage_code,
        stage_order

),

final as (

    select
        {{ as_of_date() }} as as_of_date,
        period_grain,
        period_start,
        segment_dimension,
        segment_value,
        sales_process,
        stage_code,
        stage_order,
        completed_visits,
        mean_days,
        median_days,
        p90_days,
        cast(mean_business_days as {{ type_double() }}) as mean_business_days,
        cast(median_business_days as {{ type_double() }}) as median_business_days,
        open_visits,
        open_median_age_days
    from aggregated

)

select * from final
