"""The publish step: a new snapshot, an atomic pointer switch, pruning, and no harm on failure."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest

from orchestration.lib.publish import PUBLISHED_TABLES, publish_snapshot, read_pointer
from orchestration.lib.settings import keep_snapshots

STARTED = datetime(2026, 6, 30, 18, 0, 0)


def make_build(path: Path, rows: int) -> Path:
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        con.execute("create schema raw")
        con.execute("create table raw.load_log as select 'opportunities' as family")
        for table in PUBLISHED_TABLES:
            con.execute(f"create table marts.{table} as select range as n from range({rows})")
    return path


def test_publish_writes_a_snapshot_and_switches_the_pointer(tmp_path):
    build = make_build(tmp_path / "build.duckdb", 3)
    published = publish_snapshot(
        build, tmp_path, "20260630T180000-aaaa", date(2026, 6, 30), STARTED
    )
    pointer = read_pointer(tmp_path)
    assert pointer["snapshot"] == "snapshots/20260630T180000-aaaa.duckdb"
    assert pointer["refresh_id"] == "20260630T180000-aaaa"
    assert published.row_counts == {t: 3 for t in PUBLISHED_TABLES}
    with duckdb.connect(str(published.snapshot), read_only=True) as con:
        assert con.execute(
            "select count(*), min(refresh_id) from mart_funnel_conversion"
        ).fetchone() == (3, "20260630T180000-aaaa")
        assert con.execute("select as_of_date from _publish_info").fetchone() == (
            date(2026, 6, 30),
        )
    assert not list((tmp_path / "snapshots").glob(".*"))


def test_old_snapshots_are_pruned_but_never_the_serving_one(tmp_path):
    build = make_build(tmp_path / "build.duckdb", 1)
    for i in range(4):
        publish_snapshot(
            build, tmp_path, f"2026063{i}T000000-x", date(2026, 6, 30), STARTED, keep=2
        )
    names = sorted(p.name for p in (tmp_path / "snapshots").glob("*.duckdb"))
    assert names == ["20260632T000000-x.duckdb", "20260633T000000-x.duckdb"]
    assert read_pointer(tmp_path)["refresh_id"] == "20260633T000000-x"


def test_a_failed_publish_leaves_the_serving_snapshot_and_pointer_untouched(tmp_path):
    good_build = make_build(tmp_path / "build.duckdb", 2)
    publish_snapshot(good_build, tmp_path, "20260630T000000-good", date(2026, 6, 30), STARTED)
    pointer_bytes = (tmp_path / "serving.json").read_bytes()
    with duckdb.connect(str(good_build)) as con:
        con.execute("drop table marts.dim_stages")  # the build lacks a table it must publish
    with pytest.raises(duckdb.CatalogException):
        publish_snapshot(good_build, tmp_path, "20260701T000000-bad", date(2026, 7, 1), STARTED)
    assert (tmp_path / "serving.json").read_bytes() == pointer_bytes
    assert json.loads(pointer_bytes)["refresh_id"] == "20260630T000000-good"
    assert not (tmp_path / "snapshots" / "20260701T000000-bad.duckdb").exists()


def test_the_snapshot_checksum_is_written_beside_it_and_in_the_pointer(tmp_path):
    build = make_build(tmp_path / "build.duckdb", 2)
    published = publish_snapshot(build, tmp_path, "20260630T000000-sum", date(2026, 6, 30), STARTED)
    digest = hashlib.sha256(published.snapshot.read_bytes()).hexdigest()
    assert read_pointer(tmp_path)["sha256"] == digest
    sidecar = published.snapshot.with_name(published.snapshot.name + ".sha256")
    assert sidecar.read_text(encoding="utf-8").strip() == digest


def test_leftovers_of_a_killed_publish_are_removed_and_pruned_checksums_go_too(tmp_path):
    build = make_build(tmp_path / "build.duckdb", 1)
    snapshots = tmp_path / "snapshots"
    snapshots.mkdir()
    killed = [snapshots / ".20260629T000000-dead.duckdb.partial", snapshots / ".x.partial.wal"]
    for leftover in killed:
        leftover.write_bytes(b"half a snapshot")
    for i in range(3):
        publish_snapshot(
            build, tmp_path, f"2026063{i}T000000-x", date(2026, 6, 30), STARTED, keep=1
        )
    assert sorted(p.name for p in snapshots.iterdir()) == [
        "20260632T000000-x.duckdb",
        "20260632T000000-x.duckdb.sha256",
    ]


def test_keep_snapshots_setting_is_validated(monkeypatch):
    monkeypatch.setenv("FUNNEL_KEEP_SNAPSHOTS", "3")
    assert keep_snapshots() == 3
    for bad in ("0", "-1", "two"):
        monkeypatch.setenv("FUNNEL_KEEP_SNAPSHOTS", bad)
        with pytest.raises(ValueError, match="FUNNEL_KEEP_SNAPSHOTS"):
            keep_snapshots()


PUBLISH_UNDER_LIMIT = """
import resource, sys
from datetime import date, datetime
from pathlib import Path
from orchestration.lib.publish import PublishError, publish_snapshot
limit = int(sys.argv[2])
resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
try:
    publish_snapshot(Path(sys.argv[1]) / "build.duckdb", Path(sys.argv[1]), "20260701T000000-full",
                     date(2026, 7, 1), datetime(2026, 7, 1))
except PublishError as error:
    print(error)
    sys.exit(3)
"""


def test_a_full_disk_during_publish_is_a_clear_error_and_serving_is_untouched(tmp_path):
    """The disk fills up while the snapshot is written: simulated without privileges by a
    file-size limit (RLIMIT_FSIZE) on the publishing process, so every write past it fails
    with EFBIG the way it fails with ENOSPC on a full disk."""
    build = make_build(tmp_path / "build.duckdb", 200_000)
    publish_snapshot(build, tmp_path, "20260630T000000-good", date(2026, 6, 30), STARTED)
    pointer_bytes = (tmp_path / "serving.json").read_bytes()
    serving = tmp_path / "snapshots" / "20260630T000000-good.duckdb"
    snapshot_bytes = serving.read_bytes()
    limit = 1 << 20  # 1 MB: the snapshot needs several
    assert len(snapshot_bytes) > 2 * limit
    done = subprocess.run(
        [sys.executable, "-c", PUBLISH_UNDER_LIMIT, str(tmp_path), str(limit)],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
        timeout=120,
    )
    assert done.returncode == 3, done.stderr
    assert "disk full while writing snapshot 20260701T000000-full.duckdb" in done.stdout
    assert "the previous snapshot keeps serving" in done.stdout
    assert (tmp_path / "serving.json").read_bytes() == pointer_bytes
    assert serving.read_bytes() == snapshot_bytes
    assert sorted(p.name for p in (tmp_path / "snapshots").iterdir()) == [
        "20260630T000000-good.duckdb",
        "20260630T000000-good.duckdb.sha256",
    ]
