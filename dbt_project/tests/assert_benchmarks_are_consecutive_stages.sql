-- Each benchmark converts a stage of a configured process into the next stage of the same
-- process. Returns benchmarks whose stage pair is not consecutive in sales_process_stages.

with

benchmarks as (

    select * from {{ ref('stage_benchmarks') }}

),

stages as (

    select * from {{ ref('sales_process_stages') }}

),

checked as (

    select
        benchmarks.sales_process,
        benchmarks.from_stage,
        benchmarks.to_stage,
        from_stages.stage_order as from_stage_order,
        to_stages.stage_order as to_stage_order
    from benchmarks
    left join stages as from_stages
        on benchmarks.sales_process = from_stages.sales_process
        and benchmarks.from_stage = from_stages.stage_code
    left join stages as to_stages
        on benchmarks.sales_process = to_stages.sales_process
        and benchmarks.to_stage = to_stages.stage_code

),

failures as (

    select * from checked
    where from_stage_order is null
        or to_stage_order is null
        or to_stage_order != from_stage_order + 1

)

select * from failures
