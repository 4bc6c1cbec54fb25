-- One row per account × export date: every version of each account the exports showed
-- (the last loaded one when several files share an export date), typed, with the export's
-- date (from the file name, else the load date).

with

-- not named `source`: keeps the same shape as the other version models
source_rows as (

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
        {{ export_date('_source_file', '_loaded_at') }} as export_date,
        _source_file as source_file,
        _row_number as source_row_number,
        _loaded_at as loaded_at
    from source_rows

),

daily as (

    select
        typed.*,
        row_number() over (
            partition by account_id, export_date
            order by loaded_at desc, source_file desc, source_row_number desc
        ) as day_rank
    from typed

),

final as (

    select
        account_id,
        account_name,
        credit_code,
        customer_type,
        tier,
        industry,
        region,
        branch,
        export_date,
        source_file,
        loaded_at
    from daily
    where day_rank = 1

)

select * from final
