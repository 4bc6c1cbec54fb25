-- One row per opportunity open at the end of the as-of date and scored by the win-probability
-- model: its P(won) beside the configured stage probability, the top factors in both languages
-- and the model version, with the names the opportunity lists show.

with

scores as (

    select * from {{ ref('stg_scoring__opportunity_scores') }}

),

opportunities as (

    select * from {{ ref('dim_opportunities') }}

),

current_scores as (

    select * from scores
    where snapshot_date = {{ as_of_date() }} and not is_backfilled

),

final as (

    select
        current_scores.opportunity_id,
        opportunities.opportunity_name,
        opportunities.owner_id,
        opportunities.owner_name,
        opportunities.team,
        opportunities.customer_type,
        current_scores.sales_process,
        current_scores.stage_code,
        current_scores.amount,
        current_scores.configured_probability,
        current_scores.win_probability,
        current_scores.amount * current_scores.win_probability as model_weighted_amount,
        current_scores.top_factors_en,
        current_scores.top_factors_zh,
        current_scores.top_factors_json,
        current_scores.model_version,
        current_scores.trained_on,
        {{ as_of_date() }} as as_of_date
    from current_scores
    inner join opportunities
        on current_scores.opportunity_id = opportunities.opportunity_id

)

select * from final
