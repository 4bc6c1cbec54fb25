-- One row per calendar day from 2020-01-01 to the last day of the year after the as-of
-- date's year, generated with dbt's cross-database date_spine.

{%- set end_year = (as_of_date_iso()[:4] | int) + 2 %}

with

spine as (

    {{ dbt.date_spine(
        'day',
        dbt.cast(dbt.string_literal('2020-01-01'), type_date()),
        dbt.cast(dbt.string_literal(end_year ~ '-01-01'), type_date()),
    ) }}

),

days as (

    select cast(date_day as {{ type_date() }}) as date_day
    from spine

)

select * from days
