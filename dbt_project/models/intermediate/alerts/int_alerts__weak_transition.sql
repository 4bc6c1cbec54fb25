-- One row per weak_transition alert × opportunity of its measured cohort: segment × sales
-- process × stage transition whose resolved conversion over the trailing window of completed
-- quarters is below its benchmark (customer-type benchmark for customer_type segments, else
-- the industry one) × benchmark_shortfall_ratio, or below the segment's own history ×
-- history_shortfall_ratio, with enough resolved opportunities on both sides.

with

stage_reach as (

    select * from {{ ref('int_opportunity_stage_reach') }}

),

segments as (

    select * from {{ ref('int_opportunity_segments') }}

),

benchmarks as (

    select * from {{ ref('stage_benchmarks') }}

),

type_benchmarks as (

    select * from {{ ref('stage_benchmarks_by_customer_type') }}

),

process_stages as (

    select * from {{ ref('sales_process_stages') }}

),

settings as (

    select * from {{ ref('int_alert_settings') }}

),

windows as (

    -- window_end (exclusive): the first day of the first quarter not completed by the
    -- as-of date; the window is the trailing_quarters before it, the history the
    -- history_quarters before the window
    select
        settings.*,
        cast(
            {{ dbt.date_trunc('quarter', dbt.dateadd('day', 1, as_of_date())) }}
            as {{ type_date() }}
        ) as window_end
    from settings

),

window_bounds as (

    select
        windows.*,
        cast(
            {{ dbt.dateadd('month', 'cast(-3 * trailing_quarters as integer)', 'window_end') }}
            as {{ type_date() }}
        ) as window_start,
        cast(
            {{ dbt.dateadd(
                'month',
                'cast(-3 * (trailing_quarters + history_quarters) as integer)',
                'window_end',
            ) }}
            as {{ type_date() }}
        ) as history_start
    from windows

),

cohort_members as (

    select
        opportunity_id,
        sales_process,
        stage_code as from_stage,
        next_stage_code as to_stage,
        cast({{ dbt.date_trunc('quarter', 'first_entered_at') }} as {{ type_date() }})
            as cohort_quarter,
        case
            when is_advanced then 'advanced'
            when status in ('lost', 'invalid') then 'lost'
            else 'open'
        end as outcome
    from stage_reach
    where is_reached
        and next_stage_code is not null

),

placed as (

    select
        cohort_members.*,
        case
            when cohort_members.cohort_quarter >= window_bounds.window_start
                and cohort_members.cohort_quarter < window_bounds.window_end
                then 'window'
            when cohort_members.cohort_quarter >= window_bounds.history_start
                and cohort_members.cohort_quarter < window_bounds.window_start
                then 'history'
        end as placement
    from cohort_members
    cross join window_bounds

),

segmented as (

    select
        placed.opportunity_id,
        placed.sales_process,
        placed.from_stage,
        placed.to_stage,
        placed.outcome,
        placed.placement,
        segments.segment_dimension,
        segments.segment_value
    from placed
    inner join segments
        on placed.opportunity_id = segments.opportunity_id
    where placed.placement is not null

),

aggregated as (

    select
        segment_dimension,
        segment_value,
        sales_process,
        from_stage,
        to_stage,
        sum(
            case when placement = 'window' and outcome = 'advanced' then 1 else 0 end
        ) as window_advanced,
        sum(case when placement = 'window' and outcome = 'lost' then 1 else 0 end) as window_lost,
        sum(
            case when placement = 'history' and outcome = 'advanced' then 1 else 0 end
        ) as history_advanced,
        sum(
            case when placement = 'history' and outcome = 'lost' then 1 else 0 end
        ) as history_lost
    from segmented
    group by
        segment_dimension,
        segment_value,
        sales_process,
        from_stage,
        to_stage

),

rated as (

    select
        aggregated.*,
        window_bounds.window_start,
        window_bounds.window_end,
        window_bounds.benchmark_shortfall_ratio,
        window_bounds.history_shortfall_ratio,
        window_bounds.severe_shortfall_ratio,
        aggregated.window_advanced + aggregated.window_lost as window_resolved,
        case
            when aggregated.window_advanced + aggregated.window_lost >= window_bounds.min_resolved
                then cast(aggregated.window_advanced as {{ type_double() }})
                    / (aggregated.window_advanced + aggregated.window_lost)
        end as window_rate,
        case
            when aggregated.history_advanced + aggregated.history_lost
                >= window_bounds.min_resolved
                then cast(aggregated.history_advanced as {{ type_double() }})
                    / (aggregated.history_advanced + aggregated.history_lost)
        end as history_rate,
        case
            when aggregated.segment_dimension = 'customer_type'
                and type_benchmarks.benchmark_rate is not null
                then cast(type_benchmarks.benchmark_rate as {{ type_double() }})
            else cast(benchmarks.benchmark_rate as {{ type_double() }})
        end as benchmark_rate,
        case
            when aggregated.segment_dimension = 'customer_type'
                and type_benchmarks.benchmark_rate is not null
                then 'customer-type benchmark'
            when benchmarks.benchmark_rate is not null then 'industry benchmark'
        end as benchmark_source
    from aggregated
    cross join window_bounds
    left join benchmarks
        on aggregated.sales_process = benchmarks.sales_process
        and aggregated.from_stage = benchmarks.from_stage
        and aggregated.to_stage = benchmarks.to_stage
    left join type_benchmarks
        on aggregated.sales_process = type_benchmarks.sales_process
        and aggregated.from_stage = type_benchmarks.from_stage
        and aggregated.to_stage = type_benchmarks.to_stage
        and aggregated.segment_value = type_benchmarks.customer_type

),

