-- One row per won opportunity (as of the as-of date) with its contracts and orders (lead to
-- cash), plus one row per order placed by the as-of date that no won opportunity's contract
-- accounts for (no contract, an unknown contract, or a contract of no won opportunity).

with

opportunities as (

    select * from {{ ref('int_opportunities_enriched') }}

),

contracts as (

    select * from {{ ref('int_erp_contracts_as_of') }}

),

orders as (

    select * from {{ ref('int_erp_orders_as_of') }}

),

won as (

    select
        opportunity_id,
        account_id,
        owner_id,
        team,
        customer_type,
        sales_process,
        opportunity_type,
        amount,
        closed_date
    from opportunities
    where status = 'won'

),

contract_orders as (

    -- cancelled orders are not counted as ordered
    select
        contract_id,
        count(*) as order_count,
        sum(amount) as ordered_amount,
        min(order_date) as first_order_date
    from orders
    where contract_id is not null
        and coalesce(order_status, '') != 'cancelled'
    group by contract_id

),

won_contracts as (

    select
        won.opportunity_id,
        count(contracts.contract_id) as contract_count,
        sum(contracts.amount) as contract_amount,
        min(contracts.signed_date) as first_contract_signed_date,
        coalesce(sum(contract_orders.order_count), 0) as order_count,
        sum(contract_orders.ordered_amount) as ordered_amount,
        min(contract_orders.first_order_date) as first_order_date
    from won
    left join contracts
        on won.opportunity_id = contracts.opportunity_id
    left join contract_orders
        on contracts.contract_id = contract_orders.contract_id
    group by won.opportunity_id

),

won_rows as (

    select
        won.opportunity_id as l2c_id,
        'won_opportunity' as row_type,
        won.opportunity_id,
        cast(null as {{ dbt.type_string() }}) as order_id,
        won.account_id,
        won.owner_id,
        won.team,
        won.customer_type,
        won.sales_process,
        won.opportunity_type,
        won.closed_date as won_date,
        won.amount as won_amount,
        won_contracts.contract_count,
        won_contracts.contract_amount,
        won_contracts.first_contract_signed_date,
        won_contracts.order_count,
        won_contracts.ordered_amount,
        won_contracts.first_order_date,
        {{ dbt.datediff('won.closed_date', 'won_contracts.first_contract_signed_date', 'day') }}
            as days_won_to_contract,
        {{ dbt.datediff('won.closed_date', 'won_contracts.first_order_date', 'day') }}
            as days_won_to_first_order,
        won_contracts.contract_count = 0 as won_without_contract,
        false as order_without_opportunity
    from won
    inner join won_contracts
        on won.opportunity_id = won_contracts.opportunity_id

),

orphan_orders as (

    select
        orders.order_id,
        orders.contract_id,
        orders.order_date,
        orders.amount,
        orders.order_status,
        contracts.account_id
    from orders
    left join contracts
        on orders.contract_id = contracts.contract_id
    left join won
        on contracts.opportunity_id = won.opportunity_id
    where won.opportunity_id is null

),

orphan_rows as (

    select
        {{ dbt.concat(["'order:'", 'order_id']) }} as l2c_id,
        'order_without_opportunity' as row_type,
        cast(null as {{ dbt.type_string() }}) as opportunity_id,
        order_id,
        account_id,
        cast(null as {{ dbt.type_string() }}) as owner_id,
        cast(null as {{ dbt.type_string() }}) as team,
        cast(null as {{ dbt.type_string() }}) as customer_type,
        cast(null as {{ dbt.type_string() }}) as sales_process,
        cast(null as {{ dbt.type_string() }}) as opportunity_type,
        cast(null as {{ type_date() }}) as won_date,
        cast(null as {{ type_amount() }}) as won_amount,
        case when contract_id is not null then 1 else 0 end as contract_count,
        cast(null as {{ type_amount() }}) as contract_amount,
        cast(null as {{ type_date() }}) as first_contract_signed_date,
        case when coalesce(order_status, '') != 'cancelled' then 1 else 0 end as order_count,
        case when coalesce(order_status, '') != 'cancelled' then amount end as ordered_amount,
        case when coalesce(order_status, '') != 'cancelled' then order_date end
            as first_order_date,
        cast(null as {{ dbt.type_bigint() }}) as days_won_to_contract,
        cast(null as {{ dbt.type_bigint() }}) as days_won_to_first_order,
        false as won_without_contract,
        true as order_without_opportunity
    from orphan_orders

),

unioned as (

    select * from won_rows
    union all
    select * from orphan_rows

),

final as (

    select
        {{ as_of_date() }} as as_of_date,
        l2c_id,
        row_type,
        opportunity_id,
        order_id,
        account_id,
        owner_id,
        team,
        customer_type,
        sales_process,
        opportunity_type,
        won_date,
        won_amount,
        cast(contract_count as {{ dbt.type_bigint() }}) as contract_count,
        cast(contract_amount as {{ type_amount() }}) as contract_amount,
        first_contract_signed_date,
        cast(order_count as {{ dbt.type_bigint() }}) as order_count,
        cast(coalesce(ordered_amount, 0) as {{ type_amount() }}) as ordered_amount,
        first_order_date,
        days_won_to_contract,
        days_won_to_first_order,
        won_without_contract,
        order_without_opportunity
    from unioned

)

select * from final
