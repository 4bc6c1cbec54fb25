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
