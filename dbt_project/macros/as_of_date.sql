{#-
    The as-of date of the build, as a SQL date literal.

    `var('as_of_date')` (YYYY-MM-DD) when given, else today's date in `var('timezone')`,
    computed here in Jinja at compile time. Never `current_timestamp` in SQL: the compiled
    SQL must be reproducible, and re-running with an earlier as-of must reproduce it.
-#}
{% macro as_of_date() -%}
    {{ return(dbt.cast(dbt.string_literal(as_of_date_iso()), api.Column.translate_type('date'))) }}
{%- endmacro %}


{#- The as-of date as an ISO string (YYYY-MM-DD), validated. -#}
{% macro as_of_date_iso() -%}
    {%- set configured = var('as_of_date', none) -%}
    {%- if configured is not none and (configured | string | trim) != '' -%}
        {%- set text = configured | string | trim -%}
        {%- if not modules.re.match('^[0-9]{4}-[0-9]{2}-[0-9]{2}$', text) -%}
            {{ exceptions.raise_compiler_error(
                "var('as_of_date') must be YYYY-MM-DD, got '" ~ text ~ "'") }}
        {%- endif -%}
        {#- strptime validates the calendar date (no 2025-02-30) -#}
        {%- set parsed = modules.datetime.datetime.strptime(text, '%Y-%m-%d') -%}
        {{ return(parsed.strftime('%Y-%m-%d')) }}
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
