{#-
    The as-of date of the build, as a SQL date literal.

    `var('as_of_date')` (YYYY-MM-DD) when given, else today's date in `var('timezone')`,
    computed here in Jinja at compile time. Never `current_timestamp` in SQL: the compiled
    SQL must be reproducible, and re-running with an earlier as-of must reproduce it.
-#}
{% macro as_of_date() -%}
    {{ return(dbt.cast(dbt.string_literal(as_of_date_iso()), type_date())) }}
{%- endmacro %}


{#- The as-of date as an ISO string (YYYY-MM-DD), validated. -#}
{% macro as_of_date_iso() -%}
    {%- set configured = var('as_of_date', none) -%}
    {%- if configured is not none and (configured | string | trim) != '' -%}
        {%- set text = configured | string | trim -%}
        {%- set match = modules.re.match('^([0-9]{4})-([0-9]{2})-([0-9]{2})$', text) -%}
        {%- if not match -%}
            {{ exceptions.raise_compiler_error(
                "var('as_of_date') must be a date YYYY-MM-DD, got '" ~ text ~ "'") }}
        {%- endif -%}
        {%- set year = match.group(1) | int -%}
        {%- set month = match.group(2) | int -%}
        {%- set day = match.group(3) | int -%}
        {%- if month < 1 or month > 12 or day < 1 -%}
            {{ exceptions.raise_compiler_error(
                "var('as_of_date') is not a calendar date: '" ~ text ~ "'") }}
        {%- endif -%}
        {%- set next_month_start = modules.datetime.date(
            year + (month // 12), (month % 12) + 1, 1) -%}
        {%- set month_length = (next_month_start - modules.datetime.timedelta(days=1)).day -%}
        {%- if day > month_length -%}
            {{ exceptions.raise_compiler_error(
                "var('as_of_date') is not a calendar date: '" ~ text ~ "'") }}
        {%- endif -%}
        {{ return(text) }}
    {%- else -%}
        {%- set tz = modules.pytz.timezone(var('timezone', 'Asia/Shanghai')) -%}
        {{ return(modules.datetime.datetime.now(tz).strftime('%Y-%m-%d')) }}
    {%- endif -%}
{%- endmacro %}


{#-
    The instant the as-of snapshot is taken: the end of the as-of day, i.e. midnight at the
    start of the next day (local time). Events dated on the as-of day are included, so ages
    of open visits are measured to the end of that day (never negative).
-#}
{% macro as_of_end_timestamp(as_of_date_sql) -%}
    {{ dbt.dateadd('day', 1, dbt.cast(as_of_date_sql, dbt.type_timestamp())) }}
{%- endmacro %}
