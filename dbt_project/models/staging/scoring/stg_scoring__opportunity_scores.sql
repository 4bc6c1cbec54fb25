-- One row per snapshot date × scored open opportunity, typed. Empty (with the same columns)
-- when the scoring asset has not written its table yet, e.g. in a build without Dagster.

{%- set scores_table = source('scoring', 'opportunity_scores') %}
{%- set scores_exist = execute and load_relation(scores_table) is not none %}

with

scores as (

    {% if scores_exist %}
        select * from {{ scores_table }}
    {% else %}
    select
        cast(null as {{ type_date() }}) as snapshot_date,
        cast(null as {{ dbt.type_string() }}) as opportunity_id,
        cast(null as {{ dbt.type_boolean() }}) as is_backfilled,
        cast(null as {{ dbt.type_string() }}) as owner_id,
        cast(null as {{ dbt.type_string() }}) as sales_process,
        cast(null as {{ dbt.type_string() }}) as stage_code,
        cast(null as {{ type_double() }}) as amount,
        cast(null as {{ type_double() }}) as configured_probability,
        cast(null as {{ type_double() }}) as win_probability,
        cast(null as {{ dbt.type_string() }}) as model_version,
        cast(null as {{ type_date() }}) as trained_on,
        cast(null as {{ dbt.type_string() }}) as top_factors_en,
        cast(null as {{ dbt.type_string() }}) as top_factors_zh,
        cast(null as {{ dbt.type_string() }}) as top_factors_json,
        cast(null as {{ dbt.type_timestamp() }}) as scored_at
    where 1 = 0
    {% endif %}

),

final as (

    select
        cast(snapshot_date as {{ type_date() }}) as snapshot_date,
        opportunity_id,
        is_backfilled,
        owner_id,
        sales_process,
        stage_code,
        cast(amount as {{ type_double() }}) as amount,
        cast(configured_probability as {{ type_double() }}) as configured_probability,
        cast(win_probability as {{ type_double() }}) as win_probability,
        model_version,
        cast(trained_on as {{ type_date() }}) as trained_on,
        top_factors_en,
        top_factors_zh,
        top_factors_json,
        scored_at
    from scores

)

select * from final
