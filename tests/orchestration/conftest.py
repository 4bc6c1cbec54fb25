"""One real pipeline run on generated demo data, shared by the orchestration tests."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import dagster as dg
import pytest

from tests.conftest import ensure_dbt_manifest

AS_OF = date(2026, 6, 30)
N_OPPORTUNITIES = 15000
SEED = 20260630


@dataclass
class Pipeline:
    inbox: Path
    warehouse: Path
    truth: dict[str, Any]
    generated_rows: dict[str, int]
    instance: dg.DagsterInstance

    def run(self) -> dg.ExecuteInProcessResult:
        from orchestration.definitions import defs

        return defs.resolve_job_def("full_refresh").execute_in_process(
            instance=self.instance, raise_on_error=False
        )


@pytest.fixture(scope="session")
def pipeline(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pipeline]:
    from ingestion.demo.generate import generate

    ensure_dbt_manifest()
    root = tmp_path_factory.mktemp("pipeline")
    inbox, warehouse = root / "inbox", root / "warehouse"
    counts = generate(inbox, N_OPPORTUNITIES, SEED, AS_OF)
    saved = {k: os.environ.get(k) for k in ("FUNNEL_INBOX", "FUNNEL_WAREHOUSE", "FUNNEL_AS_OF")}
    os.environ.update(
        FUNNEL_INBOX=str(inbox), FUNNEL_WAREHOUSE=str(warehouse), FUNNEL_AS_OF=AS_OF.isoformat()
    )
    truth = json.loads((inbox / "truth.json").read_text(encoding="utf-8"))
    with dg.DagsterInstance.ephemeral() as instance:
        yield Pipeline(inbox, warehouse, truth, counts, instance)
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture(scope="session")
def first_run(pipeline: Pipeline) -> dg.ExecuteInProcessResult:
    result = pipeline.run()
    assert result.success, "the first full refresh on clean demo data must succeed"
    return result
