-- The stage changes of one opportunity come from one source: its stage_history rows, or
-- (when it has none) the changes inferred from its exports; never a mix. Returns the
-- opportunities whose changes mix the two.

with

transitions as (

    select * from {{ ref('fct_stage_transitions') }}

),

per_opportunity as (

    select
        opportunity_id,
        count(distinct change_source) as source_count
    from transitions
    group by opportunity_id

),

failures as (

    select * from per_opportunity
    where source_count > 1

)

select * from failures
