-- One row per forecast snapshot date × open opportunity × segment dimension: the rows of
-- int_pipeline_snapshot_forecasts with a third win probability, the model's (the score made as
-- of that snapshot date), falling back to the empirical probability where no score exists.

with

forecasts as (

    select * from {{ ref('int_pipeline_snapshot_forecasts') }}

),

scores as (

    select * from {{ ref('stg_scoring__opportunity_scores') }}

),

joined as (

    select
        forecasts.*,
        scores.win_probability,
        scores.model_version
    from forecasts
    left join scores
        on forecasts.snapshot_date = scores.snapshot_date
        and forecasts.opportunity_id = scores.opportunity_id

),

final as (

    select
        snapshot_date,
        opportunity_id,
        segment_dimension,
        segment_value,
        sales_process,
        stage_code,
        amount,
        configured_probability,
        empirical_probability,
        coalesce(win_probability, empirical_probability) as model_probability,
        case when win_probability is not null then 'model' else 'empirical' end as model_basis,
        model_version,
        {{ as_of_date() }} as as_of_date
    from joined

)

select * from final
