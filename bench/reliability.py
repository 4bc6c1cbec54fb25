"""Reliability harness: refresh under dashboard load, SIGKILL at every step, damage, full disk.

    .venv/bin/python -m bench.reliability --size small     # 400 opportunities, 6 users (CI size)
    .venv/bin/python -m bench.reliability --size large     # 20,000 opportunities, 20 users

Everything runs in a fresh work folder (``--workdir``, default a temporary one): its own inbox,
warehouse and DAGSTER_HOME. Every refresh is the real ``python -m orchestration.refresh`` in its
own process group. The scenario, in order:

1. **Baseline.** A demo inbox is generated and refreshed: snapshot S1 serves.
2. **Kill at every step.** A new export round is dropped into the inbox, then refreshes are
   killed with SIGKILL sent to the whole process group (what an OOM kill of the service, a
   container stop or a power cut does: the refresh and its dbt child die together):
   during ingestion (right after the first new file committed), during the checks (when the
   Great Expectations check step starts), during ``dbt build`` (after some models are built) and
   during publish (while the snapshot's partial file is being written). Each killed run starts
   where the one before died, so each proves that the kill before it blocked nothing. After
   every kill: ``serving.json`` and S1 are byte-identical to before and S1 passes the
   dashboards' integrity check, and the build warehouse holds every committed file once.
   ``--publish-kill step`` (the small size) kills a run of the publish step alone instead of a
   whole refresh, which saves one full dbt build.
3. **Load during refresh.** N users (``bench/dashboard_users.py``: separate processes running
   the dashboards' real queries) read while the next refresh runs and publishes S2. Goals:
   0 errors, 0 mixed reads, and the users saw both S1 and S2.
4. **Reconciliation.** Every inbox file is in ``raw.load_log`` once; for every family,
   rows in ``raw.<family>`` + quarantined rows = data rows in the inbox files (counted here with
   the csv module); no (file, row) is loaded twice; ``reconcile`` finds nothing.
5. **Damage.** S2 is truncated: the dashboards fall back to S1 with a warning and the users
   still get answers (0 errors).
6. **Full disk during a build.** A refresh runs under a file-size limit (RLIMIT_FSIZE, set on
   the refresh's process: unprivileged, so it works in CI, unlike mounting a small tmpfs). A
   write past the limit fails with EFBIG, as a write on a full disk fails with ENOSPC. Goals: the
   refresh exits 1 saying "DISK FULL", and the serving pointer and snapshot are untouched.

Figures are printed and, with ``--report``, written to ``docs/reliability.md``.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import multiprocessing
import os
import platform
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb

from bench.dashboard_users import run_user, summarise

REPO_ROOT = Path(__file__).resolve().parents[1]
AS_OF = date(2026, 6, 30)
SIZES = {"small": (400, 6), "large": (20_000, 20)}
REPORT = REPO_ROOT / "docs" / "reliability.md"

# What the refresh prints (FUNNEL_LOG_LEVEL=DEBUG) at each step, and when to kill it.
FIRST_NEW_FILE_LOADED = re.compile(r"_round\d+\.csv: loaded, read \d+")
CHECKS_STARTED = re.compile(r"STEP_START.*gx_opportunities_business_rules")
DBT_MODEL_BUILT = re.compile(r"OK created sql \w+ model")
DBT_MODELS_BEFORE_KILL = 8
PARTIAL_SNAPSHOT = ".*.duckdb.partial"


@dataclass
class Workspace:
    root: Path

    @property
    def inbox(self) -> Path:
        return self.root / "inbox"

    @property
    def warehouse(self) -> Path:
        return self.root / "warehouse"

    @property
    def dagster_home(self) -> Path:
        return self.root / "dagster_home"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    def env(self, **extra: str) -> dict[str, str]:
        return {
            **os.environ,
            "FUNNEL_INBOX": str(self.inbox),
            "FUNNEL_WAREHOUSE": str(self.warehouse),
            "DAGSTER_HOME": str(self.dagster_home),
            "FUNNEL_AS_OF": AS_OF.isoformat(),
            "FUNNEL_LOG_LEVEL": "DEBUG",
            "GX_ANALYTICS_ENABLED": "false",
            "DO_NOT_TRACK": "1",
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
            **extra,
        }


def prepare(root: Path, opportunities: int, seed: int) -> Workspace:
    from ingestion.demo.generate import generate

    ws = Workspace(root)
    for folder in (ws.inbox, ws.warehouse, ws.dagster_home, ws.logs):
        folder.mkdir(parents=True, exist_ok=True)
    (ws.dagster_home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    generate(ws.inbox, opportunities, seed, AS_OF)
    (ws.inbox / "truth.json").unlink(missing_ok=True)
    return ws


def add_export_round(inbox: Path, round_number: int) -> list[Path]:
    """A new export of every family: the second half of the first export's rows, re-sent.

    New bytes (a new content hash) with rows the warehouse already knows, as a CRM re-export
    of recently touched records looks: they must load once, and change no metric.
    """
    written = []
    for source in sorted(inbox.glob("*.csv")):
        if "_round" in source.name:
            continue
        with source.open(newline="", encoding="utf-8") as handle:
            header, *rows = list(csv.reader(handle))
        target = inbox / f"{source.stem}_round{round_number}.csv"
        with target.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(header)
            writer.writerows(rows[len(rows) // 2 :])
        written.append(target)
    return written


@dataclass
class RunResult:
    label: str
    returncode: int
    killed: bool
    seconds: float
    log: Path
    kill_note: str = ""

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


def readable(line: str) -> str:
    """A log line without its timestamp / run-id prefix and terminal colour codes."""
    text = re.sub(r"\x1b\[[0-9;]*m", "", line).strip()
    return re.sub(r"^.* - full_refresh - [0-9a-f-]+ - (?:\d+ - )?", "", text)[:120]


def run_refresh(
    ws: Workspace,
    label: str,
    kill_on_line: re.Pattern[str] | None = None,
    kill_after_matches: int = 1,
    kill_on_file: str | None = None,
    command: list[str] | None = None,
    file_size_limit: int | None = None,
    **env: str,
) -> RunResult:
    """Run a refresh in its own process group; SIGKILL the group when a trigger fires."""
    log = ws.logs / f"{label}.log"
    limit: Callable[[], None] | None = None
    if file_size_limit is not None:
        size = file_size_limit

        def limit() -> None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))

    started = time.monotonic()
    process = subprocess.Popen(
        command or [sys.executable, "-m", "orchestration.refresh"],
        cwd=REPO_ROOT,
        env=ws.env(**env),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        errors="replace",
        start_new_session=True,
        preexec_fn=limit,
    )
    killed = threading.Event()
    note: list[str] = []

    def kill(why: str) -> None:
        if not killed.is_set():
            killed.set()
            note.append(why)
            os.killpg(process.pid, signal.SIGKILL)

    if kill_on_file is not None:
        pattern = kill_on_file

        def watch() -> None:
            folder = ws.warehouse / "snapshots"
            while process.poll() is None and not killed.is_set():
                if folder.is_dir() and any(folder.glob(pattern)):
                    kill(f"{pattern} appeared")
                    return
                time.sleep(0.002)

        threading.Thread(target=watch, daemon=True).start()
    matches = 0
    assert process.stdout is not None
    with log.open("w", encoding="utf-8") as out:
        for line in process.stdout:
            out.write(line)
            if kill_on_line is not None and kill_on_line.search(line):
                matches += 1
                if matches >= kill_after_matches:
                    kill(readable(line))
    returncode = process.wait()
    if killed.is_set():
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)  # nothing of the group may outlive it
    return RunResult(
        label, returncode, killed.is_set(), time.monotonic() - started, log, "; ".join(note)
    )


# Runs the Dagster publish step alone on the current build (a script file, not `python -c`:
# pyspark, imported by Great Expectations, exits at import when __main__ has no file).
PUBLISH_STEP_ONLY = """import sys
import dagster as dg
from orchestration.definitions import defs
result = defs.resolve_job_def("full_refresh").execute_in_process(
    instance=dg.DagsterInstance.get(),
    asset_selection=[dg.AssetKey("published_snapshot")],
    raise_on_error=False,
)
sys.exit(0 if result.success else 1)
"""


def publish_step_command(ws: Workspace) -> list[str]:
    script = ws.root / "publish_step_only.py"
    script.write_text(PUBLISH_STEP_ONLY, encoding="utf-8")
    return [sys.executable, str(script)]


# ------------------------------------------------------------------------------ observations


def serving_state(warehouse: Path) -> tuple[bytes, bytes]:
    pointer = warehouse / "serving.json"
    doc = json.loads(pointer.read_text(encoding="utf-8"))
    return pointer.read_bytes(), (warehouse / doc["snapshot"]).read_bytes()


def serving_intact(warehouse: Path) -> str | None:
    """The dashboards' own integrity check of the serving snapshot: None when it is good."""
    sys.path.insert(0, str(REPO_ROOT / "dashboards"))
    from data.snapshot import snapshot_problem

    doc = json.loads((warehouse / "serving.json").read_text(encoding="utf-8"))
    return snapshot_problem((warehouse / doc["snapshot"]).resolve(), doc.get("sha256"))


