{#-
    Fails for every row where `expression` is not true (false or null). On a column, the
    column name is put before the expression: `expression: ">= 0"` tests `<col> >= 0`.
    Like dbt_utils.expression_is_true, which this project does not install.
-#}
{% test expression_is_true(model, expression, column_name=none) %}

with

source_rows as (

    select * from {{ model }}

),

failures as (

    select *
    from source_rows
    {% if column_name is none %}
    where not coalesce(({{ expression }}), false)
    {% else %}
    where not coalesce(({{ column_name }} {{ expression }}), false)
    {% endif %}

)

select * from failures

{% endtest %}
