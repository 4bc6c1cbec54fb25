"""Publish the marts as a new read-only DuckDB snapshot and switch the dashboards to it atomically.

Layout under the warehouse folder::

    build.duckdb                 written by ingestion and dbt; dashboards never open it
    snapshots/<refresh_id>.duckdb one file per successful refresh
    serving.json                 {"snapshot": "snapshots/<id>.duckdb", "refresh_id", "published_at"}

The snapshot is written under a temporary name, flushed, then renamed; only then is the pointer
replaced (write to a temporary file, fsync, ``os.replace``). A crash at any point leaves the
previous pointer, and the snapshot it names, untouched.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb

# Tables copied from the build warehouse's `marts` schema into every snapshot.
PUBLISHED_TABLES: tuple[str, ...] = (
    "mart_funnel_conversion",
    "mart_stage_dwell",
    "mart_stage_skips",
    "fct_stage_transitions",
    "fct_stage_visits",
    "mart_win_rates",
    "mart_forecast_vs_target",
    "mart_forecast_accuracy",
    "mart_pipeline_waterfall",
    "mart_bottleneck_alerts",
    "mart_l2c",
    "fct_alert_opportunities",
    "fct_pipeline_snapshots",
    "dim_opportunities",
    "dim_stages",
    "dim_date",
    "dim_accounts",
    "dim_sales_reps",
)
MARTS_SCHEMA = "marts"
POINTER_NAME = "serving.json"


@dataclass(frozen=True)
class Published:
    refresh_id: str
    snapshot: Path
    row_counts: dict[str, int]
    pruned: list[Path]


def _fsync_file(path: Path) -> None:
    with path.open("rb") as handle:
        os.fsync(handle.fileno())


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def read_pointer(warehouse: Path) -> dict[str, str] | None:
    pointer = warehouse / POINTER_NAME
    if not pointer.exists():
        return None
    data: dict[str, str] = json.loads(pointer.read_text(encoding="utf-8"))
    return data


def _write_snapshot(
    build_db: Path, target: Path, refresh_id: str, as_of: date, run_started_at: datetime
) -> dict[str, int]:
    counts: dict[str, int] = {}
    con = duckdb.connect(str(target))
    try:
        con.execute("attach ? as build_db (read_only)", [str(build_db)])
        for table in PUBLISHED_TABLES:
            con.execute(
                f"create table main.{table} as "
                f"select *, ?::varchar as refresh_id from build_db.{MARTS_SCHEMA}.{table}",
                [refresh_id],
            )
            row = con.execute(f"select count(*) from main.{table}").fetchone()
            counts[table] = int(row[0]) if row else 0
        con.execute(
            "create table main._load_log as select *, ?::varchar as refresh_id "
            "from build_db.raw.load_log",
            [refresh_id],
        )
        published_at = datetime.now(UTC).replace(tzinfo=None)
        con.execute(
            "create table main._publish_info as select ?::varchar as refresh_id, "
            "?::date as as_of_date, ?::timestamp as published_at, "
            "?::timestamp as run_started_at, ?::double as duration_seconds",
            [
                refresh_id,
                as_of,
                published_at,
                run_started_at.replace(tzinfo=None),
                (published_at - run_started_at.replace(tzinfo=None)).total_seconds(),
            ],
        )
        con.execute("detach build_db")
        con.execute("checkpoint")
    finally:
        con.close()
    return counts


def publish_snapshot(
    build_db: Path,
    warehouse: Path,
    refresh_id: str,
    as_of: date,
    run_started_at: datetime,
    keep: int = 5,
) -> Published:
    """Copy the marts into a new snapshot and point the dashboards at it.

    ``run_started_at`` is a naive UTC timestamp. ``keep`` snapshots are kept, newest first;
    the serving one is never pruned.
    """
    if not build_db.exists():
        raise FileNotFoundError(f"build warehouse {build_db} does not exist: run the build first")
    snapshots = warehouse / "snapshots"
    snapshots.mkdir(parents=True, exist_ok=True)
    final = snapshots / f"{refresh_id}.duckdb"
    partial = snapshots / f".{refresh_id}.duckdb.partial"
    partial.unlink(missing_ok=True)
    counts = _write_snapshot(build_db, partial, refresh_id, as_of, run_started_at)
    _fsync_file(partial)
    os.replace(partial, final)
    _fsync_dir(snapshots)

    pointer = warehouse / POINTER_NAME
    staging = warehouse / f".{POINTER_NAME}.partial"
    staging.write_text(
        json.dumps(
            {
                "snapshot": f"snapshots/{final.name}",
                "refresh_id": refresh_id,
                "published_at": datetime.now(UTC).isoformat(timespec="seconds"),
            }
        ),
        encoding="utf-8",
    )
    _fsync_file(staging)
    os.replace(staging, pointer)
    _fsync_dir(warehouse)
    return Published(refresh_id, final, counts, prune_snapshots(warehouse, keep))


def prune_snapshots(warehouse: Path, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` snapshots (names sort by time); never the serving one."""
    pointer = read_pointer(warehouse)
    serving = (warehouse / pointer["snapshot"]).resolve() if pointer else None
    snapshots = sorted((warehouse / "snapshots").glob("*.duckdb"), reverse=True)
    pruned: list[Path] = []
    for path in snapshots[max(keep, 1) :]:
        if path.resolve() != serving:
            path.unlink()
            pruned.append(path)
    for leftover in (warehouse / "snapshots").glob(".*.partial"):
        leftover.unlink()
    return pruned
