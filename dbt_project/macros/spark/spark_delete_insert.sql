{#-
    The `delete+insert` incremental strategy (fct_pipeline_snapshots uses it, keyed on
    snapshot_date) on Spark, which dbt-spark does not offer. These two macros override
    dbt-spark's own (the root project's macros win over an adapter's):

    - the validation accepts 'delete+insert' besides dbt-spark's strategies;
    - on an incremental run, the rows of the target whose unique key is in the new batch are
      deleted (a separate statement, run first), then the batch is inserted.

    A first build or a --full-refresh creates the table and needs neither. Row-level DELETE
    needs a table format that supports it (file_format 'delta', 'iceberg' or 'hudi', as on
    Databricks); on plain parquet tables an incremental run stops with a clear error instead.
-#}
{% macro dbt_spark_validate_get_incremental_strategy(raw_strategy, file_format) %}
    {%- if raw_strategy == 'delete+insert' -%}
        {{ return(raw_strategy) }}
    {%- endif -%}
    {{ return(dbt.dbt_spark_validate_get_incremental_strategy(raw_strategy, file_format)) }}
{% endmacro %}


{% macro dbt_spark_get_incremental_sql(
    strategy, source, target, existing, unique_key, incremental_predicates
) %}
    {%- if strategy != 'delete+insert' -%}
        {{ return(dbt.dbt_spark_get_incremental_sql(
            strategy, source, target, existing, unique_key, incremental_predicates)) }}
    {%- endif -%}
    {%- set file_format = config.get('file_format', default='parquet') -%}
    {%- if file_format not in ['delta', 'iceberg', 'hudi'] -%}
        {{ exceptions.raise_compiler_error(
            "incremental_strategy 'delete+insert' on Spark needs file_format delta, iceberg "
            ~ "or hudi (row-level DELETE); " ~ target ~ " is " ~ file_format ~ ". Build it with "
            ~ "--full-refresh, or configure the model's file_format for Spark.") }}
    {%- endif -%}
    {%- if not unique_key -%}
        {{ exceptions.raise_compiler_error("'delete+insert' needs a unique_key") }}
    {%- endif -%}
    {%- set keys = [unique_key] if unique_key is string else unique_key -%}
    {%- set delete_sql -%}
        delete from {{ target }}
        where ({{ keys | join(', ') }}) in (
            select {{ keys | join(', ') }} from {{ source }}
        )
    {%- endset -%}
    {%- do run_query(delete_sql) -%}
    {%- set columns = adapter.get_columns_in_relation(target) -%}
    {%- set column_list = columns | map(attribute='quoted') | join(', ') -%}
    insert into table {{ target }} ({{ column_list }})
    select {{ column_list }} from {{ source }}
{% endmacro %}
