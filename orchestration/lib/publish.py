"""Publish the marts as a new read-only DuckDB snapshot and switch the dashboards to it atomically.

Layout under the warehouse folder::

    build.duckdb                 written by ingestion and dbt; dashboards never open it
    snapshots/<refresh_id>.duckdb one file per successful refresh
    serving.json                 {"snapshot": "snapshots/<id>.duckdb", "refresh_id", "published_at"}

The snapshot is written under a temporary name, flushed, then renamed; only then is the pointer
replaced (write to a temporary file, fsync, ``os.replace``). A crash at any point leaves the
previous pointer, and the snapshot it names, untouched; the next publish (or prune) removes the
half-written ``.<refresh_id>.duckdb.partial`` file (and its ``.wal``) a crash leaves behind.

Beside each snapshot, ``<refresh_id>.duckdb.sha256`` holds the file's SHA-256 (also in the
pointer), so that the dashboards can tell a damaged file from a good one and fall back to the
last good snapshot (``dashboards/data/snapshot.py``). A failed write (a full disk, for example)
removes its partial file and raises ``PublishError`` saying what happened and how much space is
free.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb

from ingestion import duckdb_settings
from ingestion.loader import content_hash

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
    "fct_opportunity_scores",
)
# Audit tables copied as they are when the build warehouse has them (the data-health page).
AUDIT_TABLES: dict[str, str] = {
    "_quarantine": "raw.quarantine",
    "_check_results": "audit.check_results",
    "_alert_deliveries": "audit.alert_deliveries",
    "_model_status": "scoring.model_status",
}
MARTS_SCHEMA = "marts"
POINTER_NAME = "serving.json"
CHECKSUM_SUFFIX = ".sha256"
PARTIAL_GLOB = ".*.partial*"  # `.<id>.duckdb.partial` and DuckDB's `.<id>.duckdb.partial.wal`
# How the OS says a write did not fit: ENOSPC, EFBIG (a file-size limit), EDQUOT (a quota).
DISK_FULL_MARKERS = ("no space left on device", "file too large", "disk quota exceeded")


class PublishError(RuntimeError):
    """The snapshot could not be written; the serving snapshot and pointer are untouched."""


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


def is_disk_full(error: BaseException) -> bool:
    """True when ``error`` (or what caused it) says the disk, a quota or a size limit is full."""
    text = str(error).lower()
    if any(marker in text for marker in DISK_FULL_MARKERS):
        return True
    cause = error.__cause__ or error.__context__
    return cause is not None and is_disk_full(cause)


def _remove_partial(partial: Path) -> None:
    for leftover in (partial, partial.with_name(partial.name + ".wal")):
        leftover.unlink(missing_ok=True)


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
    con = duckdb_settings.connect(target)
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
        present = {
            f"{schema}.{name}"
            for schema, name in con.execute(
                "select table_schema, table_name from information_schema.tables "
                "where table_catalog = 'build_db'"
            ).fetchall()
        }
        for published_name, source in AUDIT_TABLES.items():
            if source in present:
                con.execute(
                    f"create table main.{published_name} as select *, ?::varchar as refresh_id "
                    f"from build_db.{source}",
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
    _remove_partial(partial)
    try:
        counts = _write_snapshot(build_db, partial, refresh_id, as_of, run_started_at)
        _fsync_file(partial)
        checksum = content_hash(partial)  # SHA-256, as the loader hashes exports
        _write_durably(snapshots / f"{final.name}{CHECKSUM_SUFFIX}", f"{checksum}\n")
    except BaseException as error:
        _remove_partial(partial)
        if isinstance(error, (OSError, duckdb.Error)) and is_disk_full(error):
            free_mb = shutil.disk_usage(snapshots).free / 1e6
            raise PublishError(
                f"disk full while writing snapshot {final.name} in {snapshots} "
                f"({free_mb:,.0f} MB free): {error}. Nothing was published; the previous "
                "snapshot keeps serving. Free some space and run the refresh again."
            ) from error
        raise
    os.replace(partial, final)
    _fsync_dir(snapshots)

    _write_durably(
        warehouse / POINTER_NAME,
        json.dumps(
            {
                "snapshot": f"snapshots/{final.name}",
                "refresh_id": refresh_id,
                "published_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "sha256": checksum,
            }
        ),
    )
    return Published(refresh_id, final, counts, prune_snapshots(warehouse, keep))


def _write_durably(target: Path, text: str) -> None:
    """Replace ``target`` atomically: write a temporary file, fsync it, rename, fsync the dir."""
    staging = target.with_name(f".{target.name}.partial")
    try:
        staging.write_text(text, encoding="utf-8")
        _fsync_file(staging)
    except BaseException:
        staging.unlink(missing_ok=True)
        raise
    os.replace(staging, target)
    _fsync_dir(target.parent)


def prune_snapshots(warehouse: Path, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` snapshots (names sort by time); never the serving one."""
    pointer = read_pointer(warehouse)
    serving = (warehouse / pointer["snapshot"]).resolve() if pointer else None
    folder = warehouse / "snapshots"
    snapshots = sorted(folder.glob("*.duckdb"), reverse=True)
    pruned: list[Path] = []
    for path in snapshots[max(keep, 1) :]:
        if path.resolve() != serving:
            path.unlink()
            pruned.append(path)
    kept = {path.name for path in snapshots if path not in pruned}
    for checksum in folder.glob(f"*.duckdb{CHECKSUM_SUFFIX}"):
        if checksum.name.removesuffix(CHECKSUM_SUFFIX) not in kept:
            checksum.unlink()
    for leftover in folder.glob(PARTIAL_GLOB):
        leftover.unlink(missing_ok=True)
    return pruned
