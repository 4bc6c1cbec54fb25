"""Write the next night's exports for a demo inbox: about 1 % of its opportunities changed.

    .venv/bin/python bench/incremental_change.py /tmp/funnel-bench/inbox --share 0.01

Measures the incremental refresh: refresh an inbox, run this on it, refresh again (the stage
facts rebuild only the changed opportunities), and compare with `python -m orchestration.refresh
--full` on the same inbox. It reads the inbox's `opportunities*.csv` and `stage_history*.csv`
(the demo generator's canonical files) and adds two delta files, as a CRM that exports the day's
changes would: `opportunities_<date>.csv` and `stage_history_<date>.csv`. Of the chosen
opportunities (open ones, in a stage before the last open one):

- half move one stage forward (a new history row one minute after their latest change, and
  their export row in the new stage);
- a fifth get a late, corrected history row: their latest change again, `changed_by`
  corrected (a new version of a change dated before the last build);
- a fifth change product category (an attribute the stage facts carry);
- the rest are copied as new opportunities (new ids, created one minute after the original,
  with their entry into the first stage).

The date in the file names must not be earlier than the export date of the files already
loaded (a late export makes the stage facts rebuild every opportunity first exported after
it): it defaults to today's date in UTC, the load date that names an undated demo file.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import random
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
STAGES_SEED = REPO_ROOT / "dbt_project" / "seeds" / "sales_process_stages.csv"
TIMESTAMP = "%Y-%m-%d %H:%M:%S"


@dataclass(frozen=True)
class IncrementalChange:
    """What `write_incremental_change` wrote."""

    opportunities_file: Path
    history_file: Path
    moved: int
    corrected: int
    recategorised: int
    new: int

    @property
    def changed(self) -> int:
        return self.moved + self.corrected + self.recategorised + self.new


def _read(paths: list[Path]) -> tuple[list[str], list[dict[str, str]]]:
    header: list[str] = []
    rows: list[dict[str, str]] = []
    for path in paths:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            header = list(reader.fieldnames or [])
            rows.extend(reader)
    return header, rows


def _write(path: Path, header: list[str], rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header)
        writer.writeheader()
        writer.writerows(rows)


def _open_stage_orders() -> dict[str, list[str]]:
    """Each sales process's stages that are not won, in stage order."""
    with STAGES_SEED.open(encoding="utf-8", newline="") as handle:
        stages = [row for row in csv.DictReader(handle) if row["is_won_stage"] != "true"]
    orders: dict[str, list[str]] = {}
    for row in sorted(stages, key=lambda r: int(r["stage_order"])):
        orders.setdefault(row["sales_process"], []).append(row["stage_code"])
    return orders


def _later(timestamp: str, minutes: int = 1) -> str:
    moment = dt.datetime.fromisoformat(timestamp.replace("T", " "))
    return (moment + dt.timedelta(minutes=minutes)).strftime(TIMESTAMP)


def write_incremental_change(
    inbox: Path, share: float = 0.01, export_date: dt.date | None = None, seed: int = 7
) -> IncrementalChange:
    """Add the delta exports changing about `share` of the inbox's opportunities."""
    date = (export_date or dt.datetime.now(dt.UTC).date()).isoformat()
    opportunities_file = inbox / f"opportunities_{date}.csv"
    history_file = inbox / f"stage_history_{date}.csv"
    if opportunities_file.exists() or history_file.exists():
        raise FileExistsError(f"{opportunities_file.name} or {history_file.name} already exists")
    opp_header, opportunities = _read(sorted(inbox.glob("opportunities*.csv")))
    history_header, history = _read(sorted(inbox.glob("stage_history*.csv")))
    latest: dict[str, dict[str, str]] = {}
    for row in history:
        if row["changed_at"] >= latest.get(row["opportunity_id"], {}).get("changed_at", ""):
            latest[row["opportunity_id"]] = row
    orders = _open_stage_orders()
    candidates = [
        row
        for row in opportunities
        if row["status"] == "open"
        and row["opportunity_id"] in latest
        and row["current_stage"] in orders.get(row["sales_process"], [])[:-1]
    ]
    count = max(4, round(share * len(opportunities)))
    if count > len(candidates):
        raise ValueError(f"only {len(candidates)} open opportunities can change, {count} asked")
    chosen = random.Random(seed).sample(candidates, count)
    moved, corrected, recategorised = count // 2, count // 5, count // 5
    categories = sorted({row["product_category"] for row in opportunities} - {""})
    new_opportunities: list[dict[str, str]] = []
    new_history: list[dict[str, str]] = []
    for index, row in enumerate(chosen):
        opportunity_id, last = row["opportunity_id"], latest[row["opportunity_id"]]
        changed = dict(row)
        if index < moved:
            stages = orders[row["sales_process"]]
            changed["current_stage"] = stages[stages.index(row["current_stage"]) + 1]
            new_history.append(
                {
                    **last,
                    "from_stage": row["current_stage"],
                    "to_stage": changed["current_stage"],
                    "changed_at": _later(last["changed_at"]),
                }
            )
        elif index < moved + corrected:
            new_history.append({**last, "changed_by": f"{last['changed_by']}-corrected"})
            continue  # the export row itself did not change
        elif index < moved + corrected + recategorised:
            others = [c for c in categories if c != row["product_category"]]
            changed["product_category"] = others[index % len(others)]
        else:
            changed["opportunity_id"] = f"{opportunity_id}N"
            changed["created_at"] = _later(row["created_at"])
            first_stage = orders[row["sales_process"]][0]
            changed["current_stage"] = first_stage
            new_history.append(
                {
                    **last,
                    "opportunity_id": changed["opportunity_id"],
                    "from_stage": "",
                    "to_stage": first_stage,
                    "changed_at": changed["created_at"],
                }
            )
        new_opportunities.append(changed)
    _write(opportunities_file, opp_header, new_opportunities)
    _write(history_file, history_header, new_history)
    return IncrementalChange(
        opportunities_file,
        history_file,
        moved,
        corrected,
        recategorised,
        count - moved - corrected - recategorised,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("inbox", type=Path, help="a demo inbox (python -m ingestion.demo)")
    parser.add_argument("--share", type=float, default=0.01, help="share changed (0.01)")
    parser.add_argument(
        "--export-date",
        type=dt.date.fromisoformat,
        default=None,
        help="date in the new files' names, YYYY-MM-DD (default: today in UTC)",
    )
    parser.add_argument("--seed", type=int, default=7, help="random seed (7)")
    args = parser.parse_args(argv)
    change = write_incremental_change(args.inbox, args.share, args.export_date, args.seed)
    print(
        f"{change.changed} opportunities changed: {change.moved} moved a stage, "
        f"{change.corrected} with a late corrected history row, {change.recategorised} "
        f"recategorised, {change.new} new; wrote {change.opportunities_file.name} and "
        f"{change.history_file.name} in {args.inbox}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
