"""The TRUE parameters of the simulated sales world (what analyses should recover).

Everything the generator draws from is defined here, so that ``truth.json`` can be written from
the same numbers the simulation uses.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

SIMULATED_DAYS = 730  # originating opportunities are created over the two years before end_date

STALL_PROBABILITY = 0.03  # per stage visit: the deal stays where it is, open, with no more events
SKIP_PROBABILITY = 0.05  # when advancing: jump two stages forward (never past the won stage)
BACKWARD_PROBABILITY = 0.04  # when advancing from the 3rd stage on: go back one stage first
LOST_SHARE = 0.8  # a closing deal is lost with this probability, else invalid
PAUSED_SHARE = 0.03  # share of open deals exported with status `paused`
WON_WITHOUT_CONTRACT = 0.02
RENEWAL_PROBABILITY = 0.8  # contract ending before end_date + 90 days gets a renewal opportunity
RENEWAL_HORIZON_DAYS = 90
ORDER_WITHOUT_CONTRACT = 0.01  # per written order: also emit an order with no contract
DUPLICATE_CREDIT_CODE = 0.01  # share of accounts reusing another account's credit code
MISSING_CREDIT_CODE = 0.05
PRE_WINDOW_RENEWAL_SHARE = 0.10  # originating opportunities renewing pre-window contracts

# Activities (跟进记录) drive outcomes. Each stage visit is ENGAGED with probability
# ENGAGED_VISIT_SHARE (drawn per visit, independent of everything else). An engaged visit advances
# with probability p + d, a disengaged one with p - d, where p is the stage's advance probability
# and d = ENGAGEMENT_SHIFT * min(p, 1 - p): the mean stays exactly p, so the stage-transition
# probabilities above remain the truth of the data, while the activities logged during a visit
# (engaged visits see far more visits, meetings, demos and proposals) carry the signal.
ENGAGED_VISIT_SHARE = 0.5
ENGAGEMENT_SHIFT = 0.6
# activities per day during a visit, by engagement and activity type
ACTIVITY_RATES_PER_DAY: dict[bool, dict[str, float]] = {
    True: {"visit": 0.05, "meeting": 0.04, "demo": 0.04, "proposal_sent": 0.02, "call": 0.05},
    False: {"visit": 0.01, "meeting": 0.005, "demo": 0.005, "proposal_sent": 0.005, "call": 0.05},
}
STALLED_ACTIVE_DAYS = 10  # a stalled deal goes quiet this many days after entering its stage

# Leads (线索): every opportunity sourced from a lead comes from a converted lead, created
# LEAD_LEAD_DAYS before it. Each converted lead comes with unconverted ones so that the share of
# leads converted to an opportunity is LEAD_CONVERSION_RATE in expectation; an unconverted lead
# older than LEAD_OPEN_DAYS is disqualified, a younger one is open.
LEAD_CONVERSION_RATE = 0.3
LEAD_LEAD_DAYS = (2, 30)
LEAD_OPEN_DAYS = 45
LEAD_SOURCES: tuple[str, ...] = ("web_form", "trade_show", "cold_call", "partner", "webinar")

WON_STAGE = "signed"
PROCESSES: dict[str, tuple[str, ...]] = {
    "standard": ("initial_contact", "needs_confirmed", "proposal", "negotiation", WON_STAGE),
    "renewal": ("initial_contact", "proposal", "negotiation", WON_STAGE),
}

SEGMENTS: tuple[str, ...] = ("enterprise", "government", "public_institution")
SEGMENT_WEIGHTS: tuple[float, ...] = (0.5, 0.25, 0.25)

# probability that a deal which reached the stage advances (rather than closing lost/invalid)
STANDARD_ADVANCE: dict[str, dict[str, float]] = {
    "enterprise": {
        "initial_contact": 0.60,
        "needs_confirmed": 0.55,
        "proposal": 0.45,
        "negotiation": 0.50,
    },
    "public_institution": {
        "initial_contact": 0.55,
        "needs_confirmed": 0.50,
        "proposal": 0.40,
        "negotiation": 0.45,
    },
    "government": {
        "initial_contact": 0.60,
        "needs_confirmed": 0.55,
        "proposal": 0.12,
        "negotiation": 0.50,
    },
}
RENEWAL_ADVANCE: dict[str, float] = {"initial_contact": 0.80, "proposal": 0.75, "negotiation": 0.80}

BOTTLENECK = {
    "segment": "government",
    "process": "standard",
    "from_stage": "proposal",
    "to_stage": "negotiation",
    "true_rate": 0.12,
    "benchmark_rate": 0.40,
}

DWELL_MEDIAN_DAYS: dict[str, float] = {
    "initial_contact": 7.0,
    "needs_confirmed": 14.0,
    "proposal": 21.0,
    "negotiation": 18.0,
}
DWELL_SIGMA = 0.6
GOVERNMENT_DWELL_FACTOR = 1.5
RENEWAL_DWELL_FACTOR = 0.7
P90_Z = 1.2815516


@dataclass(frozen=True)
class Dwell:
    """Lognormal dwell time in days: ln(days) ~ Normal(mu, sigma)."""

    mu: float
    sigma: float

    def summary(self) -> dict[str, float]:
        return {
            "mu": round(self.mu, 6),
            "sigma": self.sigma,
            "median_days": round(math.exp(self.mu), 4),
            "mean_days": round(math.exp(self.mu + self.sigma**2 / 2), 4),
            "p90_days": round(math.exp(self.mu + P90_Z * self.sigma), 4),
        }


@dataclass(frozen=True)
class ProcessModel:
    """One (segment, process) combination: stage list, advance probabilities, dwell times."""

    segment: str
    process: str
    stages: tuple[str, ...]
    advance: tuple[float, ...]  # per non-final stage
    dwell: tuple[Dwell, ...]  # per non-final stage


def advance_probabilities(segment: str, process: str) -> dict[str, float]:
    return dict(RENEWAL_ADVANCE) if process == "renewal" else dict(STANDARD_ADVANCE[segment])


def process_model(segment: str, process: str) -> ProcessModel:
    stages = PROCESSES[process]
    probs = advance_probabilities(segment, process)
    factor = (GOVERNMENT_DWELL_FACTOR if segment == "government" else 1.0) * (
        RENEWAL_DWELL_FACTOR if process == "renewal" else 1.0
    )
    dwell = tuple(Dwell(math.log(DWELL_MEDIAN_DAYS[s] * factor), DWELL_SIGMA) for s in stages[:-1])
    return ProcessModel(segment, process, stages, tuple(probs[s] for s in stages[:-1]), dwell)


MODELS: dict[tuple[str, str], ProcessModel] = {
    (seg, proc): process_model(seg, proc) for seg in SEGMENTS for proc in PROCESSES
}

# reference data
REGION_BRANCHES: dict[str, tuple[str, ...]] = {
    "east": ("shanghai", "hangzhou", "nanjing"),
    "north": ("beijing", "tianjin", "jinan"),
    "south": ("guangzhou", "shenzhen", "fuzhou"),
    "west": ("chengdu", "chongqing", "xian"),
}
REGION_WEIGHTS: tuple[float, ...] = (0.35, 0.25, 0.25, 0.15)
BRANCH_DIVISION: dict[str, str] = {  # administrative division codes used in credit codes
    "shanghai": "310000",
    "hangzhou": "330100",
    "nanjing": "320100",
    "beijing": "110000",
    "tianjin": "120000",
    "jinan": "370100",
    "guangzhou": "440100",
    "shenzhen": "440300",
    "fuzhou": "350100",
    "chengdu": "510100",
    "chongqing": "500000",
    "xian": "610100",
}
TIERS: tuple[str, ...] = ("A", "B", "C")
TIER_WEIGHTS: tuple[float, ...] = (0.15, 0.35, 0.5)
TIER_OPPORTUNITY_WEIGHT: dict[str, float] = {"A": 3.0, "B": 1.5, "C": 1.0}
TIER_AMOUNT_FACTOR: dict[str, float] = {"A": 2.0, "B": 1.0, "C": 0.7}
INDUSTRIES: tuple[str, ...] = (
    "power",
    "finance",
    "government",
    "real_estate",
    "fmcg",
    "manufacturing",
)
PRODUCTS: tuple[str, ...] = ("hardware", "software", "service")
PRODUCT_WEIGHTS: tuple[float, ...] = (0.3, 0.45, 0.25)
AMOUNT_MEDIAN = 200_000.0
AMOUNT_SIGMA = 0.8
SOURCES: tuple[str, ...] = ("lead", "referral", "inbound", "existing_customer", "trade_show")
NEW_SOURCE_WEIGHTS: tuple[float, ...] = (0.35, 0.2, 0.25, 0.05, 0.15)
UPSELL_SOURCE_WEIGHTS: tuple[float, ...] = (0.1, 0.15, 0.1, 0.6, 0.05)
LOST_REASONS: tuple[str, ...] = (
    "price",
    "competitor",
    "no_budget",
    "no_decision",
    "requirement_changed",
)
INVALID_REASONS: tuple[str, ...] = ("duplicate", "no_real_need", "unreachable", "test_record")
