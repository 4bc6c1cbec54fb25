-- One row per renewal_due alert: a contract signed by the as-of date that ends within
-- renewal_due_days after it, whose account has no open (or paused) renewal opportunity and no
-- renewal opportunity won that was created on or after the contract's start date.

with

contracts as (

    select * from {{ ref('int_erp_contracts_as_of') }}

),

opportunities as (

    select * from {{ ref('int_opportunities_enriched') }}

),

settings as (

    select * from {{ ref('int_alert_settings') }}

),

segment_rules as (

    select * from {{ ref('segment_rules') }}

),

ending as (

    select
        contracts.contract_id,
        contracts.opportunity_id,
        contracts.account_id,
        contracts.start_date,
        contracts.end_date,
        settings.renewal_due_days,
        {{ dbt.datediff(as_of_date(), 'contracts.end_date', 'day') }}
            as days_to_end
    from contracts
    cross join settings
    where contracts.end_date > {{ as_of_date() }}
        and {{ dbt.datediff(as_of_date(), 'contracts.end_date', 'day') }}
        <= settings.renewal_due_days

),

renewal_opportunities as (

    select
        account_id,
        status,
        created_at
    from opportunities
    where opportunity_type = 'renewal'
        and status in ('open', 'paused', 'won')

),

covered as (

    select distinct ending.contract_id
    from ending
    inner join renewal_opportunities
        on ending.account_id = renewal_opportunities.account_id
    where renewal_opportunities.status in ('open', 'paused')
        or cast(renewal_opportunities.created_at as {{ type_date() }}) >= ending.start_date

),

due as (

    select
        ending.*,
        opportunities.owner_id,
        coalesce(segment_rules.importance, 'SMB') as importance
    from ending
    left join covered
        on ending.contract_id = covered.contract_id
    left join opportunities
        on ending.opportunity_id = opportunities.opportunity_id
    left join segment_rules
        on opportunities.tier = segment_rules.tier
    where covered.contract_id is null

),

final as (

    select
        {{ dbt.concat(["'renewal_due|'", 'contract_id']) }} as alert_key,
        'renewal_due' as alert_type,
        case
            when days_to_end <= renewal_due_days / 3 then 'high'
            when days_to_end <= renewal_due_days * 2 / 3 then 'medium'
            else 'low'
        end as severity,
        case
            when days_to_end <= renewal_due_days / 3 then 3
            when days_to_end <= renewal_due_days * 2 / 3 then 2
            else 1
        end as severity_rank,
        cast(renewal_due_days - days_to_end as {{ type_double() }}) as priority_score,
        'importance' as segment_dimension,
        importance as segment_value,
        cast(null as {{ dbt.type_string() }}) as period_grain,
        cast(null as {{ type_date() }}) as period_start,
        cast(null as {{ dbt.type_string() }}) as sales_process,
        cast(null as {{ dbt.type_string() }}) as stage_code,
        cast(null as {{ dbt.type_string() }}) as to_stage,
        opportunity_id,
        contract_id,
        account_id,
        owner_id,
        cast(null as {{ dbt.type_string() }}) as escalation_level,
        cast(days_to_end as {{ type_double() }}) as measured_value,
        cast(renewal_due_days as {{ type_double() }}) as standard_value,
        'alert settings' as standard_source,
        cast(null as {{ type_double() }}) as days_over_sla,
        end_date as due_date,
        {{ dbt.concat([
            "'Contract '", 'contract_id', "' of account '", 'account_id', "' ends on '",
            date_text('end_date'), "' (in '", dbt.cast('days_to_end', dbt.type_string()),
            "' days) and the account has no open renewal opportunity.'",
        ]) }} as detail,
        {{ dbt.concat([
            "'客户 '", 'account_id', "' 的合同 '", 'contract_id', "' 将于 '",
            date_text('end_date'), "' 到期（'", dbt.cast('days_to_end', dbt.type_string()),
            "' 天后），尚无跟进中的续签商机。'",
        ]) }} as detail_zh,
        opportunity_id as member_opportunity_id,
        case when opportunity_id is not null then 'contract_opportunity' end as member_role
    from due

)

select * from final
