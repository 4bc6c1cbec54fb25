-- One row per stage change (opportunity_id, to_stage, changed_at): the latest loaded
-- version of each change, typed. Includes the first stage of each opportunity.

with

source as (

    select * from {{ source('crm', 'stage_history') }}

),

typed as (

    select
        {{ clean_text('opportunity_id') }} as opportunity_id,
        {{ clean_text('from_stage') }} as recorded_from_stage,
        {{ clean_text('to_stage') }} as to_stage,
        cast({{ clean_text('changed_at') }} as {{ dbt.type_timestamp() }}) as changed_at,
        {{ clean_text('changed_by') }} as changed_by,
        _source_file as source_file,
        _row_number as source_row_number,
        _loaded_at as loaded_at
    from source

),

versioned as (

    select
        typed.*,
        row_number() over (
            partition by opportunity_id, to_stage, changed_at
            order by loaded_at desc, source_file desc, source_row_number desc
        ) as version_rank
    from typed

),

latest as (

    select
        {{ stage_change_id('opportunity_id', 'changed_at', 'to_stage') }} as stage_change_id,
        opportunity_id,
        recorded_from_stage,
        to_stage,
        changed_at,
        changed_by,
        source_file,
        loaded_at
    from versioned
    where version_rank = 1

)

select * from latest
