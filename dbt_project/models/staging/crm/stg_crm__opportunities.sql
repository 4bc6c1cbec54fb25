-- One row per opportunity: the latest loaded version of each opportunity_id, typed.

with

-- not named `source`: the table has a column of that name
source_rows as (

    select * from {{ source('crm', 'opportunities') }}

),

typed as (

    select
        {{ clean_text('opportunity_id') }} as opportunity_id,
        {{ clean_text('opportunity_name') }} as opportunity_name,
        {{ clean_text('account_id') }} as account_id,
        {{ clean_text('owner_id') }} as owner_id,
        {{ clean_text('opportunity_type') }} as opportunity_type,
        {{ clean_text('source') }} as source,
        {{ clean_text('sales_process') }} as sales_process,
        {{ clean_text('product_category') }} as product_category,
        cast({{ clean_text('amount') }} as {{ type_amount() }}) as amount,
        upper(coalesce({{ clean_text('currency') }}, 'CNY')) as currency,
        {{ clean_text('current_stage') }} as current_stage,
        cast({{ clean_text('created_at') }} as {{ dbt.type_timestamp() }}) as created_at,
        cast({{ clean_text('expected_close_date') }} as {{ type_date() }}) as expected_close_date,
        {{ clean_text('status') }} as status,
        cast({{ clean_text('closed_date') }} as {{ type_date() }}) as closed_date,
        {{ clean_text('lost_reason') }} as lost_reason,
        cast({{ clean_text('next_follow_up_date') }} as {{ type_date() }}) as next_follow_up_date,
        _source_file as source_file,
        _row_number as source_row_number,
        _loaded_at as loaded_at
    from source_rows

),

versioned as (

    select
        typed.*,
        row_number() over (
            partition by opportunity_id
            order by loaded_at desc, source_file desc, source_row_number desc
        ) as version_rank
    from typed

),

latest as (

    select
        opportunity_id,
        opportunity_name,
        account_id,
        owner_id,
        opportunity_type,
        source,
        sales_process,
        product_category,
        amount,
        currency,
        current_stage,
        created_at,
        expected_close_date,
        status,
        closed_date,
        lost_reason,
        next_follow_up_date,
        source_file,
        loaded_at
    from versioned
    where version_rank = 1

)

select * from latest
