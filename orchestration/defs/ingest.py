"""One ingestion asset per export family, keyed like dbt's `source()` so lineage joins up."""

from datetime import UTC, datetime

import dagster as dg
import duckdb

from ingestion.contract import FAMILIES, FAMILIES_BY_NAME, Family
from ingestion.loader import load_family, reconcile
from ingestion.paths import build_db_path, inbox_dir

WRITER_POOL = "duckdb_writer"  # DuckDB allows one writing process: all writers share this pool


def _ingest_asset(family: Family) -> dg.AssetsDefinition:
    deps = []
    if family.parent is not None:
        deps.append(dg.AssetKey(list(FAMILIES_BY_NAME[family.parent[1]].asset_key)))

    @dg.asset(
        key=dg.AssetKey(list(family.asset_key)),
        group_name="ingest",
        deps=deps,
        pool=WRITER_POOL,
        kinds={"duckdb", "csv"},
        description=f"{family.description} Loaded from `{family.file_glob}` in the inbox into "
        f"`raw.{family.name}` as text, with lineage; bad rows go to `raw.quarantine`.",
    )
    def ingest(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
        inbox = inbox_dir()
        build_db_path().parent.mkdir(parents=True, exist_ok=True)
        loaded_at = datetime.now(UTC).replace(tzinfo=None)
        with duckdb.connect(str(build_db_path())) as con:
            results = list(load_family(con, family, inbox, loaded_at))
            total = con.execute(f"select count(*) from raw.{family.name}").fetchone()
        if not results:
            context.log.warning(f"no {family.file_glob} file in {inbox}")
        for r in results:
            log = (
                context.log.warning
                if r.status == "rejected" or r.rows_quarantined
                else (context.log.info)
            )
            log(
                f"{r.source_file}: {r.status}, read {r.rows_read}, loaded {r.rows_loaded}, "
                f"quarantined {r.rows_quarantined}. {r.message}".strip()
            )
        return dg.MaterializeResult(
            metadata={
                "files_found": len(results),
                "files_loaded": sum(r.status == "loaded" for r in results),
                "files_rejected": sum(r.status == "rejected" for r in results),
                "rows_read": sum(r.rows_read for r in results),
                "rows_loaded": sum(r.rows_loaded for r in results),
                "rows_quarantined": sum(r.rows_quarantined for r in results),
                "raw_row_count": int(total[0]) if total else 0,
            }
        )

    return ingest


def _reconciliation_check(family: Family) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=dg.AssetKey(list(family.asset_key)),
        name="rows_reconcile",
        blocking=True,
        description="loaded + quarantined = rows read, for every file version ever loaded.",
    )
    def rows_reconcile() -> dg.AssetCheckResult:
        with duckdb.connect(str(build_db_path()), read_only=True) as con:
            mismatches = reconcile(con, family)
        return dg.AssetCheckResult(
            passed=not mismatches,
            metadata={"mismatches": "; ".join(str(m) for m in mismatches) or "none"},
        )

    return rows_reconcile


ingest_assets = [_ingest_asset(family) for family in FAMILIES]
reconciliation_checks = [_reconciliation_check(family) for family in FAMILIES]
