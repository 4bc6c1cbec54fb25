-- One row per period-flow event of a funnel kind's stage transition (int_funnel_reach_by_kind):
-- 'entered' is the opportunity's first entry into from_stage, 'advanced' its first entry into
-- to_stage (in that kind's reading), each at the time it happened. mart_funnel_conversion
-- counts them by the period they fall in (seed 000's T1/T2 reading: entries into stage k+1
-- in the period / entries into stage k in the period).

with

reach_by_kind as (

    select * from {{ ref('int_funnel_reach_by_kind') }}

),

flow_event_types as (

    select 'entered' as flow_event
    union all
    select 'advanced' as flow_event

),

events as (

    select
        reach_by_kind.opportunity_id,
        reach_by_kind.sales_process,
        reach_by_kind.from_stage,
        reach_by_kind.to_stage,
        reach_by_kind.from_stage_order,
        reach_by_kind.funnel_kind,
        flow_event_types.flow_event,
        case flow_event_types.flow_event
            when 'advanced' then reach_by_kind.advanced_at
            else reach_by_kind.first_entered_at
        end as event_at,
        reach_by_kind.amount
    from reach_by_kind
    cross join flow_event_types
    where flow_event_types.flow_event = 'entered'
        or reach_by_kind.is_advanced

),

final as (

    select * from events

)

select * from final
