-- One row per opportunity × stage of its sales process: whether the opportunity reached the
-- stage by the as-of date and when it first did, and whether it went on to the next stage.
-- A stage skipped over counts as reached, entered at the time of the skipping change (so
-- reach is monotone along the process); status won counts as reaching every stage.
-- Reached in order (the strict funnel): this stage and every earlier one of the process were
-- first reached by a change into that very stage (none skipped), the won stage also by the
-- won status.

with

opportunities as (

    select * from {{ ref('int_opportunities_enriched') }}

),

stage_changes as (

    select * from {{ ref('int_stage_changes_sequenced') }}

),

process_stages as (

    select * from {{ ref('sales_process_stages') }}

),

process_stages_with_next as (

    select
        sales_process,
        stage_code,
        stage_order,
        is_won_stage,
        lead(stage_code) over (
            partition by sales_process order by stage_order
        ) as next_stage_code
    from process_stages

),

opportunity_stages as (

    select
        opportunities.opportunity_id,
        opportunities.sales_process,
        opportunities.status,
        opportunities.amount,
        opportunities.closed_date,
        process_stages_with_next.stage_code,
        process_stages_with_next.stage_order,
        process_stages_with_next.is_won_stage,
        process_stages_with_next.next_stage_code
    from opportunities
    inner join process_stages_with_next
        on opportunities.sales_process = process_stages_with_next.sales_process

),

first_reached as (

    -- first change that put the opportunity at this stage or beyond it
    select
        opportunity_stages.opportunity_id,
        opportunity_stages.stage_code,
        min(stage_changes.changed_at) as first_reached_at
    from opportunity_stages
    inner join stage_changes
        on opportunity_stages.opportunity_id = stage_changes.opportunity_id
        and opportunity_stages.stage_order <= stage_changes.to_stage_order
    group by
        opportunity_stages.opportunity_id,
        opportunity_stages.stage_code

),

first_direct_entry as (

    select
        opportunity_id,
        to_stage as stage_code,
        min(changed_at) as first_direct_entered_at
    from stage_changes
    group by
        opportunity_id,
        to_stage

),

reach as (

    select
        opportunity_stages.opportunity_id,
        opportunity_stages.sales_process,
        opportunity_stages.stage_code,
        opportunity_stages.stage_order,
        opportunity_stages.is_won_stage,
        opportunity_stages.next_stage_code,
        (
            first_reached.first_reached_at is not null
            or opportunity_stages.status = 'won'
        ) as is_reached,
        coalesce(
            first_reached.first_reached_at,
            case
                when opportunity_stages.status = 'won'
                    then {{ dbt.cast('opportunity_stages.closed_date', dbt.type_timestamp()) }}
            end
        ) as first_entered_at,
        case
            when first_reached.first_reached_at is null
                and opportunity_stages.status = 'won' then 'won'
            when first_reached.first_reached_at is null then null
            when first_direct_entry.first_direct_entered_at = first_reached.first_reached_at
                then 'entered'
            else 'skipped'
        end as reached_via,
        opportunity_stages.status,
        opportunity_stages.amount
    from opportunity_stages
    left join first_reached
        on opportunity_stages.opportunity_id = first_reached.opportunity_id
        and opportunity_stages.stage_code = first_reached.stage_code
    left join first_direct_entry
        on opportunity_stages.opportunity_id = first_direct_entry.opportunity_id
        and opportunity_stages.stage_code = first_direct_entry.stage_code

),

in_order as (

    select
        reach.*,
        min(
            case
                when reach.reached_via = 'entered' then 1
                when reach.reached_via = 'won' and reach.is_won_stage then 1
                else 0
            end
        ) over (
            partition by reach.opportunity_id
            order by reach.stage_order
            rows between unbounded preceding and current row
        ) = 1 as is_reached_in_order
    from reach

),

with_advance as (

    select
        in_order.*,
        -- reach is monotone, so reaching the next stage = reaching any later stage
        lead(is_reached) over (
            partition by opportunity_id order by stage_order
        ) as is_advanced,
        lead(first_entered_at) over (
            partition by opportunity_id order by stage_order
        ) as advanced_at,
        lead(is_reached_in_order) over (
            partition by opportunity_id order by stage_order
        ) as is_advanced_in_order
    from in_order

),

final as (

    select
        opportunity_id,
        sales_process,
        stage_code,
        stage_order,
        is_won_stage,
        next_stage_code,
        is_reached,
        first_entered_at,
        reached_via,
        is_advanced,
        advanced_at,
        is_reached_in_order,
        is_advanced_in_order,
        status,
        amount
    from with_advance

)

select * from final
