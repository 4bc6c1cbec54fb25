"""The model forecast method on the fixture warehouse, with hand-made scores.

`fixtures/scoring/opportunity_scores.csv` (loaded by `build_scoring_schema` with the scoring
asset's own writer) scores, as of 2025-06-30 with model wp-20250630-fixture1: OPP002 (200,000,
expected 2025-08-31) 0.25, OPP004 (80,000, expected 09-30) 0.50, OPP005 (300,000, expected
07-15) 0.40, and the paused OPP009 0.10 (paused deals are not in the pipeline). Backfilled on
the 05-31 month end with wp-20250331-fixture0 (trained on data up to 03-31): OPP002 0.20,
OPP004 0.50, OPP005 0.60 and OPP007 (renewal in negotiation, 450,000, expected 06-30, won
06-01) 0.90. The 04-30 month end has no score (older than the backfill).
"""

from __future__ import annotations

import datetime as dt

import pytest

pytestmark = pytest.mark.slow  # reads the session's fixture dbt build (about a minute)

AS_OF = "2025-06-30"


def _require_build(built_warehouse) -> None:
    if built_warehouse.build.returncode != 0:
        pytest.fail("dbt build failed:\n" + built_warehouse.build.output[-6000:])


def test_model_probability_is_the_score_of_its_own_date(built_warehouse) -> None:
    _require_build(built_warehouse)
    rows = built_warehouse.query(
        "select snapshot_date, opportunity_id, model_probability, model_basis, model_version, "
        "model_trained_on from intermediate.int_forecast_scored "
        "where segment_dimension = 'all' order by 1, 2"
    )
    by_date: dict[dt.date, list[tuple]] = {}
    for date, *rest in rows:
        by_date.setdefault(date, []).append(tuple(rest))
    # 04-30: open OPP001, OPP002, OPP003, OPP007, none scored; never the later scores
    assert {r[2] for r in by_date[dt.date(2025, 4, 30)]} == {"unscored"}
    assert {r[1] for r in by_date[dt.date(2025, 4, 30)]} == {None}
    backfill = ("wp-20250331-fixture0", dt.date(2025, 3, 31))
    assert by_date[dt.date(2025, 5, 31)] == [
        ("OPP002", 0.20, "model", *backfill),
        ("OPP004", 0.50, "model", *backfill),
        ("OPP005", 0.60, "model", *backfill),
        ("OPP007", 0.90, "model", *backfill),
    ]
    current = ("wp-20250630-fixture1", dt.date(2025, 6, 30))
    assert by_date[dt.date(2025, 6, 30)] == [
        ("OPP002", 0.25, "model", *current),
        ("OPP004", 0.50, "model", *current),
        ("OPP005", 0.40, "model", *current),
    ]  # OPP009 is paused: scored, but not in the pipeline


def test_forecast_vs_target_weighs_the_pipeline_with_the_scores(built_warehouse) -> None:
    _require_build(built_warehouse)
    rows = built_warehouse.query(
        "select period_grain, period_start, open_count, model_scored_count, "
        "weighted_configured_amount, weighted_model_amount, projected_model_amount, "
        "model_version from marts.mart_forecast_vs_target where segment_dimension = 'all' "
        "and open_count > 0 order by 1, 2"
    )
    version = "wp-20250630-fixture1"
    assert [(g, p, o, s, float(c), float(m), float(pm), v) for g, p, o, s, c, m, pm, v in rows] == [
        # OPP005 300,000 × 0.40 (configured proposal 0.40)
        ("month", dt.date(2025, 7, 1), 1, 1, 120_000.0, 120_000.0, 120_000.0, version),
        # OPP002 200,000 × 0.25 (configured 0.40: 80,000)
        ("month", dt.date(2025, 8, 1), 1, 1, 80_000.0, 50_000.0, 50_000.0, version),
        # OPP004 80,000 × 0.50 (configured needs_confirmed 0.25: 20,000)
        ("month", dt.date(2025, 9, 1), 1, 1, 20_000.0, 40_000.0, 40_000.0, version),
        ("quarter", dt.date(2025, 7, 1), 3, 3, 220_000.0, 210_000.0, 210_000.0, version),
    ]
    # every row carries the as-of model; none is null: every open deal was scored
    ((nulls, versions),) = built_warehouse.query(
        "select count(*) filter (where weighted_model_amount is null), "
        "count(distinct model_version) from marts.mart_forecast_vs_target"
    )
    assert (nulls, versions) == (0, 1)


def test_forecast_accuracy_model_rows_only_where_the_start_was_scored(built_warehouse) -> None:
    _require_build(built_warehouse)
    rows = built_warehouse.query(
        "select forecast_method, period_start, forecast_snapshot_date, forecast_amount, "
        "actual_won_amount, error_rate, model_version, model_trained_on "
        "from marts.mart_forecast_accuracy where segment_dimension = 'all' "
        "and period_grain = 'month' order by 2, 1"
    )
    may, june = dt.date(2025, 5, 1), dt.date(2025, 6, 1)
    table = [(m, p, s, float(f), float(a), e, v, t) for m, p, s, f, a, e, v, t in rows]
    assert table == [
        # May, frozen on 04-30: nothing expected to close in May; OPP001 won 500,000; no
        # model row (04-30 was never scored)
        ("configured", may, dt.date(2025, 4, 30), 0.0, 500_000.0, -1.0, None, None),
        ("empirical", may, dt.date(2025, 4, 30), 0.0, 500_000.0, -1.0, None, None),
        # June, frozen on 05-31: OPP007 450,000 expected 06-30, won 06-01; configured
        # negotiation 0.60 → 270,000 (−0.4); the backfill model's 0.90 → 405,000 (−0.1)
        ("configured", june, dt.date(2025, 5, 31), 270_000.0, 450_000.0, -0.4, None, None),
        ("empirical", june, dt.date(2025, 5, 31), 270_000.0, 450_000.0, -0.4, None, None),
        (
            "model",
            june,
            dt.date(2025, 5, 31),
            405_000.0,
            450_000.0,
            pytest.approx(-0.1),
            "wp-20250331-fixture0",
            dt.date(2025, 3, 31),
        ),
    ]


def test_the_opportunity_lists_scores(built_warehouse) -> None:
    _require_build(built_warehouse)
    rows = built_warehouse.query(
        "select opportunity_id, win_probability, model_weighted_amount, top_factors_zh "
        "from marts.fct_opportunity_scores order by 1"
    )
    assert rows == [
        ("OPP002", 0.25, 50_000.0, "阶段回退 1 次：−8 个百分点"),
        ("OPP004", 0.50, 40_000.0, "阶段 需求确定：+6 个百分点"),
        ("OPP005", 0.40, 120_000.0, "来源 referral：+3 个百分点"),
        ("OPP009", 0.10, 15_000.0, "在当前阶段 30 天：−4 个百分点"),
    ]
