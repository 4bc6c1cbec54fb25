-- One row per forecast method × period grain × completed period × segment: the weighted
-- forecast frozen at the start of the period (the snapshot at the end of the day before it,
-- opportunities expected to close in the period) against the amount won in the period, its
-- signed and absolute error, and the MAPE and bias over all completed periods of the series.
-- Three methods: configured and empirical stage probabilities, and the win-probability model's
-- scores as they were made on that snapshot date (only for periods whose start the model
-- scored: no later score stands in for a missing one).

{%- set period_grains = ['month', 'quarter'] %}
{%- set forecast_methods = ['configured', 'empirical', 'model'] %}

with

forecasts as (

    select * from {{ ref('int_forecast_scored') }}

),

opportunities as (

    select * from {{ ref('int_opportunities_enriched') }}

),

segments as (

    select * from {{ ref('int_opportunity_segments_with_team') }}

),

month_starts as (

    select * from {{ ref('int_month_starts') }}

),

snapshot_dates as (

    select
        snapshot_date,
        max(case when is_reconstructed then 1 else 0 end) as is_reconstructed,
        -- the model that scored the snapshot date (null: it made no score of that date)
        max(model_version) as model_version,
        max(model_trained_on) as model_trained_on
    from forecasts
    group by snapshot_date

),

