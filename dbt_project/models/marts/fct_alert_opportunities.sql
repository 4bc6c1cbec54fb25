-- One row per alert × opportunity involved in it (the companion of mart_bottleneck_alerts):
-- for an aggregate alert every opportunity behind it, for a per-opportunity alert the
-- opportunity itself.

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
    select
        alert_key,
        alert_type,
        member_opportunity_id,
        member_role
    from {{ alert_model }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

members as (

    select distinct
        alert_key,
        alert_type,
        member_opportunity_id,
        member_role
    from unioned
    where member_opportunity_id is not null

),

final as (

    select
        {{ as_of_date() }} as as_of_date,
        {{ dbt.hash('alert_key') }} as alert_id,
        alert_type,
        member_opportunity_id as opportunity_id,
        member_role
    from members

)

select * from final
