"""Operations: an alert when a run fails, and a warning when the inbox goes stale.

- ``alert_on_run_failure`` (a run-failure sensor, on by default) sends one alert per failed run
  of any job: a log line on the ``funnel.alerts`` logger and in the sensor's log, plus the
  webhook / e-mail configured by environment variables (``orchestration/lib/notify.py``). It runs
  in the Dagster daemon (``make serve`` / ``make demo``) and also sees the failures of
  ``make refresh`` runs recorded in the same ``DAGSTER_HOME``.
- ``inbox_is_fresh`` (a non-blocking WARN asset check on the opportunities export, run by every
  refresh) fails when no export file changed within ``FUNNEL_INBOX_MAX_AGE_HOURS``.
- ``inbox_freshness_sensor`` (hourly, on by default) raises the same warning between refreshes,
  once per stale inbox state, so that a missing export is noticed before the morning.
"""

import json
from typing import Any

import dagster as dg

from ingestion.contract import OPPORTUNITIES
from ingestion.paths import inbox_dir, warehouse_dir
from orchestration.lib.freshness import inbox_freshness
from orchestration.lib.notify import send_alert
from orchestration.lib.publish import read_pointer
from orchestration.lib.settings import inbox_max_age_hours


def serving_note() -> str:
    pointer = read_pointer(warehouse_dir()) if (warehouse_dir() / "serving.json").exists() else None
    if pointer is None:
        return "Nothing has been published yet."
    return f"The dashboards keep serving refresh {pointer['refresh_id']}."


def root_error(error: Any) -> str:
    """The innermost cause of a serialised error: what went wrong, not Dagster's wrapper."""
    while getattr(error, "cause", None) is not None:
        error = error.cause
    return str(error.message).strip()


def failure_text(context: dg.RunFailureSensorContext) -> str:
    run = context.dagster_run
    steps = []
    for event in context.get_step_failure_events():
        error = getattr(event.event_specific_data, "error", None)
        steps.append(f"{event.step_key}: {root_error(error)}" if error else str(event.step_key))
    return (
        f"run {run.run_id} of job {run.job_name} failed: "
        f"{(context.failure_event.message or '').rstrip('.')}. "
        f"Failed steps: {'; '.join(steps) or 'none'}. {serving_note()}"
    )


@dg.run_failure_sensor(
    name="alert_on_run_failure",
    monitor_all_code_locations=True,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Alert (log line, optional webhook / e-mail from env vars) on every failed run.",
)
def alert_on_run_failure(context: dg.RunFailureSensorContext) -> None:
    text = failure_text(context)
    context.log.error(f"ALERT Funnel Warehouse run failed: {text}")
    problems = send_alert(
        "Funnel Warehouse run failed",
        text,
        {"run_id": context.dagster_run.run_id, "job": context.dagster_run.job_name},
    )
    for problem in problems:
        context.log.warning(f"alert delivery failed: {problem}")


@dg.asset_check(
    asset=dg.AssetKey(list(OPPORTUNITIES.asset_key)),
    name="inbox_is_fresh",
    blocking=False,
    description="Warns when no export file in the inbox changed within "
    "FUNNEL_INBOX_MAX_AGE_HOURS (default 26 h).",
)
def inbox_is_fresh() -> dg.AssetCheckResult:
    freshness = inbox_freshness(inbox_dir(), inbox_max_age_hours())
    return dg.AssetCheckResult(
        passed=freshness.fresh,
        severity=dg.AssetCheckSeverity.WARN,
        description=freshness.describe(),
        metadata={
            "newest_file": freshness.newest_file or "none",
            "age_hours": round(freshness.age.total_seconds() / 3600, 2)
            if freshness.age is not None
            else -1.0,
            "max_age_hours": inbox_max_age_hours(),
        },
    )


@dg.sensor(
    name="inbox_freshness_sensor",
    minimum_interval_seconds=3600,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Hourly: warn (once per stale inbox state) when the inbox has gone stale.",
)
def inbox_freshness_sensor(context: dg.SensorEvaluationContext) -> dg.SkipReason:
    freshness = inbox_freshness(inbox_dir(), inbox_max_age_hours())
    if freshness.fresh:
        return dg.SkipReason(freshness.describe())
    state = json.dumps([freshness.newest_file, str(freshness.newest_modified_at)])
    if context.cursor != state:  # alert once per stale state, not every hour
        context.log.warning(f"ALERT {freshness.describe()}")
        send_alert("Funnel Warehouse inbox is stale", freshness.describe())
        context.update_cursor(state)
    return dg.SkipReason(freshness.describe())


operation_sensors = [alert_on_run_failure, inbox_freshness_sensor]
