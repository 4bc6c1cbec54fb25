"""Great Expectations validations run as blocking Dagster asset checks."""

import dagster as dg
import duckdb

from ingestion.contract import OPPORTUNITIES
from ingestion.paths import build_db_path
from orchestration.lib.expectations import (
    CURRENT_OPPORTUNITIES_SQL,
    opportunities_suite,
    prepare_opportunities,
    validate,
)


@dg.asset_check(
    asset=dg.AssetKey(list(OPPORTUNITIES.asset_key)),
    name="gx_opportunities_business_rules",
    blocking=True,
    description="Great Expectations suite on the current version of every raw opportunity: "
    "non-empty, unique ids, a current stage, plausible amounts, closed no earlier than created.",
)
def gx_opportunities_business_rules() -> dg.AssetCheckResult:
    with duckdb.connect(str(build_db_path()), read_only=True) as con:
        frame = con.execute(CURRENT_OPPORTUNITIES_SQL).df()
    outcome = validate(prepare_opportunities(frame), opportunities_suite(), "raw_opportunities")
    return dg.AssetCheckResult(
        passed=outcome.success,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={
            "rows_validated": len(frame),
            "expectations_evaluated": outcome.evaluated,
            "failures": "; ".join(outcome.failures) or "none",
        },
    )
