-- One row per sales rep × validity range: the rep's team, branch, region, manager and
-- employment as the exports showed them from valid_from until valid_to (exclusive; null for
-- the current range). Consecutive exports that show the same attributes are one range.

with

rep_versions as (

    select * from {{ ref('stg_crm__sales_rep_versions') }}

),

-- several versions with the same export date: the last loaded one counts for that date
daily_versions as (

    select
        rep_versions.*,
        row_number() over (
            partition by rep_id, export_date
            order by loaded_at desc, source_file desc, source_row_number desc
        ) as day_rank
    from rep_versions

),

dated_versions as (

    select
        rep_id,
        rep_name,
        team,
        branch,
        region,
        manager_id,
        is_active,
        export_date,
        -- the tracked attributes in one value (clean text is never '', so '' stands for null)
        {{ tracked_attributes(['team', 'branch', 'region', 'manager_id', 'is_active']) }}
            as tracked_attributes
    from daily_versions
    where day_rank = 1

),

flagged as (

    select
        dated_versions.*,
        {{ starts_new_range('rep_id', 'export_date', 'tracked_attributes') }} as starts_range
    from dated_versions

),

numbered as (

    select
        flagged.*,
        sum(starts_range) over (
            partition by rep_id
            order by export_date
            rows between unbounded preceding and current row
        ) as range_number,
        last_value(rep_name) over (
            partition by rep_id
            order by export_date
            rows between unbounded preceding and unbounded following
        ) as latest_rep_name
    from flagged

),

ranges as (

    select
        rep_id,
        range_number,
        min(latest_rep_name) as rep_name,
        min(team) as team,
        min(branch) as branch,
        min(region) as region,
        min(manager_id) as manager_id,
        {{ dbt.bool_or('is_active') }} as is_active,
        min(export_date) as valid_from,
        max(export_date) as last_seen_export_date,
        count(*) as export_count
    from numbered
    group by rep_id, range_number

),

final as (

    select
        {{ dbt.hash(dbt.concat([
            'rep_id', "'|'", dbt.cast('valid_from', dbt.type_string()),
        ])) }} as rep_version_id,
        rep_id,
        rep_name,
        team,
        branch,
        region,
        manager_id,
        is_active,
        valid_from,
        lead(valid_from) over (partition by rep_id order by valid_from) as valid_to,
        lead(valid_from) over (partition by rep_id order by valid_from) is null as is_current,
        last_seen_export_date,
        export_count,
        {{ as_of_date() }} as as_of_date
    from ranges

)

select * from final
