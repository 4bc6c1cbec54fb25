"""Dashboard query latency on a published snapshot: p50 / p95 per page query.

Calls the public functions of dashboards/data/queries.py (read-only, as the pages do) with
Streamlit's cache cleared before every call, so each call is a cache miss: it opens the
snapshot, runs its SQL and builds its DataFrame. The filter values are the ones a user sees
first (latest quarter, segment all, the standard process).
"""

from __future__ import annotations

import logging
import os
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Latency:
    query: str
    page: str
    calls: int
    p50_ms: float | None
    p95_ms: float | None
    error: str | None = None


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    cut_points = statistics.quantiles(ordered, n=100, method="inclusive")
    return cut_points[round(fraction * 100) - 1]


def measure_queries(warehouse: Path, repeats: int = 30) -> list[Latency]:
    """Time every page query `repeats` times (after one warm-up) on the serving snapshot."""
    os.environ["FUNNEL_WAREHOUSE"] = str(warehouse)
    import streamlit as st

    from dashboards.data import queries
    from dashboards.data.snapshot import current_snapshot

    # outside `streamlit run` every cache miss warns "No runtime found": expected here
    logging.getLogger("streamlit.runtime.caching.cache_data_api").setLevel(logging.ERROR)

    snapshot = current_snapshot()
    options = queries.funnel_options(snapshot=snapshot)
    grain = "quarter" if "quarter" in options.grains() else options.grains()[0]
    period = options.periods(grain)[0]
    process = "standard" if "standard" in options.processes() else options.processes()[0]
    funnel_args = (grain, period, "all", "all", process)
    alert_list = queries.alerts(snapshot=snapshot)
    alert_id = str(alert_list["alert_id"].iloc[0]) if len(alert_list) else "none"

    calls: list[tuple[str, str, Callable[[], Any]]] = [
        ("publish_info", "all pages", lambda: queries.publish_info(snapshot=snapshot)),
        ("funnel_options", "funnel", lambda: queries.funnel_options(snapshot=snapshot)),
        (
            "funnel_conversion",
            "funnel",
            lambda: queries.funnel_conversion(*funnel_args, snapshot=snapshot),
        ),
        ("stage_dwell", "funnel", lambda: queries.stage_dwell(*funnel_args, snapshot=snapshot)),
        ("stage_skips", "funnel", lambda: queries.stage_skips(*funnel_args, snapshot=snapshot)),
        ("stages", "funnel", lambda: queries.stages(process, snapshot=snapshot)),
        ("forecast_options", "forecast", lambda: queries.forecast_options(snapshot=snapshot)),
        (
            "forecast_vs_target",
            "forecast",
            lambda: queries.forecast_vs_target(grain, "team", snapshot=snapshot),
        ),
        ("win_rates", "overview", lambda: queries.win_rates(grain, snapshot=snapshot)),
        (
            "new_pipeline",
            "overview",
            lambda: queries.new_pipeline(grain, "all", "all", snapshot=snapshot),
        ),
        (
            "conversion_by_segment",
            "conversion",
            lambda: queries.conversion_by_segment(
                grain, period, "customer_type", process, snapshot=snapshot
            ),
        ),
        (
            "forecast_accuracy",
            "forecast",
            lambda: queries.forecast_accuracy(grain, "all", "all", snapshot=snapshot),
        ),
        ("alerts", "alerts", lambda: queries.alerts(snapshot=snapshot)),
        (
            "alert_opportunities",
            "alerts",
            lambda: queries.alert_opportunities(alert_id, snapshot=snapshot),
        ),
    ]
    results: list[Latency] = []
    for name, page, call in calls:
        timings: list[float] = []
        try:
            for attempt in range(repeats + 1):
                st.cache_data.clear()
                started = time.perf_counter()
                call()
                if attempt:  # the first call warms the OS file cache and imports
                    timings.append((time.perf_counter() - started) * 1000)
        except Exception as error:  # a query the dashboards changed: report it, go on
            results.append(Latency(name, page, 0, None, None, f"{type(error).__name__}: {error}"))
            continue
        results.append(
            Latency(name, page, len(timings), _percentile(timings, 0.5), _percentile(timings, 0.95))
        )
    return results
