"""The reliability harness (``bench/reliability.py``) at CI size, with its goals as assertions.

One scenario run (about two full refreshes plus four killed ones on 400 opportunities) feeds
every test below: see the harness's docstring for the steps. The large-size figures are in
``docs/reliability.md``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.reliability import Figures, run_scenario
from tests.conftest import ensure_dbt_manifest

# the CI size: about 5 minutes on 2 cores (two full refreshes, four killed ones, a partial one)
pytestmark = pytest.mark.slow

OPPORTUNITIES = 400
# Three simulated users keep a render going at every moment of the refresh under load (they
# made 211 renders in one); six doubled that refresh's time on 2 cores (152 s against 79 s
# for the baseline) for no extra proof. `bench.reliability --size small` still runs six.
USERS = 3


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Figures, Path]]:
    ensure_dbt_manifest()
    root = tmp_path_factory.mktemp("reliability")
    figures = run_scenario(root, "small", OPPORTUNITIES, USERS, "step", think=0.2)
    yield figures, root


def test_a_kill_at_every_step_leaves_the_serving_snapshot_untouched(run) -> None:
    figures, _ = run
    assert [k.step for k in figures.kills] == ["ingestion", "checks", "dbt build", "publish"]
    for kill in figures.kills:
        assert kill.killed, f"{kill.step}: the trigger never fired ({kill.note})"
        assert kill.serving_unchanged, f"{kill.step}: serving.json or its snapshot changed"
        assert kill.serving_intact, f"{kill.step}: the serving snapshot fails its check"
        assert kill.warehouse_problems == [], kill.step


def test_the_run_after_the_kills_recovers_by_itself_and_publishes(run) -> None:
    figures, root = run
    assert figures.load_refresh_ok
    log = (root / "logs" / "under_load.log").read_text(encoding="utf-8")
    # the four killed runs were left "started" in Dagster's run storage: marked failed
    assert figures.abandoned_runs_marked == 4
    assert figures.active_runs_left == 0
    assert "refresh succeeded" in log
    assert not list((root / "warehouse" / "snapshots").glob(".*partial*"))


def test_dashboard_users_see_no_error_and_no_mixed_read_during_the_refresh(run) -> None:
    figures, _ = run
    load = figures.load
    assert load["users_reporting"] == USERS
    assert load["queries"] > 0
    assert (load["errors"], load["mixed_reads"]) == (0, 0), load["samples"]
    assert len(load["refresh_ids_seen"]) == 2  # the users read S1, then S2


def test_every_inbox_row_is_loaded_or_quarantined_exactly_once(run) -> None:
    figures, _ = run
    assert figures.reconciliation_problems == []
    # three export rounds: the original files plus two re-sends of their second half
    assert figures.rows_per_family["opportunities"] > OPPORTUNITIES


def test_a_truncated_snapshot_is_served_from_the_last_good_one_with_a_warning(run) -> None:
    figures, _ = run
    damage = figures.damage
    assert damage["ok"], damage
    assert damage["errors"] == 0 and damage["fallback_warnings"] == damage["renders"] > 0


def test_a_full_disk_during_a_build_is_a_clear_error_and_serving_is_untouched(run) -> None:
    figures, _ = run
    disk = figures.disk_full
    assert disk["exit_code"] == 1
    # DuckDB ("DISK FULL: ...") or Dagster's run storage ("DISK FULL (or failing): ...")
    assert disk["message"] and disk["message"].startswith("DISK FULL")
    assert disk["serving_unchanged"] and disk["serving_intact"]
    assert figures.passed
