-- Every non-won stage of every sales process has a stalled threshold row for KA and for SMB
-- (stage_sla_thresholds); a missing row would silently exempt its opportunities from the
-- stalled alert.

with

process_stages as (

    select * from {{ ref('sales_process_stages') }}

),

thresholds as (

    select * from {{ ref('stage_sla_thresholds') }}

),

importances as (

    select 'KA' as importance
    union all
    select 'SMB' as importance

),

expected as (

    select
        process_stages.sales_process,
        process_stages.stage_code,
        importances.importance
    from process_stages
    cross join importances
    where not process_stages.is_won_stage

),

missing as (

    select expected.*
    from expected
    left join thresholds
        on expected.sales_process = thresholds.sales_process
        and expected.stage_code = thresholds.stage_code
        and expected.importance = thresholds.importance
    where thresholds.stage_code is null

)

select * from missing
