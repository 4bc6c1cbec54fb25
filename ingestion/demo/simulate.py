"""The life of one opportunity: stage by stage, from the TRUE parameters in ``params``.

At each stage visit the deal draws a dwell time (lognormal, independent of the outcome), whether
the visit is engaged (which shifts its advance probability up or down around the stage's, see
``params.ENGAGEMENT_SHIFT``; the activities written for the visit follow from it), and an
outcome: stall (stays open, no more events), advance, or close (lost or invalid) at the end of the
dwell. An advance may skip the next stage, and from the third stage on may first go back one stage
(a full visit there and a fresh visit back) before moving on. Nothing after ``horizon`` (the end of
``end_date``) is seen: a deal whose next event lies beyond it is open where it is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from random import Random

from ingestion.demo import params
from ingestion.demo.clock import DAY
from ingestion.demo.params import Dwell, ProcessModel

NO_STAGE = -1


@dataclass(frozen=True, slots=True)
class Visit:
    """A stay in one stage, from ``start`` to ``end`` (the horizon when still there)."""

    stage: int
    start: int
    end: int
    engaged: bool
    stalled: bool = False


def engaged_advance(p: float, engaged: bool) -> float:
    """The advance probability of an engaged / disengaged visit; their mean is ``p``."""
    shift = params.ENGAGEMENT_SHIFT * min(p, 1 - p)
    return p + shift if engaged else p - shift


@dataclass(slots=True)
class Path:
    """What happened to one opportunity up to the horizon."""

    events: list[tuple[int, int, int]]  # (from stage index or NO_STAGE, to stage index, time)
    stage: int  # current stage index
    top: int  # furthest stage index reached (skipped stages count as passed)
    status: str  # open, won, lost or invalid (paused is decided when exporting)
    closed_at: int | None
    visits: list[Visit] = field(default_factory=list)
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
        # every visit draws the same six decisions, whatever happens, plus its dwell
        dwell = dwell_seconds(rng, model.dwell[k])
        stall = rng.random() < params.STALL_PROBABILITY
        engaged = rng.random() < params.ENGAGED_VISIT_SHARE
        advance = rng.random() < engaged_advance(model.advance[k], engaged)
        lost = rng.random() < params.LOST_SHARE
        skip = rng.random() < params.SKIP_PROBABILITY and k + 2 <= last
        back = rng.random() < params.BACKWARD_PROBABILITY and k >= 2
        if stall:
            path.stalled = True
            path.visits.append(Visit(k, t, horizon, engaged, stalled=True))
            return path
        if t + dwell > horizon:
            path.visits.append(Visit(k, t, horizon, engaged))
            return path
        path.visits.append(Visit(k, t, t + dwell, engaged))
        t += dwell
        if not advance:
            path.status, path.closed_at = ("lost" if lost else "invalid"), t
            return path
        if back:
            path.went_back = True
            path.events.append((k, k - 1, t))
            path.stage = k - 1
            for stage in (k - 1, k):
                stay = dwell_seconds(rng, model.dwell[stage])
                path.visits.append(Visit(stage, t, min(t + stay, horizon), engaged))
                t += stay
                if t > horizon:
                    return path
                if stage == k - 1:
                    path.events.append((k - 1, k, t))
                    path.stage = k
        target = k + 2 if skip else k + 1
        path.skipped = path.skipped or skip
        path.events.append((k, target, t))
        k = path.stage = path.top = target
    path.status, path.closed_at = "won", t
    return path
