-- One row per opportunity ever exported: the load time of the latest change to anything its
-- stage facts (fct_stage_transitions, fct_stage_visits) are built from, and the latest date
-- of an event that an as-of date can include or leave out. The incremental builds of those
-- facts rebuild every opportunity whose inputs changed after their previous build, or with an
-- event between the previous and the current as-of date (macro
-- stage_facts_reprocessed_opportunities). A change is judged by content where the exports
-- are versioned (opportunities, accounts, sales reps: a night's export that repeats a row
-- unchanged changes nothing) and by load time for the stage history.

{{ config(materialized='table') }}

with

opportunities as (

    select * from {{ ref('stg_crm__opportunities') }}

),

opportunity_versions as (

    select * from {{ ref('stg_crm__opportunity_versions') }}

),

history_changes as (

    select * from {{ ref('stg_crm__stage_changes') }}

),

account_versions as (

    select * from {{ ref('stg_crm__account_versions') }}

),

rep_versions as (

    select * from {{ ref('stg_crm__sales_rep_versions') }}

),

opportunity_tracked as (

    select
        opportunity_id,
        version_number,
        export_date,
        loaded_at,
        {{ tracked_attributes([
            'account_id', 'owner_id', 'opportunity_type', 'sales_process', 'product_category',
            'current_stage', 'status', 'created_at', 'closed_date',
        ]) }} as tracked
    from opportunity_versions

),

opportunity_compared as (

    select
        opportunity_tracked.*,
        lag(tracked) over (
            partition by opportunity_id order by version_number
        ) as previous_tracked,
        max(export_date) over (
            partition by opportunity_id
            order by version_number
            rows between unbounded preceding and 1 preceding
        ) as previous_latest_export_date
    from opportunity_tracked

),

opportunity_changes as (

    -- the first version, one whose tracked attributes differ from the version loaded before
    -- it, or a late export (dated no later than one loaded before): owner ranges and the
    -- stage changes inferred from exports are ordered by export date
    select
        opportunity_id,
        loaded_at as changed_at,
        export_date as event_on
    from opportunity_compared
    where
        previous_tracked is null
        or previous_tracked != tracked
        or export_date <= previous_latest_export_date

),

feed_exports as (

    select
        export_date,
        min(loaded_at) as first_loaded_at
    from opportunity_versions
    group by export_date

),

late_feed_exports as (

    -- an export date loaded after a later one: the stage changes inferred for opportunities
    -- first exported after it may change basis (the feed's previous export moved)
    select
        export_date,
        first_loaded_at
    from (
        select
            feed_exports.*,
            max(export_date) over (
                order by first_loaded_at, export_date
                rows between unbounded preceding and 1 preceding
            ) as latest_earlier_loaded_export_date
        from feed_exports
    ) as ordered_exports
    where export_date < latest_earlier_loaded_export_date

),

first_exports as (

    select
        opportunity_id,
        min(export_date) as first_export_date
    from opportunity_versions
    group by opportunity_id

),

late_feed_changes as (

    select
        first_exports.opportunity_id,
        late_feed_exports.first_loaded_at as changed_at
    from first_exports
    inner join late_feed_exports
        on first_exports.first_export_date > late_feed_exports.export_date

),

account_compared as (

    select
        account_id,
        loaded_at,
        {{ tracked_attributes(['customer_type', 'tier', 'region', 'branch']) }} as tracked,
        lag({{ tracked_attributes(['customer_type', 'tier', 'region', 'branch']) }}) over (
            partition by account_id order by loaded_at, source_file, export_date
        ) as previous_tracked
    from account_versions

),

account_changes as (

    -- attributes read through the opportunity's current account (stg_crm__accounts)
    select
        opportunities.opportunity_id,
        account_compared.loaded_at as changed_at
    from account_compared
    inner join opportunities
        on account_compared.account_id = opportunities.account_id
    where
        account_compared.previous_tracked is null
        or account_compared.previous_tracked != account_compared.tracked

),

rep_compared as (

    select
        rep_id,
        loaded_at,
        export_date,
        {{ tracked_attributes(['team', 'branch', 'region', 'manager_id', 'is_active']) }}
            as tracked,
        lag(
            {{ tracked_attributes(['team', 'branch', 'region', 'manager_id', 'is_active']) }}
        ) over (
            partition by rep_id order by loaded_at, source_file, source_row_number
        ) as previous_tracked,
        max(export_date) over (
            partition by rep_id
            order by loaded_at, source_file, source_row_number
            rows between unbounded preceding and 1 preceding
        ) as previous_latest_export_date
    from rep_versions

),

changed_reps as (

    -- dim_sales_reps dates each rep's ranges by export date: a late export counts too
    select
        rep_id,
        max(loaded_at) as changed_at
    from rep_compared
    where
        previous_tracked is null
        or previous_tracked != tracked
        or export_date <= previous_latest_export_date
    group by rep_id

),

owners as (

    -- every owner an opportunity had in any export (event-time attribution reads them all)
    select distinct
        opportunity_id,
        owner_id
    from opportunity_versions

),

rep_changes as (

    select
        owners.opportunity_id,
        changed_reps.changed_at
    from owners
    inner join changed_reps
        on owners.owner_id = changed_reps.rep_id

),

history_events as (

    select
        opportunity_id,
        loaded_at as changed_at,
        {{ dbt.cast('changed_at', type_date()) }} as event_on
    from history_changes

),

opportunity_dates as (

    select
        opportunity_id,
        {{ dbt.cast('null', dbt.type_timestamp()) }} as changed_at,
        {{ dbt.cast('created_at', type_date()) }} as event_on
    from opportunities
    union all
    select
        opportunity_id,
        {{ dbt.cast('null', dbt.type_timestamp()) }} as changed_at,
        closed_date as event_on
    from opportunities

),

all_changes as (

    select
        opportunity_id,
        changed_at,
        event_on
    from opportunity_changes
    union all
    select
        opportunity_id,
        changed_at,
        event_on
    from history_events
    union all
    select
        opportunity_id,
        changed_at,
        event_on
    from opportunity_dates
    union all
    select
        opportunity_id,
        changed_at,
        {{ dbt.cast('null', type_date()) }} as event_on
    from late_feed_changes
    union all
    select
        opportunity_id,
        changed_at,
        {{ dbt.cast('null', type_date()) }} as event_on
    from account_changes
    union all
    select
        opportunity_id,
        changed_at,
        {{ dbt.cast('null', type_date()) }} as event_on
    from rep_changes

),

final as (

    select
        opportunities.opportunity_id,
        max(all_changes.changed_at) as inputs_changed_at,
        max(all_changes.event_on) as latest_event_on
    from opportunities
    inner join all_changes
        on opportunities.opportunity_id = all_changes.opportunity_id
    group by opportunities.opportunity_id

)

select * from final
