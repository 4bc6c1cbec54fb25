"""`make refresh`: run the full refresh once, headless, through Dagster; exit 1 on any failure.

Before the run it clears what a killed refresh (SIGKILL, OOM, power loss) leaves behind, so the
next refresh needs no manual step:

- one refresh at a time: an exclusive ``flock`` on ``<warehouse>/.refresh.lock``. The kernel
  drops it when its holder dies, so a killed refresh never leaves a stale lock;
- a process that still holds ``build.duckdb`` (a dbt child that outlived a killed parent) is
  waited for, up to ``FUNNEL_LOCK_WAIT_SECONDS``, then named in a clear error;
- runs of this job that Dagster still records as started but whose process is gone are marked
  failed (and any concurrency slots they held are freed), so the UI and the run-failure sensor
  tell the truth;
- DuckDB replays or discards its own write-ahead log on the next open, and the publish step
  removes half-written snapshot files.

``FUNNEL_LOG_LEVEL`` sets the console log level (default INFO; DEBUG shows every step event).

``--full`` (``make refresh FULL=1``) runs dbt with ``--full-refresh``: the incremental stage
facts are rebuilt from scratch instead of only the opportunities changed since the last build
(fct_pipeline_snapshots keeps its nightly history either way). The run config of the two dbt
assets (``DbtBuildConfig``) carries it, so the Dagster UI can launch the same.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import os
import re
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb

from ingestion.paths import build_db_path, warehouse_dir
from orchestration.lib.publish import DISK_FULL_MARKERS, is_disk_full
from orchestration.lib.settings import lock_wait_seconds

JOB_NAME = "full_refresh"
LOCK_NAME = ".refresh.lock"
ACTIVE = [dg.DagsterRunStatus.STARTING, dg.DagsterRunStatus.STARTED]


class RefreshBlockedError(RuntimeError):
    """Another refresh runs, or a process will not let go of the build warehouse."""


@contextlib.contextmanager
def refresh_lock(warehouse: Path) -> Iterator[None]:
    """Hold an exclusive lock for the whole refresh; fail at once if another refresh has it."""
    warehouse.mkdir(parents=True, exist_ok=True)
    path = warehouse / LOCK_NAME
    with path.open("a+", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            raise RefreshBlockedError(
                f"another refresh is running (pid {handle.read().strip() or '?'}, lock {path})"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def wait_for_build_db(path: Path, timeout: float) -> None:
    """Wait until no other process holds ``path``; opening it also replays DuckDB's WAL."""
    if not path.exists():
        return
    deadline = time.monotonic() + timeout
    announced = False
    while True:
        try:
            duckdb.connect(str(path)).close()
            return
        except duckdb.IOException as error:
            if "lock" not in str(error).lower():
                raise
            holder = re.search(r"PID (\d+)", str(error))
            who = f"process {holder.group(1)}" if holder else "another process"
            if time.monotonic() >= deadline:
                raise RefreshBlockedError(
                    f"{who} still holds {path} after {timeout:.0f}s; if it is a leftover of a "
                    f"killed refresh, stop it (kill {holder.group(1) if holder else '<pid>'}) "
                    "and run the refresh again"
                ) from error
            if not announced:
                print(f"waiting for {who} to release {path} ...", file=sys.stderr, flush=True)
                announced = True
            time.sleep(1)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def fail_abandoned_runs(instance: dg.DagsterInstance) -> list[str]:
    """Mark this job's runs that are recorded as active but whose process is dead as failed."""
    abandoned = []
    for run in instance.get_runs(dg.RunsFilter(job_name=JOB_NAME, statuses=ACTIVE)):
        pids = {
            entry.dagster_event.pid
            for entry in instance.all_logs(run.run_id, of_type=dg.DagsterEventType.RUN_START)
            if entry.dagster_event is not None and entry.dagster_event.pid is not None
        }
        if not pids or any(_alive(pid) for pid in pids):
            continue  # no pid recorded (launched elsewhere) or still running: leave it alone
        instance.report_run_failed(
            run, message=f"the process running it (pid {', '.join(map(str, pids))}) died"
        )
        with contextlib.suppress(NotImplementedError):
            instance.event_log_storage.free_concurrency_slots_for_run(run.run_id)
        abandoned.append(run.run_id)
    return abandoned


