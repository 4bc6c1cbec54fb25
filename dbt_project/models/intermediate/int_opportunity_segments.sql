-- One row per opportunity × segment dimension (long format): the segment value of each
-- opportunity for 'all' (value 'all'), customer_type, tier, region, product_category and
-- opportunity_type. Missing attributes fall into segment value 'unknown'.

{%- set segment_dimensions = [
    'customer_type',
    'tier',
    'region',
    'product_category',
    'opportunity_type',
] %}

with

opportunities as (

    select * from {{ ref('int_opportunities_enriched') }}

),

all_segment as (

    select
        opportunity_id,
        'all' as segment_dimension,
        'all' as segment_value
    from opportunities

),

{% for dimension in segment_dimensions %}
{{ dimension }}_segment as (

    select
        opportunity_id,
        '{{ dimension }}' as segment_dimension,
        coalesce(
            {{ dbt.cast(dimension, dbt.type_string()) }}, 'unknown'
        ) as segment_value
    from opportunities

),

{% endfor %}
unioned as (

    select * from all_segment
    {% for dimension in segment_dimensions %}
    union all
    select * from {{ dimension }}_segment
    {% endfor %}

)

select * from unioned
