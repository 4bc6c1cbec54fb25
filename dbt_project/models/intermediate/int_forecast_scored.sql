-- One row per forecast snapshot date × open opportunity × segment dimension: the rows of
-- int_pipeline_snapshot_forecasts with a third win probability, the model's (the score made as
-- of that snapshot date), and the model that scored that date. Never a fallback: an
-- opportunity without a score of its own date has a null model_probability.

with

forecasts as (

    select * from {{ ref('int_pipeline_snapshot_forecasts') }}

),

scores as (

    select * from {{ ref('stg_scoring__opportunity_scores') }}

),

scored_dates as (

    -- the dates the model scored at all (none when it declined), and the model that did:
    -- the as-of date's scores come from the model in service, each backfilled month end's
    -- from the one model trained at the start of its retraining period
    select
        snapshot_date,
        max(model_version) as model_version,
        max(trained_on) as model_trained_on
    from scores
    group by snapshot_date

),

joined as (

    select
        forecasts.*,
        scores.win_probability,
        scored_dates.model_version,
        scored_dates.model_trained_on
    from forecasts
    left join scores
        on forecasts.snapshot_date = scores.snapshot_date
        and forecasts.opportunity_id = scores.opportunity_id
    left join scored_dates
        on forecasts.snapshot_date = scored_dates.snapshot_date

),

final as (

    select
        snapshot_date,
        opportunity_id,
        segment_dimension,
        segment_value,
        is_reconstructed,
        sales_process,
        stage_code,
        amount,
        expected_close_date,
        configured_probability,
        empirical_probability,
        empirical_basis,
        win_probability as model_probability,
        case when win_probability is not null then 'model' else 'unscored' end as model_basis,
        model_version,
        model_trained_on,
        {{ as_of_date() }} as as_of_date
    from joined

)

select * from final
