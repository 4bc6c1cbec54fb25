-- One row per contract signed by the as-of date (later contracts had not happened yet).

with

contracts as (

    select * from {{ ref('stg_erp__contracts') }}

),

contracts_as_of as (

    select
        contract_id,
        opportunity_id,
        account_id,
        signed_date,
        start_date,
        end_date,
        amount,
        {{ as_of_date() }} as as_of_date
    from contracts
    where signed_date <= {{ as_of_date() }}

)

select * from contracts_as_of