ratios as (

    select
        rated.*,
        case
            when rated.benchmark_rate > 0 then rated.window_rate / rated.benchmark_rate
        end as benchmark_ratio,
        case
            when rated.history_rate > 0 then rated.window_rate / rated.history_rate
        end as history_ratio
    from rated

),

judged as (

    -- the standard the rate falls furthest below among those it breaches
    select
        ratios.*,
        case
            when ratios.benchmark_ratio < ratios.benchmark_shortfall_ratio
                and (
                    ratios.history_ratio is null
                    or ratios.history_ratio >= ratios.history_shortfall_ratio
                    or ratios.benchmark_ratio <= ratios.history_ratio
                )
                then 'benchmark'
            when ratios.history_ratio < ratios.history_shortfall_ratio then 'history'
        end as breached
    from ratios

),

flagged as (

    select
        judged.*,
        case
            when judged.breached = 'benchmark' then judged.benchmark_rate
            else judged.history_rate
        end as standard_rate,
        case
            when judged.breached = 'benchmark' then judged.benchmark_source
            else 'own history'
        end as standard_source,
        case
            when judged.breached = 'benchmark' then judged.benchmark_ratio
            else judged.history_ratio
        end as standard_ratio
    from judged
    where judged.breached is not null

),

described as (

    select
        flagged.*,
        from_stages.stage_name_en as from_name_en,
        from_stages.stage_name_zh as from_name_zh,
        to_stages.stage_name_en as to_name_en,
        to_stages.stage_name_zh as to_name_zh,
        case
            when flagged.standard_ratio < flagged.severe_shortfall_ratio then 'high'
            else 'medium'
        end as severity
    from flagged
    left join process_stages as from_stages
        on flagged.sales_process = from_stages.sales_process
        and flagged.from_stage = from_stages.stage_code
    left join process_stages as to_stages
        on flagged.sales_process = to_stages.sales_process
        and flagged.to_stage = to_stages.stage_code

),

members as (

    select
        described.*,
        segmented.opportunity_id as member_opportunity_id,
        segmented.outcome as member_role
    from described
    inner join segmented
        on described.segment_dimension = segmented.segment_dimension
        and described.segment_value = segmented.segment_value
        and described.sales_process = segmented.sales_process
        and described.from_stage = segmented.from_stage
        and segmented.placement = 'window'

),

final as (

    select
        {{ dbt.concat([
            "'weak_transition|'", 'segment_dimension', "'|'", 'segment_value', "'|'",
            'sales_process', "'|'", 'from_stage',
        ]) }} as alert_key,
        'weak_transition' as alert_type,
        severity,
        case when severity = 'high' then 3 else 2 end as severity_rank,
        1 - standard_ratio as priority_score,
        segment_dimension,
        segment_value,
        'quarter' as period_grain,
        window_start as period_start,
        sales_process,
        from_stage as stage_code,
        to_stage,
        cast(null as {{ dbt.type_string() }}) as opportunity_id,
        cast(null as {{ dbt.type_string() }}) as contract_id,
        cast(null as {{ dbt.type_string() }}) as account_id,
        cast(null as {{ dbt.type_string() }}) as owner_id,
        cast(null as {{ dbt.type_string() }}) as escalation_level,
        window_rate as measured_value,
        standard_rate as standard_value,
        standard_source,
        cast(null as {{ type_double() }}) as days_over_sla,
        cast(null as {{ type_date() }}) as due_date,
        {{ dbt.concat([
            'from_name_en', "' -> '", 'to_name_en', "' ('", 'sales_process',
            "' process, '", 'segment_dimension', "' = '", 'segment_value',
            "') converts '", pct_text('window_rate'),
            "'% of resolved opportunities ('",
            dbt.cast('window_resolved', dbt.type_string()),
            "' resolved, cohorts entered from '", date_text('window_start'),
            "' to before '", date_text('window_end'), "') vs the '", 'standard_source', "' '",
            pct_text('standard_rate'), "'%: '", pct_text('standard_ratio'),
            "'% of the standard.'",
        ]) }} as detail,
        {{ dbt.concat([
            'segment_value', "' ('", 'segment_dimension', "') '",
            'from_name_zh', "' → '", 'to_name_zh', "' 已决转化率 '",
            pct_text('window_rate'), "'%（'",
            dbt.cast('window_resolved', dbt.type_string()),
            "' 个已决商机，'", date_text('window_start'), "' 至 '", date_text('window_end'),
            "' 前进入的批次），低于'",
            "case standard_source when 'industry benchmark' then '行业基准' "
            ~ "when 'customer-type benchmark' then '客户类型基准' else '自身历史' end",
            "' '", pct_text('standard_rate'), "'%，仅为标准的 '",
            pct_text('standard_ratio'), "'%：薄弱环节。'",
        ]) }} as detail_zh,
        member_opportunity_id,
        member_role
    from members

)

select * from final
