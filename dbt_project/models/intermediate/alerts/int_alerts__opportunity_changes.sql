-- One row per close_date_pushed / amount_cut alert: an opportunity not closed on the as-of
-- date whose expected close date was pushed later more than max_close_date_pushes times, or
-- whose amount was cut by more than amount_cut_pct percent between two loaded versions.

with

changes as (

    select * from {{ ref('int_opportunity_changes') }}

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

open_changes as (

    select
        changes.*,
        opportunities.owner_id,
        opportunities.account_id,
        opportunities.sales_process,
        opportunities.current_stage,
        coalesce(segment_rules.importance, 'SMB') as importance,
        settings.max_close_date_pushes,
        settings.amount_cut_pct
    from changes
    inner join opportunities
        on changes.opportunity_id = opportunities.opportunity_id
    left join segment_rules
        on opportunities.tier = segment_rules.tier
    cross join settings
    where not opportunities.is_closed

),

pushed as (

    select
        'close_date_pushed' as alert_type,
        case
            when close_date_push_count > 2 * max_close_date_pushes then 'high' else 'medium'
        end as severity,
        cast(close_date_push_count as {{ type_double() }}) as measured_value,
        cast(max_close_date_pushes as {{ type_double() }}) as standard_value,
        {{ dbt.concat([
            "'Expected close date pushed later '",
            dbt.cast('close_date_push_count', dbt.type_string()),
            "' times (by '", dbt.cast('close_date_pushed_days', dbt.type_string()),
            "' days in all; now '", date_text('latest_expected_close_date'),
            "'), more than the allowed '", num_text('max_close_date_pushes', 0), "'.'",
        ]) }} as detail,
        {{ dbt.concat([
            "'预计成交日期已推迟 '", dbt.cast('close_date_push_count', dbt.type_string()),
            "' 次（共 '", dbt.cast('close_date_pushed_days', dbt.type_string()),
            "' 天，现为 '", date_text('latest_expected_close_date'), "'），超过 '",
            num_text('max_close_date_pushes', 0), "' 次。'",
        ]) }} as detail_zh,
        open_changes.*
    from open_changes
    where close_date_push_count > max_close_date_pushes

),

cut as (

    select
        'amount_cut' as alert_type,
        case when max_amount_cut_pct > 2 * amount_cut_pct then 'high' else 'medium' end
            as severity,
        max_amount_cut_pct as measured_value,
        cast(amount_cut_pct as {{ type_double() }}) as standard_value,
        {{ dbt.concat([
            "'Amount cut by '", num_text('max_amount_cut_pct'),
            "'% between two exports (first '", num_text('first_amount', 2), "', now '",
            num_text('latest_amount', 2), "'), more than '", num_text('amount_cut_pct', 0),
            "'%.'",
        ]) }} as detail,
        {{ dbt.concat([
            "'商机金额单次下调 '", num_text('max_amount_cut_pct'), "'%（最初 '",
            num_text('first_amount', 2), "'，现为 '", num_text('latest_amount', 2),
            "'），超过 '", num_text('amount_cut_pct', 0), "'%。'",
        ]) }} as detail_zh,
        open_changes.*
    from open_changes
    where max_amount_cut_pct > amount_cut_pct

),

unioned as (

    select
        alert_type,
        severity,
        measured_value,
        standard_value,
        detail,
        detail_zh,
        opportunity_id,
        owner_id,
        account_id,
        sales_process,
        current_stage,
        importance
    from pushed
    union all
    select
        alert_type,
        severity,
        measured_value,
        standard_value,
        detail,
        detail_zh,
        opportunity_id,
        owner_id,
        account_id,
        sales_process,
        current_stage,
        importance
    from cut

),

final as (

    select
        {{ dbt.concat(['alert_type', "'|'", 'opportunity_id']) }} as alert_key,
        alert_type,
        severity,
        case when severity = 'high' then 3 else 2 end as severity_rank,
        measured_value / nullif(standard_value, 0) as priority_score,
        'importance' as segment_dimension,
        importance as segment_value,
        cast(null as {{ dbt.type_string() }}) as period_grain,
        cast(null as {{ type_date() }}) as period_start,
        sales_process,
        current_stage as stage_code,
        cast(null as {{ dbt.type_string() }}) as to_stage,
        opportunity_id,
        cast(null as {{ dbt.type_string() }}) as contract_id,
        account_id,
        owner_id,
        cast(null as {{ dbt.type_string() }}) as escalation_level,
        measured_value,
        standard_value,
        'alert settings' as standard_source,
        cast(null as {{ type_double() }}) as days_over_sla,
        cast(null as {{ type_date() }}) as due_date,
        detail,
        detail_zh,
        opportunity_id as member_opportunity_id,
        'subject' as member_role
    from unioned

)

select * from final
