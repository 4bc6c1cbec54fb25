-- One row per stage change inferred from an opportunity's consecutive exports, for the
-- opportunities without a single stage_history row (snapshot-only CRMs): the first stage an
-- export shows, then one change per export whose current_stage differs from the previous
-- export of the opportunity. Day-granular: a change is only known to have happened between
-- two exports (see the YAML). Off with the dbt var infer_stage_changes_from_snapshots.

{%- set enabled_sql = var_flag_sql('infer_stage_changes_from_snapshots', true) %}

with

opportunity_versions as (

    select * from {{ ref('stg_crm__opportunity_versions') }}

),

opportunities as (

    select * from {{ ref('stg_crm__opportunities') }}

),

history_changes as (

    select * from {{ ref('stg_crm__stage_changes') }}

),

export_dates as (

    -- every date an opportunities export was taken, whichever opportunities it held
    select distinct export_date from opportunity_versions

),

feed_exports as (

    select
        export_date,
        lag(export_date) over (order by export_date) as previous_feed_export_date
    from export_dates

),

opportunities_with_history as (

    select distinct opportunity_id from history_changes

),

snapshot_versions as (

    -- versions of opportunities with no history row at all (never mix the two sources); of
    -- several files with the same export date the last loaded one counts (a re-sent export)
    select
        opportunity_versions.opportunity_id,
        opportunity_versions.export_date,
        opportunity_versions.current_stage,
        opportunity_versions.status,
        opportunity_versions.source_file,
        opportunity_versions.loaded_at,
        row_number() over (
            partition by opportunity_versions.opportunity_id, opportunity_versions.export_date
            order by opportunity_versions.loaded_at desc, opportunity_versions.source_file desc
        ) as rank_in_export_date
    from opportunity_versions
    left join opportunities_with_history
        on opportunity_versions.opportunity_id = opportunities_with_history.opportunity_id
    where
        {{ enabled_sql }}
        and opportunities_with_history.opportunity_id is null
        and opportunity_versions.current_stage is not null

),

consecutive_exports as (

    select
        opportunity_id,
        export_date,
        current_stage,
        status,
        source_file,
        loaded_at,
        row_number() over (
            partition by opportunity_id order by export_date
        ) as export_number,
        lag(current_stage) over (
            partition by opportunity_id order by export_date
        ) as previous_stage,
        lag(export_date) over (
            partition by opportunity_id order by export_date
        ) as previous_export_date
    from snapshot_versions
    where rank_in_export_date = 1

),

stage_shown as (

    -- the first export of each opportunity, and every later one showing another stage
    select
        consecutive_exports.*,
        opportunities.created_at,
        opportunities.closed_date,
        feed_exports.previous_feed_export_date
    from consecutive_exports
    inner join opportunities
        on consecutive_exports.opportunity_id = opportunities.opportunity_id
    inner join feed_exports
        on consecutive_exports.export_date = feed_exports.export_date
    where
        consecutive_exports.export_number = 1
        or consecutive_exports.current_stage != consecutive_exports.previous_stage

),

timed as (

    select
        opportunity_id,
        previous_stage as recorded_from_stage,
        current_stage as to_stage,
        previous_export_date,
        source_file,
        loaded_at,
        case
            -- new since the feed's previous export (or created on the day of the feed's
            -- first one): taken to have been created in the stage its first export shows
            when
                export_number = 1
                and {{ dbt.cast('created_at', type_date()) }}
                between coalesce(previous_feed_export_date, export_date) and export_date
                then 'created_at'
            -- older than its first export: when it reached that stage is not known
            when export_number = 1 then 'first_export'
            -- closed between the two exports: the stage changed as it closed
            when
                status in ('won', 'lost', 'invalid')
                and closed_date > previous_export_date
                and closed_date <= export_date
                then 'closed_date'
            else 'export_date'
        end as changed_at_basis,
        created_at,
        closed_date,
        export_date
    from stage_shown

),

dated as (

    select
        timed.*,
        case timed.changed_at_basis
            when 'created_at' then timed.created_at
            when 'closed_date' then {{ dbt.cast('timed.closed_date', dbt.type_timestamp()) }}
            else {{ dbt.cast('timed.export_date', dbt.type_timestamp()) }}
        end as changed_at
    from timed

),

final as (

    select
        {{ stage_change_id('opportunity_id', 'changed_at', 'to_stage') }} as stage_change_id,
        opportunity_id,
        recorded_from_stage,
        to_stage,
        changed_at,
        changed_at_basis,
        previous_export_date,
        source_file,
        loaded_at
    from dated

)

select * from final
