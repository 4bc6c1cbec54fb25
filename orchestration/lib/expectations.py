"""Great Expectations 1.x suites, built in code and run on pandas DataFrames.

The loader already quarantines rows that break the contract value by value, and dbt tests cover
keys, relationships and accepted values. GX covers the business rules on the whole table:
row counts, uniqueness of the current version, date order and plausible amounts.
GX on DuckDB through SQLAlchemy is broken in 1.x, so each validation reads a DataFrame.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import great_expectations as gx
import great_expectations.expectations as gxe
import pandas as pd
from great_expectations.data_context.types.base import ProgressBarsConfig

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

# The newest version of each opportunity, with its values typed, as staging will see it.
CURRENT_OPPORTUNITIES_SQL = """
select opportunity_id, status, current_stage,
       try_cast(amount as double) as amount,
       try_strptime(created_at, ['%Y-%m-%d %H:%M:%S', '%Y-%m-%dT%H:%M:%S', '%Y-%m-%d %H:%M'])
           as created_at,
       try_cast(closed_date as date) as closed_date
from (
    select *, row_number() over (
        partition by opportunity_id order by _loaded_at desc, _source_file desc, _row_number desc
    ) as version_rank
    from raw.opportunities
)
where version_rank = 1
"""


@dataclass(frozen=True)
class ValidationOutcome:
    success: bool
    failures: list[str]
    evaluated: int


def opportunities_suite() -> list[gxe.Expectation]:
    return [
        gxe.ExpectTableRowCountToBeBetween(min_value=1),
        gxe.ExpectColumnValuesToBeUnique(column="opportunity_id"),
        gxe.ExpectColumnValuesToNotBeNull(column="current_stage"),
        gxe.ExpectColumnValuesToBeBetween(column="amount", min_value=0, max_value=1e11),
        # A deal cannot close before it was created.
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="closed_date_ts",
            column_B="created_day",
            or_equal=True,
            ignore_row_if="either_value_is_missing",
        ),
    ]


def prepare_opportunities(frame: pd.DataFrame) -> pd.DataFrame:
    """Add the day-level columns the date-order rule compares."""
    prepared = frame.copy()
    prepared["closed_date_ts"] = pd.to_datetime(prepared["closed_date"])
    prepared["created_day"] = pd.to_datetime(prepared["created_at"]).dt.normalize()
    return prepared


def validate(
    frame: pd.DataFrame, expectations: list[gxe.Expectation], name: str
) -> ValidationOutcome:
    """Validate a DataFrame in a fresh ephemeral context; returns the failed expectations."""
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    batch = (
        context.data_sources.add_pandas(f"{name}_source")
        .add_dataframe_asset(f"{name}_asset")
        .add_batch_definition_whole_dataframe(f"{name}_batch")
        .get_batch(batch_parameters={"dataframe": frame})
    )
    suite = gx.ExpectationSuite(name=f"{name}_suite", expectations=expectations)
    result = batch.validate(suite)
    failures = [
        f"{r.expectation_config.type} {r.expectation_config.kwargs.get('column', '')}: "
        f"{r.result.get('unexpected_count', r.result.get('observed_value', ''))} unexpected"
        for r in result.results
        if not r.success and r.expectation_config is not None
    ]
    return ValidationOutcome(bool(result.success), failures, len(result.results))
