{#-
    True when `date_column` falls in the validity range of `ranges` (a relation alias with
    valid_from, valid_to (exclusive, null = open) and first_valid_from, the key's earliest
    valid_from): valid_from <= date < valid_to, or, for a date before the key's first range,
    that first range (the exports say nothing earlier). Used to attribute an event to the
    version of a dimension (sales rep, opportunity owner) valid when it happened.
-#}
{% macro within_validity_range(date_column, ranges) -%}
    (
        (
            {{ date_column }} >= {{ ranges }}.valid_from
            and (
                {{ ranges }}.valid_to is null
                or {{ date_column }} < {{ ranges }}.valid_to
            )
        )
        or (
            {{ date_column }} < {{ ranges }}.first_valid_from
            and {{ ranges }}.valid_from = {{ ranges }}.first_valid_from
        )
    )
{%- endmacro %}
