"""`make refresh`: run the full refresh once, headless, through Dagster; exit 1 on any failure."""

from __future__ import annotations

import sys
import time

import dagster as dg


def main() -> int:
    from orchestration.definitions import defs  # imported late: needs dbt's manifest

    started = time.monotonic()
    instance = dg.DagsterInstance.get()
    result = defs.resolve_job_def("full_refresh").execute_in_process(
        instance=instance,
        raise_on_error=False,
        # INFO, not DEBUG: one line per file loaded, per dbt node, per check.
        run_config={"loggers": {"console": {"config": {"log_level": "INFO"}}}},
    )
    elapsed = time.monotonic() - started
    failed_checks = [
        e.asset_check_evaluation_data.asset_check_key.to_user_string()
        for e in result.all_events
        if e.event_type_value == "ASSET_CHECK_EVALUATION"
        and not e.asset_check_evaluation_data.passed
        and e.asset_check_evaluation_data.severity == dg.AssetCheckSeverity.ERROR
    ]
    if result.success and not failed_checks:
        print(f"refresh succeeded in {elapsed:.1f}s (run {result.run_id})")
        return 0
    failed_steps = [e.step_key for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    print(
        f"refresh FAILED after {elapsed:.1f}s (run {result.run_id}); failed steps: "
        f"{', '.join(s for s in failed_steps if s) or 'none'}; failed checks: "
        f"{', '.join(failed_checks) or 'none'}. The previous snapshot keeps serving.",
        file=sys.stderr,
    )
    return 1


if __name__ == "__main__":
    sys.exit(main())
