"""Publish: after a good build and all blocking checks, switch dashboards to a new snapshot.

The alert delivery (orchestration/defs/delivery.py) runs just before, behind the same models
and blocking checks, so that the snapshot carries this refresh's delivery ledger."""

from datetime import UTC, datetime

import dagster as dg
from dagster_dbt import get_asset_key_for_model

from ingestion.paths import build_db_path, warehouse_dir
from orchestration.defs.ingest import WRITER_POOL
from orchestration.defs.transform import dbt_models, dbt_scored_models
from orchestration.lib.publish import PUBLISHED_TABLES, publish_snapshot
from orchestration.lib.settings import as_of_date, keep_snapshots

DELIVERY_KEY = dg.AssetKey(["audit", "alert_deliveries"])


def model_asset_key(model: str) -> dg.AssetKey:
    """The asset key of a dbt model, whichever of the two dbt builds holds it."""
    scored = {key.path[-1] for key in dbt_scored_models.keys}
    build = dbt_scored_models if model in scored else dbt_models
    return get_asset_key_for_model([build], model)


def published_model_keys() -> list[dg.AssetKey]:
    """The dbt models the snapshot copies: a blocking check on any of them stops the publish."""
    return [model_asset_key(table) for table in PUBLISHED_TABLES]


@dg.asset(
    key="published_snapshot",
    group_name="publish",
    deps=[*published_model_keys(), DELIVERY_KEY],
    pool=WRITER_POOL,
    kinds={"duckdb"},
    description="A read-only copy of the marts the dashboards serve from, switched to atomically.",
)
def published_snapshot(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    run = context.instance.get_run_by_id(context.run_id)
    stats = context.instance.get_run_stats(context.run_id) if run else None
    started = (
        datetime.fromtimestamp(stats.start_time, UTC)
        if stats and stats.start_time
        else datetime.now(UTC)
    ).replace(tzinfo=None)
    refresh_id = f"{started:%Y%m%dT%H%M%S}-{context.run_id[:8]}"
    published = publish_snapshot(
        build_db_path(), warehouse_dir(), refresh_id, as_of_date(), started, keep_snapshots()
    )
    context.log.info(f"serving {published.snapshot.name}; pruned {len(published.pruned)} old")
    return dg.MaterializeResult(
        metadata={
            "refresh_id": refresh_id,
            "snapshot": str(published.snapshot),
            **{f"rows_{table}": count for table, count in published.row_counts.items()},
        }
    )