def inbox_rows(inbox: Path) -> dict[str, dict[str, int]]:
    """Data rows per file per family, counted with the csv module (not with the loader)."""
    from ingestion.contract import FAMILIES
    from ingestion.loader import discover_files

    counts: dict[str, dict[str, int]] = {}
    for family in FAMILIES:
        counts[family.name] = {}
        for path in discover_files(inbox, family):
            with path.open(newline="", encoding="utf-8") as handle:
                counts[family.name][path.name] = sum(1 for _ in csv.reader(handle)) - 1
    return counts


def reconciliation(ws: Workspace, committed_only: bool = False) -> list[str]:
    """Problems with what the build warehouse loaded versus the inbox; empty means it holds.

    ``committed_only``: after a kill, files not yet loaded are fine; any file that *is* in the
    load log must be complete and loaded exactly once.
    """
    from ingestion.contract import FAMILIES
    from ingestion.loader import content_hash, reconcile

    problems: list[str] = []
    expected = inbox_rows(ws.inbox)
    with duckdb.connect(str(ws.warehouse / "build.duckdb"), read_only=True) as con:
        for family in FAMILIES:
            mismatches = reconcile(con, family)
            problems += [f"{family.name}: {m}" for m in mismatches]
            logged = dict(
                con.execute(
                    "select source_file, count(*) from raw.load_log where family = ? "
                    "and status <> 'skipped' group by 1",
                    [family.name],
                ).fetchall()
            )
            twice = [name for name, n in logged.items() if n > 1]
            problems += [f"{family.name}: {name} loaded twice" for name in twice]
            duplicated = con.execute(
                f"select count(*) from (select _content_hash, _row_number from raw.{family.name} "
                "group by all having count(*) > 1)"
            ).fetchone()
            if duplicated and duplicated[0]:
                problems.append(f"{family.name}: {duplicated[0]} rows loaded twice")
            files = expected[family.name]
            missing = [name for name in files if name not in logged]
            if not committed_only:
                problems += [f"{family.name}: {name} never loaded" for name in missing]
            hashes = [content_hash(ws.inbox / name) for name in files if name in logged]
            if not hashes:
                continue
            placeholders = ", ".join("?" * len(hashes))
            row = con.execute(
                f"select (select count(*) from raw.{family.name} "
                f"where _content_hash in ({placeholders})) + (select count(*) from "
                f"raw.quarantine where family = ? and content_hash in ({placeholders}))",
                [*hashes, family.name, *hashes],
            ).fetchone()
            held = int(row[0]) if row else 0
            want = sum(n for name, n in files.items() if name in logged)
            if held != want:
                problems.append(
                    f"{family.name}: raw + quarantine hold {held} rows, the files have {want}"
                )
    return problems


