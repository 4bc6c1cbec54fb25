-- Every sales process has exactly one won stage, it is the last stage, and the stage
-- orders are 1..n without gaps. Returns the offending processes.

with

stages as (

    select * from {{ ref('sales_process_stages') }}

),

per_process as (

    select
        sales_process,
        count(*) as stage_count,
        min(stage_order) as min_order,
        max(stage_order) as max_order,
        sum(case when is_won_stage then 1 else 0 end) as won_stage_count,
        max(case when is_won_stage then stage_order end) as won_stage_order
    from stages
    group by sales_process

),

failures as (

    select * from per_process
    where won_stage_count != 1
        or won_stage_order != max_order
        or min_order != 1
        or max_order != stage_count

)

select * from failures
