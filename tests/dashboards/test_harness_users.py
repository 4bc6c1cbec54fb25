"""The reliability harness's simulated dashboard users (bench/dashboard_users.py) run the
dashboards' current queries: every simulated page renders on the fixture snapshot without an
error or a mixed read. A renamed or re-signed query fails here in seconds, not only in the
harness's minutes-long refresh under load."""

from __future__ import annotations

import json
import multiprocessing
from pathlib import Path

from bench.dashboard_latency import measure_queries
from bench.dashboard_users import run_user
from tests.dashboards.conftest import REFRESH_ID, FixtureWarehouse

PAGES = 6  # overview, funnel, conversion, forecast, alerts, health


def test_every_simulated_page_renders_without_error(
    warehouse: FixtureWarehouse, tmp_path: Path
) -> None:
    stop, out = tmp_path / "STOP", tmp_path / "user0.json"
    process = multiprocessing.get_context("spawn").Process(
        target=run_user, args=(0, str(stop), str(out), 0.0, PAGES)
    )
    process.start()  # inherits FUNNEL_WAREHOUSE (the fixture warehouse) from the environment
    process.join(timeout=180)  # the first PAGES renders visit every page in turn, then it stops
    assert process.exitcode == 0, f"the simulated user exited with {process.exitcode}"
    stats = json.loads(out.read_text(encoding="utf-8"))
    assert stats["renders"] >= PAGES, stats
    assert (stats["errors"], stats["mixed_reads"]) == (0, 0), stats["samples"]
    assert stats["queries"] > PAGES
    assert stats["refresh_ids"] == [REFRESH_ID]


def test_the_latency_benchmark_calls_the_current_queries(warehouse: FixtureWarehouse) -> None:
    """bench/dashboard_latency.py times page queries by name: a renamed one shows as an error."""
    latencies = measure_queries(warehouse.root, repeats=1)
    assert [(q.query, q.error) for q in latencies if q.error] == []
    assert len(latencies) >= 14
