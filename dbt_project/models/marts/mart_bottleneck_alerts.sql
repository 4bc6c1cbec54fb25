-- One row per alert on the as-of date: weak stage transitions, funnel holes, stalled and
-- future opportunities, duplicates and invalid credit codes, renewals due, close-date pushes
-- and amount cuts, ranked within each alert type by severity, then priority score.

{%- set alert_models = [
    'int_alerts__weak_transition',
    'int_alerts__funnel_hole',
    'int_alerts__stalled',
    'int_alerts__duplicates',
    'int_alerts__renewal_due',
    'int_alerts__opportunity_changes',
] %}

with

{% for alert_model in alert_models %}
{{ alert_model }} as (

    select * from {{ ref(alert_model) }}

),

{% endfor %}
unioned as (

    {% for alert_model in alert_models %}
    select * from {{ alert_model }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

alerts as (

    -- one row per alert: its member rows carry the same alert columns
    select
        alert_key,
        alert_type,
        severity,
        severity_rank,
        priority_score,
        segment_dimension,
        segment_value,
        period_grain,
        period_start,
        sales_process,
        stage_code,
        to_stage,
        opportunity_id,
        contract_id,
        account_id,
        owner_id,
        escalation_level,
        measured_value,
        standard_value,
        standard_source,
        days_over_sla,
        due_date,
        detail,
        detail_zh,
        count(distinct member_opportunity_id) as opportunity_count
    from unioned
    group by
        alert_key,
        alert_type,
        severity,
        severity_rank,
        priority_score,
        segment_dimension,
        segment_value,
        period_grain,
        period_start,
        sales_process,
        stage_code,
        to_stage,
        opportunity_id,
        contract_id,
        account_id,
        owner_id,
        escalation_level,
        measured_value,
        standard_value,
        standard_source,
        days_over_sla,
        due_date,
        detail,
        detail_zh

),

ranked as (

    select
        alerts.*,
        {{ dbt.hash('alert_key') }} as alert_id,
        row_number() over (
            partition by alert_type
            order by severity_rank desc, priority_score desc nulls last, alert_key
        ) as alert_rank
    from alerts

),

final as (

    select
        {{ as_of_date() }} as as_of_date,
        alert_id,
        alert_type,
        severity,
        severity_rank,
        alert_rank,
        priority_score,
        segment_dimension,
        segment_value,
        period_grain,
        period_start,
        sales_process,
        stage_code,
        to_stage,
        opportunity_id,
        contract_id,
        account_id,
        owner_id,
        escalation_level,
        measured_value,
        standard_value,
        standard_source,
        days_over_sla,
        due_date,
        opportunity_count,
        detail,
        detail_zh,
        alert_key
    from ranked

)

select * from final
