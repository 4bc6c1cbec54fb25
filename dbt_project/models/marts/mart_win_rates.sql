-- One row per period grain × period × segment × sales process × stage ('all' for the
-- overall row): opportunities won and lost (lost or invalid) that closed in the period, the
-- win rate, and on the overall rows the median sales cycle of the won ones and the
-- opportunities created per rep in the period. Stage rows give the stage win rate: of the
-- closed opportunities that had reached the stage, the share won. Lead rows (sales_process
-- and stage_code 'all', segments all and team) give lead -> opportunity conversion of the
-- leads created in the period; they exist only when leads are exported.

{%- set period_grains = ['month', 'quarter'] %}

with

opportunities as (

    select * from {{ ref('int_opportunities_enriched') }}

),

stage_reach as (

    select * from {{ ref('int_opportunity_stage_reach') }}

),

segments as (

    select * from {{ ref('int_opportunity_segments_with_team') }}

),

leads as (

    select * from {{ ref('stg_crm__leads') }}

),

sales_reps as (

    select * from {{ ref('stg_crm__sales_reps') }}

),

closed as (

    select
        opportunity_id,
        sales_process,
        closed_date,
        case when status = 'won' then 1 else 0 end as is_won,
        case when status in ('lost', 'invalid') then 1 else 0 end as is_lost,
        case
            when status = 'won'
                then {{ dbt.datediff(dbt.cast('created_at', type_date()), 'closed_date', 'day') }}
        end as sales_cycle_days
    from opportunities
    where is_closed

),

closed_by_stage as (

    select
        opportunity_id,
        sales_process,
        closed_date,
        'all' as stage_code,
        {{ dbt.cast('null', 'integer') }} as stage_order,
        is_won,
        is_lost,
        sales_cycle_days
    from closed
    union all
    -- the won stage is left out: every opportunity that reached it was won
    select
        closed.opportunity_id,
        closed.sales_process,
        closed.closed_date,
        stage_reach.stage_code,
        stage_reach.stage_order,
        closed.is_won,
        closed.is_lost,
        {{ dbt.cast('null', 'integer') }} as sales_cycle_days
    from closed
    inner join stage_reach
        on closed.opportunity_id = stage_reach.opportunity_id
    where
        stage_reach.is_reached
        and not stage_reach.is_won_stage

),

