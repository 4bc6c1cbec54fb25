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

{#- Fractional calendar days between two timestamps (second precision). -#}
{% macro days_between(start_ts, end_ts) -%}
    cast({{ dbt.datediff(start_ts, end_ts, 'second') }} as {{ dbt.type_float() }}) / 86400.0
{%- endmacro %}
