"""dbt's data-test results land in audit.check_results (orchestration/lib/dbt_test_results.py)."""

from __future__ import annotations

import json

import dagster as dg
import duckdb
import pytest

from orchestration.lib.dbt_test_results import data_test_records, record_dbt_tests
from tests.orchestration.conftest import Pipeline

MANIFEST = {
    "nodes": {
        "model.p.mart_x": {"resource_type": "model", "schema": "marts", "name": "mart_x"},
        "test.p.unique_mart_x_id": {
            "resource_type": "test",
            "name": "unique_mart_x_id",
            "attached_node": "model.p.mart_x",
            "config": {"severity": "ERROR"},
            "description": "",
        },
        "test.p.stale_rows": {
            "resource_type": "test",
            "name": "stale_rows",
            "attached_node": None,
            "schema": "dbt_test__audit",
            "config": {"severity": "warn"},
            "description": "Rows older than a week",
        },
        "unit_test.p.mart_x.shape": {"resource_type": "unit_test", "name": "shape"},
    }
}
RUN_RESULTS = {
    "results": [
        {"unique_id": "model.p.mart_x", "status": "success", "failures": None},
        {"unique_id": "test.p.unique_mart_x_id", "status": "pass", "failures": 0},
        {"unique_id": "test.p.stale_rows", "status": "warn", "failures": 3},
        {"unique_id": "unit_test.p.mart_x.shape", "status": "pass", "failures": 0},
    ]
}


def test_one_record_per_data_test_with_its_model_severity_and_failing_rows() -> None:
    records = data_test_records(RUN_RESULTS, MANIFEST, "run-1")
    assert [
        (r.check_name, r.asset_key, r.passed, r.severity, r.observed, r.description)
        for r in records
    ] == [
        ("dbt:unique_mart_x_id", "marts/mart_x", True, "ERROR", "pass: 0 failing rows", ""),
        (
            "dbt:stale_rows",
            "dbt_test__audit/stale_rows",
            False,
            "WARN",
            "warn: 3 failing rows",
            "Rows older than a week",
        ),
    ]
    assert {r.run_id for r in records} == {"run-1"}


def test_an_older_run_results_file_is_not_recorded_again(tmp_path) -> None:
    (tmp_path / "run_results.json").write_text(json.dumps(RUN_RESULTS), encoding="utf-8")
    (tmp_path / "manifest.json").write_text(json.dumps(MANIFEST), encoding="utf-8")
    database = tmp_path / "build.duckdb"
    mtime = (tmp_path / "run_results.json").stat().st_mtime
    assert record_dbt_tests(tmp_path, database, "run-2", since=mtime + 60) == 0
    assert record_dbt_tests(tmp_path, database, "run-3", since=mtime - 1) == 2
    with duckdb.connect(str(database), read_only=True) as con:
        rows = con.sql("select run_id, count(*) from audit.check_results group by 1").fetchall()
    assert rows == [("run-3", 2)]


@pytest.mark.slow
def test_a_refresh_records_every_dbt_data_test_it_ran(
    pipeline: Pipeline, first_run: dg.ExecuteInProcessResult
) -> None:
    """No dbt test is a Dagster asset check, and each one that ran has its row."""
    assert not [
        e
        for e in first_run.all_events
        if e.event_type_value == "ASSET_CHECK_EVALUATION"
        and e.asset_check_evaluation_data.asset_check_key.name.startswith(
            ("not_null", "unique", "accepted_values", "relationships")
        )
    ]
    with duckdb.connect(str(pipeline.warehouse / "build.duckdb"), read_only=True) as con:
        [(recorded, failed_errors)] = con.execute(
            "select count(*), count(*) filter (where not passed and severity = 'ERROR') "
            "from audit.check_results where run_id = ? and check_name like 'dbt:%'",
            [first_run.run_id],
        ).fetchall()
    # the two dbt builds (dbt_models, then dbt_scored_models) together run every data test
    manifest = json.loads((pipeline.warehouse / "dbt_target" / "manifest.json").read_text())
    data_tests = [n for n in manifest["nodes"].values() if n["resource_type"] == "test"]
    assert recorded == len(data_tests) > 300
    assert failed_errors == 0
