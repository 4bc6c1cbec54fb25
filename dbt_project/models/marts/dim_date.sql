-- One row per calendar day (int_calendar_days): its week, month, quarter and year starts,
-- and its fiscal year and quarter per the sales-ops fiscal calendar (seed fiscal_calendar).
-- A fiscal year is named by the calendar year in which it ends.

with

calendar_days as (

    select * from {{ ref('int_calendar_days') }}

),

fiscal_calendar as (

    select * from {{ ref('fiscal_calendar') }}

),

day_parts as (

    select
        calendar_days.date_day,
        fiscal_calendar.fiscal_year_start_month,
        fiscal_calendar.week_start as week_start_day,
        -- days since Monday 1970-01-05: 0 on a Monday, 6 on a Sunday
        mod(
            {{ dbt.datediff(
                dbt.cast(dbt.string_literal('1970-01-05'), type_date()),
                'calendar_days.date_day',
                'day',
            ) }},
            7
        ) as days_since_monday,
        cast(extract(month from calendar_days.date_day) as integer) as month_number,
        cast({{ dbt.date_trunc('month', 'calendar_days.date_day') }} as {{ type_date() }})
            as month_start
    from calendar_days
    cross join fiscal_calendar

),

fiscal_parts as (

    select
        day_parts.*,
        case
            when week_start_day = 'sunday' then mod(days_since_monday + 1, 7)
            else days_since_monday
        end as days_into_week,
        mod(month_number - fiscal_year_start_month + 12, 12) as months_into_fiscal_year,
        -- named by the calendar year in which the fiscal year ends
        cast(extract(year from date_day) as integer)
        + case
            when fiscal_year_start_month > 1 and month_number >= fiscal_year_start_month
                then 1
            else 0
        end as fiscal_year_number
    from day_parts

),

fiscal_years as (

    select
        fiscal_parts.*,
        cast(
            {{ dbt.dateadd('month', '-months_into_fiscal_year', 'month_start') }}
            as {{ type_date() }}
        ) as fiscal_year_start,
        case
            when months_into_fiscal_year < 3 then 1
            when months_into_fiscal_year < 6 then 2
            when months_into_fiscal_year < 9 then 3
            else 4
        end as fiscal_quarter
    from fiscal_parts

),

final as (

    select
        date_day,
        days_since_monday + 1 as day_of_week,
        cast({{ dbt.dateadd('day', '-days_into_week', 'date_day') }} as {{ type_date() }})
            as week_start,
        month_start,
        cast({{ dbt.date_trunc('quarter', 'date_day') }} as {{ type_date() }})
            as quarter_start,
        cast({{ dbt.date_trunc('year', 'date_day') }} as {{ type_date() }}) as year_start,
        fiscal_year_number,
        {{ dbt.concat([
            "'FY'", dbt.cast('fiscal_year_number', dbt.type_string()),
        ]) }} as fiscal_year,
        fiscal_year_start,
        fiscal_quarter,
        cast(
            {{ dbt.dateadd('month', '3 * (fiscal_quarter - 1)', 'fiscal_year_start') }}
            as {{ type_date() }}
        ) as fiscal_quarter_start,
        days_since_monday < 5 as is_business_day,
        {{ as_of_date() }} as as_of_date
    from fiscal_years

)

select * from final
