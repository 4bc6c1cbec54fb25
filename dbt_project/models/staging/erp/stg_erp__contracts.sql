-- One row per contract: the latest loaded version of each contract_id, typed.

with

source as (

    select * from {{ source('erp', 'contracts') }}

),

typed as (

    select
        {{ clean_text('contract_id') }} as contract_id,
        {{ clean_text('opportunity_id') }} as opportunity_id,
        {{ clean_text('account_id') }} as account_id,
        cast({{ clean_text('signed_date') }} as {{ type_date() }}) as signed_date,
        cast({{ clean_text('start_date') }} as {{ type_date() }}) as start_date,
        cast({{ clean_text('end_date') }} as {{ type_date() }}) as end_date,
        cast({{ clean_text('amount') }} as {{ type_amount() }}) as amount,
        _source_file as source_file,
        _row_number as source_row_number,
        _loaded_at as loaded_at
    from source

),

versioned as (

    select
        typed.*,
        row_number() over (
            partition by contract_id
            order by loaded_at desc, source_file desc, source_row_number desc
        ) as version_rank
    from typed

),

latest as (

    select
        contract_id,
        opportunity_id,
        account_id,
        signed_date,
        start_date,
        end_date,
        amount,
        source_file,
        loaded_at
    from versioned
    where version_rank = 1

)

select * from latest
