-- One row per stage change up to the as-of date, in time order within its opportunity, with
-- the stage orders of its sales process, the previous stage, the next change and the
-- direction of the move. The entry point of every stage change: the CRM's stage history,
-- and for opportunities without any, the changes inferred from consecutive exports.

with

history_changes as (

    select * from {{ ref('stg_crm__stage_changes') }}

),

inferred_changes as (

    select * from {{ ref('int_stage_changes_inferred_from_snapshots') }}

),

opportunities as (

    select * from {{ ref('stg_crm__opportunities') }}

),

opportunity_processes as (

    select * from {{ ref('int_opportunity_sales_processes') }}

),

process_stages as (

    select * from {{ ref('sales_process_stages') }}

),

stage_changes as (

    -- an opportunity has history rows or inferred ones, never both
    select
        stage_change_id,
        opportunity_id,
        recorded_from_stage,
        to_stage,
        changed_at,
        changed_by,
        'history' as change_source,
        'recorded' as changed_at_basis,
        {{ dbt.cast('null', type_date()) }} as previous_export_date
    from history_changes
    union all
    select
        stage_change_id,
        opportunity_id,
        recorded_from_stage,
        to_stage,
        changed_at,
        {{ dbt.cast('null', dbt.type_string()) }} as changed_by,
        'inferred_from_snapshots' as change_source,
        changed_at_basis,
        previous_export_date
    from inferred_changes

),

opportunities_as_of as (

    select
        opportunities.opportunity_id,
        opportunity_processes.sales_process
    from opportunities
    inner join opportunity_processes
        on opportunities.opportunity_id = opportunity_processes.opportunity_id
    where cast(opportunities.created_at as date) <= {{ as_of_date() }}

),

changes_as_of as (

    select
        stage_changes.stage_change_id,
        stage_changes.opportunity_id,
        opportunities_as_of.sales_process,
        stage_changes.recorded_from_stage,
        stage_changes.to_stage,
        stage_changes.changed_at,
        stage_changes.changed_by,
        stage_changes.change_source,
        stage_changes.changed_at_basis,
        stage_changes.previous_export_date
    from stage_changes
    inner join opportunities_as_of
        on stage_changes.opportunity_id = opportunities_as_of.opportunity_id
    where cast(stage_changes.changed_at as date) <= {{ as_of_date() }}

),

ordered as (

    select
        changes_as_of.stage_change_id,
        changes_as_of.opportunity_id,
        changes_as_of.sales_process,
        changes_as_of.recorded_from_stage,
        changes_as_of.to_stage,
        process_stages.stage_order as to_stage_order,
        changes_as_of.changed_at,
        changes_as_of.changed_by,
        changes_as_of.change_source,
        changes_as_of.changed_at_basis,
        changes_as_of.previous_export_date,
        row_number() over (
            partition by changes_as_of.opportunity_id
            order by
                changes_as_of.changed_at,
                process_stages.stage_order,
                changes_as_of.to_stage
        ) as change_number
    from changes_as_of
    left join process_stages
        on changes_as_of.sales_process = process_stages.sales_process
        and changes_as_of.to_stage = process_stages.stage_code

),

with_neighbours as (

    select
        ordered.*,
        lag(to_stage) over (
            partition by opportunity_id order by change_number
        ) as from_stage,
        lag(to_stage_order) over (
            partition by opportunity_id order by change_number
        ) as from_stage_order,
        lead(changed_at) over (
            partition by opportunity_id order by change_number
        ) as next_changed_at,
        count(*) over (partition by opportunity_id) as change_count
    from ordered

),

classified as (

    select
        stage_change_id,
        opportunity_id,
        sales_process,
        change_number,
        recorded_from_stage,
        from_stage,
        to_stage,
        from_stage_order,
        to_stage_order,
        case
            when change_number > 1 then to_stage_order - from_stage_order
        end as stages_moved,
        case
            when change_number = 1 then 'entry'
            when to_stage_order is null or from_stage_order is null then null
            when to_stage_order - from_stage_order = 1 then 'forward'
            when to_stage_order - from_stage_order > 1 then 'skip'
            when to_stage_order - from_stage_order < 0 then 'backward'
            else 'same'
        end as direction,
        changed_at,
        changed_by,
        change_source,
        changed_at_basis,
        previous_export_date,
        next_changed_at,
        change_number = change_count as is_latest_change
    from with_neighbours

)

select * from classified
