{#- Type used for money amounts everywhere (precision 18, scale 2). -#}
{% macro type_amount() -%}
    {{ return('decimal(18, 2)') }}
{%- endmacro %}

{#- The SQL date type of the adapter. -#}
{% macro type_date() -%}
    {{ return(api.Column.translate_type('date')) }}
{%- endmacro %}

{#- Empty or blank text becomes null; other text is trimmed. -#}
{% macro clean_text(column_name) -%}
    nullif(trim({{ column_name }}), '')
{%- endmacro %}

{#-
    A 64-bit floating point type. Not dbt.type_float(): that is `float`, which DuckDB reads
    as a 4-byte REAL (0.2 would come back as 0.20000000298...).
-#}
{% macro type_double() -%}
    {{ return(adapter.dispatch('type_double', 'funnel_warehouse')()) }}
{%- endmacro %}

{% macro default__type_double() -%}
    {{ return('double') }}
{%- endmacro %}

{% macro postgres__type_double() -%}
    {{ return('double precision') }}
{%- endmacro %}

{% macro redshift__type_double() -%}
    {{ return('double precision') }}
{%- endmacro %}

{#- Fractional calendar days between two timestamps (second precision), as a double. -#}
{% macro days_between(start_ts, end_ts) -%}
    cast({{ dbt.datediff(start_ts, end_ts, 'second') }} as {{ type_double() }}) / 86400.0
{%- endmacro %}
