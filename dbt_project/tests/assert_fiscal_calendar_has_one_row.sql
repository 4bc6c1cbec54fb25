-- The fiscal calendar seed holds exactly one row (dim_date cross-joins it). Returns a row
-- with the count when it does not.

with

calendar_rows as (

    select * from {{ ref('fiscal_calendar') }}

),

counted as (

    select count(*) as row_count
    from calendar_rows

),

failures as (

    select * from counted
    where row_count != 1

)

select * from failures