# ------------------------------------------------------------------------------ scenarios


@dataclass
class KillOutcome:
    step: str
    killed: bool
    seconds: float
    serving_unchanged: bool
    serving_intact: bool
    warehouse_problems: list[str]
    note: str

    @property
    def ok(self) -> bool:
        return (
            self.killed
            and self.serving_unchanged
            and self.serving_intact
            and not self.warehouse_problems
        )


@dataclass
class Figures:
    size: str
    opportunities: int
    users: int
    started_at: str
    baseline_seconds: float = 0.0
    kills: list[KillOutcome] = field(default_factory=list)
    load: dict[str, Any] = field(default_factory=dict)
    load_refresh_seconds: float = 0.0
    load_refresh_ok: bool = False
    active_runs_left: int = -1
    abandoned_runs_marked: int = 0
    reconciliation_problems: list[str] = field(default_factory=list)
    rows_per_family: dict[str, int] = field(default_factory=dict)
    damage: dict[str, Any] = field(default_factory=dict)
    disk_full: dict[str, Any] = field(default_factory=dict)
    total_seconds: float = 0.0

    @property
    def passed(self) -> bool:
        return (
            all(k.ok for k in self.kills)
            and len(self.kills) == 4
            and self.load_refresh_ok
            and self.active_runs_left == 0
            and self.abandoned_runs_marked == len(self.kills)
            and self.load.get("errors") == 0
            and self.load.get("mixed_reads") == 0
            and len(self.load.get("refresh_ids_seen", [])) >= 2
            and not self.reconciliation_problems
            and bool(self.damage.get("ok"))
            and bool(self.disk_full.get("ok"))
        )


