-- The DuckDB floor: the benchmark's core metrics computed by one hand-written DuckDB SQL
-- script straight from the inbox CSVs and the sales-ops stage definitions, with none of the
-- pipeline's machinery (no loader checks, no lineage, no dbt, no tests, no snapshot).
-- bench/metrics.py fills in $inbox, $stages (sales_process_stages.csv) and $as_of, runs it and
-- compares its four result tables with the pipeline's marts (quarter grain):
--   floor_conversion         ~ mart_funnel_conversion (segments all and customer_type)
--   floor_dwell              ~ mart_stage_dwell (segment all)
--   floor_win_rates          ~ mart_win_rates, stage 'all' (segments all and customer_type)
--   floor_weighted_pipeline  ~ mart_forecast_vs_target, segment all
-- Same rules as the models: the latest row of each key wins, everything after the as-of date
-- is ignored, a skipped stage counts as reached, won reaches every stage.

create or replace temp table opportunities as
with read_rows as (
    select *, row_number() over () as row_in_read
    from read_csv('$inbox/opportunities*.csv', all_varchar = true, header = true, filename = true)
),
latest as (
    select * from read_rows
    qualify row_number() over (
        partition by opportunity_id order by filename desc, row_in_read desc
    ) = 1
)
select
    nullif(trim(opportunity_id), '') as opportunity_id,
    nullif(trim(account_id), '') as account_id,
    nullif(trim(sales_process), '') as sales_process,
    cast(nullif(trim(amount), '') as decimal(18, 2)) as amount,
    nullif(trim(current_stage), '') as exported_stage,
    cast(nullif(trim(created_at), '') as timestamp) as created_at,
    cast(nullif(trim(expected_close_date), '') as date) as expected_close_date,
    nullif(trim(status), '') as exported_status,
    cast(nullif(trim(closed_date), '') as date) as closed_date
from latest
where cast(nullif(trim(created_at), '') as timestamp)::date <= date '$as_of';

create or replace temp table accounts as
with read_rows as (
    select *, row_number() over () as row_in_read
    from read_csv('$inbox/accounts*.csv', all_varchar = true, header = true, filename = true)
)
select nullif(trim(account_id), '') as account_id, nullif(trim(customer_type), '') as customer_type
from read_rows
qualify row_number() over (partition by account_id order by filename desc, row_in_read desc) = 1;

create or replace temp table stages as
select * from read_csv('$stages', header = true, types = {
    'stage_order': 'integer', 'win_probability': 'decimal(5, 4)', 'is_won_stage': 'boolean'
});

create or replace temp table changes as
with read_rows as (
    select *, row_number() over () as row_in_read
    from read_csv('$inbox/stage_history*.csv', all_varchar = true, header = true, filename = true)
),
latest as (
    select
        nullif(trim(opportunity_id), '') as opportunity_id,
        nullif(trim(to_stage), '') as to_stage,
        cast(nullif(trim(changed_at), '') as timestamp) as changed_at
    from read_rows
    qualify row_number() over (
        partition by opportunity_id, to_stage, changed_at order by filename desc, row_in_read desc
    ) = 1
),
ordered as (
    select
        latest.opportunity_id, o.sales_process, latest.to_stage, s.stage_order as to_stage_order,
        latest.changed_at,
        row_number() over (
            partition by latest.opportunity_id order by latest.changed_at, s.stage_order, latest.to_stage
        ) as change_number
    from latest
    inner join opportunities as o on latest.opportunity_id = o.opportunity_id
    left join stages as s on o.sales_process = s.sales_process and latest.to_stage = s.stage_code
    where latest.changed_at::date <= date '$as_of'
)
select
    *,
    lag(to_stage_order) over (partition by opportunity_id order by change_number) as from_stage_order,
    change_number = count(*) over (partition by opportunity_id) as is_latest
from ordered;

-- opportunities as of the as-of date: a closure dated later had not happened yet
create or replace temp table opportunities_as_of as
select
    o.*,
    coalesce(o.exported_status in ('won', 'lost', 'invalid') and o.closed_date <= date '$as_of', false)
        as is_closed,
    case
        when coalesce(o.exported_status in ('won', 'lost', 'invalid')
            and o.closed_date <= date '$as_of', false) then o.exported_status
        when o.exported_status in ('won', 'lost', 'invalid') then 'open'
        else o.exported_status
    end as status,
    coalesce(latest_change.to_stage, o.exported_stage) as stage_code,
    coalesce(a.customer_type, 'unknown') as customer_type
from opportunities as o
left join changes as latest_change on o.opportunity_id = latest_change.opportunity_id and latest_change.is_latest
left join accounts as a on o.account_id = a.account_id;

