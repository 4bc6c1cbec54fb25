-- One row per open opportunity whose current open stage visit is older than the stage's
-- remind threshold for its importance (KA / SMB by tier, seed segment_rules): a `stalled` alert at
-- level remind, warn or reclaim, or a `future_opportunity` when its next follow-up date lies
-- after the as-of date (waiting on a known date: kept apart, not stalled).

with

visits as (

    select * from {{ ref('fct_stage_visits') }}

),

opportunities as (

    select * from {{ ref('int_opportunities_enriched') }}

),

thresholds as (

    select * from {{ ref('stage_sla_thresholds') }}

),

process_stages as (

    select * from {{ ref('sales_process_stages') }}

),

segment_rules as (

    select * from {{ ref('segment_rules') }}

),

open_visits as (

    -- paused opportunities are parked on purpose and closed ones have no open visit
    select
        visits.opportunity_id,
        visits.sales_process,
        visits.stage_code,
        visits.entered_at,
        visits.open_age_days,
        opportunities.owner_id,
        opportunities.account_id,
        opportunities.next_follow_up_date,
        coalesce(segment_rules.importance, 'SMB') as importance
    from visits
    inner join opportunities
        on visits.opportunity_id = opportunities.opportunity_id
    left join segment_rules
        on opportunities.tier = segment_rules.tier
    where visits.is_open
        and opportunities.status = 'open'

),

levelled as (

    select
        open_visits.*,
        thresholds.remind_days,
        thresholds.warn_days,
        thresholds.reclaim_days,
        process_stages.sla_days,
        process_stages.stage_name_en,
        process_stages.stage_name_zh,
        case
            when open_visits.open_age_days > thresholds.reclaim_days then 'reclaim'
            when open_visits.open_age_days > thresholds.warn_days then 'warn'
            when open_visits.open_age_days > thresholds.remind_days then 'remind'
        end as escalation_level
    from open_visits
    inner join thresholds
        on open_visits.sales_process = thresholds.sales_process
        and open_visits.stage_code = thresholds.stage_code
        and open_visits.importance = thresholds.importance
    left join process_stages
        on open_visits.sales_process = process_stages.sales_process
        and open_visits.stage_code = process_stages.stage_code

),

classified as (

    select
        levelled.*,
        case
            when levelled.next_follow_up_date > {{ as_of_date() }} then 'future_opportunity'
            else 'stalled'
        end as alert_type,
        case levelled.escalation_level
            when 'reclaim' then levelled.reclaim_days
            when 'warn' then levelled.warn_days
            else levelled.remind_days
        end as threshold_days,
        levelled.open_age_days - levelled.sla_days as days_over_sla
    from levelled
    where levelled.escalation_level is not null

),

final as (

    select
        {{ dbt.concat(["alert_type", "'|'", 'opportunity_id']) }} as alert_key,
        alert_type,
        case
            when alert_type = 'future_opportunity' then 'low'
            when escalation_level = 'reclaim' then 'high'
            when escalation_level = 'warn' then 'medium'
            else 'low'
        end as severity,
        case
            when alert_type = 'future_opportunity' then 1
            when escalation_level = 'reclaim' then 3
            when escalation_level = 'warn' then 2
            else 1
        end as severity_rank,
        open_age_days - threshold_days as priority_score,
        'importance' as segment_dimension,
        importance as segment_value,
        cast(null as {{ dbt.type_string() }}) as period_grain,
        cast(null as {{ type_date() }}) as period_start,
        sales_process,
        stage_code,
        cast(null as {{ dbt.type_string() }}) as to_stage,
        opportunity_id,
        cast(null as {{ dbt.type_string() }}) as contract_id,
        account_id,
        owner_id,
        escalation_level,
        open_age_days as measured_value,
        cast(threshold_days as {{ type_double() }}) as standard_value,
        'stage SLA thresholds' as standard_source,
        days_over_sla,
        case when alert_type = 'future_opportunity' then next_follow_up_date end as due_date,
        case
            when alert_type = 'future_opportunity'
                then {{ dbt.concat([
                    "'Open '", num_text('open_age_days'), "' days in '", 'stage_name_en',
                    "' (past the '", 'importance', "' remind threshold of '",
                    dbt.cast('remind_days', dbt.type_string()),
                    "' days) but waiting for a known date: next follow-up on '",
                    date_text('next_follow_up_date'), "'. Future opportunity, not stalled.'",
                ]) }}
            else {{ dbt.concat([
                "'Open '", num_text('open_age_days'), "' days in '", 'stage_name_en',
                "' without progress: over the '", 'importance', "' '", 'escalation_level',
                "' threshold of '", dbt.cast('threshold_days', dbt.type_string()),
                "' days ('", num_text('days_over_sla'), "' days over the '",
                dbt.cast('sla_days', dbt.type_string()), "'-day SLA). '",
                "case escalation_level when 'reclaim' "
                ~ "then 'Reclaim and reassign it.' "
                ~ "when 'warn' then 'Warn the manager.' else 'Remind the owner.' end",
            ]) }}
        end as detail,
        case
            when alert_type = 'future_opportunity'
                then {{ dbt.concat([
                    "'在「'", 'stage_name_zh', "'」已停留 '", num_text('open_age_days'),
                    "' 天，但下次联系时间为 '", date_text('next_follow_up_date'),
                    "'：未来机会，不计为长时间未推进。'",
                ]) }}
            else {{ dbt.concat([
                "'在「'", 'stage_name_zh', "'」已停留 '", num_text('open_age_days'),
                "' 天未推进，超过'", 'importance', "'的'",
                "case escalation_level when 'reclaim' then '回收' "
                ~ "when 'warn' then '预警' else '提醒' end",
                "'阈值 '", dbt.cast('threshold_days', dbt.type_string()), "' 天（超出 SLA '",
                num_text('days_over_sla'), "' 天）。'",
            ]) }}
        end as detail_zh,
        opportunity_id as member_opportunity_id,
        'subject' as member_role
    from classified

)

select * from final
