{#-
    Fails with one row per column of `column_names` that holds a null: the column's name and
    how many rows are null. One scan of the model for all its required columns, instead of one
    `not_null` test (one query, one dbt node) per column: with several hundred columns that
    is most of a nightly build's test time. A column whose nulls are allowed on some rows
    keeps dbt's own `not_null` test with a `where` config.
    scripts/not_null_columns.py moves plain column-level `not_null` tests into this test.
-#}
{% test not_null_columns(model, column_names) %}

with

source_rows as (

    select * from {{ model }}

),

null_counts as (

    select
        {% for column in column_names -%}
        sum(case when {{ column }} is null then 1 else 0 end)
            as {{ column }}{{ "," if not loop.last }}
        {% endfor %}
    from source_rows

),

failures as (

    {% for column in column_names -%}
    select
        '{{ column }}' as column_name,
        {{ column }} as null_rows
    from null_counts
    where {{ column }} > 0
    {{ "union all" if not loop.last }}
    {% endfor %}

)

select * from failures

{% endtest %}
