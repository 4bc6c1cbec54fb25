-- One row per period grain × period × segment (team, all, customer_type, tier, region,
-- product_category, opportunity_type): won so far, the open pipeline expected to close in
-- the period weighted three ways (configured and empirical stage probabilities, and the
-- win-probability model's scores, null when the model did not score them all), the target
-- sales ops set for that team, region or segment (seed sales_targets; the company's is the
-- sum of the team targets unless set), attainment, projection, gap and pipeline coverage,
-- as of the as-of date.

{%- set period_grains = ['month', 'quarter'] %}

with

pipeline as (

    select * from {{ ref('int_forecast_scored') }}

),

opportunities as (

    select * from {{ ref('int_opportunities_enriched') }}

),

segments as (

    select * from {{ ref('int_opportunity_segments_with_team') }}

),

targets as (

    select * from {{ ref('sales_targets') }}

),

open_pipeline as (

    -- the as-of date's nightly snapshot: opportunities open at the end of the as-of date
    select * from pipeline
    where
        snapshot_date = {{ as_of_date() }}
        and expected_close_date is not null

),

as_of_model as (

    -- the model that scored the as-of date; none (one row of nulls) when it declined
    select max(model_version) as model_version
    from pipeline
    where snapshot_date = {{ as_of_date() }}

),

pipeline_periods as (

    {% for period_grain in period_grains %}
    select
        '{{ period_grain }}' as period_grain,
        {{ dbt.cast(dbt.date_trunc(period_grain, 'expected_close_date'), type_date()) }}
            as period_start,
        open_pipeline.*
    from open_pipeline
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

pipeline_aggregated as (

    select
        period_grain,
        period_start,
        segment_dimension,
        segment_value,
        count(*) as open_count,
        sum(amount) as open_pipeline_amount,
        -- probabilities are fractions 0-1: amount × probability, never / 100
        sum(amount * configured_probability) as weighted_configured_amount,
        sum(amount * empirical_probability) as weighted_empirical_amount,
        count(model_probability) as model_scored_count,
        sum(amount * model_probability) as weighted_model_amount,
        max(
            case empirical_basis
                when 'own_segment' then 1
                when 'all_segments' then 2
                when 'configured' then 3
            end
        ) as empirical_basis_rank
    from pipeline_periods
    group by
        period_grain,
        period_start,
        segment_dimension,
        segment_value

),

won as (

    select
        opportunity_id,
        closed_date,
        amount
    from opportunities
    where status = 'won'

),

won_periods as (

    {% for period_grain in period_grains %}
    select
        '{{ period_grain }}' as period_grain,
        {{ dbt.cast(dbt.date_trunc(period_grain, 'closed_date'), type_date()) }} as period_start,
        won.*
    from won
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

won_aggregated as (

    select
        won_periods.period_grain,
        won_periods.period_start,
        segments.segment_dimension,
        segments.segment_value,
        count(*) as won_count,
        sum(won_periods.amount) as won_amount
    from won_periods
    inner join segments
        on won_periods.opportunity_id = segments.opportunity_id
    group by
        won_periods.period_grain,
        won_periods.period_start,
        segments.segment_dimension,
        segments.segment_value

),

set_targets as (

    -- the targets sales ops set, keyed like the mart's segments
    select
        period_grain,
        period_start,
        target_dimension as segment_dimension,
        target_value as segment_value,
        target_amount
    from targets
    where period_grain in ('month', 'quarter')

),

team_totals as (

    -- the company target when none is set: the sum of the team targets
    select
        period_grain,
        period_start,
        'all' as segment_dimension,
        'all' as segment_value,
        sum(target_amount) as target_amount
    from set_targets
    where segment_dimension = 'team'
    group by
        period_grain,
        period_start

),

targets_long as (

    select * from set_targets
    union all
    select team_totals.*
    from team_totals
    left join set_targets
        on team_totals.period_grain = set_targets.period_grain
        and team_totals.period_start = set_targets.period_start
        and set_targets.segment_dimension = 'all'
    where set_targets.period_start is null

),

row_keys as (

    select
        period_grain,
        period_start,
        segment_dimension,
        segment_value
    from pipeline_aggregated
    union
    select
        period_grain,
        period_start,
        segment_dimension,
        segment_value
    from won_aggregated
    union
    select
        period_grain,
        period_start,
        segment_dimension,
        segment_value
    from targets_long

),

joined as (

    select
        row_keys.period_grain,
        row_keys.period_start,
        row_keys.segment_dimension,
        row_keys.segment_value,
        coalesce(won_aggregated.won_count, 0) as won_count,
        {{ dbt.cast('coalesce(won_aggregated.won_amount, 0)', type_amount()) }} as won_amount,
        coalesce(pipeline_aggregated.open_count, 0) as open_count,
        {{ dbt.cast('coalesce(pipeline_aggregated.open_pipeline_amount, 0)', type_amount()) }}
            as open_pipeline_amount,
        {{ dbt.cast(
            'coalesce(pipeline_aggregated.weighted_configured_amount, 0)', type_amount()
        ) }} as weighted_configured_amount,
        {{ dbt.cast(
            'coalesce(pipeline_aggregated.weighted_empirical_amount, 0)', type_amount()
        ) }} as weighted_empirical_amount,
        coalesce(pipeline_aggregated.model_scored_count, 0) as model_scored_count,
        -- the model's weighted pipeline only when the model scored every open opportunity
        -- of the row (0 when there is none); never a partial sum
        case
            when
                as_of_model.model_version is not null
                and coalesce(pipeline_aggregated.model_scored_count, 0)
                = coalesce(pipeline_aggregated.open_count, 0)
                then {{ dbt.cast(
                    'coalesce(pipeline_aggregated.weighted_model_amount, 0)', type_amount()
                ) }}
        end as weighted_model_amount,
        as_of_model.model_version,
        case pipeline_aggregated.empirical_basis_rank
            when 1 then 'own_segment'
            when 2 then 'all_segments'
            when 3 then 'configured'
        end as empirical_basis,
        case
            when targets_long.target_amount is not null then row_keys.segment_dimension
        end as target_dimension,
        case
            when targets_long.target_amount is not null then row_keys.segment_value
        end as target_value,
        {{ dbt.cast('targets_long.target_amount', type_amount()) }} as target_amount
    from row_keys
    cross join as_of_model
    left join pipeline_aggregated
        on row_keys.period_grain = pipeline_aggregated.period_grain
        and row_keys.period_start = pipeline_aggregated.period_start
        and row_keys.segment_dimension = pipeline_aggregated.segment_dimension
        and row_keys.segment_value = pipeline_aggregated.segment_value
    left join won_aggregated
        on row_keys.period_grain = won_aggregated.period_grain
        and row_keys.period_start = won_aggregated.period_start
        and row_keys.segment_dimension = won_aggregated.segment_dimension
        and row_keys.segment_value = won_aggregated.segment_value
    left join targets_long
        on row_keys.period_grain = targets_long.period_grain
        and row_keys.period_start = targets_long.period_start
        and row_keys.segment_dimension = targets_long.segment_dimension
        and row_keys.segment_value = targets_long.segment_value

),

projected as (

    select
        joined.*,
        won_amount + weighted_configured_amount as projected_configured_amount,
        won_amount + weighted_empirical_amount as projected_empirical_amount,
        won_amount + weighted_model_amount as projected_model_amount
    from joined

),

final as (

    select
        {{ as_of_date() }} as as_of_date,
        period_grain,
        period_start,
        segment_dimension,
        segment_value,
        won_count,
        won_amount,
        open_count,
        open_pipeline_amount,
        weighted_configured_amount,
        weighted_empirical_amount,
        empirical_basis,
        model_scored_count,
        weighted_model_amount,
        model_version,
        target_dimension,
        target_value,
        target_amount,
        case
            when target_amount > 0
                then cast(won_amount as {{ type_double() }}) / target_amount
        end as attainment_rate,
        projected_configured_amount,
        projected_empirical_amount,
        projected_model_amount,
        case
            when target_amount > 0
                then cast(projected_configured_amount as {{ type_double() }}) / target_amount
        end as projected_configured_attainment_rate,
        case
            when target_amount > 0
                then cast(projected_empirical_amount as {{ type_double() }}) / target_amount
        end as projected_empirical_attainment_rate,
        case
            when target_amount > 0
                then cast(projected_model_amount as {{ type_double() }}) / target_amount
        end as projected_model_attainment_rate,
        target_amount - projected_configured_amount as gap_configured_amount,
        target_amount - projected_empirical_amount as gap_empirical_amount,
        target_amount - projected_model_amount as gap_model_amount,
        case
            when target_amount - won_amount > 0
                then cast(open_pipeline_amount as {{ type_double() }})
                    / (target_amount - won_amount)
        end as pipeline_coverage_ratio
    from projected

)

select * from final
