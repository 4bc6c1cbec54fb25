{#-
    Continuous percentile of `expr` (nulls ignored) as an aggregate, e.g. the median:
    {{ percentile_cont('days_in_stage', 0.5) }}. Dispatched because the syntax differs:
    ANSI ordered-set aggregate on DuckDB/Postgres/Snowflake, `percentile()` on Spark.
-#}
{% macro percentile_cont(expr, fraction) -%}
    {{ return(adapter.dispatch('percentile_cont', 'funnel_warehouse')(expr, fraction)) }}
{%- endmacro %}

{% macro default__percentile_cont(expr, fraction) -%}
    percentile_cont({{ fraction }}) within group (order by {{ expr }})
{%- endmacro %}

{% macro spark__percentile_cont(expr, fraction) -%}
    percentile({{ expr }}, {{ fraction }})
{%- endmacro %}

{% macro databricks__percentile_cont(expr, fraction) -%}
    {{ return(funnel_warehouse.spark__percentile_cont(expr, fraction)) }}
{%- endmacro %}
