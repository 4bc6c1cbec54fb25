"""Follow-up activities (跟进记录) during an opportunity's stage visits.

Activities arrive as a Poisson process whose rates depend on whether the visit is engaged
(``params.ACTIVITY_RATES_PER_DAY``); engaged visits are also more likely to advance
(``simulate.engaged_advance``), which is what makes activities predictive. A stalled visit goes
quiet ``params.STALLED_ACTIVE_DAYS`` after it starts.
"""

from __future__ import annotations

from collections.abc import Iterator
from random import Random

from ingestion.demo import params
from ingestion.demo.clock import DAY
from ingestion.demo.simulate import Visit

TYPES: dict[bool, tuple[str, ...]] = {
    engaged: tuple(rates) for engaged, rates in params.ACTIVITY_RATES_PER_DAY.items()
}
WEIGHTS: dict[bool, tuple[float, ...]] = {
    engaged: tuple(rates.values()) for engaged, rates in params.ACTIVITY_RATES_PER_DAY.items()
}
TOTAL_RATE: dict[bool, float] = {engaged: sum(w) for engaged, w in WEIGHTS.items()}


def draw_activities(rng: Random, visit: Visit) -> Iterator[tuple[str, int]]:
    """(activity type, time) for one visit, in time order, all within the visit."""
    engaged = visit.engaged and not visit.stalled
    end = visit.end
    if visit.stalled:
        end = min(end, visit.start + params.STALLED_ACTIVE_DAYS * DAY)
    rate = TOTAL_RATE[engaged]
    t = visit.start + round(rng.expovariate(rate) * DAY)
    while t < end:
        yield rng.choices(TYPES[engaged], WEIGHTS[engaged])[0], t
        t += max(60, round(rng.expovariate(rate) * DAY))
