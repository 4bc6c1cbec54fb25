-- One row per customer account: the latest loaded version of each account_id, typed.

with

source as (

    select * from {{ source('crm', 'accounts') }}

),

typed as (

    select
        {{ clean_text('account_id') }} as account_id,
        {{ clean_text('account_name') }} as account_name,
        {{ clean_text('credit_code') }} as credit_code,
        {{ clean_text('customer_type') }} as customer_type,
        {{ clean_text('tier') }} as tier,
        {{ clean_text('industry') }} as industry,
        {{ clean_text('region') }} as region,
        {{ clean_text('branch') }} as branch,
        _source_file as source_file,
        _row_number as source_row_number,
        _loaded_at as loaded_at
    from source

),

versioned as (

    select
        typed.*,
        row_number() over (
            partition by account_id
            order by loaded_at desc, source_file desc, source_row_number desc
        ) as version_rank
    from typed

),

latest as (

    select
        account_id,
        account_name,
        credit_code,
        customer_type,
        tier,
        industry,
        region,
        branch,
        source_file,
        loaded_at
    from versioned
    where version_rank = 1

)

select * from latest
