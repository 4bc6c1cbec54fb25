{#-
    Views on Spark, optionally built as tables: `--vars '{spark_views_as_tables: true}'`.

    The staging and intermediate layers are views (dbt_project.yml). Spark re-analyses a view's
    whole plan wherever it is referenced, and this project's views nest deeply (a mart reads
    a dozen of them, several through unions of period grains), so on Spark the planning of
    the marts takes minutes. With the var set, each view model is created as a table of the
    same name instead, so every layer is computed once. Without it, dbt-spark's own view.
-#}
{% macro spark__create_view_as(relation, sql) -%}
    {%- if var('spark_views_as_tables', false) -%}
        create table {{ relation }}
        using {{ config.get('file_format', 'parquet') }}
        as
        {{ sql }}
    {%- else -%}
        {{ dbt.spark__create_view_as(relation, sql) }}
    {%- endif -%}
{%- endmacro %}
