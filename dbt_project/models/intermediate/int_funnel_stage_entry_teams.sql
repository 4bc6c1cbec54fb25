-- One row per opportunity × stage of its sales process that it reached by the as-of date: the
-- sales team its first entry into the stage is attributed to, the team segment of the funnel
-- marts. The team is that of the latest stage change at or before the entry
-- (fct_stage_transitions: the owner's team on the change's date, or today's organisation with
-- var restate_to_current_org); an entry with no stage change at or before it (reached only
-- through the won status) takes the opportunity's current team. 'unknown' when the owner is in
-- no sales_reps export.

with

stage_reach as (

    select * from {{ ref('int_opportunity_stage_reach') }}

),

transitions as (

    select * from {{ ref('fct_stage_transitions') }}

),

opportunities as (

    select * from {{ ref('int_opportunities_enriched') }}

),

entries as (

    select
        opportunity_id,
        sales_process,
        stage_code,
        stage_order,
        first_entered_at
    from stage_reach
    where is_reached

),

changes_up_to_entry as (

    -- the stage changes of the opportunity up to its entry into the stage, latest first
    -- (changes at one time fall on one date, hence one owner and one team)
    select
        entries.opportunity_id,
        entries.stage_code,
        transitions.team,
        row_number() over (
            partition by entries.opportunity_id, entries.stage_code
            order by transitions.changed_at desc, transitions.transition_id desc
        ) as recency_rank
    from entries
    inner join transitions
        on entries.opportunity_id = transitions.opportunity_id
        and entries.first_entered_at >= transitions.changed_at

),

latest_change as (

    select
        opportunity_id,
        stage_code,
        team
    from changes_up_to_entry
    where recency_rank = 1

),

final as (

    select
        entries.opportunity_id,
        entries.sales_process,
        entries.stage_code,
        entries.stage_order,
        entries.first_entered_at,
        coalesce(
            case
                when latest_change.opportunity_id is not null then latest_change.team
                else opportunities.team
            end,
            'unknown'
        ) as team,
        case
            when latest_change.opportunity_id is not null then 'stage_change'
            else 'current'
        end as team_source
    from entries
    left join latest_change
        on entries.opportunity_id = latest_change.opportunity_id
        and entries.stage_code = latest_change.stage_code
    left join opportunities
        on entries.opportunity_id = opportunities.opportunity_id

)

select * from final
