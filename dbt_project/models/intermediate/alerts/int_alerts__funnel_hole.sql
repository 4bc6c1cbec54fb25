-- One row per funnel_hole alert × early-stage open opportunity of its team: a sales team
-- whose open pipeline in the early stages (stage_order <= early_stage_max_order) on the
-- as-of date sums to less than funnel_hole_coverage × the team's target for the next
-- quarter. A team with a target and no early-stage pipeline at all gets one row with no
-- opportunity.

with

opportunities as (

    select * from {{ ref('int_opportunities_enriched') }}

),

targets as (

    select * from {{ ref('sales_targets') }}

),

settings as (

    select * from {{ ref('int_alert_settings') }}

),

next_period as (

    select
        settings.funnel_hole_coverage,
        settings.early_stage_max_order,
        cast(
            {{ dbt.dateadd('month', 3, dbt.date_trunc('quarter', as_of_date())) }}
            as {{ type_date() }}
        ) as next_period_start
    from settings

),

next_targets as (

    select
        targets.target_value as team,
        targets.period_start,
        cast(targets.target_amount as {{ type_double() }}) as target_amount,
        next_period.funnel_hole_coverage
    from targets
    inner join next_period
        on targets.period_start = next_period.next_period_start
    where targets.period_grain = 'quarter'
        and targets.target_dimension = 'team'

),

early_pipeline as (

    select
        opportunities.opportunity_id,
        opportunities.team,
        opportunities.amount
    from opportunities
    cross join next_period
    where opportunities.status = 'open'
        and opportunities.current_stage_order <= next_period.early_stage_max_order

),

team_pipeline as (

    select
        team,
        count(*) as early_count,
        cast(coalesce(sum(amount), 0) as {{ type_double() }}) as early_amount
    from early_pipeline
    group by team

),

holes as (

    select
        next_targets.team,
        next_targets.period_start,
        next_targets.target_amount,
        next_targets.funnel_hole_coverage,
        coalesce(team_pipeline.early_count, 0) as early_count,
        coalesce(team_pipeline.early_amount, 0) as early_amount,
        case
            when next_targets.target_amount > 0
                then coalesce(team_pipeline.early_amount, 0) / next_targets.target_amount
        end as coverage
    from next_targets
    left join team_pipeline
        on next_targets.team = team_pipeline.team
    where coalesce(team_pipeline.early_amount, 0)
        < next_targets.funnel_hole_coverage * next_targets.target_amount

),

members as (

    select
        holes.*,
        early_pipeline.opportunity_id as member_opportunity_id,
        case when early_pipeline.opportunity_id is not null then 'early_pipeline' end
            as member_role
    from holes
    left join early_pipeline
        on holes.team = early_pipeline.team

),

final as (

    select
        {{ dbt.concat(["'funnel_hole|'", 'team', "'|'", date_text('period_start')]) }}
            as alert_key,
        'funnel_hole' as alert_type,
        case
            when coverage < funnel_hole_coverage / 2 then 'high' else 'medium'
        end as severity,
        case when coverage < funnel_hole_coverage / 2 then 3 else 2 end as severity_rank,
        1 - coverage / funnel_hole_coverage as priority_score,
        'team' as segment_dimension,
        team as segment_value,
        'quarter' as period_grain,
        period_start,
        cast(null as {{ dbt.type_string() }}) as sales_process,
        cast(null as {{ dbt.type_string() }}) as stage_code,
        cast(null as {{ dbt.type_string() }}) as to_stage,
        cast(null as {{ dbt.type_string() }}) as opportunity_id,
        cast(null as {{ dbt.type_string() }}) as contract_id,
        cast(null as {{ dbt.type_string() }}) as account_id,
        cast(null as {{ dbt.type_string() }}) as owner_id,
        cast(null as {{ dbt.type_string() }}) as escalation_level,
        coverage as measured_value,
        funnel_hole_coverage as standard_value,
        'sales target' as standard_source,
        cast(null as {{ type_double() }}) as days_over_sla,
        cast(null as {{ type_date() }}) as due_date,
        {{ dbt.concat([
            "'Team '", 'team', "' has '", dbt.cast('early_count', dbt.type_string()),
            "' open early-stage opportunities worth '", num_text('early_amount', 0),
            "', '", num_text('coverage', 2), "' x its target of '",
            num_text('target_amount', 0), "' for the quarter starting '",
            date_text('period_start'), "' (needs '", num_text('funnel_hole_coverage', 2),
            "' x): too little early pipeline to feed next quarter.'",
        ]) }} as detail,
        {{ dbt.concat([
            "'团队 '", 'team', "' 早期阶段在跟进商机 '",
            dbt.cast('early_count', dbt.type_string()),
            "' 个，金额 '", num_text('early_amount', 0), "'，仅为 '",
            date_text('period_start'), "' 起季度目标 '", num_text('target_amount', 0),
            "' 的 '", num_text('coverage', 2), "' 倍（应达 '",
            num_text('funnel_hole_coverage', 2), "' 倍）：销售空洞。'",
        ]) }} as detail_zh,
        member_opportunity_id,
        member_role
    from members

)

select * from final
