"""The whole pipeline through Dagster on generated data, checked against the generator's truth."""

from __future__ import annotations

import math
from datetime import timedelta
from pathlib import Path

import duckdb
import pytest

from ingestion.contract import FAMILIES
from orchestration.lib.publish import PUBLISHED_TABLES, read_pointer
from tests.orchestration.conftest import AS_OF, Pipeline

pytestmark = pytest.mark.slow  # a full pipeline run: over a minute


def serving_snapshot(warehouse: Path) -> Path:
    pointer = read_pointer(warehouse)
    assert pointer is not None, "nothing was published"
    return warehouse / pointer["snapshot"]


def query(path: Path, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def test_every_generated_row_is_read_and_loaded(pipeline: Pipeline, first_run):
    build = pipeline.warehouse / "build.duckdb"
    for family in FAMILIES:
        [(read, loaded, quarantined)] = query(
            build,
            "select sum(rows_read), sum(rows_loaded), sum(rows_quarantined) "
            "from raw.load_log where family = ?",
            [family.name],
        )
        expected = pipeline.generated_rows[f"{family.name}.csv"]
        assert (read, loaded, quarantined) == (expected, expected, 0), family.name


def test_snapshot_holds_every_published_table_stamped_with_the_refresh(pipeline, first_run):
    snapshot = serving_snapshot(pipeline.warehouse)
    pointer = read_pointer(pipeline.warehouse)
    for table in PUBLISHED_TABLES:
        [(rows, ids)] = query(snapshot, f"select count(*), count(distinct refresh_id) from {table}")
        assert rows > 0 and ids == 1, table
        [(refresh_id,)] = query(snapshot, f"select any_value(refresh_id) from {table}")
        assert refresh_id == pointer["refresh_id"]
    [(as_of,)] = query(snapshot, "select as_of_date from _publish_info")
    assert as_of == AS_OF


def resolved_rates(snapshot: Path) -> dict[tuple[str, str], tuple[int, int]]:
    """(segment, 'from->to') -> (advanced, advanced + lost) over every monthly cohort."""
    rows = query(
        snapshot,
        """
        select segment_value, from_stage || '->' || to_stage, sum(advanced_count),
               sum(advanced_count + lost_count)
        from mart_funnel_conversion
        where period_grain = 'month' and segment_dimension = 'customer_type'
          and funnel_method = 'cohort' and funnel_kind = 'any_stage'
          and sales_process = 'standard'
        group by 1, 2
    """,
    )
    return {(r[0], r[1]): (int(r[2]), int(r[3])) for r in rows}


def test_conversion_matches_the_generators_true_probabilities(pipeline, first_run):
    rates = resolved_rates(serving_snapshot(pipeline.warehouse))
    expected = pipeline.truth["expected_resolved_conversion"]
    checked = 0
    for segment, processes in expected.items():
        for transition, true_rate in processes["standard"].items():
            advanced, resolved = rates[(segment, transition)]
            assert resolved >= 100, f"too few resolved deals for {segment} {transition}"
            # A binomial proportion: 4 standard errors gives a false alarm about 1 in 16,000.
            tolerance = 4 * math.sqrt(true_rate * (1 - true_rate) / resolved)
            measured = advanced / resolved
            assert abs(measured - true_rate) <= tolerance, (
                f"{segment} {transition}: measured {measured:.3f} from {resolved} resolved, "
                f"true {true_rate:.3f} ± {tolerance:.3f}"
            )
            checked += 1
    assert checked >= 12


def test_planted_bottleneck_is_far_below_its_benchmark(pipeline, first_run):
    planted = pipeline.truth["planted_bottleneck"]
    transition = f"{planted['from_stage']}->{planted['to_stage']}"
    advanced, resolved = resolved_rates(serving_snapshot(pipeline.warehouse))[
        (planted["segment"], transition)
    ]
    assert advanced / resolved < planted["benchmark_rate"] / 2


def test_planted_bottleneck_is_the_top_stage_alert(pipeline, first_run):
    """Issue 3's criterion: the weak-transition alert ranked first (alert_rank 1: severity, then
    priority score, as the dashboards list them) is the generator's planted bottleneck."""
    planted = pipeline.truth["planted_bottleneck"]
    top = query(
        serving_snapshot(pipeline.warehouse),
        "select segment_dimension, segment_value, sales_process, stage_code, to_stage "
        "from mart_bottleneck_alerts where alert_type = 'weak_transition' and alert_rank = 1",
    )
    assert top == [
        (
            "customer_type",
            planted["segment"],
            planted["process"],
            planted["from_stage"],
            planted["to_stage"],
        )
    ]


def test_dwell_means_match_the_true_distributions(pipeline, first_run):
    """Mean days per stage over cohorts old enough that almost no visit is still open."""
    cutoff = AS_OF - timedelta(days=180)
    rows = query(
        serving_snapshot(pipeline.warehouse),
        """
        select segment_value, stage_code, sum(completed_visits),
               sum(mean_days * completed_visits) / sum(completed_visits)
        from mart_stage_dwell
        where period_grain = 'month' and segment_dimension = 'customer_type'
          and sales_process = 'standard' and period_start <= ? and completed_visits > 0
        group by 1, 2
    """,
        [cutoff],
    )
    measured = {(r[0], r[1]): (int(r[2]), float(r[3])) for r in rows}
    checked = 0
    for segment, processes in pipeline.truth["segments"].items():
        for stage, dist in processes["standard"]["dwell"].items():
            n, mean = measured[(segment, stage)]
            sigma = dist["sigma"]
            sd = dist["mean_days"] * math.sqrt(math.exp(sigma**2) - 1)  # lognormal s.d.
            # 4 standard errors, plus 0.5 day: closures are dated by day, not by second.
            tolerance = 4 * sd / math.sqrt(n) + 0.5
            assert abs(mean - dist["mean_days"]) <= tolerance, (
                f"{segment} {stage}: mean {mean:.2f} d over {n} visits, "
                f"true {dist['mean_days']:.2f} ± {tolerance:.2f}"
            )
            checked += 1
    assert checked >= 12
