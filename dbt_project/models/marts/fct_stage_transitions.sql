-- One row per stage change up to the as-of date, with the move's direction and the
-- opportunity's segment attributes; team and region are attributed to the organisation at
-- the change's time, or to the current one (var restate_to_current_org), upstream.
-- change_source says whether the change was recorded by the CRM or inferred from its
-- exports (day-granular). Incremental, by opportunity: a build rebuilds every row of the
-- opportunities whose inputs changed since the previous one (macros/incremental_stage_facts).

{{ stage_facts_config(with_open_age=false) }}

with

{{ stage_facts_import_ctes() }}

opportunities as (

    select * from {{ ref('int_opportunities_enriched') }}

),

transitions as (

    select
        stage_changes.stage_change_id as transition_id,
        stage_changes.opportunity_id,
        stage_changes.sales_process,
        stage_changes.from_stage,
        stage_changes.to_stage,
        stage_changes.from_stage_order,
        stage_changes.to_stage_order,
        stage_changes.changed_at,
        stage_changes.changed_by,
        stage_changes.change_source,
        stage_changes.changed_at_basis,
        stage_changes.previous_export_date,
        stage_changes.direction,
        stage_changes.stages_moved,
        opportunities.customer_type,
        opportunities.tier,
        stage_changes.region,
        opportunities.product_category,
        opportunities.opportunity_type,
        stage_changes.owner_id,
        stage_changes.current_owner_id,
        stage_changes.owner_attribution,
        stage_changes.team,
        stage_changes.org_attribution,
        {{ as_of_date() }} as as_of_date,
        build_state.inputs_loaded_through,
        build_state.build_fingerprint
    from stage_changes
    inner join opportunities
        on stage_changes.opportunity_id = opportunities.opportunity_id
    cross join build_state

)

select * from transitions
