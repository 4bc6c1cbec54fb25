"""``truth.json``: the parameters the data was drawn from, what they imply, and what was drawn.

Counting rule for a transition ``a->b`` (consecutive stages of a process), per opportunity, with
``top`` = the furthest stage its history reached (skipped stages count as passed, backward moves
do not lower it):

- reached: ``top >= a``;  advanced: ``top >= b``;
- lost: reached, not advanced, status lost or invalid (``of_which_invalid`` counts invalid);
- open: reached, not advanced, status open or paused (stalled or not finished at end_date).

``resolved_rate = advanced / (advanced + lost)``. The expected value of it is worked out by
following the probability mass through the process (stalls, skips into and over a stage),
ignoring the right-censoring at end_date; with skip probability q and no stalls it reduces to
``(1 - q) * p + q`` for a stage that can be skipped over, and to ``p`` for the first one.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from ingestion.demo import params as P
from ingestion.demo.params import ProcessModel

COUNT_KEYS = ("reached", "advanced", "lost", "of_which_invalid", "open")


def transitions(stages: tuple[str, ...]) -> list[str]:
    return [f"{a}->{b}" for a, b in zip(stages, stages[1:], strict=False)]


class Tally:
    """Per (segment, process, transition) counts, updated one opportunity at a time."""

    def __init__(self) -> None:
        self.counts: dict[tuple[str, str], list[list[int]]] = {
            key: [[0] * len(COUNT_KEYS) for _ in model.stages[:-1]]
            for key, model in P.MODELS.items()
        }

    def add(self, segment: str, process: str, top: int, status: str) -> None:
        rows = self.counts[(segment, process)]
        for k in range(min(top + 1, len(rows))):
            row = rows[k]
            row[0] += 1
            if top > k:
                row[1] += 1
            elif status in ("lost", "invalid"):
                row[2] += 1
                row[3] += status == "invalid"
            else:
                row[4] += 1

    def as_dict(self) -> dict[str, dict[str, dict[str, dict[str, Any]]]]:
        out: dict[str, dict[str, dict[str, dict[str, Any]]]] = {}
        for (segment, process), rows in self.counts.items():
            names = transitions(P.PROCESSES[process])
            block: dict[str, dict[str, Any]] = {}
            for name, row in zip(names, rows, strict=True):
                entry: dict[str, Any] = dict(zip(COUNT_KEYS, row, strict=True))
                resolved = row[1] + row[2]
                entry["resolved_rate"] = round(row[1] / resolved, 6) if resolved else None
                block[name] = entry
            out.setdefault(segment, {})[process] = block
    return_value = None  # placeholder to keep mypy quiet about the loop variable
        return out
