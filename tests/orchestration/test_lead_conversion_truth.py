"""Lead -> opportunity conversion in mart_win_rates, against the demo generator's truth.

Reuses the session's 15k demo pipeline run (`first_run`): no pipeline run of its own.
"""

from __future__ import annotations

import math

import pytest

from ingestion.demo import params
from tests.orchestration.conftest import Pipeline
from tests.orchestration.test_full_refresh import query, serving_snapshot

pytestmark = pytest.mark.slow  # needs the session's full pipeline run


def lead_totals(pipeline: Pipeline, dimension: str) -> tuple[int, int]:
    """(leads, converted) summed over every quarter's lead rows of one segment dimension."""
    [(leads, converted)] = query(
        serving_snapshot(pipeline.warehouse),
        "select sum(lead_count), sum(converted_lead_count) from mart_win_rates "
        "where period_grain = 'quarter' and segment_dimension = ? and lead_count is not null",
        [dimension],
    )
    return int(leads), int(converted)


def test_all_leads_are_counted_once_per_segment_dimension(pipeline: Pipeline, first_run) -> None:
    # The demo's as-of date is its end date: every lead and every conversion happened by then.
    realized = pipeline.truth["leads"]["realized"]
    assert lead_totals(pipeline, "all") == (realized["leads"], realized["converted"])
    assert lead_totals(pipeline, "team") == (realized["leads"], realized["converted"])
    [(other,)] = query(
        serving_snapshot(pipeline.warehouse),
        "select count(*) from mart_win_rates where lead_count is not null "
        "and (segment_dimension not in ('all', 'team') or sales_process <> 'all')",
    )
    assert other == 0


def test_the_all_conversion_rate_matches_the_generators_true_rate(
    pipeline: Pipeline, first_run
) -> None:
    """The generator gives each of the C lead-sourced opportunities one converted lead plus a
    geometric number G_i of unconverted ones (failures before the first success, success
    probability p). So N_i = 1 + G_i leads per conversion have mean 1/p and variance
    (1 - p) / p^2, and the measured rate C / sum(N_i) = 1 / mean(N) has, by the delta method,
    standard error p^2 * sqrt((1 - p) / (p^2 C)) = p * sqrt((1 - p) / C). Four standard errors
    give a false alarm about once in 16,000 runs (±0.016 for p = 0.3 and the 15k demo's
    C ≈ 4,000)."""
    true_rate = pipeline.truth["leads"]["conversion_rate"]
    assert true_rate == params.LEAD_CONVERSION_RATE
    leads, converted = lead_totals(pipeline, "all")
    assert converted >= 300, "too few conversions for the tolerance below"
    tolerance = 4 * true_rate * math.sqrt((1 - true_rate) / converted)
    measured = converted / leads
    assert abs(measured - true_rate) <= tolerance, (
        f"measured {measured:.4f} from {leads} leads, true {true_rate} ± {tolerance:.4f}"
    )


def test_median_days_lead_to_opportunity_lie_in_the_generated_range(
    pipeline: Pipeline, first_run
) -> None:
    """A converted lead is created LEAD_LEAD_DAYS (2-30 whole days, minus up to half a day)
    before its opportunity, which is when it converts: 2-31 calendar days apart, so every
    period's median lies there too."""
    low, high = params.LEAD_LEAD_DAYS
    [(rows, smallest, largest)] = query(
        serving_snapshot(pipeline.warehouse),
        "select count(*), min(median_lead_conversion_days), max(median_lead_conversion_days) "
        "from mart_win_rates where segment_dimension = 'all' and converted_lead_count > 0",
    )
    assert rows > 0
    assert low <= smallest and largest <= high + 1
