-- One row per sales process × stage: the stage configuration from the seed
-- sales_process_stages (order, names, win probability, SLA, won flag).

with

process_stages as (

    select * from {{ ref('sales_process_stages') }}

),

final as (

    select
        sales_process,
        stage_code,
        stage_order,
        stage_name_zh,
        stage_name_en,
        win_probability,
        sla_days,
        is_won_stage,
        {{ as_of_date() }} as as_of_date
    from process_stages

)

select * from final
