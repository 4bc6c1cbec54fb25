-- One row: the alert settings of the seed alert_settings pivoted into columns.

with

alert_settings as (

    select * from {{ ref('alert_settings') }}

),

pivoted as (

    select
        max(case when setting = 'renewal_due_days' then value end) as renewal_due_days,
        max(case when setting = 'max_close_date_pushes' then value end) as max_close_date_pushes,
        max(case when setting = 'amount_cut_pct' then value end) as amount_cut_pct,
        max(case when setting = 'benchmark_shortfall_ratio' then value end)
            as benchmark_shortfall_ratio,
        max(case when setting = 'history_shortfall_ratio' then value end)
            as history_shortfall_ratio,
        max(case when setting = 'severe_shortfall_ratio' then value end) as severe_shortfall_ratio,
        max(case when setting = 'min_resolved' then value end) as min_resolved,
        max(case when setting = 'trailing_quarters' then value end) as trailing_quarters,
        max(case when setting = 'history_quarters' then value end) as history_quarters,
        max(case when setting = 'funnel_hole_coverage' then value end) as funnel_hole_coverage,
        max(case when setting = 'early_stage_max_order' then value end) as early_stage_max_order
    from alert_settings

)

select * from pivoted
