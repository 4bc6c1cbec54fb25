"""The one `Definitions` of Funnel Warehouse: `dagster dev -m orchestration.definitions`."""

from __future__ import annotations

import dagster as dg

from orchestration.defs.ingest import ingest_assets, reconciliation_checks
from orchestration.defs.operations import inbox_is_fresh, operation_sensors
from orchestration.defs.publish import published_snapshot
from orchestration.defs.quality import gx_opportunities_business_rules
from orchestration.defs.resources import dbt_resource
from orchestration.defs.schedules import full_refresh_job, nightly_refresh
from orchestration.defs.transform import dbt_models

defs = dg.Definitions(
    assets=[*ingest_assets, dbt_models, published_snapshot],
    asset_checks=[*reconciliation_checks, gx_opportunities_business_rules, inbox_is_fresh],
    jobs=[full_refresh_job],
    schedules=[nightly_refresh],
    sensors=operation_sensors,
    resources={"dbt": dbt_resource},
)
