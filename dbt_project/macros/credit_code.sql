{#-
    Whether `expr` is a valid unified social credit code (统一社会信用代码, GB 32100-2015):
    18 characters from the alphabet 0-9 and A-Y without I, O, S, V, Z (upper case only), whose
    18th character is the check character of the first 17:

        check value = (31 - (sum of value_i * weight_i) mod 31) mod 31

    with value = the character's index in the alphabet and weights 3^i mod 31. The same rule as
    `ingestion/credit_code.py` (`is_valid`); tests/dbt/test_credit_code_macro.py compares them.
    Returns null when `expr` is null, true or false otherwise. Portable SQL: position (via
    dbt.position), substring, length (via dbt.length), mod and case.
-#}
{% macro credit_code_is_valid(expr) -%}
    {%- set alphabet = "'0123456789ABCDEFGHJKLMNPQRTUWXY'" -%}
    {%- set weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28] -%}
    case
        when {{ expr }} is null then null
        when {{ dbt.length(expr) }} != 18 then false
        {%- for i in range(1, 19) %}
        when {{ dbt.position('substring(' ~ expr ~ ', ' ~ i ~ ', 1)', alphabet) }} = 0 then false
        {%- endfor %}
        when substring({{ alphabet }}, mod(31 - mod(
            {%- for weight in weights %}
            ({{ dbt.position('substring(' ~ expr ~ ', ' ~ loop.index ~ ', 1)', alphabet) }} - 1)
            * {{ weight }}{% if not loop.last %} +{% endif %}
            {%- endfor %}
            , 31), 31) + 1, 1) = substring({{ expr }}, 18, 1) then true
        else false
    end
{%- endmacro %}
