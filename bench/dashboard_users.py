"""Simulated dashboard users for the reliability harness: separate processes, real queries.

Each user is a process that renders pages the way ``dashboards/app_pages/*.py`` do: it resolves
the serving snapshot once per render (``current_snapshot()``), then calls the same
``dashboards/data/queries.py`` functions with ``snapshot=``. ``st.cache_data`` is bypassed (the
cached functions are swapped for the functions they wrap), so every query really runs on DuckDB.

**Mixed reads.** Every published table carries the ``refresh_id`` of the publish that wrote it.
After each query the user reads ``distinct refresh_id`` from every table the query named, on a
read-only connection to the same file. A query is *mixed* when those ids are not exactly one id,
or when it differs from the id of the render's snapshot: one render must never see two publishes.
"""

from __future__ import annotations

import json
import random
import re
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import duckdb

DASHBOARDS = Path(__file__).resolve().parents[1] / "dashboards"
# the published tables a query names; a schema-qualified name (information_schema.columns, the
# queries' look-ups of which columns a snapshot has) is DuckDB's catalog, not a published table
TABLE_NAMES = re.compile(r"\b(?:FROM|JOIN)\s+([A-Za-z_][A-Za-z0-9_]*)\b(?!\.)", re.IGNORECASE)


@dataclass
class UserStats:
    user: int
    renders: int = 0
    queries: int = 0
    errors: int = 0
    mixed_reads: int = 0
    refresh_ids: list[str] = field(default_factory=list)  # every id seen, in order of first sight
    fallback_warnings: int = 0
    samples: list[str] = field(default_factory=list)  # first error / mixed-read messages

    def note(self, message: str) -> None:
        if len(self.samples) < 5:
            self.samples.append(message)


class Render:
    """One page view: the ids every query of it saw."""

    def __init__(self, refresh_id: str) -> None:
        self.refresh_id = refresh_id
        self.queries = 0
        self.mixed: list[str] = []

    def saw(self, sql: str, ids: set[str]) -> None:
        self.queries += 1
        # an empty table (a snapshot with nothing quarantined) shows no id, and so no mix
        if ids and ids != {self.refresh_id}:
            self.mixed.append(f"render of {self.refresh_id} saw {sorted(ids)} in: {sql[:80]}")


def _instrument(queries: Any, state: dict[str, Render]) -> None:
    """Bypass st.cache_data and record the refresh ids each real query touched."""
    from streamlit.runtime.caching.cache_utils import CachedFunc

    for name, value in list(vars(queries).items()):
        if isinstance(value, CachedFunc):
            setattr(queries, name, getattr(value, "__wrapped__"))  # noqa: B009
    real_read = queries._read

    def read_and_probe(source: Any, sql: str, params: Sequence[object] = ()) -> Any:
        frame = real_read(source, sql, params)  # source: queries.Source (file path + scope)
        tables = sorted(set(TABLE_NAMES.findall(sql)))
        if not tables:  # a catalog look-up (which columns a snapshot has): nothing to mix
            return frame
        con = duckdb.connect(source.path, read_only=True)
        try:
            ids = {
                str(row[0])
                for table in tables
                for row in con.execute(f"SELECT DISTINCT refresh_id FROM {table}").fetchall()
            }
        finally:
            con.close()
        state["render"].saw(sql, ids)
        return frame

    queries._read = read_and_probe


