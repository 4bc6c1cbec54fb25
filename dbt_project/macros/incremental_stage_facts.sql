{#-
    The incremental build of the stage facts (fct_stage_transitions, fct_stage_visits),
    keyed by opportunity: a build rebuilds every row of each opportunity whose inputs
    changed since the table's previous build, so sequences (previous stage, dwell, visit
    numbers) stay right, and leaves the other opportunities' rows alone. Three parts:

    - stage_facts_reprocessed_opportunities(): the opportunities to rebuild (SQL select);
      the model filters its input by it, and its pre-hook deletes their rows first, so an
      opportunity left with no rows (e.g. its sales process changed) does not linger;
    - stage_facts_build_fingerprint(): a hash of everything besides the exports that the
      facts depend on: the SQL of the model and of every model upstream of it, the
      checksum of every seed upstream (sales-ops definitions) and the dbt vars
      restate_to_current_org, infer_stage_changes_from_snapshots and timezone. A build
      whose fingerprint differs from the table's rebuilds every opportunity (a full
      rebuild inside the incremental run, logged as such);
    - stage_facts_restate_unchanged(): the post-hook bringing the rows it did not rebuild
      to this build's as-of date (as_of_date, and open_age_days of open visits) and state.

    The state of the previous build is on every row (uniform after the post-hook):
    as_of_date, inputs_loaded_through (the load time of the latest input change it had
    seen, from int_stage_fact_input_changes) and build_fingerprint.
-#}

{#- The config of both stage facts; with_open_age: the post-hook restates open_age_days. -#}
{% macro stage_facts_config(with_open_age) -%}
    {{ config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='opportunity_id',
        on_schema_change='append_new_columns',
        pre_hook='{{ stage_facts_delete_reprocessed() }}',
        post_hook='{{ stage_facts_restate_unchanged(with_open_age=' ~ with_open_age ~ ') }}',
    ) }}
{%- endmacro %}


