"""Command line: write a demo inbox.

    python -m ingestion.demo --opportunities 5000 --out data/inbox --seed 42 --end-date 2026-06-30

Progress (every 10%, for 10,000 opportunities or more) and the summary go to stderr.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from ingestion.demo.generate import TRUTH_FILE, generate

BIG_RUN = 10_000


def today_in_shanghai() -> date:
    try:
        from zoneinfo import ZoneInfo

        tz: timezone | ZoneInfo = ZoneInfo("Asia/Shanghai")
    except Exception:  # no time zone database: China has had no DST since 1991
        tz = timezone(timedelta(hours=8))
    return datetime.now(tz).date()


def default_inbox() -> Path:
    from ingestion.paths import inbox_dir

    return inbox_dir()


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m ingestion.demo",
        description="Write a simulated export (a CSV file per export family, and truth.json).",
    )
    parser.add_argument(
        "--opportunities",
        type=int,
        default=5000,
        help="originating opportunities; renewals from contracts come on top (default 5000)",
    )
    parser.add_argument(
        "--out", type=Path, default=None, help="output folder (default $FUNNEL_INBOX or data/inbox)"
    )
    parser.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    parser.add_argument(
        "--end-date",
        type=date.fromisoformat,
        default=None,
        help="last simulated day, YYYY-MM-DD (default today in Asia/Shanghai)",
    )
    args = parser.parse_args(argv)
    if args.opportunities < 1:
        parser.error("--opportunities must be at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    out_dir: Path = args.out if args.out is not None else default_inbox()
    end_date: date = args.end_date or today_in_shanghai()
    started = time.perf_counter()

    def progress(done: int, total: int) -> None:
        if total >= BIG_RUN:
            elapsed = time.perf_counter() - started
            print(
                f"  {done:>10,} / {total:,} opportunities ({done * 100 // total}%), {elapsed:.1f}s",
                file=sys.stderr,
                flush=True,
            )

    print(
        f"generating {args.opportunities:,} opportunities, seed {args.seed}, ending "
        f"{end_date.isoformat()}, into {out_dir}",
        file=sys.stderr,
    )
    counts = generate(out_dir, args.opportunities, args.seed, end_date, progress=progress)
    elapsed = time.perf_counter() - started
    for name, rows in counts.items():
        print(f"  {name:<22}{rows:>12,} rows", file=sys.stderr)
    print(f"  {TRUTH_FILE}\ndone in {elapsed:.1f}s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