create or replace temp table segments as
select opportunity_id, 'all' as segment_dimension, 'all' as segment_value from opportunities_as_of
union all
select opportunity_id, 'customer_type', customer_type from opportunities_as_of;

-- 1. cohort stage conversion: of the opportunities that first reached a stage in the quarter,
--    how many reached the next one (advanced), were lost, and advanced / (advanced + lost)
create or replace temp table floor_conversion as
with first_reached as (
    select o.opportunity_id, s.stage_code, min(c.changed_at) as first_reached_at
    from opportunities_as_of as o
    inner join stages as s on o.sales_process = s.sales_process
    inner join changes as c on o.opportunity_id = c.opportunity_id and s.stage_order <= c.to_stage_order
    group by all
),
reach as (
    select
        o.opportunity_id, o.sales_process, o.status, s.stage_code, s.stage_order,
        lead(s.stage_code) over (partition by o.opportunity_id order by s.stage_order) as next_stage,
        coalesce(
            r.first_reached_at, case when o.status = 'won' then o.closed_date::timestamp end
        ) as first_entered_at
    from opportunities_as_of as o
    inner join stages as s on o.sales_process = s.sales_process
    left join first_reached as r on o.opportunity_id = r.opportunity_id and s.stage_code = r.stage_code
),
cohort as (
    select
        *,
        lead(first_entered_at is not null) over (
            partition by opportunity_id order by stage_order
        ) as is_advanced
    from reach
)
select
    date_trunc('quarter', first_entered_at)::date as period_start,
    g.segment_dimension, g.segment_value, sales_process,
    stage_code as from_stage, next_stage as to_stage,
    count(*) as entered_count,
    count(*) filter (where is_advanced) as advanced_count,
    count(*) filter (where not is_advanced and status in ('lost', 'invalid')) as lost_count,
    advanced_count / nullif(advanced_count + lost_count, 0) as resolved_conversion_rate
from cohort
inner join segments as g using (opportunity_id)
where first_entered_at is not null and next_stage is not null
group by all;

-- 2. stage dwell: visits of non-won stages (a change into the current stage starts none),
--    ended by the next visit or the closure; days in stage of the completed ones
create or replace temp table floor_dwell as
with visit_starts as (
    select * from changes
    where change_number = 1 or to_stage_order is null or from_stage_order is null
        or to_stage_order != from_stage_order
),
visits as (
    select
        v.opportunity_id, v.sales_process, v.to_stage as stage_code, v.changed_at as entered_at,
        lead(v.changed_at) over (partition by v.opportunity_id order by v.change_number) as next_at
    from visit_starts as v
)
select
    date_trunc('quarter', v.entered_at)::date as period_start, v.sales_process, v.stage_code,
    count(exited_at) as completed_visits,
    avg(date_diff('second', v.entered_at, exited_at) / 86400.0) as mean_days,
    median(date_diff('second', v.entered_at, exited_at) / 86400.0) as median_days
from (
    select
        visits.*,
        coalesce(visits.next_at, case when o.is_closed
            then greatest(visits.entered_at, o.closed_date::timestamp) end) as exited_at
    from visits
    inner join opportunities_as_of as o using (opportunity_id)
    inner join stages as s
        on visits.sales_process = s.sales_process and visits.stage_code = s.stage_code
    where not s.is_won_stage
) as v
group by all;

-- 3. win rate of the opportunities closed in the quarter: won / (won + lost or invalid)
create or replace temp table floor_win_rates as
select
    date_trunc('quarter', o.closed_date)::date as period_start,
    g.segment_dimension, g.segment_value, o.sales_process,
    count(*) filter (where o.status = 'won') as won_count,
    count(*) filter (where o.status in ('lost', 'invalid')) as lost_count,
    won_count / (won_count + lost_count) as win_rate
from opportunities_as_of as o
inner join segments as g using (opportunity_id)
where o.is_closed
group by all;

-- 4. the open pipeline at the as-of date by quarter of expected close, weighted by the
--    configured win probability of each opportunity's stage
create or replace temp table floor_weighted_pipeline as
select
    date_trunc('quarter', o.expected_close_date)::date as period_start,
    count(*) as open_count,
    sum(o.amount) as open_pipeline_amount,
    cast(sum(o.amount * s.win_probability) as decimal(18, 2)) as weighted_configured_amount
from opportunities_as_of as o
left join stages as s on o.sales_process = s.sales_process and o.stage_code = s.stage_code
where o.status = 'open' and o.expected_close_date is not null
group by all;
