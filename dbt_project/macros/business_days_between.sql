{#-
    Business days (Monday to Friday; no holiday calendar, like dim_date.is_business_day)
    between two timestamps or dates: the count of Mon–Fri calendar days d with
    date(start) < d <= date(end), i.e. strictly after the entry day up to and including the
    exit day. Same day: 0; Friday 10:00 -> next Tuesday 10:00: 2 (Monday, Tuesday);
    Saturday -> Monday: 1. Null when either side is null.

    Portable arithmetic, no calendar join: with n(x) = days from Monday 1970-01-05 to
    date(x) and B(m) = 5 * floor(m / 7) + least(mod(m, 7), 5) the business days among the
    m days from that Monday onwards, the answer is B(n(end) + 1) - B(n(start) + 1). Valid
    for dates on or after 1970-01-05 (mod of a negative number differs between engines).
-#}
{% macro business_days_between(start_expr, end_expr) -%}
    (
        {{ _business_days_since_epoch(end_expr) }}
        - {{ _business_days_since_epoch(start_expr) }}
    )
{%- endmacro %}

{#- Business days among the days from Monday 1970-01-05 up to and including date(expr). -#}
{% macro _business_days_since_epoch(expr) -%}
    {%- set day_number -%}
        ({{ dbt.datediff(
            dbt.cast(dbt.string_literal('1970-01-05'), type_date()),
            dbt.cast(expr, type_date()),
            'day',
        ) }} + 1)
    {%- endset -%}
    (
        5 * cast(floor({{ day_number }} / 7.0) as {{ dbt.type_bigint() }})
        + least(mod({{ day_number }}, 7), 5)
    )
{%- endmacro %}
