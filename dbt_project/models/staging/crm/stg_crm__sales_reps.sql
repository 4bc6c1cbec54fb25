-- One row per sales rep: the latest loaded version of each rep_id, typed.

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
        _source_file as source_file,
        _row_number as source_row_number,
        _loaded_at as loaded_at
    from source

),

versioned as (

    select
        typed.*,
        row_number() over (
            partition by rep_id
            order by loaded_at desc, source_file desc, source_row_number desc
        ) as version_rank
    from typed

),

latest as (

    select
        rep_id,
        rep_name,
        team,
        branch,
        region,
        manager_id,
        is_active,
        source_file,
        loaded_at
    from versioned
    where version_rank = 1

)

select * from latest