candidate_periods as (

    {% for period_grain in period_grains %}
    select distinct
        '{{ period_grain }}' as period_grain,
        {{ dbt.cast(dbt.date_trunc(period_grain, 'month_start'), type_date()) }}
            as period_start,
        {{ dbt.cast(
            dbt.dateadd(
                'day', -1,
                dbt.dateadd(period_grain, 1, dbt.date_trunc(period_grain, 'month_start')),
            ),
            type_date(),
        ) }} as period_end
    from month_starts
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

periods as (

    -- completed periods whose start has a (non-empty) snapshot to freeze the forecast
    select
        candidate_periods.period_grain,
        candidate_periods.period_start,
        candidate_periods.period_end,
        snapshot_dates.snapshot_date as forecast_snapshot_date,
        snapshot_dates.is_reconstructed = 1 as is_reconstructed_snapshot,
        snapshot_dates.model_version,
        snapshot_dates.model_trained_on
    from candidate_periods
    inner join snapshot_dates
        on {{ dbt.cast(dbt.dateadd('day', -1, 'candidate_periods.period_start'), type_date()) }}
        = snapshot_dates.snapshot_date
    where candidate_periods.period_end <= {{ as_of_date() }}

),

frozen as (

    select
        periods.period_grain,
        periods.period_start,
        forecasts.segment_dimension,
        forecasts.segment_value,
        sum(forecasts.amount * forecasts.configured_probability) as configured_forecast,
        sum(forecasts.amount * forecasts.empirical_probability) as empirical_forecast,
        sum(forecasts.amount * forecasts.model_probability) as model_forecast,
        count(*) - count(forecasts.model_probability) as model_unscored_count
    from periods
    inner join forecasts
        on periods.forecast_snapshot_date = forecasts.snapshot_date
        and periods.period_start <= forecasts.expected_close_date
        and periods.period_end >= forecasts.expected_close_date
    group by
        periods.period_grain,
        periods.period_start,
        forecasts.segment_dimension,
        forecasts.segment_value

),

won as (

    select
        opportunity_id,
        closed_date,
        amount
    from opportunities
    where status = 'won'

),

actuals as (

    select
        periods.period_grain,
        periods.period_start,
        segments.segment_dimension,
        segments.segment_value,
        sum(won.amount) as actual_won_amount
    from periods
    inner join won
        on periods.period_start <= won.closed_date
        and periods.period_end >= won.closed_date
    inner join segments
        on won.opportunity_id = segments.opportunity_id
    group by
        periods.period_grain,
        periods.period_start,
        segments.segment_dimension,
        segments.segment_value

),

row_keys as (

    select
        period_grain,
        period_start,
        segment_dimension,
        segment_value
    from frozen
    union
    select
        period_grain,
        period_start,
        segment_dimension,
        segment_value
    from actuals

),

joined as (

    select
        row_keys.period_grain,
        row_keys.period_start,
        periods.period_end,
        periods.forecast_snapshot_date,
        periods.is_reconstructed_snapshot,
        row_keys.segment_dimension,
        row_keys.segment_value,
        coalesce(frozen.configured_forecast, 0) as configured_forecast,
        coalesce(frozen.empirical_forecast, 0) as empirical_forecast,
        -- only when the model scored every frozen opportunity of the row: never a partial sum
        case
            when coalesce(frozen.model_unscored_count, 0) = 0
                then coalesce(frozen.model_forecast, 0)
        end as model_forecast,
        periods.model_version as frozen_model_version,
        periods.model_trained_on as frozen_model_trained_on,
        {{ dbt.cast('coalesce(actuals.actual_won_amount, 0)', type_amount()) }}
            as actual_won_amount
    from row_keys
    inner join periods
        on row_keys.period_grain = periods.period_grain
        and row_keys.period_start = periods.period_start
    left join frozen
        on row_keys.period_grain = frozen.period_grain
        and row_keys.period_start = frozen.period_start
        and row_keys.segment_dimension = frozen.segment_dimension
        and row_keys.segment_value = frozen.segment_value
    left join actuals
        on row_keys.period_grain = actuals.period_grain
        and row_keys.period_start = actuals.period_start
        and row_keys.segment_dimension = actuals.segment_dimension
        and row_keys.segment_value = actuals.segment_value

),

by_method as (

    {% for forecast_method in forecast_methods %}
    {%- set is_model = forecast_method == 'model' %}
    {%- set version_sql = 'frozen_model_version' if is_model
        else 'cast(null as ' ~ dbt.type_string() ~ ')' %}
    {%- set trained_on_sql = 'frozen_model_trained_on' if is_model
        else 'cast(null as ' ~ type_date() ~ ')' %}
    select
        '{{ forecast_method }}' as forecast_method,
        period_grain,
        period_start,
        period_end,
        forecast_snapshot_date,
        is_reconstructed_snapshot,
        segment_dimension,
        segment_value,
        {{ dbt.cast(forecast_method ~ '_forecast', type_amount()) }} as forecast_amount,
        actual_won_amount,
        {{ version_sql }} as model_version,
        {{ trained_on_sql }} as model_trained_on
    from joined
    -- a period whose start the model did not score (it declined then, or the snapshot is
    -- older than backfill_months) has no model row
    where {{ 'frozen_model_version is not null' if is_model else 'true' }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

errors as (

    select
        by_method.*,
        case
            when actual_won_amount > 0
                then cast(forecast_amount - actual_won_amount as {{ type_double() }})
                    / actual_won_amount
        end as error_rate
    from by_method

),

final as (

    select
        {{ as_of_date() }} as as_of_date,
        forecast_method,
        period_grain,
        period_start,
        period_end,
        forecast_snapshot_date,
        is_reconstructed_snapshot,
        segment_dimension,
        segment_value,
        forecast_amount,
        actual_won_amount,
        error_rate,
        abs(error_rate) as absolute_error_rate,
        -- ordered full-series frames: a fixed summation order keeps the doubles reproducible
        avg(abs(error_rate)) over (
            partition by forecast_method, period_grain, segment_dimension, segment_value
            order by period_start
            rows between unbounded preceding and unbounded following
        ) as mape_rate,
        avg(error_rate) over (
            partition by forecast_method, period_grain, segment_dimension, segment_value
            order by period_start
            rows between unbounded preceding and unbounded following
        ) as bias_rate,
        count(error_rate) over (
            partition by forecast_method, period_grain, segment_dimension, segment_value
        ) as evaluated_period_count,
        model_version,
        model_trained_on
    from errors

)

select * from final
