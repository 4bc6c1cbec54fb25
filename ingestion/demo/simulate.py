"""The life of one opportunity: stage by stage, from the TRUE parameters in ``params``.

At each stage visit the deal draws a dwell time (lognormal, independent of the outcome) and an
outcome: stall (stays open, no more events), advance, or close (lost or invalid) at the end of the
dwell. An advance may skip the next stage, and from the third stage on may first go back one stage
(a full visit there and a fresh visit back) before moving on. Nothing after ``horizon`` (the end of
``end_date``) is seen: a deal whose next event lies beyond it is open where it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from random import Random

from ingestion.demo import params
from ingestion.demo.clock import DAY
from ingestion.demo.params import Dwell, ProcessModel

NO_STAGE = -1


@dataclass(slots=True)
class Path:
    """What happened to one opportunity up to the horizon."""

    events: list[tuple[int, int, int]]  # (from stage index or NO_STAGE, to stage index, time)
    stage: int  # current stage index
    top: int  # furthest stage index reached (skipped stages count as passed)
    status: str  # open, won, lost or invalid (paused is decided when exporting)
    closed_at: int | None
    stalled: bool = False
    skipped: bool = False
    went_back: bool = False


def dwell_seconds(rng: Random, dwell: Dwell) -> int:
    return max(1, round(rng.lognormvariate(dwell.mu, dwell.sigma) * DAY))


def simulate(rng: Random, model: ProcessModel, start: int, horizon: int) -> Path:
    """Walk one opportunity through ``model`` from ``start``; events after ``horizon`` are cut."""
    last = len(model.stages) - 1
    path = Path(events=[(NO_STAGE, 0, start)], stage=0, top=0, status="open", closed_at=None)
    k, t = 0, start
    while k < last:
        # every visit draws the same five decisions, whatever happens, plus its dwell
        dwell = dwell_seconds(rng, model.dwell[k])
        stall = rng.random() < params.STALL_PROBABILITY
        advance = rng.random() < model.advance[k]
        lost = rng.random() < params.LOST_SHARE
        skip = rng.random() < params.SKIP_PROBABILITY and k + 2 <= last
        back = rng.random() < params.BACKWARD_PROBABILITY and k >= 2
        if stall:
            path.stalled = True
            return path
        t += dwell
        if t > horizon:
            return path
        if not advance:
            path.status, path.closed_at = ("lost" if lost else "invalid"), t
            return path
        if back:
            path.went_back = True
            path.events.append((k, k - 1, t))
            path.stage = k - 1
            t += dwell_seconds(rng, model.dwell[k - 1])
            if t > horizon:
                return path
            path.events.append((k - 1, k, t))
            path.stage = k
            t += dwell_seconds(rng, model.dwell[k])
            if t > horizon:
                return path
        target = k + 2 if skip else k + 1
        path.skipped = path.skipped or skip
        path.events.append((k, target, t))
        k = path.stage = path.top = target
    path.status, path.closed_at = "won", t
    return path
