-- One row per stage change up to the as-of date (int_stage_changes_sequenced) with the
-- opportunity's owner on the change's date (int_opportunity_owner_ranges, from the
-- opportunity export versions) and that owner's team and region from dim_sales_reps (the
-- version valid on the change's date); with var('restate_to_current_org') true, the current
-- owner and the owner's current team and region instead.

{%- set restate_sql = var_flag_sql('restate_to_current_org', false) %}

with

stage_changes as (

    select * from {{ ref('int_stage_changes_sequenced') }}

),

opportunities as (

    select * from {{ ref('int_opportunities_enriched') }}

),

accounts as (

    select * from {{ ref('stg_crm__accounts') }}

),

sales_reps as (

    select * from {{ ref('dim_sales_reps') }}

),

owner_ranges as (

    select * from {{ ref('int_opportunity_owner_ranges') }}

),

rep_ranges as (

    select
        sales_reps.*,
        min(valid_from) over (partition by rep_id) as first_valid_from
    from sales_reps

),

dated_changes as (

    select
        stage_changes.*,
        opportunities.owner_id as current_owner_id,
        opportunities.account_id,
        cast(stage_changes.changed_at as {{ type_date() }}) as changed_on
    from stage_changes
    inner join opportunities
        on stage_changes.opportunity_id = opportunities.opportunity_id

),

owned_changes as (

    -- the owner range holding the change's date; a change older than the first export
    -- takes the first range
    select
        dated_changes.*,
        accounts.region as account_region,
        case
            when {{ restate_sql }} then dated_changes.current_owner_id
            else coalesce(owner_ranges.owner_id, dated_changes.current_owner_id)
        end as owner_id,
        case
            when {{ restate_sql }} then 'current'
            when owner_ranges.opportunity_id is null then 'current'
            when dated_changes.changed_on < owner_ranges.first_valid_from
                then 'before_first_export'
            else 'event_time'
        end as owner_attribution
    from dated_changes
    left join accounts
        on dated_changes.account_id = accounts.account_id
    left join owner_ranges
        on dated_changes.opportunity_id = owner_ranges.opportunity_id
        and not {{ restate_sql }}
        and {{ within_validity_range('dated_changes.changed_on', 'owner_ranges') }}

),

attributed as (

    select
        owned_changes.*,
        rep_ranges.rep_version_id,
        rep_ranges.team,
        rep_ranges.region as rep_region,
        case
            when rep_ranges.rep_id is null then null
            when {{ restate_sql }} then 'current'
            when owned_changes.changed_on < rep_ranges.first_valid_from
                then 'before_first_export'
            else 'event_time'
        end as org_attribution
    from owned_changes
    left join rep_ranges
        on owned_changes.owner_id = rep_ranges.rep_id
        and (
            ({{ restate_sql }} and rep_ranges.is_current)
            or (
                not {{ restate_sql }}
                and {{ within_validity_range('owned_changes.changed_on', 'rep_ranges') }}
            )
        )

),

final as (

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
        stages_moved,
        direction,
        changed_at,
        changed_by,
        change_source,
        changed_at_basis,
        previous_export_date,
        next_changed_at,
        is_latest_change,
        owner_id,
        current_owner_id,
        owner_attribution,
        rep_version_id,
        team,
        rep_region,
        coalesce(account_region, rep_region) as region,
        org_attribution
    from attributed

)

select * from final
