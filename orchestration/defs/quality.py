"""Great Expectations validations as Dagster asset checks; every result also goes to
`audit.check_results` (shared contract 4).

- On every raw family: the export contract (blocking) and the freshness of its export (warn).
- On the CRM families: the business rules on opportunities (blocking); the latest history row
  agrees with the current stage, stage order within a process, open deals overdue beyond a
  grace period, late-stage deals with an amount (all warn: findings, not broken data).
- On published marts: rates are fractions, counts add up (blocking: a broken mart is never
  published).

A blocking (ERROR) check that fails stops everything downstream of its asset, the publish
included, so the dashboards keep the previous snapshot.
"""

from collections.abc import Callable
from datetime import UTC, datetime

import dagster as dg
from dagster_dbt import get_asset_key_for_model

from ingestion import duckdb_settings
from ingestion.contract import FAMILIES, OPPORTUNITIES, STAGE_HISTORY, Family
from ingestion.definitions import default_folder
from ingestion.paths import build_db_path
from ingestion.stages import load_stage_catalog
from orchestration.defs.ingest import WRITER_POOL
from orchestration.defs.transform import dbt_models
from orchestration.lib.expectations import (
    CURRENT_OPPORTUNITIES_SQL,
    CheckRecord,
    Suite,
    contract_suite,
    export_freshness,
    history_agrees_with_current_stage,
    late_stage_deals_have_amount,
    mart_suites,
    open_deals_not_overdue,
    opportunities_suite,
    prepare_opportunities,
    record_check,
    run_suite,
    stage_order_within_process,
)
from orchestration.lib.settings import as_of_date


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def suite_check(asset: dg.AssetKey, make: Callable[[], Suite]) -> dg.AssetChecksDefinition:
    """An asset check that runs the suite ``make()`` builds at run time (settings, as-of date
    and definitions are read then), reports it in Dagster and records it in the audit table."""
    template = make()
    blocking = template.severity == "ERROR"

    @dg.asset_check(
        asset=asset,
        name=template.name,
        blocking=blocking,
        description=template.description,
        pool=WRITER_POOL,
    )
    def check(context: dg.AssetCheckExecutionContext) -> dg.AssetCheckResult:
        suite = make()
        with duckdb_settings.connect(build_db_path()) as con:
            outcome, rows = run_suite(suite, con)
            failures = "; ".join(outcome.failures)
            observed = failures or f"all {outcome.evaluated} expectation(s) met on {rows} row(s)"
            record_check(
                con,
                CheckRecord(
                    run_id=context.run.run_id,
                    check_name=suite.name,
                    asset_key=asset.to_user_string(),
                    passed=outcome.success,
                    severity=suite.severity,
                    description=suite.description,
                    observed=observed,
                    checked_at=_now(),
                ),
            )
        if not outcome.success:
            context.log.warning(f"{suite.name} on {asset.to_user_string()}: {observed}")
        return dg.AssetCheckResult(
            passed=outcome.success,
            severity=dg.AssetCheckSeverity.ERROR if blocking else dg.AssetCheckSeverity.WARN,
            description=observed,
            metadata={
                "rows_validated": rows,
                "expectations_evaluated": outcome.evaluated,
                "failures": failures or "none",
            },
        )

    return check


def _key(family_asset_key: tuple[str, str]) -> dg.AssetKey:
    return dg.AssetKey(list(family_asset_key))


OPPORTUNITIES_KEY = _key(OPPORTUNITIES.asset_key)
HISTORY_KEY = _key(STAGE_HISTORY.asset_key)

gx_opportunities_business_rules = suite_check(
    OPPORTUNITIES_KEY,
    lambda: Suite(
        name="gx_opportunities_business_rules",
        description="Great Expectations suite on the current version of every raw "
        "opportunity: non-empty, unique ids, a current stage, plausible amounts, closed no "
        "earlier than created.",
        frame=lambda con: prepare_opportunities(con.execute(CURRENT_OPPORTUNITIES_SQL).df()),
        expectations=opportunities_suite(),
    ),
)


def _contract(family: Family) -> Callable[[], Suite]:
    return lambda: contract_suite(family)


def _freshness(family: Family) -> Callable[[], Suite]:
    return lambda: export_freshness(family, _now())


def _fixed(suite: Suite) -> Callable[[], Suite]:
    return lambda: suite


quality_checks: list[dg.AssetChecksDefinition] = [
    gx_opportunities_business_rules,
    *(suite_check(_key(f.asset_key), _contract(f)) for f in FAMILIES),
    *(suite_check(_key(f.asset_key), _freshness(f)) for f in FAMILIES),
    suite_check(HISTORY_KEY, history_agrees_with_current_stage),
    suite_check(HISTORY_KEY, lambda: stage_order_within_process(load_stage_catalog())),
    suite_check(OPPORTUNITIES_KEY, lambda: open_deals_not_overdue(as_of_date())),
    suite_check(OPPORTUNITIES_KEY, lambda: late_stage_deals_have_amount(default_folder())),
    *(
        suite_check(get_asset_key_for_model([dbt_models], table), _fixed(suite))
        for table, suite in mart_suites().items()
    ),
]
