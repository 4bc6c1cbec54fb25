-- One row per order: the latest loaded version of each order_id, typed.

with

source as (

    select * from {{ source('erp', 'orders') }}

),

typed as (

    select
        {{ clean_text('order_id') }} as order_id,
        {{ clean_text('contract_id') }} as contract_id,
        cast({{ clean_text('order_date') }} as {{ type_date() }}) as order_date,
        cast({{ clean_text('amount') }} as {{ type_amount() }}) as amount,
        {{ clean_text('status') }} as order_status,
        _source_file as source_file,
        _row_number as source_row_number,
        _loaded_at as loaded_at
    from source

),

versioned as (

    select
        typed.*,
        row_number() over (
            partition by order_id
            order by loaded_at desc, source_file desc, source_row_number desc
        ) as version_rank
    from typed

),

latest as (

    select
        order_id,
        contract_id,
        order_date,
        amount,
        order_status,
        source_file,
        loaded_at
    from versioned
    where version_rank = 1

)

select * from latest
