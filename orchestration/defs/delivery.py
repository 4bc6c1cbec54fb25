"""Alert delivery after each successful build: runs once every published model is built and
its blocking checks passed (the same gate as the publish, which then waits for it), sends each
owner and manager their digest of new and escalated alerts, and records every outcome in
`audit.alert_deliveries`, which the publish copies into this refresh's snapshot (the
data-health page shows failed deliveries the same morning)."""

import dagster as dg

from ingestion import duckdb_settings
from ingestion.paths import build_db_path, warehouse_dir
from orchestration.defs.ingest import WRITER_POOL
from orchestration.defs.publish import DELIVERY_KEY, published_model_keys
from orchestration.delivery.config import load_config
from orchestration.delivery.deliver import deliver
from orchestration.lib.settings import as_of_date

DRY_RUN_FOLDER = "digests"


@dg.asset(
    key=DELIVERY_KEY,
    group_name="delivery",
    deps=published_model_keys(),
    pool=WRITER_POOL,
    kinds={"duckdb"},
    description="Digests of new and escalated alerts to owners and managers over WeCom, "
    "DingTalk, Feishu, JSON webhooks and e-mail (definitions/delivery.yml), once per day; "
    "a dry run writes them under <warehouse>/digests/. The ledger is audit.alert_deliveries.",
)
def alert_deliveries(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    config = load_config()
    with duckdb_settings.connect(build_db_path()) as con:
        summary = deliver(
            con,
            config,
            as_of_date(),
            warehouse_dir() / DRY_RUN_FOLDER,
            run_id=context.run_id,
            log=context.log.info,
        )
    for error in summary.errors:
        context.log.warning(f"delivery failed after retries: {error}")
    return dg.MaterializeResult(
        metadata={
            "dry_run": config.dry_run,
            **{f"digests_{status}": n for status, n in summary.counts.items()},
            "already_delivered_today": summary.already_delivered,
            "failed": len(summary.errors),
        }
    )
