-- One row per customer account × validity range: the account's attributes as the accounts
-- exports showed them from valid_from until valid_to (exclusive; null for the current
-- range), with its importance (KA / SMB) from the sales-ops rule segment_rules (by tier).
-- Consecutive exports that show the same attributes are one range.

with

account_versions as (

    select * from {{ ref('stg_crm__account_versions') }}

),

segment_rules as (

    select * from {{ ref('segment_rules') }}

),

flagged as (

    select
        account_versions.*,
        {{ starts_new_range(
            'account_id',
            'export_date',
            tracked_attributes([
                'credit_code', 'customer_type', 'tier', 'industry', 'region', 'branch',
            ]),
        ) }} as starts_range
    from account_versions

),

numbered as (

    select
        flagged.*,
        sum(starts_range) over (
            partition by account_id
            order by export_date
            rows between unbounded preceding and current row
        ) as range_number,
        last_value(account_name) over (
            partition by account_id
            order by export_date
            rows between unbounded preceding and unbounded following
        ) as latest_account_name
    from flagged

),

ranges as (

    select
        account_id,
        range_number,
        min(latest_account_name) as account_name,
        min(credit_code) as credit_code,
        min(customer_type) as customer_type,
        min(tier) as tier,
        min(industry) as industry,
        min(region) as region,
        min(branch) as branch,
        min(export_date) as valid_from,
        max(export_date) as last_seen_export_date,
        count(*) as export_count
    from numbered
    group by
        account_id,
        range_number

),

final as (

    select
        {{ dbt.hash(dbt.concat([
            'ranges.account_id', "'|'", dbt.cast('ranges.valid_from', dbt.type_string()),
        ])) }} as account_version_id,
        ranges.account_id,
        ranges.account_name,
        ranges.credit_code,
        ranges.customer_type,
        ranges.tier,
        segment_rules.importance,
        ranges.industry,
        ranges.region,
        ranges.branch,
        ranges.valid_from,
        lead(ranges.valid_from) over (
            partition by ranges.account_id order by ranges.valid_from
        ) as valid_to,
        lead(ranges.valid_from) over (
            partition by ranges.account_id order by ranges.valid_from
        ) is null as is_current,
        ranges.last_seen_export_date,
        ranges.export_count,
        {{ as_of_date() }} as as_of_date
    from ranges
    left join segment_rules
        on ranges.tier = segment_rules.tier

)

select * from final
