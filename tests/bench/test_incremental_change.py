"""bench/incremental_change.py writes a night's delta exports changing ~1 % of a demo inbox."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest

from bench.incremental_change import _open_stage_orders, write_incremental_change
from ingestion.demo.generate import generate


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_one_percent_of_a_demo_inbox(tmp_path: Path) -> None:
    generate(tmp_path, 1000, seed=42, end_date=dt.date(2026, 6, 30))
    opportunities = {r["opportunity_id"]: r for r in _rows(tmp_path / "opportunities.csv")}
    history = _rows(tmp_path / "stage_history.csv")

    change = write_incremental_change(tmp_path, 0.01, dt.date(2026, 7, 1))

    # 1 % of every opportunity in the export (renewals included): 5 moved, 2 corrected,
    # 2 recategorised, 1 new
    assert change.changed == round(0.01 * len(opportunities))
    assert (change.moved, change.corrected, change.recategorised) == (
        change.changed // 2,
        change.changed // 5,
        change.changed // 5,
    )
    assert change.opportunities_file.name == "opportunities_2026-07-01.csv"
    new_rows = _rows(change.opportunities_file)
    new_history = _rows(change.history_file)
    assert len(new_rows) == change.changed - change.corrected
    assert len(new_history) == change.moved + change.corrected + change.new
    orders = _open_stage_orders()
    latest = {}
    for row in history:
        if row["changed_at"] >= latest.get(row["opportunity_id"], {}).get("changed_at", ""):
            latest[row["opportunity_id"]] = row
    for row in new_rows[: change.moved]:
        before = opportunities[row["opportunity_id"]]
        stages = orders[before["sales_process"]]
        assert stages.index(row["current_stage"]) == stages.index(before["current_stage"]) + 1
    for row in new_history[: change.moved]:
        assert row["changed_at"] > latest[row["opportunity_id"]]["changed_at"]
    corrected = new_history[change.moved : change.moved + change.corrected]
    for row in corrected:  # the same change again: a late, corrected row
        assert row["changed_at"] == latest[row["opportunity_id"]]["changed_at"]
        assert row["changed_by"].endswith("-corrected")
    for row in new_rows[change.moved : change.moved + change.recategorised]:
        assert row["product_category"] != opportunities[row["opportunity_id"]]["product_category"]
    for row in new_rows[change.moved + change.recategorised :]:
        assert row["opportunity_id"] not in opportunities and row["opportunity_id"].endswith("N")

    with pytest.raises(FileExistsError):
        write_incremental_change(tmp_path, 0.01, dt.date(2026, 7, 1))
