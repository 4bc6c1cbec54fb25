-- One row per customer account: the latest loaded version of each account_id, typed (the
-- latest of stg_crm__account_versions, which types every version).

with

account_versions as (

    select * from {{ ref('stg_crm__account_versions') }}

),

versioned as (

    select
        account_versions.*,
        row_number() over (
            partition by account_id
            order by loaded_at desc, source_file desc
        ) as version_rank
    from account_versions

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
