"""``python -m orchestration.scoring.report``: backtest the win-probability model on the build
database of ``$FUNNEL_WAREHOUSE`` (after a refresh) and write ``docs/scoring.md``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd

from ingestion.paths import REPO_ROOT, build_db_path
from orchestration.scoring.backtest import (
    METHOD_LABELS,
    METHODS,
    MIN_EMPIRICAL_DEALS,
    Period,
    calibration,
    metrics,
    run_backtest,
)
from orchestration.scoring.run import history_frame
from orchestration.scoring.settings import ScoringSettings, load_settings

DOC_PATH = REPO_ROOT / "docs" / "scoring.md"
TEMPLATE = Path(__file__).with_name("scoring_doc.md")


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def results_section(
    rows: pd.DataFrame, periods: Sequence[Period], as_of: date, command: str
) -> str:
    table = metrics(rows).set_index("method")
    overall = _table(
        ["method", "AUC", "Brier score", "calibration error (ECE)"],
        [
            [
                METHOD_LABELS[m],
                f"{table.loc[m, 'auc']:.3f}",
                f"{table.loc[m, 'brier']:.4f}",
                f"{table.loc[m, 'ece']:.4f}",
            ]
            for m in METHODS
        ],
    )
    per_period = []
    for period in periods:
        held = rows[rows["cutoff"] == period.cutoff] if not rows.empty else rows
        briers = (
            [f"{((held[m] - held['won']) ** 2).mean():.4f}" for m in METHODS]
            if period.declined is None
            else [f"declined: {period.declined}", "", ""]
        )
        per_period.append(
            [
                f"{period.cutoff} → {period.end}",
                f"{period.training_deals:,}",
                f"{period.held_out_rows:,}",
                *briers,
            ]
        )
    by_period = _table(
        ["trained on data up to → held out until", "training deals", "held-out rows"]
        + [f"Brier {m}" for m in METHODS],
        per_period,
    )
    calibration_tables = []
    for method in METHODS:
        bins = calibration(rows, method)
        calibration_tables.append(
            f"**{METHOD_LABELS[method]}**\n\n"
            + _table(
                ["bin", "rows", "mean predicted", "observed win share"],
                [
                    [str(i + 1), f"{b.rows:,}", f"{b.predicted:.3f}", f"{b.observed:.3f}"]
                    for i, b in enumerate(bins.itertuples())
                ],
            )
        )
    won = int(rows["won"].sum())
    return "\n\n".join(
        [
            f"As of {as_of}: {len(rows):,} held-out snapshot rows of "
            f"{rows['opportunity_id'].nunique():,} deals ({won:,} rows of deals later won). "
            f"Produced by `{command}`.",
            overall,
            "### Brier score by held-out quarter",
            by_period,
            "### Calibration (deciles of each method's prediction)",
            *calibration_tables,
        ]
    )


def render_doc(
    rows: pd.DataFrame,
    periods: Sequence[Period],
    as_of: date,
    settings: ScoringSettings,
    command: str,
) -> str:
    template = TEMPLATE.read_text(encoding="utf-8")
    return (
        template.replace("{min_closed_deals}", str(settings.min_closed_deals))
        .replace("{min_per_outcome}", str(settings.min_per_outcome))
        .replace("{min_empirical_deals}", str(MIN_EMPIRICAL_DEALS))
        .replace("{results}", results_section(rows, periods, as_of, command))
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m orchestration.scoring.report",
        description="Backtest the win-probability model on held-out quarters; write the report.",
    )
    parser.add_argument("--periods", type=int, default=4, help="held-out quarters (default 4)")
    parser.add_argument("--out", type=Path, default=DOC_PATH, help="default docs/scoring.md")
    parser.add_argument(
        "--as-of",
        type=date.fromisoformat,
        default=None,
        help="as-of date (default: the build's, from marts.dim_opportunities)",
    )
    args = parser.parse_args(argv)
    database = build_db_path()
    if not database.exists():
        parser.error(f"{database} does not exist: run a refresh first (see README)")
    settings = load_settings()
    with duckdb.connect(str(database), read_only=True) as con:
        found = con.execute("select max(as_of_date) from marts.dim_opportunities").fetchall()
        as_of: date = args.as_of or (found[0][0] if found else date.today())
        print(f"loading month-end feature rows up to {as_of} from {database}", file=sys.stderr)
        frame = history_frame(con, as_of)
    print(f"{len(frame):,} feature rows; backtesting {args.periods} quarters", file=sys.stderr)
    rows, periods = run_backtest(
        frame, as_of, args.periods, settings.min_closed_deals, settings.min_per_outcome
    )
    if rows.empty:
        print("no held-out quarter could be scored:", file=sys.stderr)
        for period in periods:
            print(f"  {period.cutoff}: {period.declined}", file=sys.stderr)
        return 1
    command = "python -m orchestration.scoring.report" + (
        f" --periods {args.periods}" if args.periods != 4 else ""
    )
    args.out.write_text(render_doc(rows, periods, as_of, settings, command), encoding="utf-8")
    for record in metrics(rows).itertuples():
        print(
            f"  {record.method:<11} AUC {record.auc:.3f}  Brier {record.brier:.4f}  "
            f"ECE {record.ece:.4f}",
            file=sys.stderr,
        )
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
