-- One row per opportunity with at least one version loaded by the as-of date: how often its
-- expected close date was pushed later and the largest amount cut between consecutive loaded
-- versions.

with

versions as (

    select * from {{ ref('stg_crm__opportunity_versions') }}

),

versions_as_of as (

    -- a file loaded after the as-of date was not known then
    select * from versions
    where cast(loaded_at as date) <= {{ as_of_date() }}

),

with_previous as (

    select
        versions_as_of.*,
        lag(expected_close_date) over (
            partition by opportunity_id order by version_number
        ) as previous_expected_close_date,
        lag(amount) over (
            partition by opportunity_id order by version_number
        ) as previous_amount,
        lag(currency) over (
            partition by opportunity_id order by version_number
        ) as previous_currency,
        row_number() over (
            partition by opportunity_id order by version_number
        ) as version_rank,
        count(*) over (partition by opportunity_id) as version_count
    from versions_as_of

),

steps as (

    select
        opportunity_id,
        version_rank,
        version_count,
        expected_close_date,
        amount,
        case
            when expected_close_date > previous_expected_close_date then 1 else 0
        end as is_push,
        case
            when expected_close_date > previous_expected_close_date
                then {{ dbt.datediff(
                    'previous_expected_close_date', 'expected_close_date', 'day'
                ) }}
            else 0
        end as pushed_days,
        case
            -- amounts in different currencies are not comparable
            when amount < previous_amount
                and previous_amount > 0
                and currency = previous_currency
                then
                    cast(previous_amount - amount as {{ type_double() }})
                    / cast(previous_amount as {{ type_double() }}) * 100
        end as amount_cut_pct
    from with_previous

),

aggregated as (

    select
        opportunity_id,
        max(version_count) as version_count,
        cast(sum(is_push) as {{ dbt.type_bigint() }}) as close_date_push_count,
        cast(sum(pushed_days) as {{ dbt.type_bigint() }}) as close_date_pushed_days,
        max(case when version_rank = 1 then expected_close_date end)
            as first_expected_close_date,
        max(case when version_rank = version_count then expected_close_date end)
            as latest_expected_close_date,
        max(case when version_rank = 1 then amount end) as first_amount,
        max(case when version_rank = version_count then amount end) as latest_amount,
        coalesce(max(amount_cut_pct), 0) as max_amount_cut_pct
    from steps
    group by opportunity_id

),

final as (

    select
        opportunity_id,
        version_count,
        close_date_push_count,
        close_date_pushed_days,
        first_expected_close_date,
        latest_expected_close_date,
        first_amount,
        latest_amount,
        max_amount_cut_pct,
        {{ as_of_date() }} as as_of_date
    from aggregated

)

select * from final
