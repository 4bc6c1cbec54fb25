-- One row per period grain × cohort period × segment × sales process × stage (except the
-- last): how many opportunities that first entered the stage in the period went on to a
-- later stage (or won), were lost, or are still open, as of the as-of date, and whether the
-- cohort is mature (its period ended at least var funnel_maturity_days before the as-of date)
-- and large enough (var funnel_minimum_count) to be read.

{%- set period_grains = ['week', 'month', 'quarter', 'year'] %}

with

stage_reach as (

    select * from {{ ref('int_opportunity_stage_reach') }}

),

segments as (

    select * from {{ ref('int_opportunity_segments') }}

),

benchmarks as (

    select * from {{ ref('stage_benchmarks') }}

),

cohort_members as (

    select
        opportunity_id,
        sales_process,
        stage_code as from_stage,
        next_stage_code as to_stage,
        stage_order as from_stage_order,
        first_entered_at,
        amount,
        case when is_advanced then 1 else 0 end as is_advanced,
        case
            when not is_advanced and status in ('lost', 'invalid') then 1 else 0
        end as is_lost,
        case
            when not is_advanced and status not in ('lost', 'invalid') then 1 else 0
        end as is_still_open
    from stage_reach
    where is_reached
        and next_stage_code is not null

),

cohort_periods as (

    {% for period_grain in period_grains %}
    select
        '{{ period_grain }}' as period_grain,
        cast({{ dbt.date_trunc(period_grain, 'first_entered_at') }} as date) as period_start,
        -- last day of the period (weeks run Monday to Sunday)
        cast(
            {{ dbt.dateadd(
                'day', '-1',
                dbt.dateadd(period_grain, '1', dbt.date_trunc(period_grain, 'first_entered_at')),
            ) }} as {{ type_date() }}
        ) as period_end,
        cohort_members.*
    from cohort_members
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

segmented as (

    select
        cohort_periods.*,
        segments.segment_dimension,
        segments.segment_value
    from cohort_periods
    inner join segments
        on cohort_periods.opportunity_id = segments.opportunity_id

),

aggregated as (

    select
        period_grain,
        period_start,
        period_end,
        segment_dimension,
        segment_value,
        sales_process,
        from_stage,
        to_stage,
        from_stage_order,
        count(*) as entered_count,
        cast(sum(is_advanced) as {{ dbt.type_bigint() }}) as advanced_count,
        cast(sum(is_lost) as {{ dbt.type_bigint() }}) as lost_count,
        cast(sum(is_still_open) as {{ dbt.type_bigint() }}) as open_count,
        coalesce(sum(amount), 0) as entered_amount,
        coalesce(sum(case when is_advanced = 1 then amount end), 0) as advanced_amount
    from segmented
    group by
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

final as (

    select
        {{ as_of_date() }} as as_of_date,
        aggregated.period_grain,
        aggregated.period_start,
        aggregated.segment_dimension,
        aggregated.segment_value,
        aggregated.sales_process,
        aggregated.from_stage,
        aggregated.to_stage,
        aggregated.from_stage_order,
        aggregated.entered_count,
        aggregated.advanced_count,
        aggregated.lost_count,
        aggregated.open_count,
        (
            cast(aggregated.advanced_count as {{ type_double() }})
            / aggregated.entered_count
        ) as conversion_rate,
        case
            when aggregated.advanced_count + aggregated.lost_count > 0
                then cast(aggregated.advanced_count as {{ type_double() }})
                    / (aggregated.advanced_count + aggregated.lost_count)
        end as resolved_conversion_rate,
        cast(aggregated.entered_amount as {{ type_amount() }}) as entered_amount,
        cast(aggregated.advanced_amount as {{ type_amount() }}) as advanced_amount,
        benchmarks.benchmark_rate,
        -- mature: the period ended at least funnel_maturity_days before the as-of date, so
        -- most of its deals have had time to resolve (young cohorts read low)
        cast(
            {{ dbt.dateadd('day', var('funnel_maturity_days', 90), 'aggregated.period_end') }}
            as {{ type_date() }}
        ) <= {{ as_of_date() }} as is_mature,
        aggregated.entered_count >= {{ var('funnel_minimum_count', 30) }}
            as meets_minimum_count
    from aggregated
    left join benchmarks
        on aggregated.sales_process = benchmarks.sales_process
        and aggregated.from_stage = benchmarks.from_stage
        and aggregated.to_stage = benchmarks.to_stage

)

select * from final