def _pages(queries: Any, rng: random.Random) -> dict[str, Callable[[Any], None]]:
    """The query sequence of each page, with the filters a user might pick."""

    def overview(snap: Any) -> None:
        queries.publish_info(snapshot=snap)
        options = queries.forecast_options(snapshot=snap)
        grains = sorted(set(options["period_grain"])) or ["month"]
        grain = rng.choice(grains)
        queries.forecast_vs_target(grain, "all", snapshot=snap)
        queries.win_rates(grain, "all", "all", snapshot=snap)
        queries.new_pipeline(grain, "all", "all", snapshot=snap)
        if queries.leads_exported(snapshot=snap):
            queries.lead_conversion(grain, "all", "all", snapshot=snap)
        queries.alerts(snapshot=snap)

    def funnel_filters(snap: Any) -> tuple[Any, ...] | None:
        combos = queries.funnel_options(snapshot=snap).combos
        if combos.empty:
            return None
        row = combos.iloc[rng.randrange(len(combos))]
        return (
            row["period_grain"],
            row["period_start"],
            row["segment_dimension"],
            row["segment_value"],
            row["sales_process"],
        )

    def funnel(snap: Any) -> None:
        queries.publish_info(snapshot=snap)
        filters = funnel_filters(snap)
        if filters is None:
            return
        method, kind = rng.choice(["cohort", "flow"]), rng.choice(["any_stage", "strict"])
        queries.funnel_conversion(*filters, method, kind, snapshot=snap)
        queries.stage_dwell(*filters, snapshot=snap)
        stages = queries.stages(filters[-1], snapshot=snap)
        queries.stage_skips(*filters, snapshot=snap)
        if not stages.empty:
            stage = stages.iloc[rng.randrange(len(stages))]["stage_code"]
            queries.stage_entrants(*filters, str(stage), snapshot=snap)

    def conversion(snap: Any) -> None:
        queries.publish_info(snapshot=snap)
        filters = funnel_filters(snap)
        if filters is None:
            return
        grain, period, dimension, value, process = filters
        queries.conversion_by_segment(grain, period, dimension, process, snapshot=snap)
        queries.dwell_by_segment(grain, period, dimension, process, snapshot=snap)
        stages = queries.stages(process, snapshot=snap)
        if not stages.empty:
            stage = str(stages.iloc[0]["stage_code"])
            start = period.replace(year=period.year - 1) if hasattr(period, "year") else period
            queries.conversion_trend(
                grain, start, period, dimension, value, process, stage, snapshot=snap
            )

    def forecast(snap: Any) -> None:
        queries.publish_info(snapshot=snap)
        options = queries.forecast_options(snapshot=snap)
        if options.empty:
            return
        row = options.iloc[rng.randrange(len(options))]
        grain, dimension = row["period_grain"], row["segment_dimension"]
        queries.forecast_vs_target(grain, dimension, snapshot=snap)
        queries.model_status(snapshot=snap)
        queries.forecast_accuracy(grain, "all", "all", snapshot=snap)

    def alerts(snap: Any) -> None:
        queries.publish_info(snapshot=snap)
        rows = queries.alerts(snapshot=snap)
        if not rows.empty:
            alert_id = rows.iloc[rng.randrange(len(rows))]["alert_id"]
            queries.alert_opportunities(str(alert_id), snapshot=snap)

    def health(snap: Any) -> None:
        queries.publish_info(snapshot=snap)
        queries.load_log(snapshot=snap)
        for table, read in (
            ("_quarantine", queries.quarantine_reasons),
            ("_check_results", queries.check_results),
            ("_alert_deliveries", queries.alert_deliveries),
        ):
            if queries.has_table(table, snapshot=snap):
                read(snapshot=snap)

    return {
        "overview": overview,
        "funnel": funnel,
        "conversion": conversion,
        "forecast": forecast,
        "alerts": alerts,
        "health": health,
    }


def run_user(
    user: int,
    stop_file: str,
    out_file: str,
    think_seconds: float,
    max_renders: int | None = None,
) -> None:
    """Render random pages until ``stop_file`` exists (or after ``max_renders`` renders);
    write ``UserStats`` as JSON."""
    if str(DASHBOARDS) not in sys.path:
        sys.path.insert(0, str(DASHBOARDS))  # the app imports `data.*` as `streamlit run` does
    import streamlit.logger

    streamlit.logger.set_log_level("error")  # no "no runtime found" warning per cached function
    from data import queries, snapshot

    stats = UserStats(user)
    state: dict[str, Render] = {}
    _instrument(queries, state)
    rng = random.Random(user)
    pages = _pages(queries, rng)
    while not Path(stop_file).exists() and (max_renders is None or stats.renders < max_renders):
        try:
            snap = snapshot.current_snapshot()
        except snapshot.NoSnapshotError:
            time.sleep(think_seconds)
            continue
        except Exception as error:  # a render that cannot start is an error the user sees
            stats.errors += 1
            stats.note(f"snapshot: {error!r}")
            time.sleep(think_seconds)
            continue
        if snap.warning:
            stats.fallback_warnings += 1
        if snap.refresh_id not in stats.refresh_ids:
            stats.refresh_ids.append(snap.refresh_id)
        state["render"] = render = Render(snap.refresh_id)
        # every page once, in order, then at random: a short run still covers every page
        names = sorted(pages)
        page = names[stats.renders] if stats.renders < len(names) else rng.choice(names)
        try:
            pages[page](snap)
        except Exception:
            stats.errors += 1
            stats.note(f"{page}: {traceback.format_exc(limit=3)}")
        if stats.renders == 0:
            Path(out_file + ".ready").touch()  # the harness waits for every user's first render
        stats.renders += 1
        stats.queries += render.queries
        stats.mixed_reads += len(render.mixed)
        for message in render.mixed:
            stats.note(message)
        time.sleep(think_seconds)
    Path(out_file).write_text(json.dumps(asdict(stats)), encoding="utf-8")


def summarise(stats: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Totals over all users."""
    seen: list[str] = []
    for user in stats:
        seen += [rid for rid in user["refresh_ids"] if rid not in seen]
    return {
        "users": len(stats),
        "renders": sum(u["renders"] for u in stats),
        "queries": sum(u["queries"] for u in stats),
        "errors": sum(u["errors"] for u in stats),
        "mixed_reads": sum(u["mixed_reads"] for u in stats),
        "fallback_warnings": sum(u["fallback_warnings"] for u in stats),
        "refresh_ids_seen": sorted(seen),
        "samples": [s for u in stats for s in u["samples"]][:10],
    }
