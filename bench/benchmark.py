"""Benchmark the pipeline at 10k / 100k / 1M opportunities against a DuckDB floor and a pandas peer.

    .venv/bin/python bench/benchmark.py --sizes 10000              # one size
    .venv/bin/python bench/benchmark.py --sizes 10000 100000 1000000 --cap-minutes 30

For each size it generates the demo inbox (`python -m ingestion.demo`), runs the full refresh
headless (`python -m orchestration.refresh`, its own FUNNEL_INBOX / FUNNEL_WAREHOUSE /
DAGSTER_HOME under --workdir) and measures:

- wall time and peak RSS of the whole refresh (its process tree, sampled with psutil), and of
  each step (ingest, checks, dbt build, publish) from the run's Dagster step events;
- the build warehouse and snapshot sizes, and dbt's slowest nodes (run_results.json);
- the latency, p50 / p95, of every dashboard page query on the published snapshot;
- the core metrics (bench/metrics.py) computed by the DuckDB floor (bench/floor.sql) and the
  pandas peer (bench/pandas_peer.py), each checked equal to the pipeline's marts;
- the next night's incremental refresh of the same warehouse, after ~1 % of the opportunities
  changed (bench/incremental_change.py), against the full refresh.

Each size's figures go to bench/results/<size>.json; docs/benchmarks.md's generated section is
rebuilt from all result files (so sizes measured at different times accumulate), with the
command, the machine, and the load average seen during the run (other work on the machine
slows every figure: read them with it).
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import platform
import shlex
import shutil
import sys
from dataclasses import asdict
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from bench.dashboard_latency import measure_queries  # noqa: E402
from bench.measure import Measured, run_measured  # noqa: E402
from bench.metrics import compare, pipeline_metrics  # noqa: E402

RESULTS_DIR = REPO_ROOT / "bench" / "results"
DOCS = REPO_ROOT / "docs" / "benchmarks.md"
BEGIN, END = "<!-- benchmark:begin -->", "<!-- benchmark:end -->"
PYTHON = sys.executable


def _log(message: str) -> None:
    print(f"[{datetime.now(UTC):%H:%M:%S}] {message}", flush=True)


def _mb(size: int) -> float:
    return round(size / 1_000_000, 1)


def _load_average() -> list[float]:
    return [round(value, 2) for value in os.getloadavg()]


def _step_group(step_key: str) -> str:
    if step_key in ("dbt_models", "dbt_scored_models"):
        return "dbt build"
    if step_key.startswith("scoring__"):
        return "scoring"
    if step_key in ("published_snapshot", "audit__alert_deliveries"):
        return "publish"
    if step_key.endswith(("_rows_reconcile", "_business_rules", "_inbox_is_fresh")) or (
        "_gx_" in step_key
    ):
        return "checks"
    return "ingest"


def _step_figures(dagster_home: Path, refresh: Measured) -> dict[str, dict[str, float]]:
    """Per step group: summed step seconds and the peak tree RSS while its steps ran."""
    os.environ["DAGSTER_HOME"] = str(dagster_home)
    import dagster as dg

    with dg.DagsterInstance.get() as instance:
        runs = instance.get_runs(limit=1)
        if not runs:
            return {}
        stats = instance.get_run_step_stats(runs[0].run_id)
    groups: dict[str, dict[str, float]] = {}
    for step in stats:
        if step.start_time is None:
            continue
        # a step cut off at the cap has no end: it ran until the refresh was stopped
        end = step.end_time or refresh.started_at + refresh.wall_seconds
        group = groups.setdefault(_step_group(step.step_key), {"seconds": 0.0, "peak_mb": 0.0})
        group["seconds"] = round(group["seconds"] + end - step.start_time, 1)
        group["peak_mb"] = max(
            group["peak_mb"], _mb(refresh.peak_rss_between(step.start_time, end))
        )
    return groups


def _dbt_timings(warehouse: Path, since: float) -> dict[str, Any]:
    """dbt's own figures for the refresh's dbt invocations (both `dbt build` steps), from the
    JSON log in the warehouse's dbt target folder (`<warehouse>/dbt_target/dbt.log`, rotated
    to dbt.log.1 at 10 MB): every node that finished, also in a run stopped at the cap."""
    logs = [warehouse / "dbt_target" / name for name in ("dbt.log.1", "dbt.log")]
    start = datetime.fromtimestamp(since, UTC).strftime("%Y-%m-%dT%H:%M:%S")
    nodes: list[tuple[str, float]] = []
    elapsed = 0.0
    for log in (path for path in logs if path.exists()):
        for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
            if '"execution_time"' not in line:
                continue
            try:
                event = json.loads(line)
                if event["info"]["ts"][:19] < start:
                    continue
                data = event["data"]
                if event["info"]["name"] == "FinishedRunningStats":
                    elapsed += float(data["execution_time"])
                elif "node_info" in data:
                    nodes.append((data["node_info"]["unique_id"], float(data["execution_time"])))
            except (ValueError, KeyError, TypeError):
                continue
    if not nodes:
        return {}
    by_type: dict[str, float] = {}
    for unique_id, seconds in nodes:
        kind = unique_id.split(".")[0]
        by_type[kind] = round(by_type.get(kind, 0.0) + seconds, 1)
    slowest = sorted(nodes, key=lambda node: -node[1])[:8]
    return {
        "source": "dbt.log",
        "nodes_finished": len(nodes),
        "elapsed_seconds": round(elapsed, 1) or None,
        "seconds_by_node_type": by_type,
        "slowest": [
            {"node": unique_id.split(".")[-1], "seconds": round(seconds, 1)}
            for unique_id, seconds in slowest
        ],
    }


def _measure_method(method: str, inbox: Path, as_of: date, work: Path) -> dict[str, Any]:
    out = work / f"{method}.pkl"
    measured = run_measured(
        [PYTHON, "-m", "bench.compute", method, str(inbox), as_of.isoformat(), str(out)],
        cwd=REPO_ROOT,
        output_file=work / f"{method}.log",
    )
    if measured.returncode != 0:
        raise RuntimeError(f"{method} failed, see {work / f'{method}.log'}")
    with out.open("rb") as handle:
        tables = pickle.load(handle)
    return {
        "wall_seconds": round(measured.wall_seconds, 1),
        "peak_rss_mb": _mb(measured.peak_rss),
        "tables": tables,
    }


def benchmark_size(args: argparse.Namespace, size: int) -> dict[str, Any]:
    work = args.workdir / f"size-{size}"
    inbox, warehouse, dagster_home = work / "inbox", work / "warehouse", work / "dagster_home"
    for folder in (warehouse, dagster_home):
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
    result: dict[str, Any] = {
        "size": size,
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "load_average_before": _load_average(),
    }

    _log(f"{size:,}: generating the demo inbox")
    shutil.rmtree(inbox, ignore_errors=True)
    generated = run_measured(
        [
            PYTHON,
            "-m",
            "ingestion.demo",
            "--opportunities",
            str(size),
            "--out",
            str(inbox),
            "--seed",
            str(args.seed),
            "--end-date",
            args.as_of.isoformat(),
        ],
        cwd=REPO_ROOT,
        output_file=work / "generate.log",
    )
    if generated.returncode != 0:
        raise RuntimeError(f"the generator failed, see {work / 'generate.log'}")
    rows = {
        path.name: sum(1 for _ in path.open(encoding="utf-8")) - 1
        for path in sorted(inbox.glob("*.csv"))
    }
    result["generate"] = {
        "wall_seconds": round(generated.wall_seconds, 1),
        "peak_rss_mb": _mb(generated.peak_rss),
        "rows": rows,
        "inbox_mb": _mb(sum(path.stat().st_size for path in inbox.glob("*.csv"))),
    }

    _log(f"{size:,}: full refresh (cap {args.cap_minutes} min), log in {work / 'refresh.log'}")
    env = {
        "FUNNEL_INBOX": str(inbox),
        "FUNNEL_WAREHOUSE": str(warehouse),
        "DAGSTER_HOME": str(dagster_home),
        "FUNNEL_AS_OF": args.as_of.isoformat(),
    }
    refresh = run_measured(
        [PYTHON, "-m", "orchestration.refresh"],
        env=env,
        cwd=REPO_ROOT,
        timeout=args.cap_minutes * 60,
        output_file=work / "refresh.log",
    )
    snapshot_pointer = warehouse / "serving.json"
    snapshot = (
        warehouse / json.loads(snapshot_pointer.read_text())["snapshot"]
        if snapshot_pointer.exists()
        else None
    )
    result["refresh"] = {
        "status": "stopped at cap"
        if refresh.timed_out
        else ("ok" if refresh.returncode == 0 else f"failed ({refresh.returncode})"),
        "wall_seconds": round(refresh.wall_seconds, 1),
        "peak_rss_mb": _mb(refresh.peak_rss),
        "steps": _step_figures(dagster_home, refresh),
        "dbt": _dbt_timings(warehouse, refresh.started_at),
        "warehouse_mb": _mb((warehouse / "build.duckdb").stat().st_size)
        if (warehouse / "build.duckdb").exists()
        else None,
        "snapshot_mb": _mb(snapshot.stat().st_size) if snapshot else None,
    }
    result["load_average_after_refresh"] = _load_average()
    _log(f"{size:,}: refresh {result['refresh']['status']} in {refresh.wall_seconds:.0f}s")
    pipeline = None
    if snapshot is not None and refresh.returncode == 0:
        _log(f"{size:,}: dashboard query latency ({args.query_repeats} calls each)")
        result["dashboard"] = [
            asdict(latency) for latency in measure_queries(warehouse, args.query_repeats)
        ]
        pipeline = pipeline_metrics(snapshot)
        result["metric_rows"] = {table: len(frame) for table, frame in pipeline.items()}
    for method in ("floor", "pandas"):
        _log(f"{size:,}: core metrics by the {method}")
        measured = _measure_method(method, inbox, args.as_of, work)
        tables = measured.pop("tables")
        # without a published refresh there is nothing to check against: timed only
        differences = compare(pipeline, tables) if pipeline is not None else None
        measured["differences"] = None if differences is None else len(differences)
        measured["first_differences"] = [str(d) for d in (differences or [])[:5]]
        result[method] = measured
    if refresh.returncode == 0:
        result["incremental"] = _incremental_refresh(args, size, work, env)
    result["load_average_after"] = _load_average()
    return result


def _incremental_refresh(
    args: argparse.Namespace, size: int, work: Path, env: dict[str, str]
) -> dict[str, Any]:
    """The next night: ~1 % of the opportunities changed (bench/incremental_change.py), then a
    refresh of the same warehouse, whose stage facts rebuild only the changed opportunities."""
    from bench.incremental_change import write_incremental_change

    inbox, warehouse, dagster_home = (
        Path(env["FUNNEL_INBOX"]),
        Path(env["FUNNEL_WAREHOUSE"]),
        Path(env["DAGSTER_HOME"]),
    )
    change = write_incremental_change(inbox, share=args.incremental_share)
    _log(
        f"{size:,}: incremental refresh after {change.changed:,} opportunities changed, "
        f"log in {work / 'incremental.log'}"
    )
    refresh = run_measured(
        [PYTHON, "-m", "orchestration.refresh"],
        env=env,
        cwd=REPO_ROOT,
        timeout=args.cap_minutes * 60,
        output_file=work / "incremental.log",
    )
    _log(f"{size:,}: incremental refresh exit {refresh.returncode} in {refresh.wall_seconds:.0f}s")
    return {
        "status": "stopped at cap"
        if refresh.timed_out
        else ("ok" if refresh.returncode == 0 else f"failed ({refresh.returncode})"),
        "changed_opportunities": change.changed,
        "wall_seconds": round(refresh.wall_seconds, 1),
        "peak_rss_mb": _mb(refresh.peak_rss),
        "steps": _step_figures(dagster_home, refresh),
        "dbt": _dbt_timings(warehouse, refresh.started_at),
    }


# ------------------------------------------------------------------------------ the report


def _fmt(value: float | None, digits: int = 1) -> str:
    return "–" if value is None else f"{value:,.{digits}f}"


def _count(value: int | None) -> str:
    return "not checked (no published refresh)" if value is None else str(value)


def _ratio(numerator: float | None, denominator: float | None) -> str:
    if not numerator or not denominator:
        return "–"
    return f"{numerator / denominator:,.1f}×"


def render(results: list[dict[str, Any]]) -> str:
    """The generated section of docs/benchmarks.md."""
    results = sorted(results, key=lambda r: r["size"])
    lines = [
        BEGIN,
        "<!-- generated by bench/benchmark.py from bench/results/*.json: do not edit -->",
        "",
        "### Full refresh (seconds, peak RSS of the process tree in MB)",
        "",
        "| opportunities | CSV rows (opps / stage events) | status | refresh | peak RSS "
        "| ingest | checks | dbt build | publish | warehouse MB | snapshot MB | load avg during |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        rows = r["generate"]["rows"]
        refresh = r["refresh"]
        steps = refresh.get("steps", {})

        def step(name: str, steps: dict[str, dict[str, float]] = steps) -> str:
            figures = steps.get(name)
            if not figures:
                return "–"
            return f"{figures['seconds']:,.1f} ({figures['peak_mb']:,.0f} MB)"

        lines.append(
            f"| {r['size']:,} | {rows.get('opportunities.csv', 0):,} / "
            f"{rows.get('stage_history.csv', 0):,} | {refresh['status']} "
            f"| {_fmt(refresh['wall_seconds'])} | {_fmt(refresh['peak_rss_mb'], 0)} "
            f"| {step('ingest')} | {step('checks')} | {step('dbt build')} | {step('publish')} "
            f"| {_fmt(refresh['warehouse_mb'])} | {_fmt(refresh['snapshot_mb'])} "
            f"| {r['load_average_before'][0]} → {r['load_average_after_refresh'][0]} |"
        )
    lines += [
        "",
        "### dbt inside the refresh (seconds, both dbt steps; from dbt.log)",
        "",
        "| opportunities | dbt elapsed | models | data tests | unit tests | seeds "
        "| slowest nodes |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in results:
        dbt = r["refresh"].get("dbt") or {}
        kinds = dbt.get("seconds_by_node_type", {})
        slowest = ", ".join(f"{n['node']} {n['seconds']:.1f}" for n in dbt.get("slowest", [])[:5])
        lines.append(
            f"| {r['size']:,} | {_fmt(dbt.get('elapsed_seconds'))} | {_fmt(kinds.get('model'))} "
            f"| {_fmt(kinds.get('test'))} | {_fmt(kinds.get('unit_test'))} "
            f"| {_fmt(kinds.get('seed'))} | {slowest or '–'} |"
        )
    lines += [
        "",
        "### Core metrics three ways (seconds, peak RSS MB; all checked equal to the marts)",
        "",
        "| opportunities | DuckDB floor | pandas peer | pipeline refresh | refresh / floor "
        "| dbt build / floor | pandas / floor | differences (floor / pandas) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        if "floor" not in r:
            continue
        floor, peer, refresh = r["floor"], r["pandas"], r["refresh"]
        dbt_seconds = refresh.get("steps", {}).get("dbt build", {}).get("seconds")
        lines.append(
            f"| {r['size']:,} | {floor['wall_seconds']:,.1f} ({floor['peak_rss_mb']:,.0f} MB) "
            f"| {peer['wall_seconds']:,.1f} ({peer['peak_rss_mb']:,.0f} MB) "
            f"| {refresh['wall_seconds']:,.1f} ({refresh['peak_rss_mb']:,.0f} MB) "
            f"| {_ratio(refresh['wall_seconds'], floor['wall_seconds'])} "
            f"| {_ratio(dbt_seconds, floor['wall_seconds'])} "
            f"| {_ratio(peer['wall_seconds'], floor['wall_seconds'])} "
            f"| {_count(floor['differences'])} / {_count(peer['differences'])} |"
        )
    with_incremental = [r for r in results if r.get("incremental")]
    if with_incremental:
        lines += [
            "",
            "### Incremental refresh: the next night with ~1 % of opportunities changed",
            "",
            "| opportunities | changed | status | refresh s | vs full | dbt build s | vs full dbt "
            "| peak RSS MB |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for r in with_incremental:
            inc, full = r["incremental"], r["refresh"]
            inc_dbt = inc.get("steps", {}).get("dbt build", {}).get("seconds")
            full_dbt = full.get("steps", {}).get("dbt build", {}).get("seconds")
            share = (
                f"{inc['wall_seconds'] / full['wall_seconds']:.0%}" if full["wall_seconds"] else "–"
            )
            dbt_share = f"{inc_dbt / full_dbt:.0%}" if inc_dbt and full_dbt else "–"
            lines.append(
                f"| {r['size']:,} | {inc['changed_opportunities']:,} | {inc['status']} "
                f"| {_fmt(inc['wall_seconds'])} | {share} | {_fmt(inc_dbt)} | {dbt_share} "
                f"| {_fmt(inc['peak_rss_mb'], 0)} |"
            )
    with_dashboard = [r for r in results if r.get("dashboard")]
    if with_dashboard:
        sizes = [r["size"] for r in with_dashboard]
        lines += [
            "",
            "### Dashboard query latency on the published snapshot (ms, p50 / p95, cache missed)",
            "",
            "| query | page | " + " | ".join(f"{size:,}" for size in sizes) + " |",
            "|---|---|" + "---|" * len(sizes),
        ]
        names = [q["query"] for q in with_dashboard[0]["dashboard"]]
        for name in names:
            cells = []
            page = ""
            for r in with_dashboard:
                found = next((q for q in r["dashboard"] if q["query"] == name), None)
                if found is None or found["error"]:
                    cells.append("error" if found else "–")
                    continue
                page = found["page"]
                cells.append(f"{found['p50_ms']:,.1f} / {found['p95_ms']:,.1f}")
            lines.append(f"| `{name}` | {page} | " + " | ".join(cells) + " |")
    lines += ["", "### Runs", ""]
    for r in results:
        lines.append(
            f"- {r['size']:,}: measured {r['measured_at']} UTC, load average (1 min) "
            f"{r['load_average_before'][0]} before, {r['load_average_after_refresh'][0]} after "
            f"the refresh; command `{r.get('command', '')}`"
        )
    lines.append(END)
    return "\n".join(lines)


def machine() -> str:
    import dbt.version
    import duckdb

    memory_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1e9
    return (
        f"{os.cpu_count()} cores, {memory_gb:.0f} GB RAM, {platform.system()} "
        f"{platform.release()}, Python {platform.python_version()}, DuckDB {duckdb.__version__}, "
        f"dbt-core {dbt.version.__version__}"
    )


def write_docs(docs: Path) -> None:
    results = [json.loads(path.read_text()) for path in sorted(RESULTS_DIR.glob("size-*.json"))]
    section = render(results)
    text = docs.read_text(encoding="utf-8") if docs.exists() else "# Benchmarks\n\n"
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        text = head + section + rest.split(END, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    docs.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000])
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/funnel-bench"))
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--as-of", type=date.fromisoformat, default=date(2026, 6, 30))
    parser.add_argument("--query-repeats", type=int, default=30)
    parser.add_argument(
        "--incremental-share",
        type=float,
        default=0.01,
        help="share of opportunities changed before the incremental refresh (0.01)",
    )
    parser.add_argument(
        "--cap-minutes", type=float, default=60, help="stop a refresh that runs longer"
    )
    parser.add_argument("--no-docs", action="store_true", help="print only; write nothing")
    parser.add_argument(
        "--render-only",
        action="store_true",
        help="measure nothing: rebuild docs/benchmarks.md from bench/results/*.json",
    )
    args = parser.parse_args(argv)
    if args.render_only:
        write_docs(DOCS)
        return 0
    args.workdir = args.workdir.resolve()
    command = shlex.join([".venv/bin/python", "bench/benchmark.py", *(argv or sys.argv[1:])])
    _log(f"machine: {machine()}")
    for size in args.sizes:
        result = benchmark_size(args, size)
        result["command"] = command
        result["machine"] = machine()
        if not args.no_docs:
            RESULTS_DIR.mkdir(parents=True, exist_ok=True)
            (RESULTS_DIR / f"size-{size}.json").write_text(json.dumps(result, indent=2) + "\n")
        print(render([result]))
    if not args.no_docs:
        write_docs(DOCS)
        _log(f"wrote {DOCS.relative_to(REPO_ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
