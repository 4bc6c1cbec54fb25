-- One row per opportunity: the sales process it follows. The exported sales_process when
-- the export gives one; otherwise the first matching rule of the sales-ops seed
-- sales_process_rules (lowest priority; `*` matches anything) on the owner's org unit
-- (team, region or branch), the account's customer type, the product category and the
-- opportunity type.

with

opportunities as (

    select * from {{ ref('stg_crm__opportunities') }}

),

accounts as (

    select * from {{ ref('stg_crm__accounts') }}

),

sales_reps as (

    select * from {{ ref('stg_crm__sales_reps') }}

),

rules as (

    select * from {{ ref('sales_process_rules') }}

),

unassigned as (

    select
        opportunities.opportunity_id,
        opportunities.product_category,
        opportunities.opportunity_type,
        accounts.customer_type,
        sales_reps.team,
        sales_reps.region,
        sales_reps.branch
    from opportunities
    left join accounts
        on opportunities.account_id = accounts.account_id
    left join sales_reps
        on opportunities.owner_id = sales_reps.rep_id
    where opportunities.sales_process is null

),

matches as (

    select
        unassigned.opportunity_id,
        rules.sales_process,
        rules.priority,
        row_number() over (
            partition by unassigned.opportunity_id order by rules.priority
        ) as match_rank
    from unassigned
    inner join rules
        on (
            rules.org_unit = '*'
            or rules.org_unit in (unassigned.team, unassigned.region, unassigned.branch)
        )
        and (rules.customer_type = '*' or unassigned.customer_type = rules.customer_type)
        and (
            rules.product_category = '*'
            or unassigned.product_category = rules.product_category
        )
        and (
            rules.opportunity_type = '*'
            or unassigned.opportunity_type = rules.opportunity_type
        )

),

final as (

    select
        opportunities.opportunity_id,
        coalesce(opportunities.sales_process, matches.sales_process) as sales_process,
        case
            when opportunities.sales_process is not null then 'exported'
            when matches.sales_process is not null then 'rule'
        end as process_source,
        matches.priority as process_rule_priority
    from opportunities
    left join matches
        on opportunities.opportunity_id = matches.opportunity_id
        and matches.match_rank = 1

)

select * from final
