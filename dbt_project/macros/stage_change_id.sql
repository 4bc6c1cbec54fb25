{#-
    Key of a stage change: a hash of opportunity_id | changed_at | to_stage. The CRM's
    history rows (stg_crm__stage_changes) and the changes inferred from exports
    (int_stage_changes_inferred_from_snapshots) share it.
-#}
{% macro stage_change_id(opportunity_id, changed_at, to_stage) -%}
    {{ dbt.hash(dbt.concat([
        opportunity_id, "'|'",
        dbt.cast(changed_at, dbt.type_string()), "'|'",
        to_stage,
    ])) }}
{%- endmacro %}
