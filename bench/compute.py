"""`python -m bench.compute floor|pandas INBOX AS_OF OUT`: compute the core metrics one way
and pickle the four tables to OUT. bench/benchmark.py runs it as a child process so that its
wall time and peak memory are measured like the pipeline's."""

from __future__ import annotations

import argparse
import pickle
from datetime import date
from pathlib import Path

from bench.metrics import STAGES_CSV, run_floor, run_pandas


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("method", choices=["floor", "pandas"])
    parser.add_argument("inbox", type=Path)
    parser.add_argument("as_of", type=date.fromisoformat)
    parser.add_argument("out", type=Path)
    args = parser.parse_args(argv)
    if args.method == "floor":
        tables = run_floor(args.inbox, args.as_of)
    else:
        tables = run_pandas(args.inbox, STAGES_CSV, args.as_of)
    with args.out.open("wb") as handle:
        pickle.dump(tables, handle)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
