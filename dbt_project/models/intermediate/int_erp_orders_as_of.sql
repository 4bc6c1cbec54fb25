-- One row per order placed by the as-of date (later orders had not happened yet).

with

orders as (

    select * from {{ ref('stg_erp__orders') }}

),

orders_as_of as (

    select
        order_id,
        contract_id,
        order_date,
        amount,
        order_status,
        {{ as_of_date() }} as as_of_date
    from orders
    where order_date <= {{ as_of_date() }}

)

select * from orders_as_of
