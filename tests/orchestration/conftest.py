"""Real pipeline runs on generated demo data.

Each `Pipeline` has its own inbox and warehouse; `run()` points the environment at them only
for the duration of the run, so several pipelines can live in one test session. The session's
demo pipeline (fixtures `pipeline` and `first_run`) is defined in tests/conftest.py, so that
the orchestration tests and the browser test (tests/e2e) share one refresh.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import dagster as dg

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
    extra_env: dict[str, str] = field(default_factory=dict)

    @contextlib.contextmanager
    def environment(self, **overrides: str) -> Iterator[None]:
        """Point FUNNEL_* at this pipeline's folders (plus overrides) inside the block."""
        values = {
            "FUNNEL_INBOX": str(self.inbox),
            "FUNNEL_WAREHOUSE": str(self.warehouse),
            "FUNNEL_AS_OF": AS_OF.isoformat(),
            **self.extra_env,
            **overrides,
        }
        saved = {key: os.environ.get(key) for key in values}
        os.environ.update(values)
        try:
            yield
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value

    def run(self, **env: str) -> dg.ExecuteInProcessResult:
        from orchestration.definitions import defs

        with self.environment(**env):
            return defs.resolve_job_def("full_refresh").execute_in_process(
                instance=self.instance, raise_on_error=False
            )


def make_pipeline(root: Path, n_opportunities: int, seed: int) -> Iterator[Pipeline]:
    from ingestion.demo.generate import generate

    ensure_dbt_manifest()
    inbox, warehouse = root / "inbox", root / "warehouse"
    counts = generate(inbox, n_opportunities, seed, AS_OF)
    truth = json.loads((inbox / "truth.json").read_text(encoding="utf-8"))
    with dg.DagsterInstance.ephemeral() as instance:
        yield Pipeline(inbox, warehouse, truth, counts, instance)
