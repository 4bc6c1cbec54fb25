-- One row per sales lead (线索): the latest loaded version of each lead_id, typed. Empty when
-- no leads export was loaded (leads are an optional export family).

with

source as (

    select * from {{ source('crm', 'leads') }}

),

typed as (

    select
        {{ clean_text('lead_id') }} as lead_id,
        cast({{ clean_text('created_at') }} as {{ dbt.type_timestamp() }}) as created_at,
        {{ clean_text('lead_source') }} as lead_source,
        {{ clean_text('owner_id') }} as owner_id,
        {{ clean_text('account_id') }} as account_id,
        {{ clean_text('status') }} as status,
        {{ clean_text('converted_opportunity_id') }} as converted_opportunity_id,
        cast({{ clean_text('converted_at') }} as {{ dbt.type_timestamp() }}) as converted_at,
        _source_file as source_file,
        _row_number as source_row_number,
        _loaded_at as loaded_at
    from source

),

versioned as (

    select
        typed.*,
        row_number() over (
            partition by lead_id
            order by loaded_at desc, source_file desc, source_row_number desc
        ) as version_rank
    from typed

),

latest as (

    select
        lead_id,
        created_at,
        lead_source,
        owner_id,
        account_id,
        status,
        converted_opportunity_id,
        converted_at,
        source_file,
        loaded_at
    from versioned
    where version_rank = 1

)

select * from latest
