"""Leads (线索): the converted lead behind each lead-sourced opportunity, and unconverted ones.

Per converted lead, the number of unconverted leads is geometric with success probability
``params.LEAD_CONVERSION_RATE`` (failures before the first success), so the expected share of
leads that convert is exactly that rate.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from random import Random

from ingestion.demo import params
from ingestion.demo.clock import DAY


@dataclass(frozen=True, slots=True)
class LeadDraft:
    created: int  # simulation time
    source: str
    status: str  # open, converted or disqualified
    converted_at: int | None


def draw_leads(rng: Random, opportunity_created: int, end_day: int) -> Iterator[LeadDraft]:
    """The converted lead of an opportunity created at ``opportunity_created``, then the
    unconverted leads that came with it (never created after ``end_day``)."""
    low, high = params.LEAD_LEAD_DAYS
    created = opportunity_created - rng.randint(low, high) * DAY - rng.randrange(DAY // 2)
    yield LeadDraft(created, rng.choice(params.LEAD_SOURCES), "converted", opportunity_created)
    while rng.random() >= params.LEAD_CONVERSION_RATE:
        day = min(end_day, created // DAY + rng.randint(-60, 60))
        at = day * DAY + rng.randrange(8 * 3600, 19 * 3600)
        age = end_day - day
        status = "disqualified" if age > params.LEAD_OPEN_DAYS else "open"
        yield LeadDraft(at, rng.choice(params.LEAD_SOURCES), status, None)