closed_periods as (

    {% for period_grain in period_grains %}
    select
        '{{ period_grain }}' as period_grain,
        {{ dbt.cast(dbt.date_trunc(period_grain, 'closed_date'), type_date()) }} as period_start,
        closed_by_stage.*
    from closed_by_stage
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

closed_aggregated as (

    select
        closed_periods.period_grain,
        closed_periods.period_start,
        segments.segment_dimension,
        segments.segment_value,
        closed_periods.sales_process,
        closed_periods.stage_code,
        max(closed_periods.stage_order) as stage_order,
        cast(sum(closed_periods.is_won) as {{ dbt.type_bigint() }}) as won_count,
        cast(sum(closed_periods.is_lost) as {{ dbt.type_bigint() }}) as lost_count,
        {{ percentile_cont('closed_periods.sales_cycle_days', 0.5) }}
            as median_sales_cycle_days
    from closed_periods
    inner join segments
        on closed_periods.opportunity_id = segments.opportunity_id
    group by
        closed_periods.period_grain,
        closed_periods.period_start,
        segments.segment_dimension,
        segments.segment_value,
        closed_periods.sales_process,
        closed_periods.stage_code

),

created_periods as (

    {% for period_grain in period_grains %}
    select
        '{{ period_grain }}' as period_grain,
        {{ dbt.cast(dbt.date_trunc(period_grain, 'created_at'), type_date()) }} as period_start,
        opportunities.opportunity_id,
        opportunities.sales_process,
        opportunities.owner_id
    from opportunities
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

created_aggregated as (

    select
        created_periods.period_grain,
        created_periods.period_start,
        segments.segment_dimension,
        segments.segment_value,
        created_periods.sales_process,
        'all' as stage_code,
        count(*) as created_count,
        count(distinct created_periods.owner_id) as owner_count
    from created_periods
    inner join segments
        on created_periods.opportunity_id = segments.opportunity_id
    group by
        created_periods.period_grain,
        created_periods.period_start,
        segments.segment_dimension,
        segments.segment_value,
        created_periods.sales_process

),

-- leads created by the as-of date; a conversion dated after it had not happened yet
leads_as_of as (

    select
        leads.lead_id,
        leads.created_at,
        coalesce(sales_reps.team, opportunities.team) as team,
        case
            when
                leads.status = 'converted'
                and {{ dbt.cast('leads.converted_at', type_date()) }} <= {{ as_of_date() }}
                then 1
            else 0
        end as is_converted,
        {{ dbt.datediff(
            dbt.cast('leads.created_at', type_date()),
            dbt.cast('leads.converted_at', type_date()),
            'day',
        ) }} as conversion_days
    from leads
    left join sales_reps
        on leads.owner_id = sales_reps.rep_id
    left join opportunities
        on leads.converted_opportunity_id = opportunities.opportunity_id
    where {{ dbt.cast('leads.created_at', type_date()) }} <= {{ as_of_date() }}

),

-- a lead has no account, product or type until it converts: only 'all' and its owner's team
lead_segments as (

    select
        lead_id,
        'all' as segment_dimension,
        'all' as segment_value
    from leads_as_of
    union all
    select
        lead_id,
        'team' as segment_dimension,
        coalesce({{ dbt.cast('team', dbt.type_string()) }}, 'unknown') as segment_value
    from leads_as_of

),

lead_periods as (

    {% for period_grain in period_grains %}
    select
        '{{ period_grain }}' as period_grain,
        {{ dbt.cast(dbt.date_trunc(period_grain, 'created_at'), type_date()) }} as period_start,
        lead_id,
        is_converted,
        case when is_converted = 1 then conversion_days end as conversion_days
    from leads_as_of
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

leads_aggregated as (

    select
        lead_periods.period_grain,
        lead_periods.period_start,
        lead_segments.segment_dimension,
        lead_segments.segment_value,
        'all' as sales_process,
        'all' as stage_code,
        cast(count(*) as {{ dbt.type_bigint() }}) as lead_count,
        cast(sum(lead_periods.is_converted) as {{ dbt.type_bigint() }}) as converted_lead_count,
        {{ percentile_cont('lead_periods.conversion_days', 0.5) }}
            as median_lead_conversion_days
    from lead_periods
    inner join lead_segments
        on lead_periods.lead_id = lead_segments.lead_id
    group by
        lead_periods.period_grain,
        lead_periods.period_start,
        lead_segments.segment_dimension,
        lead_segments.segment_value

),

row_keys as (

    select
        period_grain,
        period_start,
        segment_dimension,
        segment_value,
        sales_process,
        stage_code
    from closed_aggregated
    union
    select
        period_grain,
        period_start,
        segment_dimension,
        segment_value,
        sales_process,
        stage_code
    from created_aggregated
    union
    select
        period_grain,
        period_start,
        segment_dimension,
        segment_value,
        sales_process,
        stage_code
    from leads_aggregated

),

final as (

    select
        {{ as_of_date() }} as as_of_date,
        row_keys.period_grain,
        row_keys.period_start,
        row_keys.segment_dimension,
        row_keys.segment_value,
        row_keys.sales_process,
        row_keys.stage_code,
        closed_aggregated.stage_order,
        -- the lead rows carry no opportunity counts: null, not 0
        case
            when leads_aggregated.lead_count is null
                then coalesce(closed_aggregated.won_count, 0)
        end as won_count,
        case
            when leads_aggregated.lead_count is null
                then coalesce(closed_aggregated.lost_count, 0)
        end as lost_count,
        case
            when closed_aggregated.won_count + closed_aggregated.lost_count > 0
                then cast(closed_aggregated.won_count as {{ type_double() }})
                    / (closed_aggregated.won_count + closed_aggregated.lost_count)
        end as win_rate,
        closed_aggregated.median_sales_cycle_days,
        case
            when row_keys.stage_code = 'all' and leads_aggregated.lead_count is null
                then coalesce(created_aggregated.created_count, 0)
        end as created_count,
        case
            when row_keys.stage_code = 'all' and leads_aggregated.lead_count is null
                then coalesce(created_aggregated.owner_count, 0)
        end as owner_count,
        cast(created_aggregated.created_count as {{ type_double() }})
        / created_aggregated.owner_count as opportunities_per_rep,
        leads_aggregated.lead_count,
        leads_aggregated.converted_lead_count,
        cast(leads_aggregated.converted_lead_count as {{ type_double() }})
        / leads_aggregated.lead_count as lead_conversion_rate,
        leads_aggregated.median_lead_conversion_days
    from row_keys
    left join closed_aggregated
        on row_keys.period_grain = closed_aggregated.period_grain
        and row_keys.period_start = closed_aggregated.period_start
        and row_keys.segment_dimension = closed_aggregated.segment_dimension
        and row_keys.segment_value = closed_aggregated.segment_value
        and row_keys.sales_process = closed_aggregated.sales_process
        and row_keys.stage_code = closed_aggregated.stage_code
    left join created_aggregated
        on row_keys.period_grain = created_aggregated.period_grain
        and row_keys.period_start = created_aggregated.period_start
        and row_keys.segment_dimension = created_aggregated.segment_dimension
        and row_keys.segment_value = created_aggregated.segment_value
        and row_keys.sales_process = created_aggregated.sales_process
        and row_keys.stage_code = created_aggregated.stage_code
    left join leads_aggregated
        on row_keys.period_grain = leads_aggregated.period_grain
        and row_keys.period_start = leads_aggregated.period_start
        and row_keys.segment_dimension = leads_aggregated.segment_dimension
        and row_keys.segment_value = leads_aggregated.segment_value
        and row_keys.sales_process = leads_aggregated.sales_process
        and row_keys.stage_code = leads_aggregated.stage_code

)

select * from final
