{#-
    export_date on Spark: Spark's regexp_extract returns capture group 1 by default, and the
    pattern has no group, so ask for the whole match (group 0). An empty string means no match.
-#}
{% macro spark__export_date(source_file, loaded_at) -%}
    coalesce(
        cast(nullif(regexp_extract({{ source_file }}, '[0-9]{4}-[0-9]{2}-[0-9]{2}', 0), '')
            as {{ type_date() }}),
        cast({{ loaded_at }} as {{ type_date() }})
    )
{%- endmacro %}

{% macro databricks__export_date(source_file, loaded_at) -%}
    {{ return(funnel_warehouse.spark__export_date(source_file, loaded_at)) }}
{%- endmacro %}