def _failure_texts(result: dg.ExecuteInProcessResult) -> list[str]:
    texts = []
    for event in result.all_events:
        error = getattr(event.event_specific_data, "error", None)
        if event.event_type_value in ("STEP_FAILURE", "RUN_FAILURE") and error is not None:
            texts.append(error.to_string())
    return texts


DBT_ASSET_OPS = ("dbt_models", "dbt_scored_models")


def run_config(full_refresh: bool, log_level: str) -> dict[str, Any]:
    """The job's run config: the console log level and the dbt builds' full_refresh."""
    return {
        "loggers": {"console": {"config": {"log_level": log_level}}},
        "ops": {op: {"config": {"full_refresh": full_refresh}} for op in DBT_ASSET_OPS},
    }


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m orchestration.refresh",
        description="Run the full refresh once, headless, through Dagster; exit 1 on failure.",
    )
    parser.add_argument(
        "--full",
        action="store_true",
        help="rebuild the incremental dbt models from scratch (dbt --full-refresh) instead "
        "of only the opportunities changed since the last build",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    from orchestration.definitions import defs  # imported late: needs dbt's manifest

    full_refresh = parse_args(argv if argv is not None else []).full
    mode = (
        "FULL rebuild (dbt --full-refresh)"
        if full_refresh
        else "incremental (stage facts: only opportunities changed since the last build)"
    )
    print(f"refresh mode: {mode}", flush=True)
    started = time.monotonic()
    instance = dg.DagsterInstance.get()
    try:
        with refresh_lock(warehouse_dir()):
            for run_id in fail_abandoned_runs(instance):
                print(f"marked abandoned run {run_id} as failed", file=sys.stderr)
            wait_for_build_db(build_db_path(), lock_wait_seconds())
            result = defs.resolve_job_def(JOB_NAME).execute_in_process(
                instance=instance,
                raise_on_error=False,
                # INFO, not DEBUG: one line per file loaded, per dbt node, per check.
                run_config=run_config(full_refresh, os.environ.get("FUNNEL_LOG_LEVEL") or "INFO"),
            )
    except RefreshBlockedError as error:
        print(
            f"refresh NOT started: {error}. The previous snapshot keeps serving.", file=sys.stderr
        )
        return 1
    except Exception as error:  # Dagster itself failed (its run storage, for example)
        if is_disk_full(error) or "disk i/o error" in str(error).lower():
            print(
                f"DISK FULL (or failing): Dagster could not write its run storage: {error}. "
                f"Check the free space of {os.environ.get('DAGSTER_HOME', 'DAGSTER_HOME')}.",
                file=sys.stderr,
            )
        print(
            f"refresh FAILED: {type(error).__name__}: {error}. The previous snapshot keeps "
            "serving.",
            file=sys.stderr,
        )
        return 1
    elapsed = time.monotonic() - started
    failed_checks = [
        e.asset_check_evaluation_data.asset_check_key.to_user_string()
        for e in result.all_events
        if e.event_type_value == "ASSET_CHECK_EVALUATION"
        and not e.asset_check_evaluation_data.passed
        and e.asset_check_evaluation_data.severity == dg.AssetCheckSeverity.ERROR
    ]
    if result.success and not failed_checks:
        print(f"refresh succeeded in {elapsed:.1f}s, {mode} (run {result.run_id})")
        return 0
    failed_steps = [e.step_key for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    disk_full = [
        line.strip()
        for text in _failure_texts(result)
        for line in text.splitlines()
        if any(marker in line.lower() for marker in DISK_FULL_MARKERS)
    ]
    if disk_full:
        print(
            f"DISK FULL: a write failed for lack of space: {disk_full[0]}. Free space on the "
            f"disk holding {warehouse_dir()} (or raise the quota) and run the refresh again.",
            file=sys.stderr,
        )
    print(
        f"refresh ({mode}) FAILED after {elapsed:.1f}s (run {result.run_id}); failed steps: "
        f"{', '.join(s for s in failed_steps if s) or 'none'}; failed checks: "
        f"{', '.join(failed_checks) or 'none'}. The previous snapshot keeps serving.",
        file=sys.stderr,
    )
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
