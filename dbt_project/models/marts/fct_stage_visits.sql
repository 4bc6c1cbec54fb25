-- One row per opportunity × visit of a (non-won) stage up to the as-of date: when the
-- opportunity entered the stage, when and why it left it, and how long it stayed. Visits of
-- the won stage (signed) are excluded: winning has no dwell. Owner, team and region are those
-- attributed to the change that started the visit (var restate_to_current_org). Visits of an
-- opportunity whose changes were inferred from its exports are day-granular (change_source).
-- Incremental, by opportunity: a build rebuilds every row of the opportunities whose inputs
-- changed since the previous one (macros/incremental_stage_facts).

{{ stage_facts_config(with_open_age=true) }}

with

{{ stage_facts_import_ctes() }}

opportunities as (

    select * from {{ ref('int_opportunities_enriched') }}

),

process_stages as (

    select * from {{ ref('sales_process_stages') }}

),

visit_starts as (

    -- a change back into the stage the opportunity is already in does not start a visit
    select * from stage_changes
    where coalesce(direction, '') != 'same'

),

visits as (

    select
        opportunity_id,
        sales_process,
        to_stage as stage_code,
        to_stage_order as stage_order,
        changed_at as entered_at,
        change_source,
        changed_at_basis as entered_at_basis,
        owner_id,
        current_owner_id,
        owner_attribution,
        team,
        region,
        org_attribution,
        lead(changed_at) over (
            partition by opportunity_id order by change_number
        ) as next_visit_entered_at,
        row_number() over (
            partition by opportunity_id, to_stage order by change_number
        ) as visit_number
    from visit_starts

),

dwell_visits as (

    select visits.*
    from visits
    inner join process_stages
        on visits.sales_process = process_stages.sales_process
        and visits.stage_code = process_stages.stage_code
    where not process_stages.is_won_stage

),

with_exit as (

    select
        dwell_visits.*,
        case
            when dwell_visits.next_visit_entered_at is not null
                then dwell_visits.next_visit_entered_at
            when opportunities.is_closed
                then
                    greatest(
                        dwell_visits.entered_at,
                        {{ dbt.cast('opportunities.closed_date', dbt.type_timestamp()) }}
                    )
        end as exited_at,
        case
            when dwell_visits.next_visit_entered_at is not null then 'stage_change'
            when opportunities.is_closed then 'closed'
        end as exit_reason,
        opportunities.customer_type,
        opportunities.tier,
        opportunities.product_category,
        opportunities.opportunity_type
    from dwell_visits
    inner join opportunities
        on dwell_visits.opportunity_id = opportunities.opportunity_id

),

visit_rows as (

    select
        {{ dbt.hash(dbt.concat([
            'opportunity_id', "'|'",
            'stage_code', "'|'",
            dbt.cast('entered_at', dbt.type_string()),
        ])) }} as visit_id,
        opportunity_id,
        sales_process,
        stage_code,
        stage_order,
        visit_number,
        entered_at,
        exited_at,
        exit_reason,
        change_source,
        entered_at_basis,
        exited_at is null as is_open,
        {{ days_between('entered_at', 'exited_at') }} as days_in_stage,
        case
            when exited_at is null
                then {{ days_between('entered_at', as_of_end_timestamp(as_of_date())) }}
        end as open_age_days,
        customer_type,
        tier,
        region,
        product_category,
        opportunity_type,
        owner_id,
        current_owner_id,
        owner_attribution,
        team,
        org_attribution,
        {{ as_of_date() }} as as_of_date
    from with_exit

),

final as (

    select
        visit_rows.*,
        build_state.inputs_loaded_through,
        build_state.build_fingerprint
    from visit_rows
    cross join build_state

)

select * from final
