"""`make refresh FULL=1`: `python -m orchestration.refresh --full` reaches dbt as --full-refresh."""

from __future__ import annotations

import dagster as dg

from orchestration.defs.transform import DbtBuildConfig, dbt_build_args
from orchestration.refresh import JOB_NAME, parse_args, run_config

VARIABLES = {"as_of_date": "2026-06-30", "timezone": "Asia/Shanghai"}


def test_the_flag_sets_full_refresh_in_both_dbt_builds() -> None:
    assert parse_args([]).full is False
    assert parse_args(["--full"]).full is True
    config = run_config(True, "INFO")
    assert config["ops"] == {
        "dbt_models": {"config": {"full_refresh": True}},
        "dbt_scored_models": {"config": {"full_refresh": True}},
    }
    assert config["loggers"]["console"]["config"]["log_level"] == "INFO"


def test_the_refresh_job_accepts_the_run_config() -> None:
    from orchestration.definitions import defs  # needs dbt's manifest (make manifest)

    job = defs.resolve_job_def(JOB_NAME)
    for full in (False, True):
        assert dg.validate_run_config(job, run_config(full, "INFO"))


def test_dbt_gets_full_refresh_only_when_asked() -> None:
    incremental = dbt_build_args(DbtBuildConfig(), VARIABLES)
    full = dbt_build_args(DbtBuildConfig(full_refresh=True), VARIABLES)
    assert "--full-refresh" not in incremental
    assert full == [*incremental, "--full-refresh"]
    assert incremental[:3] == ["build", "--exclude-resource-type", "unit_test"]
