{#-
    A boolean dbt var as a SQL literal, 'true' or 'false'. The var may come as a YAML
    boolean (dbt_project.yml, `--vars '{x: true}'`) or as text ('true', '1', 'yes'), so it is
    compared as lower-case text.
-#}
{% macro var_flag_sql(name, default) -%}
    {%- set enabled = (var(name, default) | string | lower) in ['true', '1', 'yes'] -%}
    {{ return('true' if enabled else 'false') }}
{%- endmacro %}
