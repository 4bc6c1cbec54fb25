-- One row per funnel kind × opportunity × stage transition (a stage and the next stage of its
-- process) that the opportunity entered in that kind's reading: any_stage (the stage was
-- reached, a skip counts) or strict (reached in process order, none skipped). Whether it
-- advanced to the next stage in that reading, when, and (strict only) whether it went past
-- the next stage without entering it in order. Feeds both readings of the funnel marts:
-- cohort (follow the row to its outcome) and period flow (count its entry and advance).

with

stage_reach as (

    select * from {{ ref('int_opportunity_stage_reach') }}

),

funnel_kinds as (

    select 'any_stage' as funnel_kind
    union all
    select 'strict' as funnel_kind

),

transitions as (

    select
        funnel_kinds.funnel_kind,
        stage_reach.opportunity_id,
        stage_reach.sales_process,
        stage_reach.stage_code as from_stage,
        stage_reach.next_stage_code as to_stage,
        stage_reach.stage_order as from_stage_order,
        stage_reach.first_entered_at,
        stage_reach.advanced_at as next_stage_reached_at,
        stage_reach.status,
        stage_reach.amount,
        case funnel_kinds.funnel_kind
            when 'strict' then coalesce(stage_reach.is_reached_in_order, false)
            else coalesce(stage_reach.is_reached, false)
        end as is_entered,
        coalesce(stage_reach.is_advanced, false) as is_past_stage,
        case funnel_kinds.funnel_kind
            when 'strict' then coalesce(stage_reach.is_advanced_in_order, false)
            else coalesce(stage_reach.is_advanced, false)
        end as is_advanced
    from stage_reach
    cross join funnel_kinds
    where stage_reach.next_stage_code is not null

),

final as (

    select
        funnel_kind,
        opportunity_id,
        sales_process,
        from_stage,
        to_stage,
        from_stage_order,
        first_entered_at,
        is_advanced,
        case when is_advanced then next_stage_reached_at end as advanced_at,
        -- strict only: went past to_stage without entering it in order
        is_past_stage and not is_advanced as is_skipped,
        status,
        amount
    from transitions
    where is_entered

)

select * from final
