-- One row per opportunity created by the as-of date, as it stood on that date: status,
-- closed date and current stage restated as of the date, with account and owner attributes.

with

opportunities as (

    select * from {{ ref('int_opportunities_enriched') }}

),

final as (

    select
        opportunity_id,
        opportunity_name,
        account_id,
        account_name,
        owner_id,
        owner_name,
        team,
        region,
        branch,
        customer_type,
        tier,
        industry,
        product_category,
        opportunity_type,
        source,
        sales_process,
        current_stage,
        current_stage_order,
        status,
        amount,
        currency,
        created_at,
        expected_close_date,
        closed_date,
        next_follow_up_date,
        {{ as_of_date() }} as as_of_date
    from opportunities

)

select * from final
