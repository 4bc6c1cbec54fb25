{#-
    1 when a dated version starts a new validity range of its key, else 0: the first version
    of the key, or one whose `tracked` value (an expression: one column, or several joined
    with tracked_attributes()) differs from the previous version's. A running sum of it
    numbers the ranges (dim_sales_reps, dim_accounts, int_opportunity_owner_ranges).
-#}
{% macro starts_new_range(partition_by, order_by, tracked) -%}
    case
        when
            coalesce(
                lag({{ tracked }}) over (
                    partition by {{ partition_by }} order by {{ order_by }}
                ) = {{ tracked }},
                false
            )
            then 0
        else 1
    end
{%- endmacro %}

{#- The tracked columns of a version as one text value ('' stands for null). -#}
{% macro tracked_attributes(columns) -%}
    {%- set parts = [] -%}
    {%- for column in columns -%}
        {%- if not loop.first %}{% do parts.append("'|'") %}{% endif -%}
        {%- do parts.append("coalesce(" ~ dbt.cast(column, dbt.type_string()) ~ ", '')") -%}
    {%- endfor -%}
    {{ dbt.concat(parts) }}
{%- endmacro %}