def say(message: str) -> None:
    print(f"[{datetime.now(UTC):%H:%M:%S}] {message}", file=sys.stderr, flush=True)


def kill_step(ws: Workspace, step: str, before: tuple[bytes, bytes], **trigger: Any) -> KillOutcome:
    say(f"refresh, to be killed during {step} ...")
    result = run_refresh(ws, f"kill_{step.replace(' ', '_')}", **trigger)
    problems = (
        reconciliation(ws, committed_only=True) if (ws.warehouse / "build.duckdb").exists() else []
    )
    outcome = KillOutcome(
        step=step,
        killed=result.killed and result.returncode == -signal.SIGKILL,
        seconds=result.seconds,
        serving_unchanged=serving_state(ws.warehouse) == before,
        serving_intact=serving_intact(ws.warehouse) is None,
        warehouse_problems=problems,
        note=result.kill_note or f"not killed: exit {result.returncode}",
    )
    say(
        f"  killed={outcome.killed} after {outcome.seconds:.1f}s ({outcome.note[:100]}); "
        f"serving unchanged={outcome.serving_unchanged}, intact={outcome.serving_intact}, "
        f"warehouse problems={len(problems)}"
    )
    return outcome


@contextlib.contextmanager
def dashboard_users(ws: Workspace, users: int, think_seconds: float) -> Iterator[Path]:
    """Run ``users`` user processes inside the block; their stats land in ``<logs>/users``."""
    folder = ws.logs / "users"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    stop = folder / "STOP"
    saved = os.environ.get("FUNNEL_WAREHOUSE")
    os.environ["FUNNEL_WAREHOUSE"] = str(ws.warehouse)  # spawned users inherit it
    context = multiprocessing.get_context("spawn")
    processes = [
        context.Process(
            target=run_user, args=(i, str(stop), str(folder / f"user{i}.json"), think_seconds)
        )
        for i in range(users)
    ]
    try:
        for process in processes:
            process.start()
        yield folder
    finally:
        stop.touch()
        for process in processes:
            process.join(timeout=120)
            if process.is_alive():
                process.kill()
        if saved is None:
            os.environ.pop("FUNNEL_WAREHOUSE", None)
        else:
            os.environ["FUNNEL_WAREHOUSE"] = saved


def wait_until_reading(folder: Path, users: int, timeout: float = 300) -> None:
    """Block until every user has rendered a page (starting Python is slow on a busy box)."""
    deadline = time.monotonic() + timeout
    while len(list(folder.glob("*.ready"))) < users:
        if time.monotonic() > deadline:
            raise RuntimeError(f"only {len(list(folder.glob('*.ready')))} of {users} users started")
        time.sleep(0.5)


