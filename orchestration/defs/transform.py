"""The dbt project as Dagster assets. dbt's data tests are not Dagster asset checks: their
results go to `audit.check_results` (orchestration/lib/dbt_test_results.py says why).

Two `@dbt_assets` split the build around the win-probability scoring (orchestration/defs/
scoring.py), so a refresh runs dbt -> scoring -> dbt: `dbt_models` is everything that does not
depend on the `scoring` source, `dbt_scored_models` is the source's downstream models
(`source:scoring+`), which read the scores the scoring asset wrote.

The stage facts (fct_stage_transitions, fct_stage_visits) are incremental: a nightly build
rebuilds only the opportunities whose exports changed since the previous build (see
macros/incremental_stage_facts.sql). `DbtBuildConfig.full_refresh` (run config, or
`python -m orchestration.refresh --full`, `make refresh FULL=1`) passes dbt's `--full-refresh`
to both builds: every incremental model is rebuilt from scratch, except fct_pipeline_snapshots
(`full_refresh=false`: its nightly snapshots are history that no rebuild can restore).
"""

import json
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    dbt_assets,
)

from ingestion.definitions import default_folder, validate_definitions
from ingestion.paths import build_db_path, warehouse_dir
from orchestration.defs.ingest import WRITER_POOL
from orchestration.defs.resources import DBT_PROJECT_DIR, dbt_project
from orchestration.lib.dbt_test_results import record_dbt_tests
from orchestration.lib.settings import as_of_date, timezone_name


def dbt_vars() -> dict[str, str]:
    return {"as_of_date": as_of_date().isoformat(), "timezone": timezone_name()}


def checked_definitions_env() -> dict[str, str]:
    """Validate the sales-ops definitions; return the env that points dbt at them.

    Stops the run, naming file, line and field, before dbt loads a broken definition. dbt needs
    the folder relative to its project (with an absolute seed path it would overwrite the CSVs).
    """
    folder = default_folder()
    errors = validate_definitions(folder)
    if errors:
        raise dg.Failure(
            description=f"{len(errors)} error(s) in the sales-ops definitions in {folder}:\n"
            + "\n".join(str(e) for e in errors),
            metadata={"definitions_folder": str(folder), "errors": len(errors)},
        )
    return {"FUNNEL_DEFINITIONS": os.path.relpath(folder.resolve(), DBT_PROJECT_DIR.resolve())}


SCORED_SELECTION = "source:scoring+"

# dbt unit tests check the SQL's logic on hand-made rows: they belong to `make test` (tests/dbt
# runs them on every change), not to the nightly data. Data tests run in every refresh.
NIGHTLY_EXCLUDED_RESOURCE_TYPES = ["--exclude-resource-type", "unit_test"]


class DbtBuildConfig(dg.Config):
    """Run config of both dbt builds of a refresh. `full_refresh: true` passes --full-refresh
    to dbt: the incremental models (the stage facts) are rebuilt from scratch instead of only
    the opportunities changed since the last build; fct_pipeline_snapshots keeps its nightly
    history (full_refresh=false)."""

    full_refresh: bool = False


def dbt_build_args(config: DbtBuildConfig, variables: dict[str, str]) -> list[str]:
    """The `dbt build` command line of a refresh."""
    args = ["build", *NIGHTLY_EXCLUDED_RESOURCE_TYPES, "--vars", json.dumps(variables)]
    if config.full_refresh:
        args.append("--full-refresh")
    return args


def dbt_target_path() -> Path:
    """One dbt target folder per warehouse, kept between invocations, so that dbt's partial
    parsing (partial_parse.msgpack) carries over from `dbt_models` to `dbt_scored_models` and
    between refreshes of the same as-of date, instead of a full parse in each fresh folder."""
    return warehouse_dir().resolve() / "dbt_target"


def _build(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, config: DbtBuildConfig
) -> Iterator[Any]:
    env = checked_definitions_env()
    variables = dbt_vars()
    mode = (
        "FULL rebuild (--full-refresh)"
        if config.full_refresh
        else "incremental (stage facts: changed opportunities only)"
    )
    context.log.info(
        f"dbt build, {mode}, with vars {variables}, definitions {env['FUNNEL_DEFINITIONS']}"
    )
    os.environ.update(env)
    args = dbt_build_args(config, variables)
    started = time.time()
    invocation = dbt.cli(args, context=context, target_path=dbt_target_path())
    try:
        for event in invocation.stream():
            if isinstance(event, dg.AssetObservation):  # a data test's result: recorded below
                continue
            yield event
    finally:
        recorded = record_dbt_tests(
            invocation.target_path, build_db_path(), context.run.run_id, since=started
        )
        context.log.info(f"{recorded} dbt data-test results written to audit.check_results")


# dbt data tests as Dagster asset checks cost ~800 run-storage events per refresh, more time
# than dbt's build of a small warehouse: they are recorded in audit.check_results instead.
TRANSLATOR = DagsterDbtTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=False))


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    pool=WRITER_POOL,
    dagster_dbt_translator=TRANSLATOR,
    exclude=SCORED_SELECTION,
)
def dbt_models(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, config: DbtBuildConfig
) -> Iterator[Any]:
    """Validate the definitions, then `dbt build` (seeds, models, tests) for the as-of date:
    everything but the models downstream of the scores."""
    yield from _build(context, dbt, config)


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    pool=WRITER_POOL,
    dagster_dbt_translator=TRANSLATOR,
    select=SCORED_SELECTION,
    name="dbt_scored_models",
)
def dbt_scored_models(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, config: DbtBuildConfig
) -> Iterator[Any]:
    """`dbt build` of the models downstream of the win-probability scores, after scoring."""
    yield from _build(context, dbt, config)
