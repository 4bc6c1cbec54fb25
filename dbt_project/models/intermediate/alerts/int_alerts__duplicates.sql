-- One row per duplicate / invalid_credit_code alert × opportunity involved. duplicate (by
-- credit code): open opportunities of two or more different accounts sharing one VALID
-- unified social credit code (the same customer entered twice). duplicate (by account): two
-- or more open opportunities of one account with the same product category and opportunity
-- type. invalid_credit_code: an account whose credit code fails the GB 32100-2015 check
-- (its open opportunities cannot be de-duplicated by code).

with

opportunities as (

    select * from {{ ref('int_opportunities_enriched') }}

),

accounts as (

    select * from {{ ref('stg_crm__accounts') }}

),

checked_accounts as (

    select
        account_id,
        account_name,
        credit_code,
        {{ credit_code_is_valid('credit_code') }} as is_valid_code
    from accounts
    where credit_code is not null

),

open_opportunities as (

    -- open or paused: not closed on the as-of date
    select
        opportunity_id,
        account_id,
        coalesce(product_category, 'unknown') as product_category,
        opportunity_type
    from opportunities
    where not is_closed

),

coded_opportunities as (

    select
        open_opportunities.opportunity_id,
        open_opportunities.account_id,
        checked_accounts.credit_code
    from open_opportunities
    inner join checked_accounts
        on open_opportunities.account_id = checked_accounts.account_id
    where checked_accounts.is_valid_code

),

code_groups as (

    select
        credit_code,
        count(distinct account_id) as account_count,
        count(*) as opportunity_count
    from coded_opportunities
    group by credit_code
    having count(distinct account_id) >= 2

),

code_alerts as (

    select
        {{ dbt.concat(["'duplicate|credit_code|'", 'code_groups.credit_code']) }} as alert_key,
        'duplicate' as alert_type,
        'medium' as severity,
        2 as severity_rank,
        cast(code_groups.opportunity_count as {{ type_double() }}) as priority_score,
        'credit_code' as segment_dimension,
        code_groups.credit_code as segment_value,
        cast(null as {{ dbt.type_string() }}) as account_id,
        cast(code_groups.account_count as {{ type_double() }}) as measured_value,
        {{ dbt.concat([
            dbt.cast('code_groups.opportunity_count', dbt.type_string()),
            "' open opportunities of '",
            dbt.cast('code_groups.account_count', dbt.type_string()),
            "' different accounts share the unified social credit code '",
            'code_groups.credit_code', "': probably one customer entered twice.'",
        ]) }} as detail,
        {{ dbt.concat([
            "'统一社会信用代码 '", 'code_groups.credit_code', "' 对应 '",
            dbt.cast('code_groups.account_count', dbt.type_string()), "' 个客户的 '",
            dbt.cast('code_groups.opportunity_count', dbt.type_string()),
            "' 个在跟进商机：疑似重复客户，需去重。'",
        ]) }} as detail_zh,
        coded_opportunities.opportunity_id as member_opportunity_id,
        'duplicate' as member_role
    from code_groups
    inner join coded_opportunities
        on code_groups.credit_code = coded_opportunities.credit_code

),

account_groups as (

    select
        account_id,
        product_category,
        opportunity_type,
        count(*) as opportunity_count
    from open_opportunities
    group by
        account_id,
        product_category,
        opportunity_type
    having count(*) >= 2

),

account_alerts as (

    select
        {{ dbt.concat([
            "'duplicate|account|'", 'account_groups.account_id', "'|'",
            'account_groups.product_category', "'|'", 'account_groups.opportunity_type',
        ]) }} as alert_key,
        'duplicate' as alert_type,
        'low' as severity,
        1 as severity_rank,
        cast(account_groups.opportunity_count as {{ type_double() }}) as priority_score,
        'account' as segment_dimension,
        account_groups.account_id as segment_value,
        account_groups.account_id,
        cast(account_groups.opportunity_count as {{ type_double() }}) as measured_value,
        {{ dbt.concat([
            "'Account '", 'account_groups.account_id', "' has '",
            dbt.cast('account_groups.opportunity_count', dbt.type_string()),
            "' open '", 'account_groups.opportunity_type', "' opportunities for '",
            'account_groups.product_category', "': check for duplicates.'",
        ]) }} as detail,
        {{ dbt.concat([
            "'客户 '", 'account_groups.account_id', "' 同一产品类别（'",
            'account_groups.product_category', "'）、同一类型（'",
            'account_groups.opportunity_type', "'）有 '",
            dbt.cast('account_groups.opportunity_count', dbt.type_string()),
            "' 个在跟进商机：请检查是否重复。'",
        ]) }} as detail_zh,
        open_opportunities.opportunity_id as member_opportunity_id,
        'duplicate' as member_role
    from account_groups
    inner join open_opportunities
        on account_groups.account_id = open_opportunities.account_id
        and account_groups.product_category = open_opportunities.product_category
        and account_groups.opportunity_type = open_opportunities.opportunity_type

),

invalid_alerts as (

    select
        {{ dbt.concat(["'invalid_credit_code|'", 'checked_accounts.account_id']) }}
            as alert_key,
        'invalid_credit_code' as alert_type,
        'low' as severity,
        1 as severity_rank,
        cast(0 as {{ type_double() }}) as priority_score,
        'account' as segment_dimension,
        checked_accounts.account_id as segment_value,
        checked_accounts.account_id,
        cast(null as {{ type_double() }}) as measured_value,
        {{ dbt.concat([
            "'Account '", 'checked_accounts.account_id', "' has the credit code '",
            'checked_accounts.credit_code',
            "', which fails the GB 32100-2015 check (length, characters or check digit).'",
        ]) }} as detail,
        {{ dbt.concat([
            "'客户 '", 'checked_accounts.account_id', "' 的统一社会信用代码 '",
            'checked_accounts.credit_code', "' 未通过 GB 32100-2015 校验：请更正。'",
        ]) }} as detail_zh,
        open_opportunities.opportunity_id as member_opportunity_id,
        case when open_opportunities.opportunity_id is not null then 'open_opportunity' end
            as member_role
    from checked_accounts
    left join open_opportunities
        on checked_accounts.account_id = open_opportunities.account_id
    where not checked_accounts.is_valid_code

),

unioned as (

    select * from code_alerts
    union all
    select * from account_alerts
    union all
    select * from invalid_alerts

),

final as (

    select
        alert_key,
        alert_type,
        severity,
        severity_rank,
        priority_score,
        segment_dimension,
        segment_value,
        cast(null as {{ dbt.type_string() }}) as period_grain,
        cast(null as {{ type_date() }}) as period_start,
        cast(null as {{ dbt.type_string() }}) as sales_process,
        cast(null as {{ dbt.type_string() }}) as stage_code,
        cast(null as {{ dbt.type_string() }}) as to_stage,
        cast(null as {{ dbt.type_string() }}) as opportunity_id,
        cast(null as {{ dbt.type_string() }}) as contract_id,
        account_id,
        cast(null as {{ dbt.type_string() }}) as owner_id,
        cast(null as {{ dbt.type_string() }}) as escalation_level,
        measured_value,
        case
            when alert_type = 'duplicate' then cast(1 as {{ type_double() }})
        end as standard_value,
        cast(null as {{ dbt.type_string() }}) as standard_source,
        cast(null as {{ type_double() }}) as days_over_sla,
        cast(null as {{ type_date() }}) as due_date,
        detail,
        detail_zh,
        member_opportunity_id,
        member_role
    from unioned

)

select * from final
