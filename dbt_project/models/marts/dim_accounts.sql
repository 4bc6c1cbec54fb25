-- One row per customer account: the latest loaded version of the account with its
-- importance (KA / SMB) from the sales-ops rule segment_rules (by tier).

with

accounts as (

    select * from {{ ref('stg_crm__accounts') }}

),

segment_rules as (

    select * from {{ ref('segment_rules') }}

),

final as (

    select
        accounts.account_id,
        accounts.account_name,
        accounts.credit_code,
        accounts.customer_type,
        accounts.tier,
        segment_rules.importance,
        accounts.industry,
        accounts.region,
        accounts.branch,
        accounts.source_file,
        accounts.loaded_at,
        {{ as_of_date() }} as as_of_date
    from accounts
    left join segment_rules
        on accounts.tier = segment_rules.tier

)

select * from final
