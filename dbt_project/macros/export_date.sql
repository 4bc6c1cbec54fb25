{#-
    The date an export was taken, from its lineage: the first YYYY-MM-DD in the file name
    (`sales_reps_2025-07-01.csv`), else the date it was loaded. Dispatched because regular
    expressions differ between databases.
-#}
{% macro export_date(source_file, loaded_at) -%}
    {{ return(adapter.dispatch('export_date', 'funnel_warehouse')(source_file, loaded_at)) }}
{%- endmacro %}

{% macro default__export_date(source_file, loaded_at) -%}
    coalesce(
        cast(nullif(regexp_extract({{ source_file }}, '[0-9]{4}-[0-9]{2}-[0-9]{2}'), '')
            as {{ type_date() }}),
        cast({{ loaded_at }} as {{ type_date() }})
    )
{%- endmacro %}

{% macro postgres__export_date(source_file, loaded_at) -%}
    coalesce(
        cast(substring({{ source_file }} from '[0-9]{4}-[0-9]{2}-[0-9]{2}') as date),
        cast({{ loaded_at }} as date)
    )
{%- endmacro %}

{% macro snowflake__export_date(source_file, loaded_at) -%}
    coalesce(
        cast(regexp_substr({{ source_file }}, '[0-9]{4}-[0-9]{2}-[0-9]{2}') as date),
        cast({{ loaded_at }} as date)
    )
{%- endmacro %}
