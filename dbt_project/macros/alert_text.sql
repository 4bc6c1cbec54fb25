{#- A fraction 0-1 as percentage text with one decimal: 0.125 -> '12.5'. -#}
{% macro pct_text(expr) -%}
    {{ dbt.cast('round(' ~ expr ~ ' * 100, 1)', dbt.type_string()) }}
{%- endmacro %}

{#- A number as text with `decimals` decimals (1 by default): 12.345 -> '12.3'; 0 -> '12'. -#}
{% macro num_text(expr, decimals=1) -%}
    {%- if decimals == 0 -%}
        {{ dbt.cast(dbt.cast('round(' ~ expr ~ ')', dbt.type_bigint()), dbt.type_string()) }}
    {%- else -%}
        {{ dbt.cast('round(' ~ expr ~ ', ' ~ decimals ~ ')', dbt.type_string()) }}
    {%- endif -%}
{%- endmacro %}

{#- A date as ISO text (YYYY-MM-DD). -#}
{% macro date_text(expr) -%}
    {{ dbt.cast(expr, dbt.type_string()) }}
{%- endmacro %}
