-- One row per calendar month from the month of the first opportunity's creation to the month
-- of the as-of date: the month-start spine of the pipeline snapshots and forecast marts.
-- Built from a 0-999 counter (digits cross joined), so it needs no dialect-specific series.

with

opportunities as (

    select * from {{ ref('int_opportunities_enriched') }}

),

digits as (

    select 0 as digit
    {% for digit in range(1, 10) %}
    union all
    select {{ digit }} as digit
    {% endfor %}

),

month_offsets as (

    select units.digit + 10 * tens.digit + 100 * hundreds.digit as month_offset
    from digits as units
    cross join digits as tens
    cross join digits as hundreds

),

bounds as (

    select
        {{ dbt.cast(dbt.date_trunc('month', 'min(created_at)'), type_date()) }}
            as first_month_start,
        {{ dbt.cast(dbt.date_trunc('month', as_of_date()), type_date()) }} as last_month_start
    from opportunities

),

spine as (

    select
        {{ dbt.cast(
            dbt.dateadd('month', 'month_offsets.month_offset', 'bounds.first_month_start'),
            type_date(),
        ) }} as month_start
    from bounds
    cross join month_offsets
    where
        month_offsets.month_offset
        <= {{ dbt.datediff('bounds.first_month_start', 'bounds.last_month_start', 'month') }}

),

final as (

    select
        month_start,
        {{ as_of_date() }} as as_of_date
    from spine

)

select * from final
