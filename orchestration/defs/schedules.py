"""The job that refreshes everything, and its nightly schedule."""

from __future__ import annotations

import dagster as dg

from orchestration.lib.settings import schedule_cron, timezone_name

# In-process: the steps share one DuckDB file, and DuckDB allows one writing process.
full_refresh_job = dg.define_asset_job(
    name="full_refresh",
    selection=dg.AssetSelection.all(),
    executor_def=dg.in_process_executor,
    description="Ingest the inbox, build and test the dbt models, run the checks, publish.",
)

nightly_refresh = dg.ScheduleDefinition(
    name="nightly_refresh",
    job=full_refresh_job,
    cron_schedule=schedule_cron(),
    execution_timezone=timezone_name(),
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Full refresh every night (FUNNEL_SCHEDULE_CRON, FUNNEL_TIMEZONE).",
)
