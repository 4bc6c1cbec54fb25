"""Ingestion assets: adapt non-canonical exports, then one asset per export family, keyed like
dbt's `source()` so lineage joins up."""

from datetime import UTC, datetime

import dagster as dg

from ingestion import duckdb_settings
from ingestion.contract import FAMILIES, FAMILIES_BY_NAME, Family
from ingestion.intake import (
    adapt_inbox,
    family_sources,
    log_adapter_errors,
    staging_dir,
)
from ingestion.loader import FileLoad, ensure_schema, load_file, reconcile
from ingestion.paths import build_db_path, inbox_dir, warehouse_dir
from ingestion.stages import DefinitionsInvalidError, StageCatalog, load_stage_catalog

WRITER_POOL = "duckdb_writer"  # DuckDB allows one writing process: all writers share this pool
ADAPTED_EXPORTS = dg.AssetKey("adapted_exports")


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


@dg.asset(
    key=ADAPTED_EXPORTS,
    group_name="ingest",
    pool=WRITER_POOL,
    kinds={"python", "xlsx"},
    description="Exports that are not canonical CSVs (XLSX, GB18030, Chinese or Salesforce "
    "headers, Salesforce Data Loader folders) rewritten as canonical CSVs in "
    "`<warehouse>/staging/adapted/` by `ingestion/adapters` (see `ingestion/header_mapping.yml`). "
    "An export that cannot be adapted is recorded in `raw.load_log` as rejected, with the reason.",
)
def adapted_exports(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    inbox, staging = inbox_dir(), staging_dir(warehouse_dir())
    results = adapt_inbox(inbox, staging)
    build_db_path().parent.mkdir(parents=True, exist_ok=True)
    with duckdb_settings.connect(build_db_path()) as con:
        newly_rejected = log_adapter_errors(con, inbox, results, _now())
    for r in results:
        if r.status == "error":
            context.log.warning(f"{r.source}: cannot be adapted: {r.error}")
        elif r.status != "ignored":
            context.log.info(
                f"{r.source}: {r.status} as {r.family} ({r.format}, {r.encoding}), "
                f"{r.rows_in} row(s) -> {r.output}"
            )
        for warning in r.warnings:
            context.log.info(f"{r.source}: {warning}")
    return dg.MaterializeResult(
        metadata={
            "exports_adapted": sum(r.status in ("converted", "passed_through") for r in results),
            "exports_rejected": sum(r.status == "error" for r in results),
            "newly_rejected": len(newly_rejected),
            "staging_folder": str(staging),
        }
    )


def _stage_catalog() -> StageCatalog:
    try:
        return load_stage_catalog()
    except DefinitionsInvalidError as error:
        raise dg.Failure(description=str(error)) from error


def _log_result(context: dg.AssetExecutionContext, r: FileLoad) -> None:
    log = context.log.warning if r.status == "rejected" or r.rows_quarantined else context.log.info
    log(
        f"{r.source_file}: {r.status}, read {r.rows_read}, loaded {r.rows_loaded}, "
        f"quarantined {r.rows_quarantined}. {r.message}".strip()
    )


def _ingest_asset(family: Family) -> dg.AssetsDefinition:
    deps = [ADAPTED_EXPORTS]
    if family.parent is not None:
        deps.append(dg.AssetKey(list(FAMILIES_BY_NAME[family.parent[1]].asset_key)))

    @dg.asset(
        key=dg.AssetKey(list(family.asset_key)),
        group_name="ingest",
        deps=deps,
        pool=WRITER_POOL,
        kinds={"duckdb", "csv"},
        description=f"{family.description} Loaded from `{family.file_glob}` in the inbox (and "
        f"from adapted exports) into `raw.{family.name}` as text, with lineage; bad rows go to "
        "`raw.quarantine`.",
    )
    def ingest(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
        inbox = inbox_dir()
        stages = _stage_catalog()
        sources = family_sources(inbox, staging_dir(warehouse_dir()), family)
        build_db_path().parent.mkdir(parents=True, exist_ok=True)
        loaded_at = _now()
        with duckdb_settings.connect(build_db_path()) as con:
            ensure_schema(con)
            results = [load_file(con, family, s, loaded_at, stages) for s in sources]
            total = con.execute(f"select count(*) from raw.{family.name}").fetchone()
        if not results:
            context.log.warning(f"no {family.file_glob} file in {inbox}")
        for r in results:
            _log_result(context, r)
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
        with duckdb_settings.connect(build_db_path(), read_only=True) as con:
            mismatches = reconcile(con, family)
        return dg.AssetCheckResult(
            passed=not mismatches,
            metadata={"mismatches": "; ".join(str(m) for m in mismatches) or "none"},
        )

    return rows_reconcile


ingest_assets = [adapted_exports, *(_ingest_asset(family) for family in FAMILIES)]
reconciliation_checks = [_reconciliation_check(family) for family in FAMILIES]
