-- One row per opportunity created by the as-of date, restated as of that date (status,
-- closed date, current stage) and enriched with its account and owner attributes as they
-- are now (restating to the organisation at event time is not done yet).

with

opportunities as (

    select * from {{ ref('stg_crm__opportunities') }}

),

accounts as (

    select * from {{ ref('stg_crm__accounts') }}

),

sales_reps as (

    select * from {{ ref('stg_crm__sales_reps') }}

),

stage_changes as (

    select * from {{ ref('int_stage_changes_sequenced') }}

),

opportunity_processes as (

    select * from {{ ref('int_opportunity_sales_processes') }}

),

process_stages as (

    select * from {{ ref('sales_process_stages') }}

),

opportunities_as_of as (

    select * from opportunities
    where cast(created_at as date) <= {{ as_of_date() }}

),

latest_stage_as_of as (

    select
        opportunity_id,
        to_stage as current_stage
    from stage_changes
    where is_latest_change

),

restated as (

    select
        opportunities_as_of.*,
        -- a closure dated after the as-of date had not happened yet: still open then
        coalesce(
            opportunities_as_of.status in ('won', 'lost', 'invalid')
            and opportunities_as_of.closed_date <= {{ as_of_date() }},
            false
        ) as is_closed_as_of,
        coalesce(
            latest_stage_as_of.current_stage, opportunities_as_of.current_stage
        ) as current_stage_as_of
    from opportunities_as_of
    left join latest_stage_as_of
        on opportunities_as_of.opportunity_id = latest_stage_as_of.opportunity_id

),

enriched as (

    select
        restated.opportunity_id,
        restated.opportunity_name,
        restated.account_id,
        accounts.account_name,
        restated.owner_id,
        sales_reps.rep_name as owner_name,
        sales_reps.team,
        coalesce(accounts.region, sales_reps.region) as region,
        coalesce(accounts.branch, sales_reps.branch) as branch,
        accounts.customer_type,
        accounts.tier,
        accounts.industry,
        restated.product_category,
        restated.opportunity_type,
        restated.source,
        opportunity_processes.sales_process,
        restated.current_stage_as_of as current_stage,
        process_stages.stage_order as current_stage_order,
        case
            when restated.is_closed_as_of then restated.status
            when restated.status in ('won', 'lost', 'invalid') then 'open'
            else restated.status
        end as status,
        restated.is_closed_as_of as is_closed,
        restated.amount,
        restated.currency,
        restated.created_at,
        restated.expected_close_date,
        case when restated.is_closed_as_of then restated.closed_date end as closed_date,
        case when restated.is_closed_as_of then restated.lost_reason end as lost_reason,
        restated.next_follow_up_date,
        {{ as_of_date() }} as as_of_date
    from restated
    left join accounts
        on restated.account_id = accounts.account_id
    left join sales_reps
        on restated.owner_id = sales_reps.rep_id
    inner join opportunity_processes
        on restated.opportunity_id = opportunity_processes.opportunity_id
    left join process_stages
        on opportunity_processes.sales_process = process_stages.sales_process
        and restated.current_stage_as_of = process_stages.stage_code

)

select * from enriched
