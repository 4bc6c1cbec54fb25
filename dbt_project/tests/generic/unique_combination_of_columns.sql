{#-
    Fails for every combination of `combination_of_columns` that occurs more than once
    (the grain test of a model). Like dbt_utils.unique_combination_of_columns.
-#}
{% test unique_combination_of_columns(model, combination_of_columns) %}

with

source_rows as (

    select * from {{ model }}

),

grouped as (

    select
        {% for column in combination_of_columns -%}
        {{ column }},
        {% endfor -%}
        count(*) as row_count
    from source_rows
    group by {{ combination_of_columns | join(', ') }}

),

failures as (

    select * from grouped
    where row_count > 1

)

select * from failures

{% endtest %}
