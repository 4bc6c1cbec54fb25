-- One row per sales rep × loaded export file version: every version of the rep the exports
-- showed, typed, with the export's date (from the file name, else the load date).

with

source as (

    select * from {{ source('crm', 'sales_reps') }}

),

typed as (

    select
        {{ clean_text('rep_id') }} as rep_id,
        {{ clean_text('rep_name') }} as rep_name,
        {{ clean_text('team') }} as team,
        {{ clean_text('branch') }} as branch,
        {{ clean_text('region') }} as region,
        {{ clean_text('manager_id') }} as manager_id,
        cast(lower({{ clean_text('active') }}) as {{ dbt.type_boolean() }}) as is_active,
        {{ export_date('_source_file', '_loaded_at') }} as export_date,
        _source_file as source_file,
        _content_hash as content_hash,
        _row_number as source_row_number,
        _loaded_at as loaded_at
    from source

),

-- a rep listed twice in one file version: keep its last row
deduplicated as (

    select
        typed.*,
        row_number() over (
            partition by rep_id, source_file, content_hash, loaded_at
            order by source_row_number desc
        ) as row_rank
    from typed

),

versions as (

    select
        rep_id,
        rep_name,
        team,
        branch,
        region,
        manager_id,
        is_active,
        export_date,
        source_file,
        content_hash,
        source_row_number,
        loaded_at
    from deduplicated
    where row_rank = 1

)

select * from versions
