"""The dbt project as Dagster assets; dbt tests appear as asset checks by themselves."""

import json
from collections.abc import Iterator
from typing import Any

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets

from orchestration.defs.ingest import WRITER_POOL
from orchestration.defs.resources import dbt_project
from orchestration.lib.settings import as_of_date, timezone_name


def dbt_vars() -> dict[str, str]:
    return {"as_of_date": as_of_date().isoformat(), "timezone": timezone_name()}


@dbt_assets(manifest=dbt_project.manifest_path, project=dbt_project, pool=WRITER_POOL)
def dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource) -> Iterator[Any]:
    """`dbt build` (seeds, models, tests) for the run's as-of date."""
    variables = dbt_vars()
    context.log.info(f"dbt build with vars {variables}")
    yield from dbt.cli(["build", "--vars", json.dumps(variables)], context=context).stream()
