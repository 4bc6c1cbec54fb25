"""Scoring and alert delivery inside the full Dagster refresh on the demo data (the session's
15,000-opportunity pipeline): dbt -> training -> scores -> dbt, then the dry-run digests."""

from __future__ import annotations

import duckdb
import pytest

from orchestration.scoring.backtest import metrics, run_backtest
from orchestration.scoring.run import history_frame
from tests.orchestration.conftest import AS_OF, Pipeline

pytestmark = pytest.mark.slow  # uses the full pipeline run


def build_query(pipeline: Pipeline, sql: str) -> list[tuple]:
    with duckdb.connect(str(pipeline.warehouse / "build.duckdb"), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_every_open_opportunity_is_scored_with_the_model_version(pipeline: Pipeline, first_run):
    ((status, version, scored, closed),) = build_query(
        pipeline,
        "select status, model_version, scored_opportunities, closed_deals "
        "from scoring.model_status",
    )
    assert status == "scored" and version.startswith(f"wp-{AS_OF:%Y%m%d}-") and closed >= 200
    # open at the end of the as-of date: created by then, not closed by then
    ((open_count,),) = build_query(
        pipeline,
        "select count(*) from marts.dim_opportunities where closed_date is null "
        f"or closed_date > date '{AS_OF}'",
    )
    assert scored == open_count > 0
    ((rows, versions, low, high, explained),) = build_query(
        pipeline,
        "select count(*), count(distinct model_version), min(win_probability), "
        "max(win_probability), count(*) filter (where top_factors_en like '%pts%') "
        f"from scoring.opportunity_scores where snapshot_date = date '{AS_OF}'",
    )
    assert (rows, versions) == (scored, 1) and 0 < low < high < 1 and explained == rows
    # the second dbt build read the scores
    assert build_query(pipeline, "select count(*) from marts.fct_opportunity_scores") == [(scored,)]
    ((model_rows,),) = build_query(
        pipeline,
        "select count(*) from intermediate.int_forecast_scored where model_basis = 'model' "
        f"and snapshot_date = date '{AS_OF}' and segment_dimension = 'all'",
    )
    assert model_rows > 0


def test_the_forecast_marts_carry_the_model_method(pipeline: Pipeline, first_run):
    ((version,),) = build_query(pipeline, "select model_version from scoring.model_status")
    # every open deal of the as-of pipeline was scored, so no row's model forecast is null;
    # the model-weighted 'all' pipeline is the scores' amount-weighted sum
    ((rows, nulls, versions, weighted),) = build_query(
        pipeline,
        "select count(*), count(*) filter (where weighted_model_amount is null), "
        "count(distinct model_version), sum(weighted_model_amount) filter (where "
        "segment_dimension = 'all' and period_grain = 'quarter') "
        "from marts.mart_forecast_vs_target",
    )
    ((scored_weighted,),) = build_query(
        pipeline,
        "select sum(s.amount * s.win_probability) from scoring.opportunity_scores as s "
        "inner join marts.fct_pipeline_snapshots as p on p.opportunity_id = s.opportunity_id "
        "and p.snapshot_date = s.snapshot_date "
        f"where s.snapshot_date = date '{AS_OF}' and p.expected_close_date is not null",
    )
    assert rows > 0 and nulls == 0 and versions == 1
    assert float(weighted) == pytest.approx(scored_weighted, rel=1e-6)
    assert build_query(
        pipeline, "select distinct model_version from marts.mart_forecast_vs_target"
    ) == [(version,)]
    # accuracy: model rows only from point-in-time models that had not seen the period
    ((model_rows, leaks, periods),) = build_query(
        pipeline,
        "select count(*), count(*) filter (where model_trained_on >= period_start), "
        "count(distinct period_start) from marts.mart_forecast_accuracy "
        "where forecast_method = 'model' and segment_dimension = 'all' "
        "and period_grain = 'month'",
    )
    assert model_rows > 0 and leaks == 0 and periods <= 12  # backfill_months


def test_model_beats_the_configured_probabilities_on_held_out_quarters(pipeline, first_run):
    with duckdb.connect(str(pipeline.warehouse / "build.duckdb"), read_only=True) as con:
        frame = history_frame(con, AS_OF)
    rows, periods = run_backtest(frame, AS_OF, 2, 200, 30)
    assert [p.declined for p in periods] == [None, None]
    table = metrics(rows).set_index("method")
    assert table.loc["model", "brier"] < table.loc["configured", "brier"]
    assert table.loc["model", "auc"] > table.loc["configured", "auc"]


def test_digests_are_written_once_in_a_dry_run(pipeline: Pipeline, first_run):
    rows = build_query(
        pipeline,
        "select status, count(*) from audit.alert_deliveries "
        f"where delivery_date = date '{AS_OF}' group by all order by all",
    )
    statuses = dict(rows)
    assert statuses.get("dry_run", 0) > 0 and "failed" not in statuses
    written = list((pipeline.warehouse / "digests" / AS_OF.isoformat()).iterdir())
    assert len(written) == statuses["dry_run"]
    # one ledger row per digest, however often the refresh ran that day
    ((duplicates,),) = build_query(
        pipeline,
        "select count(*) from (select recipient_id, recipient_role, channel "
        "from audit.alert_deliveries group by all having count(*) > 1)",
    )
    assert duplicates == 0
