-- One row per opportunity × owner range: the owner (负责人) the opportunity exports showed
-- from valid_from (the export date of the first version showing that owner) until valid_to
-- (exclusive; null for the current range). Consecutive exports with the same owner are one
-- range; of several versions with the same export date the last loaded one counts.

with

opportunity_versions as (

    select * from {{ ref('stg_crm__opportunity_versions') }}

),

daily_versions as (

    select
        opportunity_id,
        owner_id,
        export_date,
        row_number() over (
            partition by opportunity_id, export_date
            order by loaded_at desc, source_file desc
        ) as day_rank
    from opportunity_versions

),

flagged as (

    select
        opportunity_id,
        owner_id,
        export_date,
        {{ starts_new_range('opportunity_id', 'export_date', "coalesce(owner_id, '')") }}
            as starts_range
    from daily_versions
    where day_rank = 1

),

numbered as (

    select
        flagged.*,
        sum(starts_range) over (
            partition by opportunity_id
            order by export_date
            rows between unbounded preceding and current row
        ) as range_number
    from flagged

),

ranges as (

    select
        opportunity_id,
        range_number,
        min(owner_id) as owner_id,
        min(export_date) as valid_from
    from numbered
    group by
        opportunity_id,
        range_number

),

final as (

    select
        opportunity_id,
        range_number,
        owner_id,
        valid_from,
        lead(valid_from) over (
            partition by opportunity_id order by valid_from
        ) as valid_to,
        min(valid_from) over (partition by opportunity_id) as first_valid_from,
        lead(valid_from) over (
            partition by opportunity_id order by valid_from
        ) is null as is_current
    from ranges

)

select * from final