{#- The opportunities an incremental build rebuilds (a select of opportunity_id). -#}
{% macro stage_facts_reprocessed_opportunities() -%}
    {%- set as_of_sql = as_of_date() -%}
    select input_changes.opportunity_id
    from {{ ref('int_stage_fact_input_changes') }} as input_changes
    cross join (
        select
            max(as_of_date) as as_of_date,
            max(inputs_loaded_through) as inputs_loaded_through,
            max(build_fingerprint) as build_fingerprint
        from {{ this }}
    ) as previous_build
    where
        previous_build.build_fingerprint is null
        or previous_build.build_fingerprint != '{{ stage_facts_build_fingerprint() }}'
        or input_changes.inputs_changed_at > previous_build.inputs_loaded_through
        or (
            previous_build.as_of_date != {{ as_of_sql }}
            and input_changes.latest_event_on > case
                when previous_build.as_of_date < {{ as_of_sql }}
                    then previous_build.as_of_date
                else {{ as_of_sql }}
            end
        )
{%- endmacro %}


{#- A hash of the model's code, its upstream models' and seeds' checksums and the vars. -#}
{% macro stage_facts_build_fingerprint() -%}
    {%- if not execute -%}
        {{ return('') }}
    {%- endif -%}
    {%- set parts = [
        'restate_to_current_org=' ~ var('restate_to_current_org', false),
        'infer_stage_changes_from_snapshots=' ~ var('infer_stage_changes_from_snapshots', true),
        'timezone=' ~ var('timezone', 'Asia/Shanghai'),
    ] -%}
    {#- unit tests render without the project's graph: the vars alone -#}
    {%- set nodes = graph.get('nodes', {}) -%}
    {%- set queue = [model.unique_id] -%}
    {%- set seen = [] -%}
    {%- for node_id in queue -%}
        {%- set node = nodes.get(node_id) -%}
        {%- if node_id not in seen and node is not none -%}
            {%- do seen.append(node_id) -%}
            {%- do parts.append(node_id ~ '=' ~ node.checksum.checksum) -%}
            {%- for parent_id in node.get('depends_on', {}).get('nodes', []) -%}
                {%- do queue.append(parent_id) -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(local_md5(parts | sort | join(';'))) }}
{%- endmacro %}


{#-
    The pre-hook: delete every row of the opportunities this build rebuilds, and log how
    many. A table built before the facts were incremental (no state columns) gets them,
    empty, so this build rebuilds every opportunity.
-#}
{% macro stage_facts_delete_reprocessed() -%}
    {%- if is_incremental() and execute -%}
        {%- set existing = adapter.get_columns_in_relation(this)
            | map(attribute='name') | map('lower') | list -%}
        {%- set missing = [] -%}
        {%- for name, data_type in [
            ('inputs_loaded_through', dbt.type_timestamp()),
            ('build_fingerprint', dbt.type_string()),
        ] if name not in existing -%}
            {%- do missing.append(api.Column.create(name, data_type)) -%}
        {%- endfor -%}
        {%- if missing -%}
            {%- do log(this.identifier ~ ': no incremental state yet, adding '
                ~ (missing | map(attribute='name') | join(', ')), info=true) -%}
            {%- do alter_relation_add_remove_columns(this, missing, none) -%}
        {%- endif -%}
        {%- set state = run_query(
            'select count(*), max(build_fingerprint) from ' ~ this).rows[0] -%}
        {%- set reprocessed = run_query(
            'select count(*) from (' ~ stage_facts_reprocessed_opportunities() ~ ') as r'
        ).columns[0].values()[0] -%}
        {%- if state[0] == 0 or state[1] != stage_facts_build_fingerprint() -%}
            {%- do log(this.identifier ~ ': incremental run, but the table is empty or its'
                ~ ' code, definitions (seeds) or vars changed since its previous build:'
                ~ ' rebuilding all ' ~ reprocessed ~ ' opportunities', info=true) -%}
        {%- else -%}
            {%- do log(this.identifier ~ ': incremental, rebuilding ' ~ reprocessed
                ~ ' opportunities whose inputs changed since its previous build', info=true) -%}
        {%- endif -%}
        delete from {{ this }}
        where opportunity_id in ({{ stage_facts_reprocessed_opportunities() }})
    {%- endif -%}
{%- endmacro %}


{#-
    The post-hook: the rows of the opportunities this build did not rebuild take its as-of
    date and state; open visits (with_open_age) their age at the new as-of date.
-#}
{% macro stage_facts_restate_unchanged(with_open_age=false) -%}
    {%- if is_incremental() and execute -%}
        {%- set as_of_sql = as_of_date() -%}
        {%- set watermark = run_query(
            'select max(inputs_changed_at) from '
            ~ ref('int_stage_fact_input_changes')).columns[0].values()[0] -%}
        {%- set watermark_sql = dbt.cast(
            dbt.string_literal(watermark) if watermark is not none else 'null',
            dbt.type_timestamp()) -%}
        {%- set fingerprint = stage_facts_build_fingerprint() -%}
        update {{ this }}
        set
            as_of_date = {{ as_of_sql }},
            inputs_loaded_through = {{ watermark_sql }},
            build_fingerprint = '{{ fingerprint }}'
            {%- if with_open_age %},
            open_age_days = case
                when is_open
                    then {{ days_between('entered_at', as_of_end_timestamp(as_of_sql)) }}
            end
            {%- endif %}
        where
            as_of_date != {{ as_of_sql }}
            or inputs_loaded_through is null
            or inputs_loaded_through != {{ watermark_sql }}
            or build_fingerprint != '{{ fingerprint }}'
    {%- endif -%}
{%- endmacro %}


{#-
    The import CTEs both stage facts start with: input_changes, reprocessed_opportunities
    (incremental runs only), build_state (the state columns every row carries) and
    stage_changes (int_stage_changes_attributed, only the reprocessed opportunities' rows in
    an incremental run). Each ends with a comma.
-#}
{% macro stage_facts_import_ctes() -%}
input_changes as (

    select * from {{ ref('int_stage_fact_input_changes') }}

),

{% if is_incremental() %}
reprocessed_opportunities as (

    -- the opportunities whose inputs changed since the previous build (macro doc)
    {{ stage_facts_reprocessed_opportunities() }}

),

{% endif %}
build_state as (

    select
        max(inputs_changed_at) as inputs_loaded_through,
        '{{ stage_facts_build_fingerprint() }}' as build_fingerprint
    from input_changes

),

stage_changes as (

    select * from {{ ref('int_stage_changes_attributed') }}
    {% if is_incremental() %}
    where opportunity_id in (select opportunity_id from reprocessed_opportunities)
    {% endif %}

),
{%- endmacro %}
