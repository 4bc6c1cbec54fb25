"""dbt's data-test results into `audit.check_results`, beside the Great Expectations checks.

The refresh runs ~375 dbt data tests. As Dagster asset checks, each cost two events in the
run storage (planned, evaluated), about 800 writes that took longer than dbt's own build of a
small warehouse (docs/benchmarks.md). So the dbt assets do not model tests as asset checks;
their outcome is read from dbt's run_results.json after each `dbt build` and written here in
one insert, where the data-health page shows the failed ones. A test that fails with severity
error still fails the dbt step (dbt exits 1), which stops the publish.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ingestion import duckdb_settings
from orchestration.lib.expectations import AUDIT_DDL, CheckRecord

# run_results.json status of a data test -> passed
PASSING_STATUSES = {"pass"}


def _attached_asset(node: dict[str, Any], nodes: dict[str, Any]) -> str:
    """The model (or seed) a test is attached to, as `schema/name`; the test itself if none."""
    attached = nodes.get(node.get("attached_node") or "", node)
    return f"{attached.get('schema', '')}/{attached.get('name', '')}"


def data_test_records(
    run_results: dict[str, Any], manifest: dict[str, Any], run_id: str
) -> list[CheckRecord]:
    """One record per data test in a dbt invocation's run_results (unit tests excluded)."""
    nodes = manifest.get("nodes", {})
    checked_at = datetime.now(UTC).replace(tzinfo=None)
    records = []
    for result in run_results.get("results", []):
        node = nodes.get(result["unique_id"], {})
        if node.get("resource_type") != "test":
            continue
        status = str(result.get("status"))
        failures = result.get("failures")
        observed = status if failures is None else f"{status}: {failures} failing rows"
        records.append(
            CheckRecord(
                run_id=run_id,
                check_name=f"dbt:{node.get('name', result['unique_id'])}",
                asset_key=_attached_asset(node, nodes),
                passed=status in PASSING_STATUSES,
                severity=str(node.get("config", {}).get("severity", "ERROR")).upper(),
                description=str(node.get("description") or result.get("message") or ""),
                observed=observed,
                checked_at=checked_at,
            )
        )
    return records


def record_dbt_tests(target_path: Path, database: Path, run_id: str, since: float) -> int:
    """Write the data-test results of the dbt invocation whose artifacts are in
    ``target_path`` and that started at ``since`` (epoch seconds); the number of tests
    recorded (0 when that invocation wrote no run_results: an older file is not its own)."""
    run_results_file = target_path / "run_results.json"
    manifest_file = target_path / "manifest.json"
    if not (run_results_file.exists() and manifest_file.exists()):
        return 0
    if run_results_file.stat().st_mtime < since:
        return 0
    records = data_test_records(
        json.loads(run_results_file.read_text(encoding="utf-8")),
        json.loads(manifest_file.read_text(encoding="utf-8")),
        run_id,
    )
    if not records:
        return 0
    with duckdb_settings.connect(database) as con:
        con.execute(AUDIT_DDL)
        con.executemany(
            "insert into audit.check_results values (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                [
                    r.run_id,
                    r.check_name,
                    r.asset_key,
                    r.passed,
                    r.severity,
                    r.description,
                    r.observed,
                    r.checked_at,
                ]
                for r in records
            ],
        )
    return len(records)