def user_figures(folder: Path, users: int) -> dict[str, Any]:
    stats = [json.loads(p.read_text()) for p in sorted(folder.glob("user*.json"))]
    figures = summarise(stats)
    figures["users_reporting"] = figures.pop("users")
    figures["users"] = users
    return figures


def run_scenario(
    root: Path, size: str, opportunities: int, users: int, publish_kill: str, think: float
) -> Figures:
    started = time.monotonic()
    figures = Figures(size, opportunities, users, datetime.now(UTC).isoformat(timespec="seconds"))
    say(f"work folder {root}; generating {opportunities:,} opportunities")
    ws = prepare(root, opportunities, seed=20261122)

    say("baseline refresh (S1) ...")
    baseline = run_refresh(ws, "baseline")
    figures.baseline_seconds = baseline.seconds
    if baseline.returncode != 0:
        raise RuntimeError(f"the baseline refresh failed; see {baseline.log}")
    before = serving_state(ws.warehouse)

    add_export_round(ws.inbox, 1)
    figures.kills.append(kill_step(ws, "ingestion", before, kill_on_line=FIRST_NEW_FILE_LOADED))
    figures.kills.append(kill_step(ws, "checks", before, kill_on_line=CHECKS_STARTED))
    figures.kills.append(
        kill_step(
            ws,
            "dbt build",
            before,
            kill_on_line=DBT_MODEL_BUILT,
            kill_after_matches=DBT_MODELS_BEFORE_KILL,
        )
    )
    publish_trigger: dict[str, Any] = {"kill_on_file": PARTIAL_SNAPSHOT}
    if publish_kill == "step":
        publish_trigger["command"] = publish_step_command(ws)
    figures.kills.append(kill_step(ws, "publish", before, **publish_trigger))

    say(f"refresh under load: {users} dashboard users reading ...")
    with dashboard_users(ws, users, think) as folder:
        wait_until_reading(folder, users)  # every user reads S1 before the refresh starts
        loaded = run_refresh(ws, "under_load")
        time.sleep(3 + 5 * think)  # and reads S2 after it published
    figures.load_refresh_seconds = loaded.seconds
    figures.load_refresh_ok = loaded.returncode == 0 and serving_state(ws.warehouse) != before
    figures.load = user_figures(folder, users)
    say(f"  refresh exit {loaded.returncode} in {loaded.seconds:.1f}s; users: {figures.load}")

    figures.active_runs_left = active_runs_left(ws)
    figures.abandoned_runs_marked = sum(
        log.read_text(encoding="utf-8", errors="replace").count("marked abandoned run")
        for log in ws.logs.glob("*.log")
    )
    say(
        f"abandoned runs marked failed: {figures.abandoned_runs_marked}; "
        f"runs still recorded as active: {figures.active_runs_left}"
    )
    figures.reconciliation_problems = reconciliation(ws)
    rows = inbox_rows(ws.inbox)
    figures.rows_per_family = {family: sum(files.values()) for family, files in rows.items()}
    say(f"reconciliation problems: {figures.reconciliation_problems or 'none'}")

    figures.damage = damage_scenario(ws, think)
    figures.disk_full = disk_full_scenario(ws)
    figures.total_seconds = time.monotonic() - started
    return figures


