"""The publish step: a new snapshot, an atomic pointer switch, pruning, and no harm on failure."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest

from orchestration.lib.publish import PUBLISHED_TABLES, publish_snapshot, read_pointer

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
