-- One row per opportunity × loaded export file: every loaded version of each opportunity,
-- typed (the fields whose history matters: owner, amount, expected close date, stage, status,
-- and the attributes the stage facts read, so their incremental build sees what changed).

with

-- not named `source`: the table has a column of that name
source_rows as (

    select * from {{ source('crm', 'opportunities') }}

),

typed as (

    select
        {{ clean_text('opportunity_id') }} as opportunity_id,
        {{ clean_text('owner_id') }} as owner_id,
        {{ clean_text('account_id') }} as account_id,
        {{ clean_text('opportunity_type') }} as opportunity_type,
        {{ clean_text('sales_process') }} as sales_process,
        {{ clean_text('product_category') }} as product_category,
        cast({{ clean_text('amount') }} as {{ type_amount() }}) as amount,
        upper(coalesce({{ clean_text('currency') }}, 'CNY')) as currency,
        cast({{ clean_text('expected_close_date') }} as {{ type_date() }}) as expected_close_date,
        {{ clean_text('current_stage') }} as current_stage,
        {{ clean_text('status') }} as status,
        cast({{ clean_text('created_at') }} as {{ dbt.type_timestamp() }}) as created_at,
        cast({{ clean_text('closed_date') }} as {{ type_date() }}) as closed_date,
        {{ export_date('_source_file', '_loaded_at') }} as export_date,
        _source_file as source_file,
        _row_number as source_row_number,
        _loaded_at as loaded_at
    from source_rows

),

deduplicated as (

    -- a key repeated within one file: keep its last row, as staging does
    select
        typed.*,
        row_number() over (
            partition by opportunity_id, loaded_at, source_file
            order by source_row_number desc
        ) as row_rank
    from typed

),

final as (

    select
        opportunity_id,
        row_number() over (
            partition by opportunity_id
            order by loaded_at, source_file
        ) as version_number,
        owner_id,
        account_id,
        opportunity_type,
        sales_process,
        product_category,
        amount,
        currency,
        expected_close_date,
        current_stage,
        status,
        created_at,
        closed_date,
        export_date,
        source_file,
        loaded_at
    from deduplicated
    where row_rank = 1

)

select * from final
