-- One row per snapshot date × opportunity open at the end of that day: its stage, amount,
-- expected close, owner, segment attributes and configured stage probability. Incremental:
-- each build (re)writes the as-of date's nightly snapshot, so nightly snapshots accumulate,
-- and rebuilds the reconstructed month-boundary snapshots (the end of the day before each
-- month start) from the stage history, except on dates that already hold a nightly one.

{{
    config(
        materialized='incremental',
        unique_key='snapshot_date',
        incremental_strategy='delete+insert',
        on_schema_change='append_new_columns',
        full_refresh=false,
    )
}}

with

opportunities as (

    select * from {{ ref('int_opportunities_enriched') }}

),

stage_changes as (

    select * from {{ ref('int_stage_changes_sequenced') }}

),

process_stages as (

    select * from {{ ref('sales_process_stages') }}

),

month_starts as (

    select * from {{ ref('int_month_starts') }}

),

{% if is_incremental() %}
nightly_dates as (

    -- nightly snapshots written by earlier builds are history: never overwrite them with
    -- a reconstruction
    select distinct snapshot_date
    from {{ this }}
    where not is_reconstructed

),

{% endif %}
reconstructed_dates as (

    -- the state at the start of each month is the snapshot of the day before it
    select
        {{ dbt.cast(dbt.dateadd('day', -1, 'month_start'), type_date()) }} as snapshot_date
    from month_starts
    where month_start <= {{ as_of_date() }}

),

snapshot_dates as (

    select
        {{ as_of_date() }} as snapshot_date,
        false as is_reconstructed
    union all
    select
        snapshot_date,
        true as is_reconstructed
    from reconstructed_dates
    {% if is_incremental() %}
    where snapshot_date not in (select nightly_dates.snapshot_date from nightly_dates)
    {% endif %}

),

open_on_date as (

    -- created by the end of the day and not closed by then; paused opportunities (the
    -- export has no pause date) are left out, as they are from the as-of pipeline
    select
        snapshot_dates.snapshot_date,
        snapshot_dates.is_reconstructed,
        opportunities.opportunity_id,
        opportunities.sales_process,
        opportunities.current_stage,
        opportunities.amount,
        opportunities.expected_close_date,
        opportunities.created_at,
        opportunities.owner_id,
        opportunities.team,
        opportunities.region,
        opportunities.customer_type,
        opportunities.tier,
        opportunities.product_category,
        opportunities.opportunity_type
    from snapshot_dates
    inner join opportunities
        on {{ dbt.cast('opportunities.created_at', type_date()) }}
        <= snapshot_dates.snapshot_date
    where
        opportunities.status = 'open'
        or (
            opportunities.status in ('won', 'lost', 'invalid')
            and opportunities.closed_date > snapshot_dates.snapshot_date
        )

),

changes_by_date as (

    select
        open_on_date.snapshot_date,
        open_on_date.opportunity_id,
        stage_changes.to_stage,
        row_number() over (
            partition by open_on_date.snapshot_date, open_on_date.opportunity_id
            order by stage_changes.change_number desc
        ) as recency
    from open_on_date
    inner join stage_changes
        on open_on_date.opportunity_id = stage_changes.opportunity_id
        and {{ dbt.cast('stage_changes.changed_at', type_date()) }}
        <= open_on_date.snapshot_date

),

stage_on_date as (

    select
        snapshot_date,
        opportunity_id,
        to_stage as stage_code
    from changes_by_date
    where recency = 1

),

entry_stages as (

    select
        opportunity_id,
        to_stage as entry_stage
    from stage_changes
    where change_number = 1

),

staged as (

    select
        open_on_date.*,
        -- the latest change by the date; else the entry stage (history starts later);
        -- else the exported current stage (no history at all)
        coalesce(
            stage_on_date.stage_code, entry_stages.entry_stage, open_on_date.current_stage
        ) as stage_code
    from open_on_date
    left join stage_on_date
        on open_on_date.snapshot_date = stage_on_date.snapshot_date
        and open_on_date.opportunity_id = stage_on_date.opportunity_id
    left join entry_stages
        on open_on_date.opportunity_id = entry_stages.opportunity_id

),

final as (

    select
        staged.snapshot_date,
        staged.opportunity_id,
        staged.is_reconstructed,
        staged.sales_process,
        staged.stage_code,
        process_stages.stage_order,
        staged.amount,
        staged.expected_close_date,
        staged.created_at,
        staged.owner_id,
        staged.team,
        staged.region,
        staged.customer_type,
        staged.tier,
        staged.product_category,
        staged.opportunity_type,
        process_stages.win_probability as configured_probability,
        -- win_probability is a fraction 0-1 (0.40 = 40 %): no division by 100
        {{ dbt.cast('staged.amount * process_stages.win_probability', type_amount()) }}
            as weighted_amount,
        {{ as_of_date() }} as as_of_date
    from staged
    left join process_stages
        on staged.sales_process = process_stages.sales_process
        and staged.stage_code = process_stages.stage_code

)

select * from final
