"""A new or changed export in the inbox triggers the full refresh, once it has settled.

A file still being written (its size or modification time changed since the last look, or
modified within the settle window) is not read yet: the sensor waits for the next tick. The
cursor keeps what each file looked like at the last look (``seen``) and when the last run was
requested (``requested``), so a file triggers one run per version, and a run is requested
only when every file in the inbox has settled (a half-copied Salesforce folder never loads).
The first look only records the inbox as it is (the nightly schedule loads what was there).

- ``FUNNEL_SENSOR_SETTLE_SECONDS``: how long a file must stay unchanged (default 60).
- ``FUNNEL_SENSOR_INTERVAL_SECONDS``: how often the sensor looks (default 30).
"""

import hashlib
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

import dagster as dg

from ingestion.paths import inbox_dir
from orchestration.defs.schedules import full_refresh_job

IGNORED_SUFFIXES = (".tmp", ".part", ".crdownload", ".swp")  # files still being written
Signature = tuple[int, int]  # size in bytes, mtime in nanoseconds


def settle_seconds() -> float:
    return float(os.environ.get("FUNNEL_SENSOR_SETTLE_SECONDS") or "60")


def interval_seconds() -> int:
    return int(os.environ.get("FUNNEL_SENSOR_INTERVAL_SECONDS") or "30")


def scan(inbox: Path) -> dict[str, Signature]:
    """Every export file under the inbox (Salesforce folders too), by path relative to it."""
    if not inbox.is_dir():
        return {}
    files: dict[str, Signature] = {}
    for path in sorted(inbox.rglob("*")):
        relative = path.relative_to(inbox)
        if any(part.startswith((".", "~$")) for part in relative.parts):
            continue
        if path.is_file() and not path.name.endswith(IGNORED_SUFFIXES):
            stat = path.stat()
            files[relative.as_posix()] = (stat.st_size, stat.st_mtime_ns)
    return files


@dataclass(frozen=True)
class Decision:
    run_key: str | None  # a run to request, or None
    changed: list[str]  # new or changed files since the last requested run
    unsettled: list[str]  # files still being written
    cursor: str


def decide(files: dict[str, Signature], cursor: str | None, now: float, settle: float) -> Decision:
    """What to do at one look. The first look (no cursor) takes the inbox as it is as the
    baseline: exports already there are the nightly schedule's business, not a new arrival."""
    if cursor is None:
        baseline = json.dumps({"seen": files, "requested": files}, sort_keys=True)
        return Decision(None, [], [], baseline)
    state = json.loads(cursor)
    seen = {k: tuple(v) for k, v in state.get("seen", {}).items()}
    requested = {k: tuple(v) for k, v in state.get("requested", {}).items()}
    unsettled = [
        name
        for name, signature in files.items()
        if seen.get(name) != signature or now - signature[1] / 1e9 < settle
    ]
    changed = [name for name, signature in files.items() if requested.get(name) != signature]
    run_key = None
    if changed and not unsettled:
        requested = dict(files)
        digest = hashlib.sha256(json.dumps(sorted(files.items())).encode("utf-8"))
        run_key = f"inbox-{digest.hexdigest()[:16]}"
    new_cursor = json.dumps({"seen": files, "requested": requested}, sort_keys=True)
    return Decision(run_key, changed, unsettled, new_cursor)


@dg.sensor(
    job=full_refresh_job,
    minimum_interval_seconds=interval_seconds(),
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Runs the full refresh when an export in the inbox is new or changed, once "
    "every file has stayed unchanged for FUNNEL_SENSOR_SETTLE_SECONDS (default 60).",
)
def inbox_sensor(context: dg.SensorEvaluationContext) -> dg.SensorResult:
    inbox = inbox_dir()
    decision = decide(scan(inbox), context.cursor, time.time(), settle_seconds())
    if context.cursor is None:
        return dg.SensorResult(
            skip_reason=f"baseline: {len(scan(inbox))} export file(s) in {inbox}; new or "
            "changed files from now on trigger a refresh",
            cursor=decision.cursor,
        )
    if decision.run_key is None:
        if not decision.changed:
            reason = f"no new or changed export in {inbox}"
        else:
            reason = (
                f"{len(decision.changed)} new or changed export(s); waiting for "
                f"{len(decision.unsettled)} file(s) still being written to settle: "
                + ", ".join(decision.unsettled[:5])
            )
        return dg.SensorResult(skip_reason=reason, cursor=decision.cursor)
    return dg.SensorResult(
        run_requests=[
            dg.RunRequest(
                run_key=decision.run_key,
                tags={
                    "funnel/trigger": "inbox",
                    "funnel/changed_files": str(len(decision.changed)),
                },
            )
        ],
        cursor=decision.cursor,
    )