def damage_scenario(ws: Workspace, think: float) -> dict[str, Any]:
    """Truncate the serving snapshot; users must get the previous one, with a warning."""
    doc = json.loads((ws.warehouse / "serving.json").read_text(encoding="utf-8"))
    serving = ws.warehouse / doc["snapshot"]
    original = serving.read_bytes()
    serving.write_bytes(original[: len(original) // 3])
    say(f"truncated {serving.name} to a third; two users read ...")
    try:
        with dashboard_users(ws, 2, think) as folder:
            wait_until_reading(folder, 2)
            time.sleep(2)
        users = user_figures(folder, 2)
    finally:
        serving.write_bytes(original)
    outcome = {
        "truncated": serving.name,
        "renders": users["renders"],
        "errors": users["errors"],
        "fallback_warnings": users["fallback_warnings"],
        "served": users["refresh_ids_seen"],
        "samples": users["samples"],
    }
    outcome["ok"] = (
        users["renders"] > 0
        and users["errors"] == 0
        and users["mixed_reads"] == 0
        and users["fallback_warnings"] == users["renders"]
        and doc["refresh_id"] not in users["refresh_ids_seen"]
    )
    say(f"  {outcome}")
    return outcome


# The file-size limit of the full-disk refresh, as a fraction of the build warehouse: a refresh
# rewrites most of the marts, through DuckDB's write-ahead log first, so a quarter of the
# warehouse's size is always crossed (half was not, once the nightly build stopped running the
# unit tests). Whichever writer hits it first (DuckDB or Dagster's run storage), the refresh
# must say DISK FULL and leave the serving snapshot alone.
DISK_FULL_FRACTION = 4


def disk_full_scenario(ws: Workspace) -> dict[str, Any]:
    """A refresh whose writes cannot go past a quarter of the build warehouse's size.

    The limit is per file, and Dagster's SQLite run index grows as large as the warehouse, so
    this run records itself in a fresh DAGSTER_HOME (as if Dagster's storage were on another
    volume, e.g. Postgres). On a real full disk Dagster's own writes fail too: the refresh then
    reports that error the same way.
    """
    before = serving_state(ws.warehouse)
    limit = (ws.warehouse / "build.duckdb").stat().st_size // DISK_FULL_FRACTION
    home = ws.root / "dagster_home_disk_full"
    home.mkdir(exist_ok=True)
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    say(
        f"refresh under a {limit:,}-byte file-size limit "
        f"(the build warehouse is {DISK_FULL_FRACTION}x that) ..."
    )
    result = run_refresh(
        ws, "disk_full", file_size_limit=limit, FUNNEL_LOG_LEVEL="INFO", DAGSTER_HOME=str(home)
    )
    output = result.output()
    clear = re.search(r"DISK FULL\b.*", output)
    outcome = {
        "limit_bytes": limit,
        "exit_code": result.returncode,
        "seconds": round(result.seconds, 1),
        "message": clear.group(0)[:400] if clear else None,
        "serving_unchanged": serving_state(ws.warehouse) == before,
        "serving_intact": serving_intact(ws.warehouse) is None,
    }
    outcome["ok"] = (
        result.returncode == 1
        and clear is not None
        and outcome["serving_unchanged"]
        and outcome["serving_intact"]
    )
    say(f"  {outcome}")
    return outcome


def active_runs_left(ws: Workspace) -> int:
    """Runs Dagster still records as starting or started (abandoned by a kill if > 0)."""
    import dagster as dg

    with dg.DagsterInstance.from_config(str(ws.dagster_home)) as instance:
        return len(
            instance.get_runs(
                dg.RunsFilter(statuses=[dg.DagsterRunStatus.STARTING, dg.DagsterRunStatus.STARTED])
            )
        )


# ------------------------------------------------------------------------------ report


def machine() -> str:
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{os.cpu_count()} cores, {memory:.0f} GB RAM, {platform.system()} "
        f"{platform.release()}, Python {platform.python_version()}, DuckDB {duckdb.__version__}; "
        f"load average at the end {os.getloadavg()[0]:.1f}"
    )


def render_markdown(figures: Figures, command: str) -> str:
    load = figures.load
    kills = "\n".join(
        f"| {k.step} | {'yes' if k.killed else 'NO'} | {k.seconds:.1f} s | "
        f"{'yes' if k.serving_unchanged else 'NO'} | {'yes' if k.serving_intact else 'NO'} | "
        f"{len(k.warehouse_problems)} | `{k.note[:90].replace('|', '/')}` |"
        for k in figures.kills
    )
    rows = ", ".join(f"{family} {n:,}" for family, n in figures.rows_per_family.items())
    title = f"{figures.size} size: {figures.opportunities:,} opportunities, {figures.users} users"
    header = (
        "| step | killed | after | serving pointer and snapshot unchanged "
        "| serving snapshot intact | warehouse problems | killed on |"
    )
    return f"""## {title}

Run {figures.started_at} with `{command}` on {machine()}.
Result: **{"PASSED" if figures.passed else "FAILED"}** in {figures.total_seconds:.0f} s
(baseline refresh {figures.baseline_seconds:.0f} s).

Kill at every step (SIGKILL to the refresh's process group):

{header}
|---|---|---|---|---|---|---|
{kills}

Load during refresh: {load.get("users")} users, {load.get("renders", 0):,} page renders,
**{load.get("queries", 0):,} queries, {load.get("errors")} errors, {load.get("mixed_reads")}
mixed reads**; refresh ids seen by the users: {", ".join(load.get("refresh_ids_seen", []))}.
The refresh under load (the recovery run after the four kills) took
{figures.load_refresh_seconds:.0f} s and {"published" if figures.load_refresh_ok else "FAILED"}.
Runs left "started" in Dagster by the kills and marked failed by the next refresh:
{figures.abandoned_runs_marked}; runs still recorded as active at the end:
{figures.active_runs_left}.

Reconciliation with the inbox (data rows per family, two export rounds):
{rows}; problems: {len(figures.reconciliation_problems)}.

Damaged snapshot ({figures.damage.get("truncated")} truncated to a third):
{figures.damage.get("renders")} renders, {figures.damage.get("errors")} errors,
{figures.damage.get("fallback_warnings")} with the fallback warning, served
{", ".join(figures.damage.get("served", []))}.

Full disk during a build (file-size limit {figures.disk_full.get("limit_bytes", 0):,} bytes):
exit {figures.disk_full.get("exit_code")}, serving unchanged
{figures.disk_full.get("serving_unchanged")}; the message:
`{figures.disk_full.get("message")}`
"""


def write_report(figures: Figures, command: str, path: Path = REPORT) -> None:
    """Replace this size's section of the report, keeping the other size's."""
    head = path.read_text(encoding="utf-8") if path.exists() else ""
    marker = "<!-- figures -->"
    intro, _, rest = head.partition(marker)
    sections = {
        m.group(1): m.group(0) for m in re.finditer(r"## (\w+) size:.*?(?=\n## |\Z)", rest, re.S)
    }
    sections[figures.size] = render_markdown(figures, command).rstrip() + "\n"
    body = "\n".join(sections[s] for s in sorted(sections, key=lambda s: s != "large"))
    path.write_text(intro.rstrip() + f"\n\n{marker}\n\n" + body, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.reliability", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--size", choices=sorted(SIZES), default="small")
    parser.add_argument("--opportunities", type=int, help="override the size's opportunities")
    parser.add_argument("--users", type=int, help="override the size's users (default 20 at large)")
    parser.add_argument("--think", type=float, default=0.2, help="seconds between renders")
    parser.add_argument(
        "--publish-kill",
        choices=["refresh", "step"],
        help="kill a whole refresh in publish, or a run of the publish step alone "
        "(default: step at small size, refresh at large)",
    )
    parser.add_argument("--workdir", type=Path, help="default: a new temporary folder")
    parser.add_argument(
        "--report", action="store_true", help=f"write {REPORT.relative_to(REPO_ROOT)}"
    )
    args = parser.parse_args(argv)
    opportunities, users = SIZES[args.size]
    opportunities = args.opportunities or opportunities
    users = args.users or users
    publish_kill = args.publish_kill or ("step" if args.size == "small" else "refresh")
    root = args.workdir or Path(tempfile.mkdtemp(prefix="funnel-reliability-"))
    figures = run_scenario(root, args.size, opportunities, users, publish_kill, args.think)
    command = "python -m bench.reliability " + " ".join(argv if argv is not None else sys.argv[1:])
    print(render_markdown(figures, command.strip()))
    if args.report:
        write_report(figures, command.strip())
    return 0 if figures.passed else 1


if __name__ == "__main__":
    sys.exit(main())
