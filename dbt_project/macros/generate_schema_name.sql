{#-
    Use a model's custom schema (`+schema: staging`) as-is instead of dbt's default
    `<target_schema>_<custom_schema>`, so the warehouse has the schemas raw, config,
    staging, intermediate and marts that the dashboards query.
-#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
