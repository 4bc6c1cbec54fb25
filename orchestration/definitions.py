"""The one `Definitions` of Funnel Warehouse: `dagster dev -m orchestration.definitions`."""

from __future__ import annotations

import dagster as dg

from orchestration.defs.delivery import alert_deliveries
from orchestration.defs.ingest import ingest_assets, reconciliation_checks
from orchestration.defs.operations import inbox_is_fresh, operation_sensors
from orchestration.defs.publish import published_snapshot
from orchestration.defs.quality import quality_checks
from orchestration.defs.resources import dbt_resource
from orchestration.defs.schedules import full_refresh_job, nightly_refresh
from orchestration.defs.scoring import (
    opportunity_scores,
    retrain_job,
    retrain_schedule,
    win_probability_model,
)
from orchestration.defs.sensors import inbox_sensor
from orchestration.defs.transform import dbt_models, dbt_scored_models

defs = dg.Definitions(
    assets=[
        *ingest_assets,
        dbt_models,
        win_probability_model,
        opportunity_scores,
        dbt_scored_models,
        published_snapshot,
        alert_deliveries,
    ],
    asset_checks=[*reconciliation_checks, *quality_checks, inbox_is_fresh],
    jobs=[full_refresh_job, retrain_job],
    schedules=[nightly_refresh, retrain_schedule],
    sensors=[inbox_sensor, *operation_sensors],
    resources={"dbt": dbt_resource},
)
