-- One row per opportunity × segment dimension: int_opportunity_segments (all, customer_type,
-- tier, region, product_category, opportunity_type) plus the owner's sales team, the level
-- at which sales ops set targets. A missing team is segment value 'unknown'.

with

segments as (

    select * from {{ ref('int_opportunity_segments') }}

),

opportunities as (

    select * from {{ ref('int_opportunities_enriched') }}

),

team_segment as (

    select
        opportunity_id,
        'team' as segment_dimension,
        coalesce({{ dbt.cast('team', dbt.type_string()) }}, 'unknown') as segment_value
    from opportunities

),

unioned as (

    select
        opportunity_id,
        segment_dimension,
        segment_value
    from segments
    union all
    select
        opportunity_id,
        segment_dimension,
        segment_value
    from team_segment

)

select * from unioned
