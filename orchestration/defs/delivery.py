"""Alert delivery after each successful refresh: runs once the snapshot is published (so only
when every step and blocking check passed), sends each owner and manager their digest of new and
escalated alerts, and records every outcome in `audit.alert_deliveries`."""

import dagster as dg
import duckdb

from ingestion.paths import build_db_path, warehouse_dir
from orchestration.defs.ingest import WRITER_POOL
from orchestration.delivery.config import load_config
from orchestration.delivery.deliver import deliver
from orchestration.lib.settings import as_of_date

DRY_RUN_FOLDER = "digests"


@dg.asset(
    key=dg.AssetKey(["audit", "alert_deliveries"]),
    group_name="delivery",
    deps=[dg.AssetKey("published_snapshot")],
    pool=WRITER_POOL,
    kinds={"duckdb"},
    description="Digests of new and escalated alerts to owners and managers over WeCom, "
    "DingTalk, Feishu, JSON webhooks and e-mail (definitions/delivery.yml), once per day; "
    "a dry run writes them under <warehouse>/digests/. The ledger is audit.alert_deliveries.",
)
def alert_deliveries(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    config = load_config()
    with duckdb.connect(str(build_db_path())) as con:
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
